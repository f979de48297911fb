/**
 * Text to typed Connect values, for CSV columns of a declared or inferred schema: integers with
 * range checks, floats, booleans, Decimal (scale from the schema), Date, Time and Timestamp
 * (ISO-8601, or epoch milliseconds for Timestamp). An empty text is null. Errors say what the
 * text should have been.
 */
import type { Schema } from '../../runtime/connect/api/index.ts';
import {
  BigDecimal,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  LogicalDecimal,
  Schemas,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
  decodeBase64,
} from '../../runtime/connect/api/index.ts';

export class TypedTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TypedTextError';
  }
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOUNDS: Record<string, [number, number]> = { INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647] };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MILLIS_PER_DAY = 86_400_000;

function integer(text: string, type: string): number | bigint {
  const t = text.trim();
  if (!INTEGER.test(t)) throw new TypedTextError(`"${text}" is not an integer (${type})`);
  if (type === 'INT64') {
    const n = BigInt(t);
    if (n < INT64_MIN || n > INT64_MAX) throw new TypedTextError(`${t} is out of range for INT64`);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  }
  const n = Number(t);
  const [min, max] = BOUNDS[type];
  if (n < min || n > max) throw new TypedTextError(`${t} is out of range for ${type} [${min}, ${max}]`);
  return n;
}

function float(text: string, type: string): number {
  const t = text.trim();
  if (NUMBER.test(t)) return type === 'FLOAT32' ? Math.fround(Number(t)) : Number(t);
  if (/^[+-]?(infinity|inf)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  throw new TypedTextError(`"${text}" is not a number (${type})`);
}

function bool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new TypedTextError(`"${text}" is not a boolean (true or false)`);
}

function isoDate(text: string, what: string): Date {
  const t = text.trim();
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
  if (Number.isNaN(ms)) throw new TypedTextError(`"${text}" is not an ISO-8601 ${what}`);
  return new Date(ms);
}

/** Milliseconds since the epoch from epoch millis or ISO-8601 text; null when unreadable. */
export function parseTimestampText(text: string): number | null {
  const t = text.trim();
  if (INTEGER.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

function logical(schema: Schema, text: string): unknown {
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      let value: BigDecimal;
      try {
        value = BigDecimal.parse(text.trim());
      } catch {
        throw new TypedTextError(`"${text}" is not a decimal number`);
      }
      const scale = LogicalDecimal.scale(schema);
      try {
        return value.setScale(scale);
      } catch {
        throw new TypedTextError(`"${text}" has more than ${scale} decimal places (Decimal scale ${scale})`);
      }
    }
    case DATE_LOGICAL_NAME: {
      const date = isoDate(text, 'date (yyyy-mm-dd)');
      if (date.getTime() % MILLIS_PER_DAY !== 0) throw new TypedTextError(`"${text}" has a time of day; a Date column takes yyyy-mm-dd`);
      return date;
    }
    case TIME_LOGICAL_NAME: {
      const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text.trim());
      if (m === null) throw new TypedTextError(`"${text}" is not a time (hh:mm[:ss[.mmm]])`);
      const ms = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000 + Number((m[4] ?? '0').padEnd(3, '0'));
      if (ms >= MILLIS_PER_DAY) throw new TypedTextError(`"${text}" is not a time of day`);
      return new Date(ms);
    }
    case TIMESTAMP_LOGICAL_NAME: {
      const ms = parseTimestampText(text);
      if (ms === null) throw new TypedTextError(`"${text}" is not a timestamp (ISO-8601 or epoch milliseconds)`);
      return new Date(ms);
    }
    default:
      return undefined;
  }
}

/** The value of `text` for `schema`; empty text is null (an error if the schema is required). */
export function textToValue(schema: Schema, text: string): unknown {
  if (text === '' && schema.type !== 'STRING') {
    if (schema.optional || schema.defaultValue !== null) return null;
    throw new TypedTextError(`the value is empty, but the ${schema.type} field is required`);
  }
  if (schema.name !== null) {
    const value = logical(schema, text);
    if (value !== undefined) return value;
  }
  switch (schema.type) {
    case 'STRING':
      return text;
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      return integer(text, schema.type);
    case 'FLOAT32':
    case 'FLOAT64':
      return float(text, schema.type);
    case 'BOOLEAN':
      return bool(text);
    case 'BYTES':
      try {
        return decodeBase64(text.trim());
      } catch {
        throw new TypedTextError(`"${text}" is not base64 (BYTES)`);
      }
    default:
      throw new TypedTextError(`a CSV column cannot hold ${schema.type}`);
  }
}

/** Column types inferred from sample texts: the narrowest of INT64, FLOAT64, BOOLEAN, STRING that fits every non-empty one. */
export function inferTextSchema(samples: Iterable<string>): Schema {
  let int = true;
  let num = true;
  let boolean = true;
  let seen = false;
  for (const s of samples) {
    if (s === '') continue;
    seen = true;
    const t = s.trim();
    if (int && !(INTEGER.test(t) && BigInt(t) >= INT64_MIN && BigInt(t) <= INT64_MAX)) int = false;
    if (num && !NUMBER.test(t)) num = false;
    if (boolean && !/^(true|false)$/i.test(t)) boolean = false;
    if (!int && !num && !boolean) break;
  }
  if (!seen) return Schemas.OPTIONAL_STRING;
  if (int) return Schemas.OPTIONAL_INT64;
  if (num) return Schemas.OPTIONAL_FLOAT64;
  if (boolean) return Schemas.OPTIONAL_BOOLEAN;
  return Schemas.OPTIONAL_STRING;
}
