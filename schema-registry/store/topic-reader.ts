/**
 * Reads the `_schemas` topic from its beginning, forever, applying every record to the registry
 * state — at start-up to rebuild it, then for every record any registry writes (our own writes
 * change the state only here, when read back). Waiters can ask to be woken once the reader has
 * passed an offset; records the state refused are remembered so the writer can report them.
 */
import type { KafkaAdmin, KafkaConsumer } from '../../runtime/client/index.ts';
import type { Logger } from '../../runtime/observability/logger.ts';
import { applyRawRecord, type RegistryState } from '../core/index.ts';

interface Waiter {
  offset: bigint;
  resolve(): void;
}

const REMEMBERED_REFUSALS = 1000;

export class SchemasTopicReader {
  private readonly consumer: KafkaConsumer;
  private readonly admin: KafkaAdmin;
  private readonly topic: string;
  private readonly state: RegistryState;
  private readonly logger: Logger | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly refusals = new Map<bigint, string>();
  private next = 0n;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(options: { consumer: KafkaConsumer; admin: KafkaAdmin; topic: string; state: RegistryState; logger?: Logger }) {
    this.consumer = options.consumer;
    this.admin = options.admin;
    this.topic = options.topic;
    this.state = options.state;
    this.logger = options.logger;
  }

  /** Offset of the next record to apply: everything before it is in the state. */
  get position(): bigint {
    return this.next;
  }

  start(): void {
    if (this.loop) return;
    this.consumer.assign([{ topic: this.topic, partition: 0 }]);
    this.consumer.seek(this.topic, 0, 0n);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.consumer.wakeup();
    await this.loop;
  }

  /** Resolves once every record before `offset` is applied; false when `timeoutMs` passed first. */
  waitFor(offset: bigint, timeoutMs: number): Promise<boolean> {
    if (this.next >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Reads up to the topic's current end (Confluent's "catch up before serving"); false on timeout. */
  async catchUp(timeoutMs: number): Promise<boolean> {
    const ends = await this.admin.listOffsets([{ topic: this.topic, partition: 0 }], 'latest');
    const end = [...ends.values()][0] ?? 0n;
    return this.waitFor(end, timeoutMs);
  }

  /** Why the state refused the record at `offset`, if it did. */
  refusal(offset: bigint): string | undefined {
    return this.refusals.get(offset);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const records = await this.consumer.poll(200);
        for (const record of records) {
          this.apply(record.offset, record.key, record.value, Number(record.timestamp));
        }
        // Compacted-away and control offsets move the position without records.
        const position = this.consumer.position(this.topic, 0);
        if (position !== undefined && position > this.next) this.next = position;
        this.notify();
      } catch (err) {
        if (this.stopped) return;
        this.logger?.warn({ err, topic: this.topic }, 'reading the schemas topic failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private apply(offset: bigint, key: Buffer | null, value: Buffer | null, timestamp: number): void {
    this.next = offset + 1n;
    if (key === null) {
      this.refuse(offset, 'record without a key');
      return;
    }
    try {
      const outcome = applyRawRecord(this.state, key.toString('utf8'), value === null ? null : value.toString('utf8'), { offset: Number(offset), timestamp });
      if (!outcome.applied) this.refuse(offset, outcome.reason);
    } catch (err) {
      // A record another writer got wrong must not stop the registry; Confluent logs and skips it too.
      this.refuse(offset, (err as Error).message);
    }
  }

  private refuse(offset: bigint, reason: string): void {
    this.logger?.error({ topic: this.topic, partition: 0, offset: String(offset), reason }, 'skipping a schemas topic record');
    this.refusals.set(offset, reason);
    if (this.refusals.size > REMEMBERED_REFUSALS) this.refusals.delete(this.refusals.keys().next().value as bigint);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) if (this.next >= waiter.offset) waiter.resolve();
  }
}
