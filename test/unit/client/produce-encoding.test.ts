import { produceV11 } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import type { ProduceEncodingOptions, ProduceMessage } from '../../../runtime/client/produce-encoding.ts';
import { PRE_ENCODED_KEY, canEncodeFast, decodeRecordBody, encodeProduceRequest as encodeParts, encodeRecordBody, withDecodedRecords } from '../../../runtime/client/produce-encoding.ts';

const encodeProduceRequest = (...args: Parameters<typeof encodeParts>): Buffer => Buffer.concat(encodeParts(...args));

/** platformatic's own encoding of the same request (it fills missing timestamps in place, so give it copies). */
function reference(acks: number, timeout: number, messages: ProduceMessage[], options: ProduceEncodingOptions): Buffer {
  const copies = messages.map((m) => ({ ...m }));
  return (produceV11.createRequest(acks, timeout, copies as never, options as never) as unknown as { buffer: Buffer }).buffer;
}

const sequences = (entries: Record<string, number>) => ({ getWithDefault: (key: string, fallback: number) => entries[key] ?? fallback });

describe('encodeProduceRequest', () => {
  it('writes the bytes platformatic writes: keys, null values, headers, several topics and partitions', () => {
    const t = 1_790_000_000_000n;
    const messages: ProduceMessage[] = [
      { topic: 'a', partition: 1, key: Buffer.from('k1'), value: Buffer.from('v'.repeat(300)), timestamp: t },
      { topic: 'b', partition: 0, key: undefined, value: Buffer.from('x'), timestamp: t + 5n, headers: new Map([[Buffer.from('h'), Buffer.from('1')], [Buffer.from('n'), undefined]]) },
      { topic: 'a', partition: 0, key: null, value: null, timestamp: t - 3n },
      { topic: 'a', partition: 1, key: Buffer.alloc(0), value: Buffer.from('三'), timestamp: t + 100_000n, headers: new Map() },
    ];
    for (const options of [{}, { producerId: 42n, producerEpoch: 3, sequences: sequences({ 'a:1': 17 }) }, { transactionalId: 'tx-1', producerId: 7n, producerEpoch: 1 }]) {
      for (const acks of [-1, 0, 1]) {
        expect(encodeProduceRequest(acks, 30_000, messages, options).equals(reference(acks, 30_000, messages, options))).toBe(true);
      }
    }
  });

  it('writes many records of one partition as platformatic does', () => {
    const messages: ProduceMessage[] = Array.from({ length: 500 }, (_, i) => ({
      topic: 'big',
      partition: 2,
      value: Buffer.from(`line-${i}`),
      timestamp: 1_790_000_000_000n + BigInt(i % 7),
      headers: new Map([[Buffer.from('file.line'), Buffer.from(String(i))]]),
    }));
    expect(encodeProduceRequest(-1, 1000, messages, {}).equals(reference(-1, 1000, messages, {}))).toBe(true);
  });

  it('writes timestamp deltas beyond 32 bits as zigzag varlongs', () => {
    // platformatic's own varlong differs here; the record is decoded by hand instead.
    const body = encodeProduceRequest(1, 1000, [
      { topic: 't', value: null, timestamp: 1_790_000_000_000n },
      { topic: 't', value: null, timestamp: 1n },
    ], {});
    const batch = body.subarray(16);
    let at = 61 + 7 + 1; // batch header, first record (6 bytes and its length), second record's length
    expect(batch[at++]).toBe(0); // attributes
    let zigzag = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = batch[at++];
      zigzag |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    expect((zigzag >> 1n) ^ -(zigzag & 1n)).toBe(1n - 1_790_000_000_000n);
  });

  it('fills a missing timestamp with the current time, as platformatic does', () => {
    const before = BigInt(Date.now());
    const body = encodeProduceRequest(1, 1000, [{ topic: 't', value: Buffer.from('v') }], {});
    // Produce v11 body: transactional id (1), acks (2), timeout (4), topics (1), name (2), partitions (1), index (4), records length (1) → batch.
    const batch = body.subarray(16);
    const first = batch.readBigInt64BE(27);
    expect(first >= before && first <= BigInt(Date.now())).toBe(true);
    expect(batch.readInt8(16)).toBe(2);
  });

  it('writes a pre-encoded record (key, value, headers) as the record it holds', () => {
    const names = new Map<string, Buffer>();
    const nameBytes = (name: string): Buffer => names.get(name) ?? names.set(name, Buffer.from(name)).get(name)!;
    const recordHeaders = [
      ['file.name', Buffer.from('a.log')],
      ['file.line', Buffer.from('12')],
      ['empty', null],
      ['file.line', new Uint8Array([0xe4, 0xb8, 0x89])],
    ] as const;
    const plain = new Map<Buffer, Buffer | undefined>(recordHeaders.map(([name, value]) => [Buffer.from(name), value === null ? undefined : Buffer.from(value)]));
    const t = 1_790_000_000_000n;
    // As platformatic hands them over: an empty headers Map on the pre-encoded messages.
    const preEncoded: ProduceMessage[] = [
      { topic: 't', key: PRE_ENCODED_KEY, value: encodeRecordBody(Buffer.from('k'), Buffer.from('v'), recordHeaders, nameBytes), timestamp: t, headers: new Map() },
      { topic: 't', key: PRE_ENCODED_KEY, value: encodeRecordBody(undefined, undefined, [], nameBytes), timestamp: t + 1n, headers: new Map() },
      { topic: 't', key: Buffer.from('plain'), value: Buffer.from('record'), timestamp: t + 2n },
    ];
    const expected: ProduceMessage[] = [
      { topic: 't', key: Buffer.from('k'), value: Buffer.from('v'), timestamp: t, headers: plain },
      { topic: 't', timestamp: t + 1n, headers: new Map() },
      { topic: 't', key: Buffer.from('plain'), value: Buffer.from('record'), timestamp: t + 2n },
    ];
    expect(canEncodeFast(preEncoded, {})).toBe(true);
    expect(encodeProduceRequest(-1, 1000, preEncoded, {}).equals(reference(-1, 1000, expected, {}))).toBe(true);

    // Requests platformatic encodes itself get the key, value and headers back.
    const decoded = decodeRecordBody(preEncoded[0].value!);
    expect([decoded.key?.toString(), decoded.value?.toString()]).toEqual(['k', 'v']);
    withDecodedRecords(preEncoded);
    expect([...preEncoded[0].headers!].map(([k, v]) => [k.toString(), v?.toString('hex')])).toEqual([
      ['file.name', Buffer.from('a.log').toString('hex')],
      ['file.line', Buffer.from('12').toString('hex')],
      ['empty', undefined],
      ['file.line', 'e4b889'],
    ]);
    expect([preEncoded[1].key, preEncoded[1].value, preEncoded[1].headers!.size]).toEqual([undefined, undefined, 0]);
    expect(reference(-1, 1000, preEncoded, {}).equals(reference(-1, 1000, expected, {}))).toBe(true);
  });

  it('leaves a pre-encoded record that also has headers to platformatic', () => {
    const message: ProduceMessage = { topic: 't', key: PRE_ENCODED_KEY, value: encodeRecordBody(undefined, Buffer.from('v'), [], () => Buffer.alloc(0)), headers: new Map([[Buffer.from('h'), Buffer.from('x')]]) };
    expect(canEncodeFast([message], {})).toBe(false);
  });

  it('leaves compressed batches and non-Buffer fields to platformatic', () => {
    const ok: ProduceMessage = { topic: 't', value: Buffer.from('v') };
    expect(canEncodeFast([ok], {})).toBe(true);
    expect(canEncodeFast([ok], { compression: 'none' })).toBe(true);
    expect(canEncodeFast([ok], { compression: 'gzip' })).toBe(false);
    expect(canEncodeFast([{ topic: 't', value: 'text' as unknown as Buffer }], {})).toBe(false);
    expect(canEncodeFast([{ topic: 't', value: null, headers: new Map([['name' as unknown as Buffer, Buffer.from('v')]]) }], {})).toBe(false);
    expect(canEncodeFast([{ topic: 't', value: null, timestamp: 5 as unknown as bigint }], {})).toBe(false);
  });
});
