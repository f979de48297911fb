/**
 * String forms of Connect values (Kafka's Values): convertToString renders a value the way
 * Kafka's SimpleHeaderConverter writes headers, and parseString infers a schema and value back
 * from such a string: null/true/false, the narrowest integer type, FLOAT32/FLOAT64 or Decimal,
 * ISO-8601 dates, times and timestamps (UTC), and [arrays] and {maps} of those. Differences from
 * Kafka, on purpose: a top-level string is only parsed as a number or literal when the whole
 * string is one (Kafka reads "12,5" as 12), quoted strings inside arrays and maps are unescaped,
 * arrays and maps whose elements share no type get a null schema (Kafka gives a schema whose
 * element schema is null), elements mixing null and numbers get an optional numeric schema
 * (Kafka falls back to a string), and dates are formatted and parsed in UTC (Kafka: the JVM's zone).
 */
import { BigDecimal } from './big-decimal.ts';
import { DataException } from './errors.ts';
import { javaDoubleToString, javaFloatToString } from './java-numbers.ts';
import { LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp } from './logical-types.ts';
import type { Schema, SchemaAndValue, SchemaType } from './schema.ts';
import { ConnectSchema, NULL_SCHEMA_AND_VALUE, Schemas } from './schema.ts';
import { SchemaBuilder } from './schema-builder.ts';
import { Struct } from './struct.ts';

const MILLIS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------- rendering

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatDate(d: Date): string {
  const ms = d.getTime();
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  if (ms >= 0 && ms < MILLIS_PER_DAY) return time;
  if (ms % MILLIS_PER_DAY === 0) return date;
  return `${date}T${time}`;
}

const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

function append(out: string[], schema: Schema | null, value: unknown, embedded: boolean): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'number') {
    if (schema?.type === 'FLOAT32') out.push(javaFloatToString(value));
    else if (schema?.type === 'FLOAT64' || !Number.isInteger(value)) out.push(javaDoubleToString(value));
    else out.push(String(value));
  } else if (typeof value === 'bigint' || typeof value === 'boolean') {
    out.push(String(value));
  } else if (typeof value === 'string') {
    out.push(embedded ? `"${escape(value)}"` : value);
  } else if (value instanceof Uint8Array) {
    const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    out.push(embedded ? `"${b64}"` : b64);
  } else if (value instanceof BigDecimal) {
    out.push(value.toString());
  } else if (value instanceof Date) {
    out.push(formatDate(value));
  } else if (Array.isArray(value)) {
    const element = schema?.type === 'ARRAY' ? schema.valueSchema() : null;
    out.push('[');
    value.forEach((v, i) => {
      if (i > 0) out.push(',');
      append(out, element, v, true);
    });
    out.push(']');
  } else if (value instanceof Map) {
    const keySchema = schema?.type === 'MAP' ? schema.keySchema() : null;
    const valueSchema = schema?.type === 'MAP' ? schema.valueSchema() : null;
    out.push('{');
    let first = true;
    for (const [k, v] of value) {
      if (!first) out.push(',');
      first = false;
      append(out, keySchema, k, true);
      out.push(':');
      append(out, valueSchema, v, true);
    }
    out.push('}');
  } else if (value instanceof Struct) {
    out.push('{');
    value.schema.fields().forEach((f, i) => {
      if (i > 0) out.push(',');
      append(out, null, f.name, true);
      out.push(':');
      append(out, f.schema, value.get(f), true);
    });
    out.push('}');
  } else {
    throw new DataException(`Failed to serialize unexpected value type ${(value as object).constructor?.name ?? typeof value}: ${String(value)}`);
  }
}

/** The string form of a value (null for null); the schema, when known, picks float formatting. */
export function convertToString(schema: Schema | null, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const out: string[] = [];
  append(out, schema, value, false);
  return out.join('');
}

// ---------------------------------------------------------------- schema inference

/** The schema of a value when it can be told from the value alone (Kafka's Values.inferSchema). */
export function inferSchema(value: unknown): Schema | null {
  if (typeof value === 'string') return Schemas.STRING;
  if (typeof value === 'boolean') return Schemas.BOOLEAN;
  if (typeof value === 'bigint') return Schemas.INT64;
  if (typeof value === 'number') return Number.isInteger(value) ? Schemas.INT64 : Schemas.FLOAT64;
  if (value instanceof Uint8Array) return Schemas.BYTES;
  if (value instanceof Struct) return value.schema;
  if (Array.isArray(value)) {
    const element = commonType(value);
    return element === null ? null : SchemaBuilder.array(element).build();
  }
  if (value instanceof Map) {
    const k = commonType([...value.keys()]);
    const v = commonType([...value.values()]);
    return k === null || v === null ? null : SchemaBuilder.map(k, v).build();
  }
  return null;
}

function commonType(values: readonly unknown[]): Schema | null {
  if (values.length === 0) return null;
  let type: SchemaType | null = null;
  let optional = false;
  for (const v of values) {
    if (v === null || v === undefined) {
      optional = true;
      continue;
    }
    const s = inferSchema(v);
    if (s === null || (type !== null && s.type !== type)) return null;
    type = s.type;
  }
  if (type === null) return null;
  const b = SchemaBuilder.type(type);
  return (optional ? b.optional() : b).build();
}

// ---------------------------------------------------------------- parsing

const NUMERIC_ORDER: SchemaType[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64'];
const INT_LIMITS: Array<[SchemaType, bigint, bigint]> = [
  ['INT8', -128n, 127n],
  ['INT16', -32768n, 32767n],
  ['INT32', -2147483648n, 2147483647n],
  ['INT64', -(2n ** 63n), 2n ** 63n - 1n],
];
const FLOAT32_MAX = 3.4028234663852886e38;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

function parseTemporal(token: string): SchemaAndValue | null {
  let m = ISO_TIMESTAMP.exec(token);
  if (m) {
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
    return Number.isNaN(ms) ? null : { schema: LogicalTimestamp.SCHEMA, value: new Date(ms) };
  }
  m = ISO_DATE.exec(token);
  if (m) {
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    return Number.isNaN(ms) ? null : { schema: LogicalDate.SCHEMA, value: new Date(ms) };
  }
  m = ISO_TIME.exec(token);
  if (m) return { schema: LogicalTime.SCHEMA, value: new Date(Date.UTC(1970, 0, 1, +m[1], +m[2], +m[3], +m[4])) };
  return null;
}

/** Kafka's number inference: narrowest integer type, else FLOAT32, FLOAT64, or Decimal. */
function parseNumber(token: string): SchemaAndValue | null {
  if (!/^[+-]?\d/.test(token)) return null;
  let decimal: BigDecimal;
  try {
    decimal = BigDecimal.parse(token);
  } catch {
    return null;
  }
  const whole = decimal.scale <= 0 || decimal.unscaled % 10n ** BigInt(decimal.scale) === 0n;
  if (whole) {
    const n = decimal.setScale(0).unscaled;
    for (const [type, min, max] of INT_LIMITS) {
      if (n >= min && n <= max) {
        const value = type === 'INT64' && !Number.isSafeInteger(Number(n)) ? n : Number(n);
        return { schema: Schemas[type as 'INT8'], value };
      }
    }
  }
  // As Kafka: written with a fraction or exponent (scale ≠ 0) → FLOAT32 when in float range, else FLOAT64.
  if (decimal.scale !== 0) {
    const d = decimal.toNumber();
    if (Math.abs(d) <= FLOAT32_MAX) return { schema: Schemas.FLOAT32, value: Math.fround(d) };
    if (Number.isFinite(d)) return { schema: Schemas.FLOAT64, value: d };
  }
  return { schema: LogicalDecimal.schema(decimal.scale), value: decimal };
}

/** The common schema of numeric schemas (widening), or of identical ones; null when there is none. */
function mergeSchemas(a: Schema, b: Schema): Schema | null {
  if (a.type !== b.type) {
    const ia = NUMERIC_ORDER.indexOf(a.type);
    const ib = NUMERIC_ORDER.indexOf(b.type);
    if (ia < 0 || ib < 0 || a.name !== null || b.name !== null) return null;
    return ia > ib ? a : b;
  }
  if (a.equals(b)) return a;
  // Same plain type differing only in optionality: the optional one covers both.
  if (a.name === null && b.name === null && a.optional !== b.optional && (a.type !== 'ARRAY' && a.type !== 'MAP' && a.type !== 'STRUCT')) {
    return a.optional ? a : b;
  }
  return null;
}

/** The same schema, but optional. */
function asOptional(schema: Schema): Schema {
  if (schema.optional) return schema;
  return new ConnectSchema({
    type: schema.type,
    optional: true,
    defaultValue: schema.defaultValue,
    name: schema.name,
    version: schema.version,
    doc: schema.doc,
    parameters: schema.parameters,
    fields: schema.type === 'STRUCT' ? schema.fields() : undefined,
    keySchema: schema.type === 'MAP' ? schema.keySchema() : null,
    valueSchema: schema.type === 'MAP' || schema.type === 'ARRAY' ? schema.valueSchema() : null,
  });
}

class SchemaMerger {
  #common: Schema | null = null;
  #compatible = true;
  #sawNull = false;

  merge(sv: SchemaAndValue | null): void {
    if (sv === null || sv.value === null) this.#sawNull = true;
    if (sv === null || sv.schema === null || !this.#compatible) return;
    if (this.#common === null) this.#common = sv.schema;
    else {
      this.#common = mergeSchemas(this.#common, sv.schema);
      this.#compatible = this.#common !== null;
    }
  }

  /** The common schema (optional when a null was seen), or null when there is none. */
  get schema(): Schema | null {
    if (!this.#compatible || this.#common === null) return null;
    return this.#sawNull ? asOptional(this.#common) : this.#common;
  }
}

/** Converts a parsed number to the merged numeric type (e.g. INT8 1 in a FLOAT32 array). */
function align(schema: Schema, value: unknown): unknown {
  if (value === null || typeof value !== 'number') return value;
  if (schema.type === 'FLOAT32') return Math.fround(value);
  return value;
}

/** Recursive-descent parser over one string, for embedded (array/map) values. */
class EmbeddedParser {
  readonly #s: string;
  #i: number;

  constructor(s: string, start: number) {
    this.#s = s;
    this.#i = start;
  }

  get position(): number {
    return this.#i;
  }

  #skipBlank(): void {
    while (this.#i < this.#s.length && /\s/.test(this.#s[this.#i])) this.#i++;
  }

  #fail(message: string): never {
    throw new DataException(`${message} at position ${this.#i} in ${JSON.stringify(this.#s)}`);
  }

  /** Parses one embedded value; returns null for the literal null. */
  value(): SchemaAndValue | null {
    this.#skipBlank();
    const c = this.#s[this.#i];
    if (c === undefined) this.#fail('Missing value');
    if (c === '[') return this.#array();
    if (c === '{') return this.#map();
    if (c === '"') return this.#quoted();
    // An unquoted token runs to the next delimiter; ISO times contain ':' so try them first.
    const rest = this.#s.slice(this.#i);
    const temporal = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z|^\d{2}:\d{2}:\d{2}\.\d{3}Z/.exec(rest);
    if (temporal) {
      const parsed = parseTemporal(temporal[0]);
      if (parsed) {
        this.#i += temporal[0].length;
        return parsed;
      }
    }
    const token = /^[^,:{}[\]"]*/.exec(rest)![0];
    const trimmed = token.trim();
    this.#i += token.length;
    if (trimmed === 'null') return null;
    if (trimmed === 'true') return { schema: Schemas.BOOLEAN, value: true };
    if (trimmed === 'false') return { schema: Schemas.BOOLEAN, value: false };
    const parsed = parseTemporal(trimmed) ?? parseNumber(trimmed);
    if (parsed === null) this.#fail(`Failed to parse embedded value ${JSON.stringify(trimmed)}`);
    return parsed;
  }

  #quoted(): SchemaAndValue {
    this.#i++; // opening quote
    let out = '';
    for (;;) {
      const c = this.#s[this.#i++];
      if (c === undefined) this.#fail('Unterminated quoted string');
      if (c === '"') break;
      if (c === '\\' && this.#i < this.#s.length) out += this.#s[this.#i++];
      else out += c;
    }
    return parseTemporal(out) ?? { schema: Schemas.STRING, value: out };
  }

  #expect(c: string): boolean {
    this.#skipBlank();
    if (this.#s[this.#i] === c) {
      this.#i++;
      return true;
    }
    return false;
  }

  #array(): SchemaAndValue {
    this.#i++; // [
    const values: unknown[] = [];
    const merger = new SchemaMerger();
    if (!this.#expect(']')) {
      for (;;) {
        if (this.#expect(',')) this.#fail('Unable to parse an empty array element');
        const element = this.value();
        merger.merge(element);
        values.push(element?.value ?? null);
        if (this.#expect(']')) break;
        if (!this.#expect(',')) this.#fail(this.#i >= this.#s.length ? "Array is missing terminating ']'" : "Array elements missing ',' delimiter");
      }
    }
    const element = merger.schema;
    if (element === null) return { schema: null, value: values };
    return { schema: SchemaBuilder.array(element).build(), value: values.map((v) => align(element, v)) };
  }

  #map(): SchemaAndValue {
    this.#i++; // {
    const entries = new Map<unknown, unknown>();
    const keys = new SchemaMerger();
    const values = new SchemaMerger();
    if (!this.#expect('}')) {
      for (;;) {
        if (this.#expect(',')) this.#fail('Unable to parse a map entry with no key or value');
        const key = this.value();
        if (key === null || key.value === null) this.#fail('Map entry may not have a null key');
        if (!this.#expect(':')) this.#fail("Map entry is missing ':'");
        const value = this.value();
        entries.set(key.value, value?.value ?? null);
        keys.merge(key);
        values.merge(value);
        if (this.#expect('}')) break;
        if (!this.#expect(',')) this.#fail(this.#i >= this.#s.length ? "Map is missing terminating '}'" : "Map entries missing ',' delimiter");
      }
    }
    const k = keys.schema;
    const v = values.schema;
    if (k === null || v === null) return { schema: null, value: entries };
    const aligned = new Map([...entries].map(([ek, ev]) => [align(k, ek), align(v, ev)]));
    return { schema: SchemaBuilder.map(k, v).build(), value: aligned };
  }
}

/** Infers a schema and value from a string (Kafka's Values.parseString; see the module comment). */
export function parseString(text: string | null): SchemaAndValue {
  if (text === null) return NULL_SCHEMA_AND_VALUE;
  if (text === '') return { schema: Schemas.STRING, value: '' };
  const trimmed = text.trim();
  if (trimmed === 'null') return NULL_SCHEMA_AND_VALUE;
  if (trimmed === 'true') return { schema: Schemas.BOOLEAN, value: true };
  if (trimmed === 'false') return { schema: Schemas.BOOLEAN, value: false };
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const parser = new EmbeddedParser(trimmed, 0);
      const parsed = parser.value();
      if (parser.position === trimmed.length && parsed !== null) return parsed;
    } catch (err) {
      if (!(err instanceof DataException)) throw err;
    }
    return { schema: Schemas.STRING, value: text };
  }
  return parseTemporal(trimmed) ?? parseNumber(trimmed) ?? { schema: Schemas.STRING, value: text };
}
