import { describe, expect, it } from 'vitest';
import { Compression, CRC, computeBatchCrc } from '../../../runtime/broker/log/batch-header.ts';
import { encodeEndTxnMarkerBatch } from '../../../runtime/broker/log/control-records.ts';
import type { BatchInput } from '../../../runtime/broker/log/records.ts';
import { encodeBatch } from '../../../runtime/broker/log/records.ts';
import { decodeRecordBatches, scanRecordBatches } from '../../../runtime/client/fetch-decoding.ts';
import type { ConsumerRecord } from '../../../runtime/client/types.ts';
import { CorruptDataError } from '../../../runtime/util/errors.ts';

/** A batch of `count` records with values v<offset>, keys k<offset> on even offsets, timestamps 1000 + i. */
function batch(baseOffset: bigint, count: number, extra: Partial<BatchInput> = {}): Buffer {
  return encodeBatch({
    baseOffset,
    partitionLeaderEpoch: 3,
    records: Array.from({ length: count }, (_, i) => ({
      key: i % 2 === 0 ? Buffer.from(`k${Number(baseOffset) + i}`) : null,
      value: Buffer.from(`v${Number(baseOffset) + i}`),
      timestamp: 1000n + BigInt(i),
    })),
    ...extra,
  });
}

const values = (records: ConsumerRecord[]): Array<string | null> => records.map((r) => r.value?.toString() ?? null);

describe('decodeRecordBatches', () => {
  it('decodes records with keys, values, offsets, timestamps and leader epoch', () => {
    const fetched = decodeRecordBatches('t', 1, Buffer.concat([batch(0n, 3), batch(3n, 2)]), 0n);
    expect(values(fetched.records)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(fetched.nextOffset).toBe(5n);
    expect(fetched.records[1]).toMatchObject({ topic: 't', partition: 1, offset: 1n, timestamp: 1001n, timestampType: 'CreateTime', key: null, headers: [], leaderEpoch: 3 });
    expect(fetched.records[0].key?.toString()).toBe('k0');
    expect(fetched.records[4].timestamp).toBe(1001n);
  });

  it('gives records that repeat or go back to an earlier timestamp their own timestamp', () => {
    const stamps = [1000n, 1000n, 1005n, 1005n, 1000n, 999n];
    const data = encodeBatch({ baseOffset: 0n, records: stamps.map((timestamp) => ({ key: null, value: Buffer.from('x'), timestamp })) });
    expect(decodeRecordBatches('t', 0, data, 0n).records.map((r) => r.timestamp)).toEqual(stamps);
  });

  it.each([
    ['gzip', Compression.Gzip],
    ['snappy', Compression.Snappy],
    ['lz4', Compression.Lz4],
    ['zstd', Compression.Zstd],
  ])('decodes %s batches', (_name, compression) => {
    const fetched = decodeRecordBatches('t', 0, Buffer.concat([batch(10n, 4, { compression }), batch(14n, 1)]), 10n);
    expect(values(fetched.records)).toEqual(['v10', 'v11', 'v12', 'v13', 'v14']);
    expect(fetched.nextOffset).toBe(15n);
  });

  it('skips the records before the fetch offset when a fetch starts mid-batch', () => {
    const fetched = decodeRecordBatches('t', 0, Buffer.concat([batch(0n, 5, { compression: Compression.Gzip }), batch(5n, 2)]), 3n);
    expect(fetched.records.map((r) => r.offset)).toEqual([3n, 4n, 5n, 6n]);
    expect(fetched.nextOffset).toBe(7n);
  });

  it('decodes records only as they are taken, in any portions, the same as all at once', () => {
    const data = Buffer.concat([batch(0n, 5, { compression: Compression.Gzip }), batch(5n, 3), batch(8n, 1)]);
    const scanned = scanRecordBatches('t', 2, data, 3n);
    expect(scanned.records.size).toBe(6);
    const taken: ConsumerRecord[][] = [];
    for (const portion of [1, 2, 0, 4]) {
      const out: ConsumerRecord[] = [];
      scanned.records.takeInto(out, portion);
      taken.push(out);
    }
    expect(taken.map((portion) => portion.map((r) => r.offset))).toEqual([[3n], [4n, 5n], [], [6n, 7n, 8n]]);
    expect(scanned.records.size).toBe(0);
    expect(taken.flat()).toEqual(decodeRecordBatches('t', 2, data, 3n).records);
    expect(scanned.nextOffset).toBe(9n);
  });

  it('ignores a batch cut off at the end of the response and fetches it again', () => {
    const whole = Buffer.concat([batch(0n, 2), batch(2n, 3)]);
    for (const cut of [whole.length - 1, batch(0n, 2).length + 5, batch(0n, 2).length + 30]) {
      const fetched = decodeRecordBatches('t', 0, whole.subarray(0, cut), 0n);
      expect(values(fetched.records)).toEqual(['v0', 'v1']);
      expect(fetched.nextOffset).toBe(2n);
      expect(fetched.error).toBeUndefined();
    }
  });

  it('drops control batches but moves past them', () => {
    const marker = encodeEndTxnMarkerBatch({ baseOffset: 2n, producerId: 7n, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: 5n });
    const fetched = decodeRecordBatches('t', 0, Buffer.concat([batch(0n, 2, { transactional: true, producerId: 7n, producerEpoch: 0 }), marker]), 0n);
    expect(values(fetched.records)).toEqual(['v0', 'v1']);
    expect(fetched.nextOffset).toBe(3n);
    expect(decodeRecordBatches('t', 0, marker, 2n)).toEqual({ records: [], nextOffset: 3n });
  });

  it('reads headers, null keys and values, and LogAppendTime', () => {
    const data = encodeBatch({
      baseOffset: 0n,
      logAppendTime: true,
      records: [
        { key: null, value: null, timestamp: 5n, headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: null }, { key: 'a', value: Buffer.from('2') }] },
        { key: Buffer.from('k'), value: Buffer.alloc(0), timestamp: 9n },
      ],
    });
    const [first, second] = decodeRecordBatches('t', 0, data, 0n).records;
    expect(first).toMatchObject({ key: null, value: null, timestampType: 'LogAppendTime', timestamp: 9n });
    expect(first.headers.map(([k, v]) => [k, v?.toString() ?? null])).toEqual([
      ['a', '1'],
      ['b', null],
      ['a', '2'],
    ]);
    expect(second.headers).toEqual([]);
    expect(second.value?.length).toBe(0);
  });

  it('drops aborted transactions under read_committed and keeps committed ones', () => {
    const txn = (base: bigint, producerId: bigint) => batch(base, 2, { transactional: true, producerId, producerEpoch: 0 });
    const end = (base: bigint, producerId: bigint, commit: boolean) => encodeEndTxnMarkerBatch({ baseOffset: base, producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: 1n });
    // Producer 1 aborts offsets 0-1 (marker 4), producer 2 commits 2-3 (marker 5), producer 1 then commits 6-7 (marker 8).
    const data = Buffer.concat([txn(0n, 1n), txn(2n, 2n), end(4n, 1n, false), end(5n, 2n, true), txn(6n, 1n), end(8n, 1n, true)]);
    const committed = decodeRecordBatches('t', 0, data, 0n, { abortedTransactions: [{ producerId: 1n, firstOffset: 0n }] });
    expect(values(committed.records)).toEqual(['v2', 'v3', 'v6', 'v7']);
    expect(committed.nextOffset).toBe(9n);
    expect(values(decodeRecordBatches('t', 0, data, 0n).records)).toEqual(['v0', 'v1', 'v2', 'v3', 'v6', 'v7']);
  });

  it('stops at a batch whose CRC does not match, naming topic, partition and offset', () => {
    const bad = batch(2n, 2);
    bad[bad.length - 1] ^= 0xff;
    const fetched = decodeRecordBatches('orders', 4, Buffer.concat([batch(0n, 2), bad, batch(4n, 1)]), 0n);
    expect(values(fetched.records)).toEqual(['v0', 'v1']);
    expect(fetched.nextOffset).toBe(2n);
    expect(fetched.error).toBeInstanceOf(CorruptDataError);
    expect(fetched.error?.code).toBe('CORRUPT_RECORD');
    expect(fetched.error?.message).toMatch(/orders-4 at offset 2 is corrupt: stored CRC \d+ does not match the computed CRC \d+/);
    expect(fetched.error?.context).toMatchObject({ topic: 'orders', partition: 4, offset: '2' });
    // The next fetch starts at the corrupt batch and gets the error with no records.
    const again = decodeRecordBatches('orders', 4, Buffer.concat([bad, batch(4n, 1)]), 2n);
    expect(again.records).toEqual([]);
    expect(again.error?.message).toMatch(/offset 2/);
  });

  it('reports a record that does not fit its batch (with a valid CRC) as corrupt', () => {
    const data = batch(0n, 2);
    // Record count 3 where the batch holds 2: the third record runs past the batch.
    data.writeInt32BE(3, 57);
    data.writeUInt32BE(computeBatchCrc(data, 0), CRC);
    const fetched = decodeRecordBatches('t', 0, data, 0n);
    expect(fetched.records).toEqual([]);
    expect(fetched.error?.message).toMatch(/record 2 of 3 in the batch of t-0 at offset 0 is malformed/);
  });
});
