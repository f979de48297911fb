/**
 * Connect schemas, as Kafka Connect has them: a type, optional flag, default, name, version, doc
 * and parameters; fields for STRUCT, a value schema for ARRAY, key and value schemas for MAP.
 * Schemas are immutable and compared structurally.
 *
 * Values of each type in JavaScript:
 *   INT8, INT16, INT32  number (an integer within the type's range)
 *   INT64               number (a safe integer) or bigint (any 64-bit value)
 *   FLOAT32, FLOAT64    number
 *   BOOLEAN boolean · STRING string · BYTES Uint8Array (a Buffer is one)
 *   ARRAY unknown[] · MAP Map (any key type, insertion order kept) · STRUCT Struct
 *   logical types: Decimal → BigDecimal; Date, Time, Timestamp → Date
 */
import { DataException } from './errors.ts';
import { valuesEqual } from './values-equal.ts';

export const SCHEMA_TYPES = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES', 'ARRAY', 'MAP', 'STRUCT'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

export function isPrimitiveType(type: SchemaType): boolean {
  return type !== 'ARRAY' && type !== 'MAP' && type !== 'STRUCT';
}

/** A field of a STRUCT schema. */
export class Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;

  constructor(name: string, index: number, schema: Schema) {
    this.name = name;
    this.index = index;
    this.schema = schema;
  }

  equals(other: unknown): boolean {
    return other instanceof Field && other.name === this.name && other.index === this.index && other.schema.equals(this.schema);
  }

  toString(): string {
    return `Field{name=${this.name}, index=${this.index}, schema=${this.schema}}`;
  }
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** The default value, or null when there is none. */
  readonly defaultValue: unknown;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: Readonly<Record<string, string>> | null;
  /** Fields of a STRUCT, in order; DataException for other types. */
  fields(): readonly Field[];
  /** The named field of a STRUCT, or null; DataException for other types. */
  field(name: string): Field | null;
  /** Key schema of a MAP; DataException for other types. */
  keySchema(): Schema;
  /** Element schema of an ARRAY or value schema of a MAP; DataException for other types. */
  valueSchema(): Schema;
  equals(other: Schema | null | undefined): boolean;
  toString(): string;
}

export interface ConnectSchemaInit {
  type: SchemaType;
  optional?: boolean;
  defaultValue?: unknown;
  name?: string | null;
  version?: number | null;
  doc?: string | null;
  parameters?: Readonly<Record<string, string>> | null;
  fields?: readonly Field[];
  keySchema?: Schema | null;
  valueSchema?: Schema | null;
}

export class ConnectSchema implements Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue: unknown;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: Readonly<Record<string, string>> | null;
  readonly #fields: readonly Field[] | null;
  readonly #fieldsByName: ReadonlyMap<string, Field> | null;
  readonly #keySchema: Schema | null;
  readonly #valueSchema: Schema | null;

  constructor(init: ConnectSchemaInit) {
    this.type = init.type;
    this.optional = init.optional ?? false;
    this.defaultValue = init.defaultValue ?? null;
    this.name = init.name ?? null;
    this.version = init.version ?? null;
    this.doc = init.doc ?? null;
    this.parameters = init.parameters ? Object.freeze({ ...init.parameters }) : null;
    if (this.type === 'STRUCT') {
      this.#fields = Object.freeze([...(init.fields ?? [])]);
      this.#fieldsByName = new Map(this.#fields.map((f) => [f.name, f]));
    } else {
      this.#fields = null;
      this.#fieldsByName = null;
    }
    this.#keySchema = init.keySchema ?? null;
    this.#valueSchema = init.valueSchema ?? null;
  }

  fields(): readonly Field[] {
    if (this.#fields === null) throw new DataException('Cannot list fields on non-struct type');
    return this.#fields;
  }

  field(name: string): Field | null {
    if (this.#fieldsByName === null) throw new DataException('Cannot look up fields on non-struct type');
    return this.#fieldsByName.get(name) ?? null;
  }

  keySchema(): Schema {
    if (this.type !== 'MAP' || this.#keySchema === null) throw new DataException('Cannot look up key schema on non-map type');
    return this.#keySchema;
  }

  valueSchema(): Schema {
    if ((this.type !== 'MAP' && this.type !== 'ARRAY') || this.#valueSchema === null) {
      throw new DataException('Cannot look up value schema on non-array and non-map type');
    }
    return this.#valueSchema;
  }

  equals(other: Schema | null | undefined): boolean {
    if (other === this) return true;
    if (!other || other.type !== this.type) return false;
    if (other.optional !== this.optional || other.name !== this.name || other.version !== this.version || other.doc !== this.doc) return false;
    if (!valuesEqual(this.parameters, other.parameters) || !valuesEqual(this.defaultValue, other.defaultValue)) return false;
    switch (this.type) {
      case 'STRUCT': {
        const a = this.fields();
        const b = other.fields();
        return a.length === b.length && a.every((f, i) => f.equals(b[i]));
      }
      case 'ARRAY':
        return this.valueSchema().equals(other.valueSchema());
      case 'MAP':
        return this.keySchema().equals(other.keySchema()) && this.valueSchema().equals(other.valueSchema());
      default:
        return true;
    }
  }

  toString(): string {
    return this.name !== null ? `Schema{${this.name}:${this.type}}` : `Schema{${this.type}}`;
  }
}

const primitive = (type: SchemaType, optional: boolean) => new ConnectSchema({ type, optional });

/** The plain schemas of every primitive type (Kafka's Schema.INT8_SCHEMA, OPTIONAL_INT8_SCHEMA...). */
export const Schemas = Object.freeze({
  INT8: primitive('INT8', false),
  INT16: primitive('INT16', false),
  INT32: primitive('INT32', false),
  INT64: primitive('INT64', false),
  FLOAT32: primitive('FLOAT32', false),
  FLOAT64: primitive('FLOAT64', false),
  BOOLEAN: primitive('BOOLEAN', false),
  STRING: primitive('STRING', false),
  BYTES: primitive('BYTES', false),
  OPTIONAL_INT8: primitive('INT8', true),
  OPTIONAL_INT16: primitive('INT16', true),
  OPTIONAL_INT32: primitive('INT32', true),
  OPTIONAL_INT64: primitive('INT64', true),
  OPTIONAL_FLOAT32: primitive('FLOAT32', true),
  OPTIONAL_FLOAT64: primitive('FLOAT64', true),
  OPTIONAL_BOOLEAN: primitive('BOOLEAN', true),
  OPTIONAL_STRING: primitive('STRING', true),
  OPTIONAL_BYTES: primitive('BYTES', true),
});

/** A schema and a value together; both null for a tombstone. */
export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export const NULL_SCHEMA_AND_VALUE: SchemaAndValue = Object.freeze({ schema: null, value: null });
