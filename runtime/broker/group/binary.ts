import { CorruptDataError } from '../../util/errors.ts';

/**
 * Big-endian readers and writers for the Kafka message encodings used by the __consumer_offsets
 * records: int16-length strings and int32-length bytes/arrays (non-flexible versions) and compact
 * varint-length forms with tagged fields (flexible versions).
 */

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  #buf = new Uint8Array(64);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;

  #reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  int8(v: number): this {
    this.#reserve(1);
    this.#view.setInt8(this.#pos, v);
    this.#pos += 1;
    return this;
  }

  int16(v: number): this {
    this.#reserve(2);
    this.#view.setInt16(this.#pos, v);
    this.#pos += 2;
    return this;
  }

  int32(v: number): this {
    this.#reserve(4);
    this.#view.setInt32(this.#pos, v);
    this.#pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.#reserve(8);
    this.#view.setBigInt64(this.#pos, v);
    this.#pos += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
    return this;
  }

  uvarint(v: number): this {
    let n = v >>> 0;
    while (n >= 0x80) {
      this.int8((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    return this.int8(n);
  }

  /** Non-flexible string: int16 length (-1 = null) then UTF-8. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = utf8.encode(s);
    return this.int16(b.length).raw(b);
  }

  /** Non-flexible bytes: int32 length then the bytes. */
  bytes(b: Uint8Array): this {
    return this.int32(b.length).raw(b);
  }

  /** Flexible string: unsigned varint (length + 1, 0 = null) then UTF-8. */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const b = utf8.encode(s);
    return this.uvarint(b.length + 1).raw(b);
  }

  compactBytes(b: Uint8Array): this {
    return this.uvarint(b.length + 1).raw(b);
  }

  /** An empty tagged-field section (no tags written). */
  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  toBytes(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

export class ByteReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  #pos = 0;

  /** `what` names the thing being decoded, for error messages ("OffsetCommitValue v3"). */
  constructor(buf: Uint8Array, what: string) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#what = what;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  fail(field: string, problem: string): never {
    throw new CorruptDataError(`${this.#what}: ${field} at byte ${this.#pos}: ${problem}`, {
      context: { record: this.#what, field, position: this.#pos, length: this.#buf.length },
    });
  }

  #need(n: number, field: string): void {
    if (this.#pos + n > this.#buf.length) this.fail(field, `needs ${n} bytes, only ${this.remaining} left`);
  }

  int16(field: string): number {
    this.#need(2, field);
    const v = this.#view.getInt16(this.#pos);
    this.#pos += 2;
    return v;
  }

  int32(field: string): number {
    this.#need(4, field);
    const v = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    return v;
  }

  int64(field: string): bigint {
    this.#need(8, field);
    const v = this.#view.getBigInt64(this.#pos);
    this.#pos += 8;
    return v;
  }

  uvarint(field: string): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.#need(1, field);
      const b = this.#buf[this.#pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) this.fail(field, 'unsigned varint exceeds 32 bits');
        return result;
      }
    }
    return this.fail(field, 'unsigned varint longer than 5 bytes');
  }

  #raw(n: number, field: string): Uint8Array {
    this.#need(n, field);
    const out = this.#buf.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  #utf8(n: number, field: string): string {
    const start = this.#pos;
    const raw = this.#raw(n, field);
    try {
      return utf8Decoder.decode(raw);
    } catch (cause) {
      this.#pos = start;
      return this.fail(field, `invalid UTF-8 (${String(cause)})`);
    }
  }

  string(field: string): string {
    const s = this.nullableString(field);
    if (s === null) this.fail(field, 'null where a string is required');
    return s;
  }

  nullableString(field: string): string | null {
    const n = this.int16(field);
    if (n < -1) this.fail(field, `negative string length ${n}`);
    return n === -1 ? null : this.#utf8(n, field);
  }

  bytes(field: string): Uint8Array {
    const n = this.int32(field);
    if (n < 0) this.fail(field, `negative bytes length ${n}`);
    return this.#raw(n, field);
  }

  compactString(field: string): string {
    const s = this.compactNullableString(field);
    if (s === null) this.fail(field, 'null where a string is required');
    return s;
  }

  compactNullableString(field: string): string | null {
    const n = this.uvarint(field);
    return n === 0 ? null : this.#utf8(n - 1, field);
  }

  compactBytes(field: string): Uint8Array {
    const n = this.uvarint(field);
    if (n === 0) this.fail(field, 'null where bytes are required');
    return this.#raw(n - 1, field);
  }

  /** Array length: int32 (non-flexible) or uvarint length + 1 (flexible); null arrays are refused. */
  arrayLength(field: string, flexible: boolean): number {
    const n = flexible ? this.uvarint(field) - 1 : this.int32(field);
    if (n < 0) this.fail(field, 'null or negative array length');
    return n;
  }

  /** Skips a tagged-field section: these records define no tags, so every tag is unknown. */
  skipTaggedFields(field: string): void {
    const count = this.uvarint(field);
    for (let i = 0; i < count; i++) {
      this.uvarint(`${field} tag`);
      const size = this.uvarint(`${field} tag size`);
      this.#raw(size, `${field} tag data`);
    }
  }
}
