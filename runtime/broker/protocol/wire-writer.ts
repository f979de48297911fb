/**
 * Growable big-endian writer that produces a list of chunks. Small values are written into one
 * scratch buffer; a large byte field (a Fetch response's record batches) is appended as its own
 * chunk without copying, so a response is "header bytes + the stored batches" and the server
 * hands the chunks to the socket (writev / cork) as they are.
 */

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Byte fields at least this long are attached as chunks instead of copied. */
export const DEFAULT_ZERO_COPY_THRESHOLD = 4096;

export class WireWriter {
  private buf: Buffer;
  pos = 0;
  /** Start of the not yet emitted part of `buf`. */
  private segStart = 0;
  private readonly chunks: Buffer[] = [];
  /** Bytes already emitted as chunks. */
  private flushed = 0;
  /** While > 0 (inside tagged fields, which are rewritten in place) nothing is attached. */
  private pinned = 0;
  private readonly zeroCopyThreshold: number;

  constructor(initialCapacity = 256, zeroCopyThreshold = DEFAULT_ZERO_COPY_THRESHOLD) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
    this.zeroCopyThreshold = zeroCopyThreshold;
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushed + this.pos - this.segStart;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.segStart;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, used + n, 256));
    this.buf.copy(next, 0, this.segStart, this.pos);
    this.buf = next;
    this.segStart = 0;
    this.pos = used;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  int64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  uvarint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`unsigned varint out of range: ${v}`);
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** int16 length + UTF-8 (non-flexible). Writes the text first to learn its byte length. */
  shortString(s: string): void {
    this.ensure(2 + s.length * 3);
    const n = this.buf.write(s, this.pos + 2, 'utf8');
    if (n > 0x7fff) throw new RangeError(`string of ${n} bytes exceeds the int16 length limit`);
    this.buf.writeInt16BE(n, this.pos);
    this.pos += 2 + n;
  }

  /** uvarint (length + 1) + UTF-8 (flexible). */
  compactString(s: string): void {
    if (s.length * 3 < 127) {
      // The length prefix is one byte whatever the encoding turns out to be.
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n + 1;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n + 1);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
  }

  uuid(s: string): void {
    if (!UUID_RE.test(s)) throw new RangeError(`not a UUID: ${JSON.stringify(s)}`);
    this.ensure(16);
    this.buf.write(s.replaceAll('-', ''), this.pos, 'hex');
    this.pos += 16;
  }

  /** Raw bytes (the caller wrote the length). Large inputs become their own chunk. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n >= this.zeroCopyThreshold && this.pinned === 0) {
      if (this.pos > this.segStart) this.chunks.push(this.buf.subarray(this.segStart, this.pos));
      this.chunks.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, n));
      this.flushed += this.pos - this.segStart + n;
      this.segStart = this.pos;
      return;
    }
    this.ensure(n);
    this.buf.set(bytes, this.pos);
    this.pos += n;
  }

  /**
   * Writes a uvarint size followed by whatever `body` writes (a tagged field's value). The value
   * is written first, then moved up by the size prefix's width: tagged values are small.
   */
  sized(body: () => void): void {
    this.pinned++;
    try {
      const startAbs = this.length;
      body();
      const size = this.length - startAbs;
      const width = uvarintWidth(size);
      this.ensure(width);
      // Nothing is attached while pinned, so the value is still in `buf` (which `ensure` may have moved).
      const at = startAbs - this.flushed + this.segStart;
      this.buf.copyWithin(at + width, at, this.pos);
      let v = size;
      let p = at;
      while (v >= 0x80) {
        this.buf[p++] = (v & 0x7f) | 0x80;
        v = Math.floor(v / 128);
      }
      this.buf[p] = v;
      this.pos += width;
    } finally {
      this.pinned--;
    }
  }

  /** Overwrites 4 bytes at an absolute offset written earlier (the frame size prefix). */
  patchInt32(offset: number, v: number): void {
    let base = 0;
    for (const c of this.chunks) {
      if (offset < base + c.length) {
        c.writeInt32BE(v, offset - base);
        return;
      }
      base += c.length;
    }
    this.buf.writeInt32BE(v, this.segStart + offset - base);
  }

  /** The written bytes as chunks, in order. The writer must not be used afterwards. */
  finish(): Buffer[] {
    if (this.pos > this.segStart || this.chunks.length === 0) this.chunks.push(this.buf.subarray(this.segStart, this.pos));
    this.segStart = this.pos;
    return this.chunks;
  }
}

export function uvarintWidth(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}
