import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { Reader, createRecordsBatch, readRecordsBatch } from '@platformatic/kafka';
import type { MessageRecord } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { CRC, Compression, RECORDS, computeBatchCrc } from '../../../runtime/broker/log/batch-header.ts';
import { ControlRecordType, encodeEndTxnMarkerBatch, readControlRecordType, readEndTxnMarker } from '../../../runtime/broker/log/control-records.ts';
import { decodeBatch, decodeBatches, encodeBatch, forEachRecordKey } from '../../../runtime/broker/log/records.ts';
import type { DecodedRecord, RecordKeyView } from '../../../runtime/broker/log/records.ts';
import { hasCode } from '../../../runtime/util/errors.ts';

// kafkajs's own record-batch encoder and decoder (pure JS, not exported from its main entry).
const require = createRequire(import.meta.url);
interface KafkajsEncoder {
  buffer: Buffer;
}
const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (batch: Record<string, unknown>) => Promise<KafkajsEncoder>;
};
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: Record<string, unknown>) => KafkajsEncoder;
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<{
  firstOffset: string;
  producerId: string;
  inTransaction: boolean;
  records: Array<{ offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | null> }>;
}>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as new (buf: Buffer) => unknown;
const KafkajsLong = require('kafkajs/src/utils/long') as { fromValue(v: string | number): unknown };

/** CRC-32C computed bit by bit from the Castagnoli polynomial: independent of the native crc32c.ts. */
function referenceCrc32c(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return ~c >>> 0;
}

function be(value: number | bigint, width: number): Buffer {
  const full = Buffer.alloc(8);
  full.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value)));
  return full.subarray(8 - width);
}

/*
 * Golden batch 1, laid out by hand from Kafka's DefaultRecordBatch/DefaultRecord description: one
 * record, key "k", value "v", header h="x", timestamp 1000, producer fields unset (-1).
 */
const GOLDEN_SIMPLE_CRC = 0x85d4936f;
const GOLDEN_SIMPLE = Buffer.concat([
  be(0, 8), // base offset
  be(62, 4), // batch length: 74 - 12
  be(-1, 4), // partition leader epoch
  be(2, 1), // magic
  be(GOLDEN_SIMPLE_CRC, 4),
  be(0, 2), // attributes
  be(0, 4), // last offset delta
  be(1000, 8), // base timestamp
  be(1000, 8), // max timestamp
  be(-1, 8), // producer id
  be(-1, 2), // producer epoch
  be(-1, 4), // base sequence
  be(1, 4), // record count
  // length 12 (zigzag 0x18), attributes, timestamp delta 0, offset delta 0, key len 1 "k", value len 1 "v",
  // 1 header: key len 1 "h", value len 1 "x"
  Buffer.from([0x18, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x02, 0x02, 0x68, 0x02, 0x78]),
]);

/*
 * Golden batch 2: transactional (attributes 0x10), base offset 100, leader epoch 5, producer 42/3,
 * base sequence 7, two records at offset deltas 0 and 2 (a gap, as compaction leaves), the first
 * with a null value (tombstone), the second with a null key, timestamp +500 ms and a header with a
 * null value.
 */
const GOLDEN_TXN_CRC = 0x7e6fd808;
const GOLDEN_TXN = Buffer.concat([
  be(100, 8),
  be(71, 4), // 83 - 12
  be(5, 4),
  be(2, 1),
  be(GOLDEN_TXN_CRC, 4),
  be(0x10, 2),
  be(2, 4),
  be(1700000000000n, 8),
  be(1700000000500n, 8),
  be(42, 8),
  be(3, 2),
  be(7, 4),
  be(2, 4),
  // length 7, attr, ts 0, offset 0, key "a", value null (-1 → 0x01), 0 headers
  Buffer.from([0x0e, 0x00, 0x00, 0x00, 0x02, 0x61, 0x01, 0x00]),
  // length 13, attr, ts delta 500 (zigzag 1000 = e8 07), offset delta 2, key null, value "bb",
  // 1 header: key "k2", value null
  Buffer.from([0x1a, 0x00, 0xe8, 0x07, 0x04, 0x01, 0x04, 0x62, 0x62, 0x02, 0x04, 0x6b, 0x32, 0x01]),
]);

const text = (s: string): Buffer => Buffer.from(s);
const str = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString());

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function expectCorrupt(fn: () => unknown, code: string): Record<string, unknown> {
  const err = thrown(fn);
  expect(hasCode(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  return (err as { context: Record<string, unknown> }).context;
}

/** Re-seals a hand-modified batch so that only the intended defect remains. */
function reseal(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0), CRC);
  return batch;
}

describe('golden record batches', () => {
  it('the golden CRCs are the CRC-32C of bytes 21 to the end', () => {
    expect(referenceCrc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the CRC-32C check value
    expect(referenceCrc32c(GOLDEN_SIMPLE.subarray(21))).toBe(GOLDEN_SIMPLE_CRC);
    expect(referenceCrc32c(GOLDEN_TXN.subarray(21))).toBe(GOLDEN_TXN_CRC);
  });

  it('encodes a simple batch to the hand-built bytes', () => {
    const encoded = encodeBatch({ records: [{ key: text('k'), value: text('v'), timestamp: 1000n, headers: [{ key: 'h', value: text('x') }] }] });
    expect(encoded.toString('hex')).toBe(GOLDEN_SIMPLE.toString('hex'));
  });

  it('encodes a transactional batch with gaps, nulls and producer fields to the hand-built bytes', () => {
    const encoded = encodeBatch({
      baseOffset: 100n,
      partitionLeaderEpoch: 5,
      transactional: true,
      producerId: 42n,
      producerEpoch: 3,
      baseSequence: 7,
      records: [
        { key: text('a'), value: null, timestamp: 1700000000000n, offsetDelta: 0 },
        { key: null, value: text('bb'), timestamp: 1700000000500n, offsetDelta: 2, headers: [{ key: 'k2', value: null }] },
      ],
    });
    expect(encoded.toString('hex')).toBe(GOLDEN_TXN.toString('hex'));
  });

  it('decodes the hand-built bytes', () => {
    const simple = decodeBatch(GOLDEN_SIMPLE);
    expect(simple.header).toMatchObject({ baseOffset: 0n, lastOffsetDelta: 0, recordCount: 1, producerId: -1n, baseSequence: -1, crc: GOLDEN_SIMPLE_CRC });
    expect(simple.records).toHaveLength(1);
    expect(simple.records[0]).toMatchObject({ offset: 0n, timestamp: 1000n, offsetDelta: 0, attributes: 0 });
    expect(str(simple.records[0].key)).toBe('k');
    expect(str(simple.records[0].value)).toBe('v');
    expect(simple.records[0].headers.map((h) => [h.key, str(h.value)])).toEqual([['h', 'x']]);

    const txn = decodeBatch(GOLDEN_TXN);
    expect(txn.header).toMatchObject({ baseOffset: 100n, partitionLeaderEpoch: 5, attributes: 0x10, producerId: 42n, producerEpoch: 3, baseSequence: 7, lastOffsetDelta: 2 });
    expect(txn.records.map((r) => [r.offset, r.timestamp, str(r.key), str(r.value)])).toEqual([
      [100n, 1700000000000n, 'a', null],
      [102n, 1700000000500n, null, 'bb'],
    ]);
    expect(txn.records[1].headers).toEqual([{ key: 'k2', value: null }]);
  });

  it('returns keys and values as views into the input, not copies', () => {
    const decoded = decodeBatch(GOLDEN_SIMPLE);
    const key = decoded.records[0].key as Uint8Array;
    expect(key.buffer).toBe(GOLDEN_SIMPLE.buffer);
    expect(key.byteOffset).toBe(GOLDEN_SIMPLE.byteOffset + RECORDS + 5);
  });
});

const richRecords = [
  { key: text('user-1'), value: text('{"name":"Ada"}'), timestamp: 1_700_000_000_000n, headers: [{ key: 'trace', value: text('t1') }, { key: 'é-ü', value: null }] },
  { key: null, value: text('no key'), timestamp: 1_699_999_999_000n },
  { key: text('user-1'), value: null, timestamp: 1_700_000_000_250n },
  { key: new Uint8Array(0), value: new Uint8Array(0), timestamp: 1_700_000_000_100n, headers: [{ key: '', value: new Uint8Array(0) }] },
  { key: text('big'), value: Buffer.alloc(70_000, 7), timestamp: 1_700_000_000_000n },
];

function simplify(records: DecodedRecord[]): unknown[] {
  return records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : Buffer.from(r.key).toString('hex'),
    value: r.value === null ? null : Buffer.from(r.value).toString('hex'),
    headers: r.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value).toString('hex')]),
  }));
}

const codecs = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd] as const;

describe('round trips', () => {
  it.each(codecs)('codec %d: keys, values, headers, nulls, timestamps both ways of the base', (compression) => {
    const encoded = encodeBatch({ baseOffset: 1000n, compression, records: richRecords });
    const decoded = decodeBatch(encoded);
    expect(decoded.header.attributes & 7).toBe(compression);
    expect(decoded.header.baseTimestamp).toBe(1_700_000_000_000n);
    expect(decoded.header.maxTimestamp).toBe(1_700_000_000_250n);
    expect(decoded.header.lastOffsetDelta).toBe(4);
    expect(simplify(decoded.records)).toEqual(
      simplify(richRecords.map((r, i) => ({ ...r, headers: r.headers ?? [], offset: 1000n + BigInt(i), attributes: 0, offsetDelta: i }))),
    );
  });

  it('LogAppendTime batches report the max timestamp for every record, as Java readers do', () => {
    const encoded = encodeBatch({ logAppendTime: true, records: [{ key: null, value: text('a'), timestamp: 5n }, { key: null, value: text('b'), timestamp: 9n }] });
    const decoded = decodeBatch(encoded);
    expect(decoded.header.attributes & 0x08).toBe(0x08);
    expect(decoded.records.map((r) => r.timestamp)).toEqual([9n, 9n]);
  });

  it('a delete horizon becomes the base timestamp (KIP-534) and record timestamps stay exact', () => {
    const encoded = encodeBatch({ deleteHorizonMs: 2_000n, records: [{ key: text('k'), value: null, timestamp: 1_500n }] });
    const decoded = decodeBatch(encoded);
    expect(decoded.header.attributes & 0x40).toBe(0x40);
    expect(decoded.header.baseTimestamp).toBe(2_000n);
    expect(decoded.header.maxTimestamp).toBe(1_500n);
    expect(decoded.records[0].timestamp).toBe(1_500n);
  });

  it('keeps an explicit last offset delta beyond the last record (compacted batch)', () => {
    const encoded = encodeBatch({ lastOffsetDelta: 9, records: [{ key: text('a'), value: text('1'), offsetDelta: 3 }] });
    const decoded = decodeBatch(encoded);
    expect(decoded.header.lastOffsetDelta).toBe(9);
    expect(decoded.records[0].offset).toBe(3n);
    // Without timestamps the records carry Kafka's NO_TIMESTAMP.
    expect(decoded.records[0].timestamp).toBe(-1n);
  });

  it('handles extreme timestamps: deltas wrap in int64 arithmetic as in Java', () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    const decoded = decodeBatch(encodeBatch({ records: [{ key: null, value: null, timestamp: -1n }, { key: null, value: null, timestamp: max }] }));
    expect(decoded.records.map((r) => r.timestamp)).toEqual([-1n, max]);
    const low = decodeBatch(encodeBatch({ records: [{ key: null, value: null, timestamp: max }, { key: null, value: null, timestamp: min }] }));
    expect(low.records.map((r) => r.timestamp)).toEqual([max, min]);
  });
});

describe('interoperability with independent encoders and decoders', () => {
  const kafkajsRecords = () => [
    kafkajsRecord({ offsetDelta: 0, timestampDelta: 0, key: text('k0'), value: text('v0'), headers: { a: text('1') } }),
    kafkajsRecord({ offsetDelta: 1, timestampDelta: 7, key: null, value: text('v1'.repeat(300)) }),
  ];

  it.each([Compression.None, Compression.Gzip])('decodes a kafkajs-encoded batch (codec %d)', async (compression) => {
    const batch = await kafkajsRecordBatch({
      compression,
      firstOffset: KafkajsLong.fromValue(50),
      firstTimestamp: 1000,
      maxTimestamp: 1007,
      lastOffsetDelta: 1,
      producerId: KafkajsLong.fromValue(9),
      producerEpoch: 1,
      firstSequence: 4,
      records: kafkajsRecords(),
    });
    const decoded = decodeBatch(batch.buffer);
    expect(decoded.header).toMatchObject({ baseOffset: 50n, producerId: 9n, producerEpoch: 1, baseSequence: 4, recordCount: 2 });
    expect(decoded.records.map((r) => [r.offset, r.timestamp, str(r.key), str(r.value)])).toEqual([
      [50n, 1000n, 'k0', 'v0'],
      [51n, 1007n, null, 'v1'.repeat(300)],
    ]);
    expect(decoded.records[0].headers).toEqual([{ key: 'a', value: text('1') }]);
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)('decodes a @platformatic/kafka batch (%s)', (compression) => {
    const messages = [
      { key: text('p0'), value: text('hello'), headers: new Map([[text('h'), text('x')]]), timestamp: 2000n, topic: 't' },
      { key: text('p1'), value: text('y'.repeat(5000)), timestamp: 1999n, topic: 't' },
    ] as MessageRecord[];
    const batch = createRecordsBatch(messages, { compression }).buffer;
    const decoded = decodeBatch(batch);
    expect(decoded.records.map((r) => [r.offset, r.timestamp, str(r.key), str(r.value)])).toEqual([
      [0n, 2000n, 'p0', 'hello'],
      [1n, 1999n, 'p1', 'y'.repeat(5000)],
    ]);
    expect(decoded.records[0].headers).toEqual([{ key: 'h', value: text('x') }]);
  });

  it.each(codecs)('@platformatic/kafka reads our batch (codec %d)', (compression) => {
    const encoded = encodeBatch({ compression, producerId: 3n, producerEpoch: 0, baseSequence: 0, records: richRecords });
    const read = readRecordsBatch(Reader.from(encoded));
    expect(read.records.map((r) => [r.offsetDelta, r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null])).toEqual(
      richRecords.map((r, i) => [i, r.key === null ? null : Buffer.from(r.key).toString('hex'), r.value === null ? null : Buffer.from(r.value).toString('hex')]),
    );
  });

  it.each([Compression.None, Compression.Gzip])('kafkajs reads our batch (codec %d)', async (compression) => {
    const encoded = encodeBatch({ baseOffset: 7n, compression, transactional: true, producerId: 11n, producerEpoch: 2, baseSequence: 0, records: richRecords.slice(0, 3) });
    const decoded = await kafkajsDecodeBatch(new KafkajsDecoder(encoded));
    expect(decoded.firstOffset).toBe('7');
    expect(decoded.inTransaction).toBe(true);
    expect(decoded.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      ['7', '1700000000000', 'user-1', '{"name":"Ada"}'],
      ['8', '1699999999000', null, 'no key'],
      ['9', '1700000000250', 'user-1', null],
    ]);
    expect(decoded.records[0].headers.trace?.toString()).toBe('t1');
  });
});

describe('control batches', () => {
  it('writes an end-transaction marker as Kafka does and reads it back', () => {
    const batch = encodeEndTxnMarkerBatch({ producerId: 42n, producerEpoch: 5, commit: true, coordinatorEpoch: 79, timestamp: 1234n, baseOffset: 10n });
    const decoded = decodeBatch(batch);
    expect(decoded.header).toMatchObject({ attributes: 0x30, producerId: 42n, producerEpoch: 5, baseSequence: -1, recordCount: 1 });
    const marker = decoded.records[0];
    // Key: int16 version 0, int16 type 1 (COMMIT); value: int16 version 0, int32 coordinator epoch 79.
    expect(Buffer.from(marker.key as Uint8Array).toString('hex')).toBe('00000001');
    expect(Buffer.from(marker.value as Uint8Array).toString('hex')).toBe('00000000004f');
    expect(readControlRecordType(marker.key)).toBe(ControlRecordType.Commit);
    expect(readEndTxnMarker(marker)).toEqual({ commit: true, coordinatorEpoch: 79 });
    const abort = decodeBatch(encodeEndTxnMarkerBatch({ producerId: 1n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: 0n }));
    expect(readEndTxnMarker(abort.records[0])).toEqual({ commit: false, coordinatorEpoch: 0 });
  });

  it('reads newer marker value versions as version 0 and refuses malformed ones (EndTransactionMarkerTest)', () => {
    const key = Buffer.from([0, 0, 0, 1]);
    expect(readEndTxnMarker({ key, value: Buffer.from([0, 5, 0, 0, 0, 79, 0, 0]) })).toEqual({ commit: true, coordinatorEpoch: 79 });
    expectCorrupt(() => readEndTxnMarker({ key, value: Buffer.from([0xff, 0xff, 0, 0, 0, 1]) }), 'CONTROL_RECORD_INVALID');
    expectCorrupt(() => readEndTxnMarker({ key, value: Buffer.alloc(0) }), 'CONTROL_RECORD_INVALID');
    expectCorrupt(() => readEndTxnMarker({ key: Buffer.from([0, 0, 0, 2]), value: Buffer.alloc(6) }), 'CONTROL_RECORD_INVALID');
    expectCorrupt(() => readControlRecordType(Buffer.from([0, 0, 1])), 'CONTROL_RECORD_INVALID');
  });
});

describe('decodeBatches', () => {
  const first = encodeBatch({ baseOffset: 0n, records: [{ key: text('a'), value: text('1') }, { key: text('b'), value: text('2') }] });
  const second = encodeBatch({ baseOffset: 2n, compression: Compression.Lz4, records: [{ key: text('c'), value: text('3') }] });

  it('walks a concatenation of batches', () => {
    const offsets = [...decodeBatches(Buffer.concat([first, second]))].flatMap((b) => b.records.map((r) => r.offset));
    expect(offsets).toEqual([0n, 1n, 2n]);
  });

  it('stops cleanly at a partial trailing batch, wherever it was cut', () => {
    const both = Buffer.concat([first, second]);
    for (const cut of [first.length + 1, first.length + 11, first.length + 12, first.length + 60, both.length - 1]) {
      const batches = [...decodeBatches(both.subarray(0, cut))];
      expect(batches.map((b) => b.header.baseOffset)).toEqual([0n]);
    }
  });

  it('throws on a complete batch that is corrupt, naming the source and position', () => {
    const damaged = Buffer.concat([first, second]);
    damaged[first.length + RECORDS + 2] ^= 0xff;
    const context = expectCorrupt(() => [...decodeBatches(damaged, { source: 'orders-0/00000000000000000000.log' })], 'BATCH_CRC_MISMATCH');
    expect(context).toMatchObject({ source: 'orders-0/00000000000000000000.log', position: first.length });
  });
});

describe('forEachRecordKey', () => {
  it.each(codecs)('codec %d: streams keys, offset deltas, tombstones and record byte ranges', (compression) => {
    const batch = encodeBatch({
      compression,
      lastOffsetDelta: 8,
      records: [
        { key: text('a'), value: text('1'), offsetDelta: 0, headers: [{ key: 'h', value: text('v') }] },
        { key: null, value: text('2'), offsetDelta: 3 },
        { key: text('a'), value: null, offsetDelta: 8 },
      ],
    });
    const seen: Array<[string | null, number, boolean]> = [];
    const raw: Buffer[] = [];
    const viewObjects = new Set<RecordKeyView>();
    const count = forEachRecordKey(batch, 0, (view) => {
      seen.push([str(view.key), view.offsetDelta, view.hasValue]);
      raw.push(Buffer.from(view.records.subarray(view.recordStart, view.recordEnd)));
      viewObjects.add(view);
    });
    expect(count).toBe(3);
    expect(seen).toEqual([
      ['a', 0, true],
      [null, 3, true],
      ['a', 8, false],
    ]);
    // Copying the raw record bytes verbatim into a new batch reproduces the records.
    const rebuilt = encodeBatch({ records: [{ key: text('a'), value: text('1'), headers: [{ key: 'h', value: text('v') }] }] });
    expect(raw[0].equals(rebuilt.subarray(RECORDS))).toBe(true);
    // One view object is reused for every record.
    expect(viewObjects.size).toBe(1);
  });

  it('validates the batch like decodeBatch', () => {
    const batch = encodeBatch({ records: [{ key: text('a'), value: text('1') }] });
    batch[batch.length - 1] ^= 1;
    expectCorrupt(() => forEachRecordKey(batch, 0, () => undefined), 'BATCH_CRC_MISMATCH');
  });
});

describe('corrupt batches', () => {
  it('names a record that runs past the end of the batch, with its position', () => {
    const batch = Buffer.from(GOLDEN_SIMPLE);
    batch[RECORDS] = 0x1a; // record length 13 instead of 12
    const context = expectCorrupt(() => decodeBatch(reseal(batch), 0, { source: 'seg.log' }), 'RECORD_TRUNCATED');
    expect(context).toMatchObject({ source: 'seg.log', position: RECORDS, batchPosition: 0 });
    expectCorrupt(() => forEachRecordKey(batch, 0, () => undefined), 'RECORD_TRUNCATED');
  });

  it('refuses a record whose fields do not fill its declared length', () => {
    // Two records; the first claims one byte more than its fields, swallowing the second's length byte.
    const batch = encodeBatch({ records: [{ key: text('k'), value: text('v') }, { key: text('k'), value: text('v') }] });
    batch[RECORDS] += 2;
    expectCorrupt(() => decodeBatch(reseal(batch)), 'RECORD_LENGTH_MISMATCH');
  });

  it('refuses a batch whose record count exceeds its records', () => {
    const batch = Buffer.from(GOLDEN_SIMPLE);
    batch.writeInt32BE(2, 57);
    batch.writeInt32BE(1, 23);
    const context = expectCorrupt(() => decodeBatch(reseal(batch)), 'RECORD_TRUNCATED');
    expect(context.position).toBe(GOLDEN_SIMPLE.length);
  });

  it('refuses bytes after the last record', () => {
    const batch = Buffer.concat([GOLDEN_SIMPLE, Buffer.from([0x00])]);
    batch.writeInt32BE(batch.length - 12, 8);
    expectCorrupt(() => decodeBatch(reseal(batch)), 'RECORDS_TRAILING_BYTES');
  });

  it('refuses a header with a null key and a negative header count', () => {
    const nullKey = Buffer.from(GOLDEN_SIMPLE);
    nullKey[RECORDS + 9] = 0x01; // header key length -1
    expectCorrupt(() => decodeBatch(reseal(nullKey)), 'RECORD_HEADER_KEY_NULL');
    const negative = Buffer.from(GOLDEN_SIMPLE);
    negative[RECORDS + 8] = 0x01; // header count -1
    expectCorrupt(() => decodeBatch(reseal(negative)), 'RECORD_HEADER_COUNT_INVALID');
  });

  it('refuses a key length below -1', () => {
    const batch = Buffer.from(GOLDEN_SIMPLE);
    batch[RECORDS + 4] = 0x03; // key length -2
    expectCorrupt(() => decodeBatch(reseal(batch)), 'RECORD_FIELD_LENGTH_INVALID');
  });

  it('names invalid compressed data with the batch position', () => {
    const batch = encodeBatch({ compression: Compression.Snappy, records: [{ key: text('k'), value: text('v'.repeat(100)) }] });
    batch[RECORDS + 16] = 0x7f; // first chunk length runs past the end
    const prefix = Buffer.alloc(40);
    const context = expectCorrupt(() => decodeBatch(Buffer.concat([prefix, reseal(batch)]), 40, { source: 'p-0' }), 'COMPRESSION_INVALID');
    expect(context).toMatchObject({ source: 'p-0', batchPosition: 40, position: 40 + RECORDS + 16 });
  });

  it('names corrupt records inside a compressed batch by their decompressed position', () => {
    const records = Buffer.from(GOLDEN_SIMPLE.subarray(RECORDS));
    records[0] = 0x1a;
    const inner = encodeBatch({ compression: Compression.Gzip, records: [{ key: text('k'), value: text('v'), headers: [{ key: 'h', value: text('x') }] }] });
    // Rebuild the gzip payload around the damaged records.
    const gz = Buffer.concat([inner.subarray(0, RECORDS), zlib.gzipSync(records)]);
    gz.writeInt32BE(gz.length - 12, 8);
    const context = expectCorrupt(() => decodeBatch(reseal(gz)), 'RECORD_TRUNCATED');
    expect(context).toMatchObject({ decompressedPosition: 0, batchPosition: 0 });
  });

  it('bounds decompression by maxDecompressedBytes', () => {
    const batch = encodeBatch({ compression: Compression.Zstd, records: [{ key: null, value: Buffer.alloc(1 << 20) }] });
    expect(batch.length).toBeLessThan(1024);
    expectCorrupt(() => decodeBatch(batch, 0, { maxDecompressedBytes: 64 * 1024 }), 'DECOMPRESSED_TOO_LARGE');
    expect(decodeBatch(batch).records[0].value?.length).toBe(1 << 20);
  });

  it('refuses an undefined compression codec', () => {
    const batch = Buffer.from(GOLDEN_SIMPLE);
    batch.writeInt16BE(5, 21);
    expectCorrupt(() => decodeBatch(reseal(batch)), 'COMPRESSION_UNSUPPORTED');
  });
});

describe('encoder input checks', () => {
  it.each([
    ['no records', { records: [] }],
    ['offset deltas that do not increase', { records: [{ key: null, value: null, offsetDelta: 2 }, { key: null, value: null, offsetDelta: 2 }] }],
    ['a negative offset delta', { records: [{ key: null, value: null, offsetDelta: -1 }] }],
    ['a last offset delta below the last record', { lastOffsetDelta: 0, records: [{ key: null, value: null }, { key: null, value: null }] }],
    ['a producer epoch beyond int16', { producerEpoch: 40000, records: [{ key: null, value: null }] }],
    ['a producer id beyond int64', { producerId: 2n ** 63n, records: [{ key: null, value: null }] }],
    ['an unknown codec', { compression: 6 as Compression, records: [{ key: null, value: null }] }],
  ])('refuses %s', (_what, input) => {
    expect(hasCode(thrown(() => encodeBatch(input)), 'BATCH_INPUT_INVALID')).toBe(true);
  });
});
