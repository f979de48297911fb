/**
 * Shape checks every SMT makes before touching a key or value (Kafka's transforms Requirements):
 * the error names what the transform was doing and what it found instead.
 */
import type { ConnectRecord, Schema } from '../../api/index.ts';
import { DataException, SinkRecord, Struct } from '../../api/index.ts';

/** A schemaless struct-like value: Connect's schemaless maps (string keys). */
export type FieldMap = Map<string, unknown>;

/** What a value is, for error messages (Kafka prints the Java class name). */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Struct) return 'Struct';
  if (value instanceof Map) return 'Map';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'Date';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

export function requireSchema(schema: Schema | null, purpose: string): Schema {
  if (schema === null) throw new DataException(`Schema required for [${purpose}]`);
  return schema;
}

export function requireMap(value: unknown, purpose: string): FieldMap {
  if (!(value instanceof Map)) {
    throw new DataException(`Only Map objects supported in absence of schema for [${purpose}], found: ${describeType(value)}`);
  }
  return value as FieldMap;
}

export function requireMapOrNull(value: unknown, purpose: string): FieldMap | null {
  return value === null || value === undefined ? null : requireMap(value, purpose);
}

export function requireStruct(value: unknown, purpose: string): Struct {
  if (!(value instanceof Struct)) throw new DataException(`Only Struct objects supported for [${purpose}], found: ${describeType(value)}`);
  return value;
}

export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose);
}

export function requireSinkRecord<R extends ConnectRecord<R>>(record: R, purpose: string): SinkRecord {
  if (!(record instanceof SinkRecord)) {
    throw new DataException(`Only SinkRecord supported for [${purpose}], found: ${record.constructor.name}`);
  }
  return record;
}
