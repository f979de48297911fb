/**
 * JSON text that keeps what Connect needs and JSON.parse loses: whether a number was written as
 * an integer or with a fraction/exponent (INT64 vs FLOAT64 without a schema), integers beyond
 * 2^53, and the exact digits of decimals (decimal.format=NUMERIC). Such numbers come back as
 * JsonNumber; safe integer literals stay plain numbers.
 */
import { messageOf } from '../../util/errors.ts';
import { BigDecimal } from './big-decimal.ts';
import { DataException } from './errors.ts';

/** A JSON number literal that is not a safe integer: a fraction, an exponent, or a big integer. */
export class JsonNumber {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** True when written without fraction or exponent. */
  get integral(): boolean {
    return /^-?\d+$/.test(this.text);
  }

  toNumber(): number {
    return Number(this.text);
  }

  toDecimal(): BigDecimal {
    return BigDecimal.parse(this.text);
  }
}

export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

// Parsing with a reviver is several times slower, so it is only used when the text has a number
// with a fraction, an exponent or 16+ digits somewhere (strings may match too; that is harmless).
const NEEDS_SOURCE = /\d[.eE]|\d{16}/;

type Reviver = (key: string, value: unknown, context: { source?: string }) => unknown;

const revive: Reviver = (_key, value, context) => {
  if (typeof value !== 'number' || context.source === undefined) return value;
  const source = context.source;
  if (Number.isSafeInteger(value) && /^-?\d+$/.test(source)) return value;
  return new JsonNumber(source);
};

function parse(text: string): JsonValue {
  if (!NEEDS_SOURCE.test(text)) return JSON.parse(text) as JsonValue;
  return JSON.parse(text, revive as (key: string, value: unknown) => unknown) as JsonValue;
}

const NUMBER_TOKEN = /-?(\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The text with leading zeros removed from number literals (`0012` → `12`), or null when there
 * are none. Kafka's JsonConverter accepts such numbers (Jackson's ALLOW_LEADING_ZEROS_FOR_NUMBERS).
 */
function withoutLeadingZeros(text: string): string | null {
  let out = '';
  let changed = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (m) {
        const digits = m[1].replace(/^0+(?=\d)/, '');
        if (digits !== m[1]) changed = true;
        out += (c === '-' ? '-' : '') + digits + m[0].slice((c === '-' ? 1 : 0) + m[1].length);
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return changed ? out : null;
}

/** Parses JSON text; a syntax error is a DataException. */
export function parseJson(text: string): JsonValue {
  try {
    return parse(text);
  } catch (err) {
    const retry = withoutLeadingZeros(text);
    if (retry !== null) {
      try {
        return parse(retry);
      } catch {
        // Report the original error below.
      }
    }
    throw new DataException(`Invalid JSON: ${messageOf(err)}`, { cause: err });
  }
}

/** The JSON node type name, for error messages (Jackson's names). */
export function jsonTypeName(value: JsonValue | undefined): string {
  if (value === undefined) return 'MISSING';
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number' || value instanceof JsonNumber) return 'NUMBER';
  if (typeof value === 'string') return 'STRING';
  return Array.isArray(value) ? 'ARRAY' : 'OBJECT';
}

export function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes standard base64 (as Jackson writes binary), rejecting anything else. */
export function decodeBase64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) throw new DataException(`Invalid base64 text: ${JSON.stringify(text.slice(0, 40))}`);
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
