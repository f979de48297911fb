/**
 * Index mappings from Connect schemas (schema.ignore=false), matching the documents that
 * document-body.ts writes: integers as byte/short/integer/long, floats as float/double, decimals
 * as double, dates/times/timestamps as `date`, strings as `text` with a `keyword` sub-field,
 * bytes as `binary`, structs as objects with properties, compact string-keyed maps as dynamic
 * objects and other maps as `{key, value}` objects. Defaults become `null_value` where
 * Elasticsearch allows one.
 */
import type { Schema } from '../../runtime/connect/api/index.ts';
import { BigDecimal, DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME } from '../../runtime/connect/api/index.ts';

export type FieldMapping = Record<string, unknown>;

/** The root mapping for a value schema, or null when the value is not a struct (dynamic mapping). */
export function mappingForSchema(schema: Schema | null, compactMapEntries: boolean): { properties: Record<string, FieldMapping> } | null {
  if (schema === null || schema.type !== 'STRUCT') return null;
  return { properties: structProperties(schema, compactMapEntries) };
}

function structProperties(schema: Schema, compact: boolean): Record<string, FieldMapping> {
  const properties: Record<string, FieldMapping> = {};
  for (const field of schema.fields()) properties[field.name] = fieldMapping(field.schema, compact);
  return properties;
}

const PRIMITIVE_TYPES: Partial<Record<Schema['type'], string>> = {
  BOOLEAN: 'boolean',
  INT8: 'byte',
  INT16: 'short',
  INT32: 'integer',
  INT64: 'long',
  FLOAT32: 'float',
  FLOAT64: 'double',
  STRING: 'text',
  BYTES: 'binary',
};

function withNullValue(type: string, defaultValue: unknown): FieldMapping {
  const mapping: FieldMapping = { type };
  if (type === 'text') mapping.fields = { keyword: { type: 'keyword', ignore_above: 256 } };
  // text and binary fields cannot have a null_value.
  if (defaultValue === null || defaultValue === undefined || type === 'text' || type === 'binary') return mapping;
  if (defaultValue instanceof Date) mapping.null_value = defaultValue.getTime();
  else if (defaultValue instanceof BigDecimal) mapping.null_value = defaultValue.toNumber();
  else if (typeof defaultValue === 'bigint') mapping.null_value = defaultValue.toString();
  else mapping.null_value = defaultValue;
  return mapping;
}

export function fieldMapping(schema: Schema, compact: boolean): FieldMapping {
  switch (schema.name) {
    case DATE_LOGICAL_NAME:
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      return withNullValue('date', schema.defaultValue);
    case DECIMAL_LOGICAL_NAME:
      return withNullValue('double', schema.defaultValue);
  }
  switch (schema.type) {
    case 'ARRAY':
      // Elasticsearch has no array type: a field holds one or many values of its type.
      return fieldMapping(schema.valueSchema(), compact);
    case 'MAP':
      if (compact && schema.keySchema().type === 'STRING') return { type: 'object' };
      return { properties: { key: fieldMapping(schema.keySchema(), compact), value: fieldMapping(schema.valueSchema(), compact) } };
    case 'STRUCT':
      return { properties: structProperties(schema, compact) };
    default:
      return withNullValue(PRIMITIVE_TYPES[schema.type]!, schema.defaultValue);
  }
}
