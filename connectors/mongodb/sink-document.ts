/**
 * Turns a record's key or value into a BSON document, as the official connector reads them:
 * Connect structs and maps, schemaless objects, Strings holding JSON or Extended JSON, and bytes
 * holding a BSON document. Logical types map to their BSON counterparts (Decimal → Decimal128,
 * Date/Time/Timestamp → date); 64-bit integers become Int64.
 */
import type { Document } from 'mongodb';
import { BSON, Binary, Decimal128, Long } from 'mongodb';
import type { Schema } from '../../runtime/connect/api/index.ts';
import { BigDecimal, DataException, Struct } from '../../runtime/connect/api/index.ts';

export type Part = 'key' | 'value';

/** The document of a key or value, or null for a null key/value. DataException when it is not a document. */
export function toDocument(data: unknown, schema: Schema | null, part: Part): Document | null {
  if (data === null || data === undefined) return null;
  if (typeof data === 'string') return parseJsonDocument(data, part);
  if (data instanceof Uint8Array) return parseBsonDocument(data, part);
  // Schemaless JSON (the common case) is already BSON-ready: use it as it is instead of copying.
  // Nothing downstream mutates it; post processors build new documents.
  if (schema === null && isPlainDocument(data) && isBsonReady(data)) return data;
  const converted = toBsonValue(data, schema, part);
  if (!isPlainDocument(converted)) throw new DataException(`The record ${part} is not a document: ${describe(data)}`, { code: 'MONGODB_NOT_A_DOCUMENT' });
  return converted;
}

/** The key as a BSON value for id strategies that accept any key (a document, a string, a number). */
export function toBsonKey(data: unknown, schema: Schema | null): unknown {
  if (data === null || data === undefined) return null;
  if (typeof data === 'string') {
    const trimmed = data.trim();
    if (trimmed.startsWith('{')) return parseJsonDocument(data, 'key');
    return data;
  }
  if (data instanceof Uint8Array) return parseBsonDocument(data, 'key');
  return toBsonValue(data, schema, 'key');
}

function parseJsonDocument(text: string, part: Part): Document {
  let parsed: unknown;
  try {
    // Text without `"$` holds no Extended JSON wrappers, and plain JSON parses the same (and
    // several times faster) without the EJSON walk.
    parsed = text.includes('"$') ? BSON.EJSON.parse(text, { relaxed: true, useBigInt64: true }) : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new DataException(`The record ${part} is a String but not JSON or Extended JSON: ${(error as Error).message}`, { code: 'MONGODB_INVALID_JSON', cause: error });
  }
  if (!isPlainDocument(parsed)) throw new DataException(`The record ${part} is JSON but not a JSON object`, { code: 'MONGODB_NOT_A_DOCUMENT' });
  return parsed;
}

function parseBsonDocument(bytes: Uint8Array, part: Part): Document {
  try {
    return BSON.deserialize(bytes);
  } catch (error) {
    throw new DataException(`The record ${part} is bytes but not a BSON document: ${(error as Error).message}`, { code: 'MONGODB_INVALID_BSON', cause: error });
  }
}

/** True when a schemaless value needs no conversion: JSON types, dates and plain nested documents only. */
function isBsonReady(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!isBsonReady(item)) return false;
    return true;
  }
  if (!isPlainDocument(value)) return false;
  for (const key in value) if (!isBsonReady(value[key])) return false;
  return true;
}

export function isPlainDocument(value: unknown): value is Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function toBsonValue(data: unknown, schema: Schema | null, part: Part): unknown {
  if (data === null || data === undefined) return null;
  if (data instanceof Struct) {
    const out: Document = {};
    for (const field of data.schema.fields()) out[field.name] = toBsonValue(data.get(field), field.schema, part);
    return out;
  }
  if (data instanceof BigDecimal) return Decimal128.fromString(data.toString());
  if (data instanceof Date) return data;
  if (typeof data === 'bigint') return Long.fromBigInt(data);
  if (typeof data === 'number') {
    // INT64 fields stay Int64 in MongoDB even when their value is small.
    if (schema?.type === 'INT64' && Number.isSafeInteger(data)) return Long.fromNumber(data);
    return data;
  }
  if (data instanceof Uint8Array) return new Binary(data);
  if (Array.isArray(data)) return data.map((item) => toBsonValue(item, schema?.type === 'ARRAY' ? schema.valueSchema() : null, part));
  if (data instanceof Map) {
    const out: Document = {};
    const valueSchema = schema?.type === 'MAP' ? schema.valueSchema() : null;
    for (const [key, value] of data) out[String(key)] = toBsonValue(value, valueSchema, part);
    return out;
  }
  if (isPlainDocument(data)) {
    const out: Document = {};
    for (const [key, value] of Object.entries(data)) out[key] = toBsonValue(value, null, part);
    return out;
  }
  return data;
}

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (typeof data === 'object') return (data as object).constructor?.name ?? 'object';
  return `${typeof data} ${String(data).slice(0, 40)}`;
}

/** The value at a dot path of a document, or undefined. */
export function getPath(doc: Document, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainDocument(current)) return undefined;
    current = current[part];
  }
  return current;
}
