/**
 * Source records sent to Kafka and not yet committed (Kafka's SubmittedRecords). The offset of a
 * source partition may be committed only up to the newest record such that it and every record
 * of that partition before it were acknowledged, so a crash never skips an unacknowledged record.
 * Pure bookkeeping; the task loop calls submit() before sending and ack() on acknowledgement.
 */
import type { SourceMap, SourceRecord } from '../api/index.ts';
import { canonicalJson } from '../offsets/index.ts';

export interface SubmittedRecord {
  acked: boolean;
  readonly offset: SourceMap | null;
  /** Set by the task loop once the record is converted: where it went, and the source record when the task wants it back (commitRecord). */
  topic: string;
  sourceRecord: SourceRecord | null;
}

interface PartitionQueue {
  partition: SourceMap;
  /** Records not yet acknowledged, and acknowledged ones behind an unacknowledged one; slots before `head` are cleared. */
  records: Array<QueuedRecord | undefined>;
  /** Index of the oldest record still in `records`. */
  head: number;
  /** The newest offset of the acknowledged prefix, not yet taken by committable(). */
  ackedOffset: SourceMap | null;
  /** How many records that prefix has accumulated since the last committable(). */
  ackedCount: number;
}

interface QueuedRecord extends SubmittedRecord {
  readonly queue: PartitionQueue;
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
    this.#outstanding++;
    if (partition === null || offset === null) return { acked: false, offset, topic: '', sourceRecord: null };
    let key = this.#keys.get(partition);
    if (key === undefined) {
      key = canonicalJson(partition);
      this.#keys.set(partition, key);
    }
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      queue = { partition, records: [], head: 0, ackedOffset: null, ackedCount: 0 };
      this.#queues.set(key, queue);
    }
    const queued: QueuedRecord = { acked: false, offset, topic: '', sourceRecord: null, queue };
    queue.records.push(queued);
    return queued;
  }

  /** The record was acknowledged by Kafka, dropped by a transform, or skipped by errors.tolerance=all. */
  ack(record: SubmittedRecord): void {
    if (record.acked) return;
    record.acked = true;
    this.#outstanding--;
    if ('queue' in record) advance((record as QueuedRecord).queue);
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
      if (queue.ackedOffset === null) continue;
      offsets.push({ partition: queue.partition, offset: queue.ackedOffset });
      committedRecords += queue.ackedCount;
      queue.ackedOffset = null;
      queue.ackedCount = 0;
      if (queue.head === queue.records.length) this.#queues.delete(key);
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

/**
 * Moves a partition's acknowledged prefix out of its queue, keeping only the newest offset: with
 * acknowledgements arriving in order the queue holds just the records in flight, however long
 * the offset flush interval (a million acknowledged records would otherwise wait for the flush).
 */
function advance(queue: PartitionQueue): void {
  const { records } = queue;
  for (let next = records[queue.head]; next?.acked === true; next = records[queue.head]) {
    queue.ackedOffset = next.offset;
    records[queue.head++] = undefined;
    queue.ackedCount++;
  }
  if (queue.head === records.length) {
    records.length = 0;
    queue.head = 0;
  } else if (queue.head > 1024 && queue.head * 2 > records.length) {
    queue.records = records.slice(queue.head);
    queue.head = 0;
  }
}
