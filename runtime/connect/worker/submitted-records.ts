/**
 * Source records sent to Kafka and not yet committed (Kafka's SubmittedRecords). The offset of a
 * source partition may be committed only up to the newest record such that it and every record
 * of that partition before it were acknowledged, so a crash never skips an unacknowledged record.
 * Pure bookkeeping; the task loop calls submit() before sending and ack() on acknowledgement.
 */
import type { SourceMap } from '../api/index.ts';
import { canonicalJson } from '../offsets/index.ts';

export interface SubmittedRecord {
  acked: boolean;
  readonly offset: SourceMap | null;
}

interface PartitionQueue {
  partition: SourceMap;
  records: SubmittedRecord[];
  /** Index of the oldest record still in `records`. */
  head: number;
}

export interface CommittableOffsets {
  offsets: Array<{ partition: SourceMap; offset: SourceMap }>;
  /** Records whose offsets these are (acknowledged and now forgotten). */
  committedRecords: number;
}

export class SubmittedRecords {
  readonly #queues = new Map<string, PartitionQueue>();
  /** Tasks usually reuse one partition object; its key is computed once. */
  readonly #keys = new WeakMap<object, string>();
  #outstanding = 0;
  #idleWaiters: Array<() => void> = [];

  /** Records sent and not yet acknowledged. */
  get outstanding(): number {
    return this.#outstanding;
  }

  submit(partition: SourceMap | null, offset: SourceMap | null): SubmittedRecord {
    const record: SubmittedRecord = { acked: false, offset };
    this.#outstanding++;
    if (partition === null || offset === null) return record;
    let key = this.#keys.get(partition);
    if (key === undefined) {
      key = canonicalJson(partition);
      this.#keys.set(partition, key);
    }
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      queue = { partition, records: [], head: 0 };
      this.#queues.set(key, queue);
    }
    queue.records.push(record);
    return record;
  }

  /** The record was acknowledged by Kafka, dropped by a transform, or skipped by errors.tolerance=all. */
  ack(record: SubmittedRecord): void {
    if (record.acked) return;
    record.acked = true;
    this.#outstanding--;
    if (this.#outstanding === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Takes the committable prefix of every partition: its newest offset per partition. */
  committable(): CommittableOffsets {
    const offsets: CommittableOffsets['offsets'] = [];
    let committedRecords = 0;
    for (const [key, queue] of this.#queues) {
      let last: SubmittedRecord | undefined;
      let popped = 0;
      while (queue.head < queue.records.length && queue.records[queue.head].acked) {
        last = queue.records[queue.head++];
        popped++;
      }
      if (last === undefined) continue;
      committedRecords += popped;
      if (queue.head === queue.records.length) this.#queues.delete(key);
      else if (queue.head > 1024 && queue.head * 2 > queue.records.length) {
        queue.records = queue.records.slice(queue.head);
        queue.head = 0;
      }
      offsets.push({ partition: queue.partition, offset: last.offset! });
    }
    return { offsets, committedRecords };
  }

  /** Resolves once every submitted record is acknowledged, or after `timeoutMs`; true when all were. */
  awaitAllAcked(timeoutMs: number): Promise<boolean> {
    if (this.#outstanding === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(wake);
    });
  }
}
