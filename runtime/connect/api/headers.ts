/**
 * Record headers as Connect sees them (Kafka's ConnectHeaders): ordered, several per key, each
 * with an optional schema against which its value is validated when added.
 */
import type { BigDecimal } from './big-decimal.ts';
import { LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp } from './logical-types.ts';
import type { Schema } from './schema.ts';
import { Schemas } from './schema.ts';
import type { Struct } from './struct.ts';
import { validateValue } from './struct.ts';
import { valuesEqual } from './values-equal.ts';

export interface Header {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

function header(key: string, value: unknown, schema: Schema | null): Header {
  return Object.freeze({ key, schema, value });
}

export class ConnectHeaders implements Iterable<Header> {
  #headers: Header[];

  constructor(headers: Iterable<Header> = []) {
    this.#headers = [...headers];
  }

  get size(): number {
    return this.#headers.length;
  }

  isEmpty(): boolean {
    return this.#headers.length === 0;
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.#headers[Symbol.iterator]();
  }

  toArray(): Header[] {
    return [...this.#headers];
  }

  /** Adds a header; the value is validated against the schema when one is given. */
  add(key: string, value: unknown, schema: Schema | null = null): this {
    if (schema !== null) validateValue(schema, value, `header ${key}`);
    this.#headers.push(header(key, value ?? null, schema));
    return this;
  }

  addHeader(h: Header): this {
    return this.add(h.key, h.value, h.schema);
  }

  addString(key: string, value: string | null): this {
    return this.add(key, value, Schemas.OPTIONAL_STRING);
  }
  addBoolean(key: string, value: boolean): this {
    return this.add(key, value, Schemas.BOOLEAN);
  }
  addInt8(key: string, value: number): this {
    return this.add(key, value, Schemas.INT8);
  }
  addInt16(key: string, value: number): this {
    return this.add(key, value, Schemas.INT16);
  }
  addInt32(key: string, value: number): this {
    return this.add(key, value, Schemas.INT32);
  }
  addInt64(key: string, value: number | bigint): this {
    return this.add(key, value, Schemas.INT64);
  }
  addFloat32(key: string, value: number): this {
    return this.add(key, value, Schemas.FLOAT32);
  }
  addFloat64(key: string, value: number): this {
    return this.add(key, value, Schemas.FLOAT64);
  }
  addBytes(key: string, value: Uint8Array): this {
    return this.add(key, value, Schemas.BYTES);
  }
  addDecimal(key: string, value: BigDecimal): this {
    return this.add(key, value, LogicalDecimal.schema(value.scale));
  }
  addDate(key: string, value: Date): this {
    return this.add(key, value, LogicalDate.SCHEMA);
  }
  addTime(key: string, value: Date): this {
    return this.add(key, value, LogicalTime.SCHEMA);
  }
  addTimestamp(key: string, value: Date): this {
    return this.add(key, value, LogicalTimestamp.SCHEMA);
  }
  addStruct(key: string, value: Struct): this {
    return this.add(key, value, value.schema);
  }

  /** Every header with this key, in order. */
  allWithName(key: string): Header[] {
    return this.#headers.filter((h) => h.key === key);
  }

  /** The last header with this key, or null. */
  lastWithName(key: string): Header | null {
    for (let i = this.#headers.length - 1; i >= 0; i--) if (this.#headers[i].key === key) return this.#headers[i];
    return null;
  }

  remove(key: string): this {
    this.#headers = this.#headers.filter((h) => h.key !== key);
    return this;
  }

  /** Keeps only the last header of `key`, or of every key when none is given. */
  retainLatest(key?: string): this {
    const last = new Map<string, Header>();
    for (const h of this.#headers) last.set(h.key, h);
    this.#headers = this.#headers.filter((h) => (key !== undefined && h.key !== key) || last.get(h.key) === h);
    return this;
  }

  clear(): this {
    this.#headers = [];
    return this;
  }

  /**
   * Replaces each header (of `key` only, when given) with what `transform` returns; null removes it.
   */
  apply(transform: (h: Header) => Header | null, key?: string): this {
    const out: Header[] = [];
    for (const h of this.#headers) {
      if (key !== undefined && h.key !== key) {
        out.push(h);
        continue;
      }
      const next = transform(h);
      if (next === null) continue;
      if (next.schema !== null) validateValue(next.schema, next.value, `header ${next.key}`);
      out.push(header(next.key, next.value ?? null, next.schema));
    }
    this.#headers = out;
    return this;
  }

  /** An independent copy (headers themselves are immutable). */
  duplicate(): ConnectHeaders {
    return new ConnectHeaders(this.#headers);
  }

  equals(other: unknown): boolean {
    if (!(other instanceof ConnectHeaders) || other.size !== this.size) return false;
    const theirs = other.toArray();
    return this.#headers.every((h, i) => {
      const o = theirs[i];
      return h.key === o.key && valuesEqual(h.value, o.value) && (h.schema === o.schema || (h.schema !== null && h.schema.equals(o.schema)));
    });
  }

  toString(): string {
    return `ConnectHeaders(headers: ${this.#headers.map((h) => `${h.key}=${String(h.value)}`).join(', ')})`;
  }
}
