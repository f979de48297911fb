/**
 * Bounds-checked big-endian reader over one frame. Running out of bytes throws a ReadFault that
 * the codec turns into a MalformedMessageError naming the field; nothing here allocates more than
 * the bytes actually present, whatever a length prefix claims.
 */

/** Internal: a read failure on its way up through the struct and array decoders, which add the field path. */
export class ReadFault extends Error {
  readonly offset: number;
  readonly reason: string;
  /** Innermost segment last while unwinding; reversed when reported. */
  readonly path: string[] = [];

  constructor(reason: string, offset: number) {
    super(reason);
    this.reason = reason;
    this.offset = offset;
  }
}

const EMPTY = Buffer.alloc(0);

export class WireReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.end - this.pos < n) {
      throw new ReadFault(`truncated: needs ${n} bytes, ${this.end - this.pos} left`, this.pos);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned varint (KIP-482 lengths, tags and sizes): at most 5 bytes, must fit in 32 bits. */
  uvarint(): number {
    const start = this.pos;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new ReadFault('truncated: unsigned varint runs past the end', start);
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new ReadFault('unsigned varint is longer than 5 bytes or exceeds 32 bits', start);
  }

  /** `n` bytes as a view of the frame (no copy). */
  bytes(n: number): Buffer {
    this.need(n);
    if (n === 0) return EMPTY;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf8(n: number): string {
    this.need(n);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  uuid(): string {
    this.need(16);
    const hex = this.buf.toString('hex', this.pos, this.pos + 16);
    this.pos += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}
