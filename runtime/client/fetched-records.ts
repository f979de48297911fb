import type { RecordsBatch } from '@platformatic/kafka';
import type { FetchedPartition, FetchedRecords, RecordQueue } from './fetch-decoding.ts';
import { NO_HEADERS } from './fetch-decoding.ts';
import type { ConsumerRecord, RecordHeader } from './types.ts';

/** Batch attribute bits of record batch v2. */
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
const CONTROL_BATCH = 0x20;

/**
 * For brokers that only speak Fetch before v12 (platformatic decodes those responses): turns the
 * batches a Fetch returned for one partition into records, from `fromOffset` on. A fetch can
 * start mid-batch (compressed batches are returned whole), so earlier offsets are
 * skipped; control batches (transaction markers) are never returned but still move the position,
 * as do batches whose records compaction removed.
 */
export function recordsFromBatches(topic: string, partition: number, batches: readonly RecordsBatch[], fromOffset: bigint): FetchedPartition {
  const records: ConsumerRecord[] = [];
  let nextOffset = fromOffset;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset < fromOffset) continue;
    if (lastOffset + 1n > nextOffset) nextOffset = lastOffset + 1n;
    if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
    const logAppendTime = (batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < fromOffset) continue;
      records.push({
        topic,
        partition,
        offset,
        timestamp: logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta,
        timestampType: logAppendTime ? 'LogAppendTime' : 'CreateTime',
        // platformatic reads absent bytes as undefined although its types say null.
        key: record.key ?? null,
        value: record.value ?? null,
        headers: record.headers.length === 0 ? NO_HEADERS : record.headers.map(([name, value]): RecordHeader => [name == null ? '' : name.toString('utf8'), value ?? null]),
        leaderEpoch: batch.partitionLeaderEpoch,
      });
    }
  }
  return { records, nextOffset };
}

/** Records already decoded into an array, handed out from the front. */
export class RecordArrayQueue implements RecordQueue {
  #records: Array<ConsumerRecord | undefined>;
  #head = 0;

  constructor(records: ConsumerRecord[]) {
    this.#records = records;
  }

  get size(): number {
    return this.#records.length - this.#head;
  }

  takeInto(out: ConsumerRecord[], max: number): void {
    const records = this.#records;
    const end = Math.min(records.length, this.#head + max);
    // Handed-out slots are cleared, so the array does not keep records the application is done with.
    for (let i = this.#head; i < end; i++) {
      out.push(records[i]!);
      records[i] = undefined;
    }
    this.#head = end;
    if (end === records.length) {
      this.#records = [];
      this.#head = 0;
    }
  }
}

/** A decoded fetch as the consumer buffers it. */
export function queued(fetched: FetchedPartition): FetchedRecords {
  const records = new RecordArrayQueue(fetched.records);
  return fetched.error === undefined ? { records, nextOffset: fetched.nextOffset } : { records, nextOffset: fetched.nextOffset, error: fetched.error };
}
