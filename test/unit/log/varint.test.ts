import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../runtime/util/errors.ts';
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  skipVarint,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
} from '../../../runtime/broker/log/varint.ts';

// Golden vectors: apache/kafka clients/src/test/java/org/apache/kafka/common/utils/ByteUtilsTest.java
// (testUnsignedVarintSerde, testVarintSerde, testVarlongSerde).
const unsignedVarints: Array<[number, number[]]> = [
  [0, [0x00]],
  [-1, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  [1, [0x01]],
  [63, [0x3f]],
  [-64, [0xc0, 0xff, 0xff, 0xff, 0x0f]],
  [64, [0x40]],
  [8191, [0xff, 0x3f]],
  [-8192, [0x80, 0xc0, 0xff, 0xff, 0x0f]],
  [8192, [0x80, 0x40]],
  [-8193, [0xff, 0xbf, 0xff, 0xff, 0x0f]],
  [1048575, [0xff, 0xff, 0x3f]],
  [1048576, [0x80, 0x80, 0x40]],
  [2147483647, [0xff, 0xff, 0xff, 0xff, 0x07]],
  [-2147483648, [0x80, 0x80, 0x80, 0x80, 0x08]],
];

const varints: Array<[number, number[]]> = [
  [0, [0x00]],
  [-1, [0x01]],
  [1, [0x02]],
  [63, [0x7e]],
  [-64, [0x7f]],
  [64, [0x80, 0x01]],
  [-65, [0x81, 0x01]],
  [8191, [0xfe, 0x7f]],
  [-8192, [0xff, 0x7f]],
  [8192, [0x80, 0x80, 0x01]],
  [-8193, [0x81, 0x80, 0x01]],
  [1048575, [0xfe, 0xff, 0x7f]],
  [-1048576, [0xff, 0xff, 0x7f]],
  [1048576, [0x80, 0x80, 0x80, 0x01]],
  [-1048577, [0x81, 0x80, 0x80, 0x01]],
  [134217727, [0xfe, 0xff, 0xff, 0x7f]],
  [-134217728, [0xff, 0xff, 0xff, 0x7f]],
  [134217728, [0x80, 0x80, 0x80, 0x80, 0x01]],
  [-134217729, [0x81, 0x80, 0x80, 0x80, 0x01]],
  [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
  [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
];

const varlongs: Array<[bigint, number[]]> = [
  ...varints.map(([n, bytes]): [bigint, number[]] => [BigInt(n), bytes]),
  [17179869183n, [0xfe, 0xff, 0xff, 0xff, 0x7f]],
  [-17179869184n, [0xff, 0xff, 0xff, 0xff, 0x7f]],
  [17179869184n, [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-17179869185n, [0x81, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [2199023255551n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [-2199023255552n, [0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [2199023255552n, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-2199023255553n, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [281474976710655n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [-281474976710656n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [281474976710656n, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-281474976710657n, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [36028797018963967n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [-36028797018963968n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [36028797018963968n, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-36028797018963969n, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [4611686018427387903n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [-4611686018427387904n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [4611686018427387904n, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-4611686018427387905n, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [9223372036854775807n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  [-9223372036854775808n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
];

function written(write: (buf: Uint8Array, pos: number) => number): number[] {
  const buf = new Uint8Array(16).fill(0xaa);
  const end = write(buf, 3);
  return [...buf.subarray(3, end)];
}

function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(hasCode(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}

describe('varints (Kafka ByteUtils vectors)', () => {
  it.each(unsignedVarints)('unsigned varint %d', (value, bytes) => {
    expect(written((b, p) => writeUnsignedVarint(b, p, value))).toEqual(bytes);
    expect(sizeOfUnsignedVarint(value)).toBe(bytes.length);
    const cur = { pos: 0 };
    expect(readUnsignedVarint(Uint8Array.from(bytes), cur)).toBe(value);
    expect(cur.pos).toBe(bytes.length);
  });

  it.each(varints)('zigzag varint %d', (value, bytes) => {
    expect(written((b, p) => writeVarint(b, p, value))).toEqual(bytes);
    expect(sizeOfVarint(value)).toBe(bytes.length);
    const cur = { pos: 1 };
    expect(readVarint(Uint8Array.from([0x99, ...bytes]), cur)).toBe(value);
    expect(cur.pos).toBe(bytes.length + 1);
  });

  it.each(varlongs)('zigzag varlong %s', (value, bytes) => {
    expect(written((b, p) => writeVarlong(b, p, value))).toEqual(bytes);
    expect(sizeOfVarlong(value)).toBe(bytes.length);
    const cur = { pos: 0 };
    expect(readVarlong(Uint8Array.from(bytes), cur)).toBe(value);
    expect(cur.pos).toBe(bytes.length);
    const skip = { pos: 0 };
    skipVarint(Uint8Array.from(bytes), skip);
    expect(skip.pos).toBe(bytes.length);
  });

  it('refuses a varint with a sixth byte and a varlong with an eleventh (ByteUtilsTest.testInvalidVarint/Varlong)', () => {
    expectCode(() => readVarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { pos: 0 }), 'VARINT_TOO_LONG');
    expectCode(() => readVarlong(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { pos: 0 }), 'VARINT_TOO_LONG');
    expectCode(() => skipVarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { pos: 0 }), 'VARINT_TOO_LONG');
  });

  it('reports truncation with the position where bytes ran out', () => {
    const cur = { pos: 1 };
    let thrown: unknown;
    try {
      readVarlong(Uint8Array.from([0x00, 0x80, 0x80]), cur);
    } catch (err) {
      thrown = err;
    }
    expect(hasCode(thrown, 'VARINT_TRUNCATED')).toBe(true);
    expect((thrown as { context: { position: number } }).context.position).toBe(3);
    // A failed read leaves the cursor where the varint started.
    expect(cur.pos).toBe(1);
    expectCode(() => readUnsignedVarint(new Uint8Array(0), { pos: 0 }), 'VARINT_TRUNCATED');
  });

  it('round-trips values around every 7-bit group boundary', () => {
    const buf = new Uint8Array(10);
    for (let bits = 0; bits < 63; bits++) {
      for (const v of [2n ** BigInt(bits) - 1n, 2n ** BigInt(bits), -(2n ** BigInt(bits)), -(2n ** BigInt(bits)) - 1n]) {
        const end = writeVarlong(buf, 0, v);
        expect(end).toBe(sizeOfVarlong(v));
        const cur = { pos: 0 };
        expect(readVarlong(buf, cur)).toBe(v);
        expect(cur.pos).toBe(end);
      }
    }
    for (let bits = 0; bits < 31; bits++) {
      for (const v of [2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) - 1]) {
        const end = writeVarint(buf, 0, v);
        expect(end).toBe(sizeOfVarint(v));
        expect(readVarint(buf, { pos: 0 })).toBe(v);
      }
    }
  });
});
