import { describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE, BATCH_LENGTH, CRC, LAST_OFFSET_DELTA, LOG_OVERHEAD, RECORD_COUNT, computeBatchCrc } from '../../../runtime/broker/log/batch-header.ts';
import { encodeEndTxnMarkerBatch } from '../../../runtime/broker/log/control-records.ts';
import type { BatchInput } from '../../../runtime/broker/log/records.ts';
import { encodeBatch } from '../../../runtime/broker/log/records.ts';
import { decodeRecordBatches } from '../../../runtime/client/fetch-decoding.ts';
import type { ConsumerRecord } from '../../../runtime/client/types.ts';
import { CorruptDataError } from '../../../runtime/util/errors.ts';

/** A batch of `count` records with values v<offset>. */
function batch(baseOffset: bigint, count: number, extra: Partial<BatchInput> = {}): Buffer {
  return encodeBatch({
    baseOffset,
    records: Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${Number(baseOffset) + i}`), value: Buffer.from(`v${Number(baseOffset) + i}`), timestamp: 1000n })),
    ...extra,
  });
}

/** The header of `source` with its records removed (as the log cleaner leaves a producer's last batch), CRC recomputed. */
function emptied(source: Buffer, lastOffsetDelta: number): Buffer {
  const header = Buffer.from(source.subarray(0, BATCH_HEADER_SIZE));
  header.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, BATCH_LENGTH);
  header.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA);
  header.writeInt32BE(0, RECORD_COUNT);
  header.writeUInt32BE(computeBatchCrc(header), CRC);
  return header;
}

const values = (records: ConsumerRecord[]): Array<string | null> => records.map((r) => r.value?.toString() ?? null);

describe('decodeRecordBatches (review)', () => {
  it('moves past a control batch whose marker compaction removed (empty control batch) under read_committed', () => {
    // The log cleaner keeps the header of a producer's last batch even when it removes all its records, control batches included.
    const emptyMarker = emptied(encodeEndTxnMarkerBatch({ baseOffset: 2n, producerId: 1n, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: 1n }), 0);
    const data = Buffer.concat([batch(0n, 2, { transactional: true, producerId: 1n, producerEpoch: 0 }), emptyMarker, batch(3n, 1)]);
    const fetched = decodeRecordBatches('t', 0, data, 0n, { abortedTransactions: [] });
    expect(values(fetched.records)).toEqual(['v0', 'v1', 'v3']);
    expect(fetched.nextOffset).toBe(4n);
    expect(fetched.error).toBeUndefined();
  });

  it('reports a malformed control record (with a valid CRC) under read_committed as corrupt, naming the batch', () => {
    const marker = encodeEndTxnMarkerBatch({ baseOffset: 2n, producerId: 1n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: 1n });
    // One record whose length varint never ends.
    const broken = Buffer.concat([marker.subarray(0, BATCH_HEADER_SIZE), Buffer.from([0x80])]);
    broken.writeInt32BE(BATCH_HEADER_SIZE + 1 - LOG_OVERHEAD, BATCH_LENGTH);
    broken.writeUInt32BE(computeBatchCrc(broken), CRC);
    const fetched = decodeRecordBatches('t', 3, Buffer.concat([batch(0n, 2), broken]), 0n, { abortedTransactions: [] });
    expect(values(fetched.records)).toEqual(['v0', 'v1']);
    expect(fetched.nextOffset).toBe(2n);
    expect(fetched.error).toBeInstanceOf(CorruptDataError);
    expect(fetched.error?.context).toMatchObject({ topic: 't', partition: 3, offset: '2' });
  });

  it('moves past a data batch whose records compaction removed (empty batch)', () => {
    const empty = emptied(batch(2n, 1), 2);
    expect(decodeRecordBatches('t', 0, Buffer.concat([batch(0n, 2), empty, batch(5n, 1)]), 0n)).toMatchObject({ nextOffset: 6n });
    expect(decodeRecordBatches('t', 0, empty, 3n)).toEqual({ records: [], nextOffset: 5n });
  });

  it('reports a fetch with bytes but no complete batch as an error instead of returning nothing at the same offset (Java: "failed to make progress")', () => {
    // A KIP-74 broker returns the first batch whole; bytes without one complete batch (or a batch length
    // field corrupted to exceed the response) would otherwise make the consumer fetch the same offset forever.
    const whole = batch(7n, 3);
    for (const data of [whole.subarray(0, whole.length - 10), whole.subarray(0, 8)]) {
      const fetched = decodeRecordBatches('orders', 2, data, 7n);
      expect(fetched.records).toEqual([]);
      expect(fetched.nextOffset).toBe(7n);
      expect(fetched.error).toBeInstanceOf(CorruptDataError);
      expect(fetched.error?.context).toMatchObject({ topic: 'orders', partition: 2, offset: '7' });
    }
    const inflated = Buffer.from(whole);
    inflated.writeInt32BE(0x7fffff00, 8);
    expect(decodeRecordBatches('orders', 2, inflated, 7n).error?.message).toMatch(/orders-2 at offset 7/);
  });

  it('still ignores a cut-off batch after complete ones', () => {
    const second = batch(2n, 2);
    const fetched = decodeRecordBatches('t', 0, Buffer.concat([batch(0n, 2), second.subarray(0, 20)]), 0n);
    expect(values(fetched.records)).toEqual(['v0', 'v1']);
    expect(fetched.nextOffset).toBe(2n);
    expect(fetched.error).toBeUndefined();
  });

  it('reports a negative header count (with a valid CRC) as corrupt, as Java does', () => {
    const data = batch(0n, 1);
    // The last byte of an uncompressed batch is its last record's header count: zig-zag 1 is -1.
    data[data.length - 1] = 0x01;
    data.writeUInt32BE(computeBatchCrc(data), CRC);
    const fetched = decodeRecordBatches('t', 0, data, 0n);
    expect(fetched.records).toEqual([]);
    expect(fetched.error).toBeInstanceOf(CorruptDataError);
  });

  it('keeps a producer\'s committed batches before its aborted transaction started, whatever the order of the aborted list', () => {
    const txn = (base: bigint, producerId: bigint) => batch(base, 2, { transactional: true, producerId, producerEpoch: 0 });
    const end = (base: bigint, producerId: bigint, commit: boolean) => encodeEndTxnMarkerBatch({ baseOffset: base, producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: 1n });
    // Producer 1: commits 0-1 (marker 2), aborts 3-4 (marker 7); producer 2 aborts 5-6 (marker 8).
    const data = Buffer.concat([txn(0n, 1n), end(2n, 1n, true), txn(3n, 1n), txn(5n, 2n), end(7n, 1n, false), end(8n, 2n, false), batch(9n, 1)]);
    const aborted = [
      { producerId: 2n, firstOffset: 5n },
      { producerId: 1n, firstOffset: 3n },
    ];
    const fetched = decodeRecordBatches('t', 0, data, 0n, { abortedTransactions: aborted });
    expect(values(fetched.records)).toEqual(['v0', 'v1', 'v9']);
    expect(fetched.nextOffset).toBe(10n);
  });
});
