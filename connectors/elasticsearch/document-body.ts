/**
 * The JSON document a record value becomes. Structs and maps are written as JSON objects (through
 * connectToJson), with Elasticsearch's conventions: decimals as doubles, dates (and timestamps)
 * as epoch milliseconds, maps with string keys as objects when `compact.map.entries` is on and
 * as `[{"key":…,"value":…}]` otherwise. A string value holding a JSON object (StringConverter
 * output) is that document. Anything else is not a document: MalformedDocumentError.
 */
import type { Schema } from '../../runtime/connect/api/index.ts';
import { DataException, DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, BigDecimal, LogicalTime, Struct, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME, connectToJson } from '../../runtime/connect/api/index.ts';

/** A value that cannot be an Elasticsearch document; handled like documents Elasticsearch rejects. */
export class MalformedDocumentError extends DataException {
  constructor(message: string) {
    super(message, { code: 'ES_MALFORMED_DOCUMENT' });
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The text itself when it holds a JSON object (first and last non-blank characters are braces),
 * with line breaks turned into spaces so it stays one bulk line; null otherwise. Whether the rest
 * is valid JSON is left to Elasticsearch, which rejects a bad document on its own (reported as
 * malformed), so valid documents are not parsed twice.
 */
export function jsonObjectText(text: string): string | null {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && WHITESPACE.has(text.charCodeAt(start))) start++;
  while (end >= start && WHITESPACE.has(text.charCodeAt(end))) end--;
  if (start >= end || text.charCodeAt(start) !== 0x7b || text.charCodeAt(end) !== 0x7d) return null;
  // Outside strings a JSON line break is whitespace; inside strings it must be escaped anyway.
  return text.includes('\n') ? text.replaceAll('\n', ' ') : text;
}

// Whether a schema needs rewriting before connectToJson, per compact.map.entries setting.
const needsRewriteCache = [new WeakMap<Schema, boolean>(), new WeakMap<Schema, boolean>()];

function needsRewrite(schema: Schema, compact: boolean): boolean {
  const cache = needsRewriteCache[compact ? 1 : 0];
  let result = cache.get(schema);
  if (result === undefined) {
    result = computeNeedsRewrite(schema, compact);
    cache.set(schema, result);
  }
  return result;
}

function computeNeedsRewrite(schema: Schema, compact: boolean): boolean {
  if (schema.name === DECIMAL_LOGICAL_NAME || schema.name === DATE_LOGICAL_NAME) return true;
  switch (schema.type) {
    case 'ARRAY':
      return needsRewrite(schema.valueSchema(), compact);
    case 'MAP':
      return !compact || schema.keySchema().type !== 'STRING' || needsRewrite(schema.valueSchema(), compact);
    case 'STRUCT':
      return schema.fields().some((f) => needsRewrite(f.schema, compact));
    default:
      return false;
  }
}

const where = (path: string) => (path === '' ? '' : ` (field "${path}")`);

/**
 * The value rewritten without a schema in Elasticsearch's conventions, for connectToJson(null, …):
 * structs become ordered Maps, decimals numbers, dates and times epoch milliseconds.
 */
function rewrite(schema: Schema, value: unknown, compact: boolean, path: string): unknown {
  if (value === null || value === undefined) {
    if (schema.defaultValue !== null) return rewrite(schema, schema.defaultValue, compact, path);
    if (schema.optional) return null;
    throw new DataException(`Conversion error: null value for field that is required and has no default value${where(path)}`);
  }
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      if (!(value instanceof BigDecimal)) throw new DataException(`Invalid type for Decimal: expected BigDecimal${where(path)}`);
      return value.toNumber();
    case DATE_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      if (!(value instanceof Date)) throw new DataException(`Invalid type for ${schema.name.split('.').pop()}: expected Date${where(path)}`);
      return value.getTime();
    case TIME_LOGICAL_NAME:
      if (!(value instanceof Date)) throw new DataException(`Invalid type for Time: expected Date${where(path)}`);
      return LogicalTime.fromLogical(schema, value);
  }
  switch (schema.type) {
    case 'ARRAY': {
      if (!Array.isArray(value)) throw new DataException(`Invalid type for ARRAY${where(path)}`);
      const element = schema.valueSchema();
      return value.map((v, i) => rewrite(element, v, compact, `${path}[${i}]`));
    }
    case 'MAP': {
      if (!(value instanceof Map)) throw new DataException(`Invalid type for MAP${where(path)}`);
      const keySchema = schema.keySchema();
      const valueSchema = schema.valueSchema();
      if (compact && keySchema.type === 'STRING') {
        const out = new Map<string, unknown>();
        for (const [k, v] of value) out.set(k as string, rewrite(valueSchema, v, compact, path === '' ? String(k) : `${path}.${String(k)}`));
        return out;
      }
      return [...value].map(([k, v]) => new Map<string, unknown>([
        ['key', rewrite(keySchema, k, compact, path)],
        ['value', rewrite(valueSchema, v, compact, path)],
      ]));
    }
    case 'STRUCT': {
      if (!(value instanceof Struct)) throw new DataException(`Invalid type for STRUCT${where(path)}`);
      const out = new Map<string, unknown>();
      for (const field of schema.fields()) {
        out.set(field.name, rewrite(field.schema, value.getWithoutDefault(field), compact, path === '' ? field.name : `${path}.${field.name}`));
      }
      return out;
    }
    default:
      return value;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** The document JSON of a record value (never null: tombstones are handled before). */
export function documentJson(schema: Schema | null, value: unknown, compactMapEntries: boolean): string {
  if (typeof value === 'string' && (schema === null || schema.type === 'STRING')) {
    const text = jsonObjectText(value);
    if (text === null) throw new MalformedDocumentError('The value is a string that does not hold a JSON object');
    return text;
  }
  if (schema === null) {
    if (value instanceof Struct) return documentJson(value.schema, value, compactMapEntries);
    if (value instanceof Map && [...value.keys()].every((k) => typeof k === 'string')) return connectToJson(null, value);
    throw new MalformedDocumentError(`A value of type ${typeName(value)} without a schema is not a JSON object; documents must be structs, maps with string keys or JSON object strings`);
  }
  const isObject = schema.type === 'STRUCT' || (schema.type === 'MAP' && compactMapEntries && schema.keySchema().type === 'STRING');
  if (!isObject) throw new MalformedDocumentError(`A value with a ${schema.type} schema is not a JSON object; documents must be structs, maps with string keys or JSON object strings`);
  if (!needsRewrite(schema, compactMapEntries)) return connectToJson(schema, value);
  return connectToJson(null, rewrite(schema, value, compactMapEntries, ''));
}
