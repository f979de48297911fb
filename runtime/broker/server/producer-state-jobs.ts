import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { messageOf } from '../../util/errors.ts';
import type { TopicService } from './topic-service.ts';

/**
 * The broker's own background jobs next to the log engine's (retention, flushes, checkpoints and
 * the cleaner run in the topic store): producer-state snapshots on the log checkpoint interval,
 * so that a restart replays only the log written since, and expiry of producer ids idle for
 * producer.id.expiration.ms. Each job never overlaps itself.
 */
export interface ProducerStateJobsOptions {
  topics: TopicService;
  snapshotIntervalMs: number;
  expirationMs: number;
  expirationCheckIntervalMs: number;
  clock: Clock;
  logger: Logger;
}

const MAX_TIMER = 0x7fffffff;

export class ProducerStateJobs {
  readonly #o: ProducerStateJobsOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<string>();
  #stopped = false;

  constructor(options: ProducerStateJobsOptions) {
    this.#o = options;
  }

  start(): void {
    this.#every('producer-state-snapshot', this.#o.snapshotIntervalMs, () => this.#o.topics.saveProducerStates());
    this.#every('producer-expiry', this.#o.expirationCheckIntervalMs, async () => {
      const now = BigInt(this.#o.clock.now());
      for (const p of this.#o.topics.partitions()) p.producers.expire(now, BigInt(this.#o.expirationMs));
    });
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

  /** Stops the timers and waits for a running job to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    while (this.#running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
