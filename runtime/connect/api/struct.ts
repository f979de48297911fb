/**
 * Struct values and value validation against schemas (Kafka's Struct and
 * ConnectSchema.validateValue). Errors name the field path (`address.zip`), the schema type and
 * the offending value.
 */
import { BigDecimal } from './big-decimal.ts';
import { DataException } from './errors.ts';
import type { Field, Schema, SchemaType } from './schema.ts';
import { valuesEqual } from './values-equal.ts';

export const DECIMAL_LOGICAL_NAME = 'org.apache.kafka.connect.data.Decimal';
export const DATE_LOGICAL_NAME = 'org.apache.kafka.connect.data.Date';
export const TIME_LOGICAL_NAME = 'org.apache.kafka.connect.data.Time';
export const TIMESTAMP_LOGICAL_NAME = 'org.apache.kafka.connect.data.Timestamp';

const INT_RANGES: Partial<Record<SchemaType, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes[${value.length}]`;
  if (value instanceof Map) return 'Map';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Struct) return 'Struct';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}

function locationText(path: string | null): string {
  return path === null ? 'value' : `field: "${path}"`;
}

function mismatch(schema: Schema, value: unknown, path: string | null, why?: string): DataException {
  const named = schema.name !== null ? ` "${schema.name}"` : '';
  const detail = why ?? describe(value);
  return new DataException(`Invalid value for schema${named} with type ${schema.type}: ${detail} for ${locationText(path)}`, {
    context: { ...(path !== null && { field: path }), schemaType: schema.type },
  });
}

/** Does `value` have the JavaScript type (and range) that `schema` requires? Nested values are not checked. */
function checkShallow(schema: Schema, value: unknown, path: string | null): void {
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      if (!(value instanceof BigDecimal)) throw mismatch(schema, value, path, `expected a BigDecimal but got ${describe(value)}`);
      return;
    case DATE_LOGICAL_NAME:
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw mismatch(schema, value, path, `expected a valid Date but got ${describe(value)}`);
      return;
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32': {
      const [min, max] = INT_RANGES[schema.type]!;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch(schema, value, path);
      if (value < min || value > max) throw mismatch(schema, value, path, `${value} is out of range [${min}, ${max}]`);
      return;
    }
    case 'INT64':
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) throw mismatch(schema, value, path, `${value} is out of the 64-bit range`);
        return;
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw mismatch(schema, value, path, typeof value === 'number' ? `${value} is not a safe integer (use a bigint)` : undefined);
      }
      return;
    case 'FLOAT32':
    case 'FLOAT64':
      if (typeof value !== 'number') throw mismatch(schema, value, path);
      return;
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw mismatch(schema, value, path);
      return;
    case 'STRING':
      if (typeof value !== 'string') throw mismatch(schema, value, path);
      return;
    case 'BYTES':
      if (!(value instanceof Uint8Array)) throw mismatch(schema, value, path);
      return;
    case 'ARRAY':
      if (!Array.isArray(value)) throw mismatch(schema, value, path);
      return;
    case 'MAP':
      if (!(value instanceof Map)) throw mismatch(schema, value, path);
      return;
    case 'STRUCT':
      if (!(value instanceof Struct)) throw mismatch(schema, value, path);
      return;
  }
}

const join = (path: string | null, part: string) => (path === null ? part : `${path}.${part}`);

/**
 * Throws DataException unless `value` is valid for `schema`: null only for optional schemas,
 * the right JavaScript type and range, structs of the same schema (and complete), and every
 * array element, map key and map value valid for their schemas. `path` names the field.
 */
export function validateValue(schema: Schema, value: unknown, path: string | null = null): void {
  if (value === null || value === undefined) {
    if (!schema.optional) {
      throw new DataException(`Invalid value: null used for required ${locationText(path)}, schema type: ${schema.type}`, {
        context: { ...(path !== null && { field: path }), schemaType: schema.type },
      });
    }
    return;
  }
  checkShallow(schema, value, path);
  switch (schema.type) {
    case 'STRUCT': {
      const struct = value as Struct;
      if (struct.schema !== schema && !struct.schema.equals(schema)) {
        throw mismatch(schema, value, path, `a Struct of another schema (${struct.schema}, expected ${schema})`);
      }
      struct.validate(path);
      return;
    }
    case 'ARRAY': {
      const elementSchema = schema.valueSchema();
      (value as unknown[]).forEach((element, i) => validateValue(elementSchema, element, `${path ?? 'value'}[${i}]`));
      return;
    }
    case 'MAP': {
      const keySchema = schema.keySchema();
      const valueSchema = schema.valueSchema();
      for (const [k, v] of value as Map<unknown, unknown>) {
        validateValue(keySchema, k, `${path ?? 'value'}{key}`);
        validateValue(valueSchema, v, `${path ?? 'value'}[${typeof k === 'string' ? JSON.stringify(k) : String(k)}]`);
      }
      return;
    }
    default:
      return;
  }
}

/** Readable text for logs, in the style of Java's toString (lists [a, b], maps {k=v}). */
function display(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (Array.isArray(v)) return `[${v.map(display).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${display(k)}=${display(x)}`).join(', ')}}`;
  return String(v);
}

/** A record-like value with a STRUCT schema; `put` validates each value against its field's schema. */
export class Struct {
  readonly schema: Schema;
  readonly #values: unknown[];

  constructor(schema: Schema) {
    if (schema.type !== 'STRUCT') throw new DataException(`Not a struct schema: ${schema}`);
    this.schema = schema;
    this.#values = new Array<unknown>(schema.fields().length).fill(null);
  }

  #lookup(fieldName: string): Field {
    const field = this.schema.field(fieldName);
    if (field === null) {
      const known = this.schema.fields().map((f) => f.name);
      throw new DataException(`${fieldName} is not a valid field name (fields: ${known.join(', ')})`, { context: { field: fieldName } });
    }
    return field;
  }

  #field(field: string | Field): Field {
    return typeof field === 'string' ? this.#lookup(field) : field;
  }

  /** The field's value, or its schema's default when the value is null. */
  get(field: string | Field): unknown {
    const f = this.#field(field);
    const value = this.#values[f.index];
    return value === null ? f.schema.defaultValue : value;
  }

  /** The field's value as set (null when unset), ignoring defaults. */
  getWithoutDefault(field: string | Field): unknown {
    return this.#values[this.#field(field).index];
  }

  #typed(fieldName: string, type: SchemaType): unknown {
    const f = this.#lookup(fieldName);
    if (f.schema.type !== type) throw new DataException(`Field '${fieldName}' is not of type ${type}`, { context: { field: fieldName } });
    return this.#values[f.index];
  }

  getInt8(fieldName: string): number | null {
    return this.#typed(fieldName, 'INT8') as number | null;
  }
  getInt16(fieldName: string): number | null {
    return this.#typed(fieldName, 'INT16') as number | null;
  }
  getInt32(fieldName: string): number | null {
    return this.#typed(fieldName, 'INT32') as number | null;
  }
  getInt64(fieldName: string): number | bigint | null {
    return this.#typed(fieldName, 'INT64') as number | bigint | null;
  }
  getFloat32(fieldName: string): number | null {
    return this.#typed(fieldName, 'FLOAT32') as number | null;
  }
  getFloat64(fieldName: string): number | null {
    return this.#typed(fieldName, 'FLOAT64') as number | null;
  }
  getBoolean(fieldName: string): boolean | null {
    return this.#typed(fieldName, 'BOOLEAN') as boolean | null;
  }
  getString(fieldName: string): string | null {
    return this.#typed(fieldName, 'STRING') as string | null;
  }
  getBytes(fieldName: string): Uint8Array | null {
    return this.#typed(fieldName, 'BYTES') as Uint8Array | null;
  }
  getArray<T = unknown>(fieldName: string): T[] | null {
    return this.#typed(fieldName, 'ARRAY') as T[] | null;
  }
  getMap<K = unknown, V = unknown>(fieldName: string): Map<K, V> | null {
    return this.#typed(fieldName, 'MAP') as Map<K, V> | null;
  }
  getStruct(fieldName: string): Struct | null {
    return this.#typed(fieldName, 'STRUCT') as Struct | null;
  }

  /** Sets a field after validating the value against the field's schema; returns this for chaining. */
  put(field: string | Field, value: unknown): this {
    const f = this.#field(field);
    validateValue(f.schema, value, f.name);
    this.#values[f.index] = value ?? null;
    return this;
  }

  /**
   * Checks that every required field without a default has a value and that all values fit
   * their schemas. `path` prefixes field names in errors (for nested structs).
   */
  validate(path: string | null = null): void {
    for (const f of this.schema.fields()) {
      const value = this.#values[f.index];
      if (value === null && (f.schema.optional || f.schema.defaultValue !== null)) continue;
      validateValue(f.schema, value, join(path, f.name));
    }
  }

  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof Struct) || !this.schema.equals(other.schema)) return false;
    return this.#values.every((v, i) => valuesEqual(v, other.#values[i]));
  }

  toString(): string {
    const parts: string[] = [];
    this.schema.fields().forEach((f, i) => {
      const v = this.#values[i];
      if (v !== null) parts.push(`${f.name}=${display(v)}`);
    });
    return `Struct{${parts.join(',')}}`;
  }
}
