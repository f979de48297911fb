/**
 * Source record keys and values in the configured output format: JSON text (canonical Extended
 * JSON, or the simplified form), BSON bytes, or a Connect struct with a schema inferred from the
 * document.
 */
import type { Document } from 'mongodb';
import { BSON, Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import type { Schema } from '../../runtime/connect/api/index.ts';
import { SchemaBuilder, Struct } from '../../runtime/connect/api/index.ts';
import type { JsonFormatter, OutputFormat } from './source-config.ts';

export interface FormattedData {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export function formatDocument(doc: Document, format: OutputFormat, formatter: JsonFormatter): FormattedData {
  switch (format) {
    case 'bson':
      return { schema: null, value: BSON.serialize(doc) };
    case 'schema': {
      const schema = inferStruct(doc, 'document');
      return { schema, value: toStruct(schema, doc) };
    }
    case 'json':
      return { schema: null, value: formatJson(doc, formatter) };
  }
}

export function formatJson(doc: Document, formatter: JsonFormatter): string {
  if (formatter === 'SimplifiedJson') return JSON.stringify(simplify(doc));
  // DefaultJson: relaxed Extended JSON (numbers plain, types JSON lacks as $-wrappers).
  return BSON.EJSON.stringify(doc, { relaxed: formatter === 'DefaultJson' });
}

function simplify(value: unknown): unknown {
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Decimal128) return value.toString();
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(simplify);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, simplify(v)]));
  }
  if (value !== null && typeof value === 'object') return BSON.EJSON.serialize(value, { relaxed: true });
  return value;
}

function isDocument(value: unknown): value is Document {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** Every field is optional: documents of a collection need not share their fields. */
function inferSchema(value: unknown, name: string): Schema {
  if (isDocument(value)) return inferStruct(value, name);
  if (typeof value === 'boolean') return SchemaBuilder.bool().optional().build();
  if (typeof value === 'number') return (Number.isInteger(value) ? SchemaBuilder.int64() : SchemaBuilder.float64()).optional().build();
  if (typeof value === 'bigint' || value instanceof Long) return SchemaBuilder.int64().optional().build();
  if (value instanceof Int32) return SchemaBuilder.int32().optional().build();
  if (value instanceof Double) return SchemaBuilder.float64().optional().build();
  if (value instanceof Date) return SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1).optional().build();
  if (Array.isArray(value)) {
    const first = value.find((item) => item !== null && item !== undefined);
    return SchemaBuilder.array(first === undefined ? SchemaBuilder.string().optional().build() : inferSchema(first, name)).optional().build();
  }
  return SchemaBuilder.string().optional().build();
}

function inferStruct(doc: Document, name: string): Schema {
  const builder = SchemaBuilder.struct().name(name).optional();
  for (const [field, value] of Object.entries(doc)) builder.field(field, inferSchema(value, field));
  return builder.build();
}

function toConnect(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (schema.type) {
    case 'STRUCT':
      return isDocument(value) ? toStruct(schema, value) : null;
    case 'ARRAY':
      return Array.isArray(value) ? value.map((item) => toConnect(schema.valueSchema(), item)) : null;
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : null;
    case 'INT32':
      return value instanceof Int32 ? value.valueOf() : typeof value === 'number' ? value : null;
    case 'INT64':
      if (value instanceof Date) return value;
      if (value instanceof Long) return value.toBigInt();
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'FLOAT64':
      return value instanceof Double ? value.valueOf() : typeof value === 'number' ? value : null;
    case 'STRING':
      return typeof value === 'string' ? value : formatJsonValue(value);
    default:
      return null;
  }
}

function formatJsonValue(value: unknown): string {
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Decimal128) return value.toString();
  return JSON.stringify(simplify(value));
}

function toStruct(schema: Schema, doc: Document): Struct {
  const struct = new Struct(schema);
  for (const field of schema.fields()) struct.put(field.name, toConnect(field.schema, doc[field.name]));
  return struct;
}
