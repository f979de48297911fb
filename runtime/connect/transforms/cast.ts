/**
 * Cast$Key / Cast$Value: casts fields (`spec=f1:int32,f2:string`) or the whole key/value
 * (`spec=int64`) to int8, int16, int32, int64, float32, float64, boolean or string. Inputs may be
 * any of those or bytes (bytes only to string, as base64); logical types are cast from their
 * underlying integer (Date, Time, Timestamp) or to their string form. Numeric casts follow Java
 * (narrowing keeps the low bits; floats truncate toward zero).
 */
import type { ConnectRecord, Schema, SchemaType, Transformation } from '../api/index.ts';
import {
  BigDecimal,
  ConfigDef,
  DataException,
  dateLogicalType,
  SchemaBuilder,
  Struct,
  valueToString,
} from '../api/index.ts';
import { invalidValue } from '../config/index.ts';
import { isFloatingType, toFloatType, toIntegerType } from './util/java-casts.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, REPLACE_NULL_WITH_DEFAULT_DOC, splitLikeJava } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { describeType, requireMap, requireStruct } from './util/requirements.ts';
import { SchemaCache } from './util/schema-cache.ts';
import { copySchemaBasics, copyStruct } from './util/schema-util.ts';

type CastType = 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FLOAT32' | 'FLOAT64' | 'BOOLEAN' | 'STRING';
const OUTPUT_TYPES: readonly SchemaType[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING'];
const INPUT_TYPES: readonly SchemaType[] = [...OUTPUT_TYPES, 'BYTES'];
const ALL_TYPES: readonly string[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES', 'ARRAY', 'MAP', 'STRUCT'];

/** The parsed `spec`: per-field casts, or one cast for the whole key/value. */
interface CastSpec {
  fields: Map<string, CastType>;
  whole: CastType | null;
}

function parseType(key: string, mappings: readonly string[], text: string): CastType {
  const upper = text.trim().toUpperCase();
  if (!ALL_TYPES.includes(upper)) throw invalidValue(key, mappings, `Invalid type found in casting spec: ${text.trim()}`);
  if (!OUTPUT_TYPES.includes(upper as SchemaType)) {
    throw invalidValue(key, mappings, `Cast transformation does not support casting to ${upper}; supported types are [${OUTPUT_TYPES.join(', ')}]`);
  }
  return upper as CastType;
}

function parseSpec(key: string, mappings: readonly string[] | null): CastSpec {
  if (mappings === null || mappings.length === 0) throw invalidValue(key, mappings, 'Must specify at least one field to cast.');
  const spec: CastSpec = { fields: new Map(), whole: null };
  for (const mapping of mappings) {
    const parts = splitLikeJava(mapping, ':');
    if (parts.length > 2) throw invalidValue(key, mappings, `Invalid cast mapping: ${mapping}`);
    if (parts.length === 1) spec.whole = parseType(key, mappings, parts[0]);
    else spec.fields.set(parts[0].trim(), parseType(key, mappings, parts[1]));
  }
  if (spec.whole !== null && mappings.length > 1) {
    throw invalidValue(key, mappings, 'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
  }
  return spec;
}

const CONFIG_DEF = new ConfigDef()
  .define({
    name: 'spec',
    type: 'LIST',
    validator: {
      description: 'list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>',
      ensureValid: (name, value) => void parseSpec(name, value as string[] | null),
    },
    importance: 'HIGH',
    documentation:
      'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. ' +
      'Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
  })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

const PURPOSE = 'cast types';

/** The Connect type of a schemaless value (Kafka's ConnectSchema.schemaType(Class)). */
function typeOfValue(value: unknown): SchemaType | null {
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'FLOAT64';
  if (typeof value === 'bigint') return 'INT64';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'string') return 'STRING';
  if (value instanceof Uint8Array) return 'BYTES';
  if (Array.isArray(value)) return 'ARRAY';
  if (value instanceof Map) return 'MAP';
  if (value instanceof Struct) return 'STRUCT';
  // Like Kafka, logical values (Date, BigDecimal) are not recognised without a schema.
  return null;
}

/** Date, Time and Timestamp values as the integers they are stored as. */
function encodeLogical(schema: Schema, value: unknown): unknown {
  const logical = dateLogicalType(schema.name);
  return logical === null ? value : logical.fromLogical(schema, value as Date);
}

const JAVA_FLOAT = /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)|(0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+))[fFdD]?$/;
const JAVA_INTEGER = /^[+-]?\d+$/;

function outOfRange(value: unknown): DataException {
  return new DataException(`Value (${String(value)}) was out of range for requested data type`);
}

/** Byte/Short/Integer/Long.parseLong semantics: decimal digits, an optional sign, in range. */
function parseInteger(text: string, type: 'INT8' | 'INT16' | 'INT32' | 'INT64'): number | bigint {
  if (!JAVA_INTEGER.test(text)) throw outOfRange(text);
  const n = BigInt(text);
  if (BigInt.asIntN({ INT8: 8, INT16: 16, INT32: 32, INT64: 64 }[type], n) !== n) throw outOfRange(text);
  return toIntegerType(n, false, type);
}

/** Float/Double.parseDouble semantics (surrounding whitespace allowed, f/d suffix, NaN, Infinity). */
function parseFloating(text: string, type: 'FLOAT32' | 'FLOAT64'): number {
  const trimmed = text.trim();
  if (!JAVA_FLOAT.test(trimmed)) throw outOfRange(text);
  const body = trimmed.replace(/[fFdD]$/, '');
  const n = /^[+-]?0[xX]/.test(body) ? parseHexFloat(body) : Number(body);
  return type === 'FLOAT32' ? Math.fround(n) : n;
}

/** A Java hexadecimal floating-point literal such as 0x1.8p1 (= 3). */
function parseHexFloat(text: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(text)!;
  const [, sign, whole, fraction, exponent] = m;
  const mantissa = parseInt(`${whole}${fraction}` || '0', 16);
  const value = mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign === '-' ? -value : value;
}

function castValue(schema: Schema | null, value: unknown, target: CastType): unknown {
  if (value === null || value === undefined) return null;
  const inputType = schema === null ? typeOfValue(value) : schema.type;
  if (inputType === null) throw new DataException(`Cast transformation was passed a value of type ${describeType(value)} which is not supported by Connect's data API`);
  if (!INPUT_TYPES.includes(inputType)) {
    throw new DataException(`Cast transformation does not support casting from ${inputType}; supported types are [${INPUT_TYPES.join(', ')}]`);
  }
  if (target === 'STRING') return valueToString(schema, value);
  const input = schema !== null && schema.name !== null ? encodeLogical(schema, value) : value;
  const floating = typeof input === 'number' && isFloatingType(schema === null ? null : schema.type, input);
  const unexpected = () => new DataException(`Unexpected type in Cast transformation: ${describeType(input)}`);
  const numeric = typeof input === 'number' || typeof input === 'bigint' || input instanceof BigDecimal ? input : null;
  switch (target) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      if (numeric !== null) return toIntegerType(numeric, floating, target);
      if (typeof input === 'boolean') return input ? 1 : 0;
      if (typeof input === 'string') return parseInteger(input, target);
      throw unexpected();
    case 'FLOAT32':
    case 'FLOAT64':
      if (numeric !== null) return toFloatType(numeric, target);
      if (typeof input === 'boolean') return input ? 1 : 0;
      if (typeof input === 'string') return parseFloating(input, target);
      throw unexpected();
    case 'BOOLEAN':
      if (numeric !== null) return Number(toIntegerType(numeric, floating, 'INT64')) !== 0;
      if (typeof input === 'boolean') return input;
      if (typeof input === 'string') return input.toLowerCase() === 'true';
      throw unexpected();
  }
}

function builderFor(type: CastType): SchemaBuilder {
  return SchemaBuilder.type(type);
}

abstract class Cast<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    'Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a smaller width. Cast from integers, floats, boolean and string to any other type, and cast binary to string (base64 encoded).';
  protected abstract readonly side: RecordSide;
  #spec: CastSpec = { fields: new Map(), whole: null };
  #replaceNullWithDefault = true;
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.Cast${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#spec = parseSpec(this.keyName('spec'), c.spec);
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemaCache.clear();
  }

  apply(record: R): R {
    const value = operatingValue(this.side, record);
    if (value === null) return record;
    const schema = operatingSchema(this.side, record);
    const whole = this.#spec.whole;
    if (schema === null) {
      if (whole !== null) return withOperated(this.side, record, null, castValue(null, value, whole));
      const original = requireMap(value, PURPOSE);
      const updated = new Map(original);
      for (const [field, type] of this.#spec.fields) updated.set(field, castValue(null, original.get(field) ?? null, type));
      return withOperated(this.side, record, null, updated);
    }
    const updatedSchema = this.#schemaCache.getOrBuild(schema, (s) => this.#updatedSchema(s));
    if (whole !== null) return withOperated(this.side, record, updatedSchema, castValue(schema, value, whole));
    return withOperated(this.side, record, updatedSchema, this.#castStruct(requireStruct(value, PURPOSE), updatedSchema));
  }

  #castStruct(value: unknown, updatedSchema: Schema): Struct {
    return copyStruct(requireStruct(value, PURPOSE), updatedSchema, this.#replaceNullWithDefault, (field, fieldValue) => {
      const target = this.#spec.fields.get(field.name);
      return target === undefined ? fieldValue : castValue(field.schema, fieldValue, target);
    });
  }

  #updatedSchema(schema: Schema): Schema {
    const whole = this.#spec.whole;
    let builder: SchemaBuilder;
    if (whole !== null) {
      builder = copySchemaBasics(schema, builderFor(whole));
    } else {
      builder = copySchemaBasics(schema, SchemaBuilder.struct());
      for (const field of schema.fields()) {
        const target = this.#spec.fields.get(field.name);
        if (target === undefined) {
          builder.field(field.name, field.schema);
          continue;
        }
        const fieldBuilder = builderFor(target);
        if (field.schema.optional) fieldBuilder.optional();
        if (field.schema.defaultValue !== null) fieldBuilder.defaultValue(castValue(field.schema, field.schema.defaultValue, target));
        builder.field(field.name, fieldBuilder.build());
      }
    }
    if (schema.optional) builder.optional();
    // Kafka fails on a struct schema with a default; casting the default's fields works instead.
    if (schema.defaultValue !== null) builder.defaultValue(whole === null ? this.#castStruct(schema.defaultValue, builder.build()) : castValue(schema, schema.defaultValue, whole));
    return builder.build();
  }

  close(): void {
    this.#schemaCache.clear();
  }
}

export class CastKey<R extends ConnectRecord<R>> extends Cast<R> {
  protected readonly side = 'key';
}

export class CastValue<R extends ConnectRecord<R>> extends Cast<R> {
  protected readonly side = 'value';
}
