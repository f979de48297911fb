import { compressionsAlgorithms, produceV11 } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, BASE_SEQUENCE, PRODUCER_EPOCH, PRODUCER_ID, RECORDS, computeBatchCrc, readBatchHeader } from '../../../runtime/broker/log/batch-header.ts';
import type { BatchIdentity, RecordToEncode } from '../../../runtime/client/produce-encoding.ts';
import { encodeProduceRequest, encodeRecordBatch } from '../../../runtime/client/produce-encoding.ts';
import type { RecordHeader } from '../../../runtime/client/types.ts';

const NONE: BatchIdentity = { producerId: -1n, producerEpoch: -1, baseSequence: -1 };
const T = 1_790_000_000_000n;
const names = new Map<string, Buffer>();
const nameBytes = (name: string): Buffer => names.get(name) ?? names.set(name, Buffer.from(name)).get(name)!;

interface Message {
  topic: string;
  partition: number;
  key?: Buffer;
  value?: Buffer;
  timestamp: bigint;
  headers?: readonly RecordHeader[];
}

/** platformatic's own encoding of the same request (Java's partition leader epoch -1 in every batch). */
function reference(acks: number, messages: Message[], identity: BatchIdentity): Buffer {
  const copies = messages.map((m) => ({
    ...m,
    headers: m.headers === undefined ? undefined : new Map(m.headers.map(([name, value]) => [Buffer.from(name), value === null ? undefined : Buffer.from(value)])),
  }));
  const options = {
    partitionLeaderEpoch: -1,
    ...(identity.producerId >= 0n ? { producerId: identity.producerId, producerEpoch: identity.producerEpoch, sequences: { getWithDefault: () => identity.baseSequence } } : { producerEpoch: -1 }),
  };
  const bytes = (produceV11.createRequest(acks, 30_000, copies as never, options as never) as unknown as { buffer: Buffer }).buffer;
  if (identity.producerId < 0n) {
    // platformatic writes sequence 0 without a producer id; Java (and we) write -1, inside the CRC's range.
    return patchSequences(bytes, -1);
  }
  return bytes;
}

/** Rewrites every batch's base sequence in a v11 request body and recomputes its CRC. */
function patchSequences(body: Buffer, sequence: number): Buffer {
  const out = Buffer.from(body);
  for (const at of batchPositions(out)) {
    out.writeInt32BE(sequence, at + BASE_SEQUENCE);
    out.writeUInt32BE(computeBatchCrc(out, at), at + 17);
  }
  return out;
}

/** Where each batch starts in a Produce v11 body of one-byte varints (small test requests). */
function batchPositions(body: Buffer): number[] {
  const positions: number[] = [];
  let at = 1 + 2 + 4;
  const topics = body[at++] - 1;
  for (let t = 0; t < topics; t++) {
    at += body[at]; // the name's length + 1: its length byte and the name
    const partitions = body[at++] - 1;
    for (let p = 0; p < partitions; p++) {
      at += 4;
      let length = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = body[at++];
        length |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      positions.push(at);
      at += length - 1 + 1; // the batch, then its tagged fields
    }
    at += 1;
  }
  return positions;
}

function ours(acks: number, messages: Message[], identity: BatchIdentity): Buffer {
  const batches: Array<{ topic: string; partition: number; bytes: Buffer }> = [];
  for (const m of messages) {
    const last = batches.at(-1);
    if (last !== undefined && last.topic === m.topic && last.partition === m.partition) continue;
    const records: RecordToEncode[] = messages.filter((x) => x.topic === m.topic && x.partition === m.partition).map((x) => ({ key: x.key, value: x.value, headers: x.headers, timestamp: x.timestamp }));
    batches.push({ topic: m.topic, partition: m.partition, bytes: encodeRecordBatch(records, identity, 'none', nameBytes) });
  }
  return Buffer.concat(encodeProduceRequest(acks, 30_000, batches));
}

describe('encodeProduceRequest and encodeRecordBatch', () => {
  it('write the bytes platformatic writes: keys, null values, several topics and partitions, with and without a producer id', () => {
    const messages: Message[] = [
      { topic: 'a', partition: 0, timestamp: T - 3n },
      { topic: 'a', partition: 1, key: Buffer.from('k1'), value: Buffer.from('v'.repeat(300)), timestamp: T },
      { topic: 'a', partition: 1, key: Buffer.alloc(0), value: Buffer.from('三'), timestamp: T + 100_000n },
      { topic: 'b', partition: 0, value: Buffer.from('x'), timestamp: T + 5n },
    ];
    for (const identity of [NONE, { producerId: 42n, producerEpoch: 3, baseSequence: 17 }]) {
      for (const acks of [-1, 0, 1]) expect(ours(acks, messages, identity).equals(reference(acks, messages, identity))).toBe(true);
    }
  });

  it('writes many records of one partition as platformatic does', () => {
    const messages: Message[] = Array.from({ length: 500 }, (_, i) => ({ topic: 'big', partition: 2, value: Buffer.from(`line-${i}`), timestamp: T + BigInt(i % 7) }));
    const identity = { producerId: 7n, producerEpoch: 0, baseSequence: 1000 };
    expect(ours(-1, messages, identity).equals(reference(-1, messages, identity))).toBe(true);
  });

  it('writes timestamp deltas beyond 32 bits as zigzag varlongs', () => {
    const batch = encodeRecordBatch(
      [
        { key: undefined, value: undefined, headers: undefined, timestamp: T },
        { key: undefined, value: undefined, headers: undefined, timestamp: 1n },
      ],
      NONE,
      'none',
      nameBytes,
    );
    let at = RECORDS + 7 + 1; // first record (6 bytes and its length), second record's length
    expect(batch[at++]).toBe(0); // attributes
    let zigzag = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = batch[at++];
      zigzag |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    expect((zigzag >> 1n) ^ -(zigzag & 1n)).toBe(1n - T);
  });

  it('writes headers (repeated names, null values, multi-byte values) as platformatic does', () => {
    const headers: RecordHeader[] = [
      ['file.name', Buffer.from('a.log')],
      ['file.line', Buffer.from('12')],
      ['empty', null],
      ['file.line', new Uint8Array([0xe4, 0xb8, 0x89])],
    ];
    const messages: Message[] = [
      { topic: 't', partition: 0, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: T, headers },
      { topic: 't', partition: 0, timestamp: T + 1n, headers: [] },
      { topic: 't', partition: 0, key: Buffer.from('plain'), value: Buffer.from('record'), timestamp: T + 2n },
    ];
    expect(ours(-1, messages, NONE).equals(reference(-1, messages, NONE))).toBe(true);
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('compresses the records section with %s and marks the codec in the attributes', (codec) => {
    const records: RecordToEncode[] = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value ${i} `.repeat(10)), headers: [['n', Buffer.from(String(i))]], timestamp: T + BigInt(i) }));
    const identity = { producerId: 9n, producerEpoch: 2, baseSequence: 100 };
    const plain = encodeRecordBatch(records, identity, 'none', nameBytes);
    const compressed = encodeRecordBatch(records, identity, codec, nameBytes);
    expect(compressed.length).toBeLessThan(plain.length);
    expect(compressed.readInt16BE(ATTRIBUTES) & 0x07).toBe(compressionsAlgorithms[codec].bitmask);
    expect(compressed.readUInt32BE(17)).toBe(computeBatchCrc(compressed, 0));
    const header = readBatchHeader(compressed, 0);
    expect(header.recordCount).toBe(50);
    expect([compressed.readBigInt64BE(PRODUCER_ID), compressed.readInt16BE(PRODUCER_EPOCH), compressed.readInt32BE(BASE_SEQUENCE)]).toEqual([9n, 2, 100]);
    const body = compressionsAlgorithms[codec].decompressSync(compressed.subarray(RECORDS));
    expect(Buffer.from(body).equals(plain.subarray(RECORDS))).toBe(true);
  });
});
