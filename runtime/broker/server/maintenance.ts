import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { messageOf } from '../../util/errors.ts';
import type { LogManagerConfig } from '../log/log-manager-config.ts';
import { isCompacted } from '../log/topic-config.ts';
import { planCleaning } from '../log/compaction-plan.ts';
import { LogCleaner } from '../storage/log-cleaner.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import type { TopicService } from './topic-service.ts';

/**
 * The broker's background jobs over all partitions, each on its Kafka interval and never
 * overlapping itself: retention (log.retention.check.interval.ms), time-based flushes
 * (log.flush.scheduler.interval.ms), checkpoints with producer-state snapshots
 * (log.flush.offset.checkpoint.interval.ms), idle producer expiry, and the log cleaner
 * (log.cleaner.backoff.ms). The cleaner, whose offset map takes log.cleaner.dedupe.buffer.size of
 * memory, is created the first time a compacted log needs cleaning.
 */
export interface MaintenanceOptions {
  topics: TopicService;
  logManager: LogManagerConfig;
  producerIdExpirationMs: number;
  producerIdExpirationCheckIntervalMs: number;
  clock: Clock;
  logger: Logger;
}

const MAX_TIMER = 0x7fffffff;

/** Whether the cleaner would do a pass now; asked before the cleaner (and its memory) exists. */
function needsCleaning(log: PartitionLog, now: number): boolean {
  const view = log.cleaningView();
  return (
    planCleaning({
      segments: view.segments.map((s) => ({ baseOffset: s.baseOffset, size: s.size, largestTimestamp: s.maxTimestamp, firstBatchTimestamp: s.firstBatchTimestamp })),
      logStartOffset: view.logStartOffset,
      cleanerOffset: view.cleanerOffset,
      tombstoneHorizon: view.tombstoneHorizon,
      config: view.config,
      now,
    }).reason !== undefined
  );
}

export class Maintenance {
  readonly #o: MaintenanceOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<string>();
  #cleaner: LogCleaner | undefined;
  #stopped = false;

  constructor(options: MaintenanceOptions) {
    this.#o = options;
  }

  start(): void {
    const m = this.#o.logManager;
    this.#every('retention', m['log.retention.check.interval.ms'], () => this.#retention());
    this.#every('flush', m['log.flush.scheduler.interval.ms'], () => this.#flushByTime());
    this.#every('checkpoint', m['log.flush.offset.checkpoint.interval.ms'], () => this.checkpoint());
    this.#every('producer-expiry', this.#o.producerIdExpirationCheckIntervalMs, () => this.#expireProducers());
    if (m['log.cleaner.enable']) this.#every('cleaner', Math.max(m['log.cleaner.backoff.ms'], 1000), () => this.#clean());
  }

  #every(name: string, intervalMs: number, job: () => Promise<void>): void {
    if (!(intervalMs > 0) || intervalMs > MAX_TIMER) return;
    const timer = setInterval(() => {
      if (this.#stopped || this.#running.has(name)) return;
      this.#running.add(name);
      job()
        .catch((err: unknown) => this.#o.logger.error({ job: name, err: messageOf(err) }, 'background job failed'))
        .finally(() => this.#running.delete(name));
    }, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  async #retention(): Promise<void> {
    for (const p of this.#o.topics.partitions()) {
      if (this.#stopped) return;
      await p.log.applyRetention();
    }
  }

  async #flushByTime(): Promise<void> {
    for (const p of this.#o.topics.partitions()) {
      if (this.#stopped) return;
      await p.log.maybeFlushByTime();
    }
  }

  /** Log checkpoints (log start offset, recovery point) and producer-state snapshots. */
  async checkpoint(): Promise<void> {
    for (const p of this.#o.topics.partitions()) {
      if (this.#stopped) return;
      await p.log.checkpoint();
    }
    await this.#o.topics.saveProducerStates();
  }

  async #expireProducers(): Promise<void> {
    const now = BigInt(this.#o.clock.now());
    for (const p of this.#o.topics.partitions()) p.producers.expire(now, BigInt(this.#o.producerIdExpirationMs));
  }

  async #clean(): Promise<void> {
    const m = this.#o.logManager;
    for (const p of this.#o.topics.partitions()) {
      if (this.#stopped) return;
      if (!isCompacted(p.log.config) || !needsCleaning(p.log, this.#o.clock.now())) continue;
      this.#cleaner ??= new LogCleaner({
        dedupeBufferSize: m['log.cleaner.dedupe.buffer.size'],
        ioBufferSize: m['log.cleaner.io.buffer.size'],
        loadFactor: m['log.cleaner.io.buffer.load.factor'],
        clock: this.#o.clock,
        logger: this.#o.logger,
      });
      await this.#cleaner.clean(p.log);
    }
  }

  /** Stops the timers and waits for running jobs to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    while (this.#running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
