import { CorruptDataError } from '../../util/errors.ts';

/**
 * Kafka's variable-length integers (protobuf base-128, least significant group first), with the
 * exact semantics of org.apache.kafka.common.utils.ByteUtils: record fields use zigzag varints
 * (int32) and varlongs (int64); flexible protocol versions use unsigned varints. Readers advance a
 * shared cursor so that a record decoder allocates nothing per field.
 */
export interface Cursor {
  pos: number;
}

const MAX_VARINT_BYTES = 5;
const MAX_VARLONG_BYTES = 10;
// Seven 7-bit groups (49 bits) always fit a double exactly; longer varlongs take the BigInt path.
const SAFE_VARLONG_BYTES = 7;
// Values in [-2^52, 2^52) zigzag to at most 2^53 - 1 and can be written with double arithmetic.
const SAFE_ZIGZAG_LIMIT = 2n ** 52n;

function truncated(pos: number): never {
  throw new CorruptDataError(`varint truncated at position ${pos}`, { code: 'VARINT_TRUNCATED', context: { position: pos } });
}

function tooLong(start: number, max: number): never {
  throw new CorruptDataError(`varint at position ${start} is longer than ${max} bytes`, { code: 'VARINT_TOO_LONG', context: { position: start } });
}

/** Reads an unsigned varint of at most 5 bytes as Java does: bits above 32 are dropped, the result is a signed int32. */
export function readUnsignedVarint(buf: Uint8Array, cur: Cursor): number {
  let pos = cur.pos;
  const start = pos;
  let result = 0;
  for (let shift = 0; shift < 7 * MAX_VARINT_BYTES; shift += 7) {
    if (pos >= buf.length) truncated(pos);
    const b = buf[pos++];
    result |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cur.pos = pos;
      return result | 0;
    }
  }
  return tooLong(start, MAX_VARINT_BYTES);
}

/** Zigzag-decoded int32 varint. */
export function readVarint(buf: Uint8Array, cur: Cursor): number {
  const v = readUnsignedVarint(buf, cur);
  return (v >>> 1) ^ -(v & 1);
}

/** Zigzag-decoded int64 varlong (at most 10 bytes). */
export function readVarlong(buf: Uint8Array, cur: Cursor): bigint {
  let pos = cur.pos;
  const start = pos;
  let low = 0;
  let scale = 1;
  for (let i = 0; i < SAFE_VARLONG_BYTES; i++) {
    if (pos >= buf.length) truncated(pos);
    const b = buf[pos++];
    low += (b & 0x7f) * scale;
    if (b < 0x80) {
      cur.pos = pos;
      // Zigzag on an exact non-negative double below 2^49.
      return BigInt(low % 2 === 0 ? low / 2 : -(low + 1) / 2);
    }
    scale *= 128;
  }
  let value = BigInt(low);
  let shift = BigInt(7 * SAFE_VARLONG_BYTES);
  for (let i = SAFE_VARLONG_BYTES; i < MAX_VARLONG_BYTES; i++) {
    if (pos >= buf.length) truncated(pos);
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) {
      cur.pos = pos;
      value = BigInt.asUintN(64, value);
      return BigInt.asIntN(64, (value >> 1n) ^ -(value & 1n));
    }
    shift += 7n;
  }
  return tooLong(start, MAX_VARLONG_BYTES);
}

/** Advances past one varint or varlong without decoding it. */
export function skipVarint(buf: Uint8Array, cur: Cursor): void {
  let pos = cur.pos;
  const start = pos;
  for (let i = 0; i < MAX_VARLONG_BYTES; i++) {
    if (pos >= buf.length) truncated(pos);
    if (buf[pos++] < 0x80) {
      cur.pos = pos;
      return;
    }
  }
  tooLong(start, MAX_VARLONG_BYTES);
}

export function sizeOfUnsignedVarint(value: number): number {
  const v = value >>> 0;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint((value << 1) ^ (value >> 31));
}

function zigzagSafe(value: bigint): number | undefined {
  if (value >= -SAFE_ZIGZAG_LIMIT && value < SAFE_ZIGZAG_LIMIT) {
    const n = Number(value);
    return n >= 0 ? 2 * n : -2 * n - 1;
  }
  return undefined;
}

function zigzagBig(value: bigint): bigint {
  const v = BigInt.asIntN(64, value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

export function sizeOfVarlong(value: bigint): number {
  const z = zigzagSafe(value);
  if (z !== undefined) {
    let size = 1;
    for (let v = z; v >= 0x80; v = Math.floor(v / 128)) size++;
    return size;
  }
  let size = 1;
  for (let v = zigzagBig(value); v >= 0x80n; v >>= 7n) size++;
  return size;
}

/** Writes `value` (taken as uint32) and returns the position after it. */
export function writeUnsignedVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  return writeUnsignedVarint(buf, pos, (value << 1) ^ (value >> 31));
}

export function writeVarlong(buf: Uint8Array, pos: number, value: bigint): number {
  const z = zigzagSafe(value);
  if (z !== undefined) {
    let v = z;
    while (v >= 0x80) {
      buf[pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    return pos;
  }
  let v = zigzagBig(value);
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}
