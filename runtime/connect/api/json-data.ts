/**
 * Connect data and schemas ⇄ JSON, as Kafka's JsonConverter writes and reads them: schemas as
 * {"type":"struct","fields":[...],"optional":false,"name":...}, values with base64 bytes,
 * decimals as base64 or numbers, logical dates as integers, maps with string keys as objects and
 * other maps as [[key,value],...]. Output is byte-compatible with Jackson's (key order, Java
 * number formatting). Unlike Kafka, a JSON value of the wrong type for its schema is an error
 * naming the field, not a silent 0/false/empty.
 */
import { BigDecimal } from './big-decimal.ts';
import { DataException } from './errors.ts';
import { javaDoubleToString, javaFloatToString } from './java-numbers.ts';
import type { JsonValue } from './json-text.ts';
import { JsonNumber, decodeBase64, encodeBase64, isJsonObject, jsonTypeName } from './json-text.ts';
import { LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp, dateLogicalType } from './logical-types.ts';
import type { Schema, SchemaType } from './schema.ts';
import { SchemaBuilder } from './schema-builder.ts';
import { DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, Struct, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME } from './struct.ts';

export type DecimalFormat = 'BASE64' | 'NUMERIC';

export interface JsonDataOptions {
  decimalFormat: DecimalFormat;
  replaceNullWithDefault: boolean;
}

export const DEFAULT_JSON_DATA_OPTIONS: JsonDataOptions = Object.freeze({ decimalFormat: 'BASE64', replaceNullWithDefault: true });

const TYPE_NAMES: Record<SchemaType, string> = {
  BOOLEAN: 'boolean',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float',
  FLOAT64: 'double',
  BYTES: 'bytes',
  STRING: 'string',
  ARRAY: 'array',
  MAP: 'map',
  STRUCT: 'struct',
};
const TYPES_BY_NAME = new Map(Object.entries(TYPE_NAMES).map(([type, name]) => [name, type as SchemaType]));

const where = (path: string | null) => (path === null ? '' : ` (field "${path}")`);
const join = (path: string | null, part: string) => (path === null ? part : `${path}.${part}`);
const quote = (s: string) => JSON.stringify(s);

function nonFinite(value: number): string | null {
  // Jackson writes NaN and infinities as strings by default.
  if (Number.isNaN(value)) return '"NaN"';
  if (value === Infinity) return '"Infinity"';
  if (value === -Infinity) return '"-Infinity"';
  return null;
}

// ---------------------------------------------------------------- Connect → JSON

function typeError(type: string, value: unknown, path: string | null): DataException {
  const kind = value === null ? 'null' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  return new DataException(`Invalid type for ${type}: ${kind}${where(path)}`, { context: path === null ? {} : { field: path } });
}

function writeLogical(out: string[], schema: Schema, value: unknown, opts: JsonDataOptions, path: string | null): boolean {
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      if (!(value instanceof BigDecimal)) throw new DataException(`Invalid type for Decimal, expected BigDecimal but was ${typeof value}${where(path)}`);
      if (opts.decimalFormat === 'NUMERIC') out.push(value.toString());
      else out.push(quote(encodeBase64(LogicalDecimal.fromLogical(schema, value))));
      return true;
    case DATE_LOGICAL_NAME:
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME: {
      const logical = dateLogicalType(schema.name)!;
      if (!(value instanceof Date)) throw new DataException(`Invalid type for ${schema.name.split('.').pop()}, expected Date but was ${typeof value}${where(path)}`);
      out.push(String(logical.fromLogical(schema, value)));
      return true;
    }
    default:
      return false;
  }
}

function writeNumber(out: string[], type: SchemaType, value: unknown, path: string | null): void {
  if (typeof value === 'bigint') {
    if (type === 'INT64') return void out.push(value.toString());
    throw typeError(type, value, path);
  }
  if (typeof value !== 'number') throw typeError(type, value, path);
  if (type === 'FLOAT32' || type === 'FLOAT64') {
    out.push(nonFinite(value) ?? (type === 'FLOAT32' ? javaFloatToString(value) : javaDoubleToString(value)));
    return;
  }
  if (!Number.isInteger(value)) throw typeError(type, value, path);
  out.push(String(value));
}

function inferType(value: unknown, path: string | null): SchemaType {
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'bigint') return 'INT64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'FLOAT64';
  if (value instanceof Uint8Array) return 'BYTES';
  if (Array.isArray(value)) return 'ARRAY';
  if (value instanceof Map) return 'MAP';
  if (value instanceof Struct) return 'STRUCT';
  const kind = typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  throw new DataException(`${kind} value does not have a corresponding schema type; give it a schema${where(path)}`);
}

function writeValue(out: string[], schema: Schema | null, value: unknown, opts: JsonDataOptions, path: string | null): void {
  if (value === null || value === undefined) {
    if (schema === null) return void out.push('null');
    if (schema.defaultValue !== null && opts.replaceNullWithDefault) return writeValue(out, schema, schema.defaultValue, opts, path);
    if (schema.optional) return void out.push('null');
    throw new DataException(`Conversion error: null value for field that is required and has no default value${where(path)}`, {
      context: path === null ? {} : { field: path },
    });
  }
  if (schema !== null && schema.name !== null && writeLogical(out, schema, value, opts, path)) return;
  const type = schema?.type ?? inferType(value, path);
  switch (type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'FLOAT32':
    case 'FLOAT64':
      // Without a schema, a non-integer number is written as a double.
      return writeNumber(out, schema === null && typeof value === 'number' && !Number.isInteger(value) ? 'FLOAT64' : type, value, path);
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw typeError(type, value, path);
      return void out.push(value ? 'true' : 'false');
    case 'STRING':
      if (typeof value !== 'string') throw typeError(type, value, path);
      return void out.push(quote(value));
    case 'BYTES':
      if (!(value instanceof Uint8Array)) throw typeError('bytes type', value, path);
      return void out.push(quote(encodeBase64(value)));
    case 'ARRAY': {
      if (!Array.isArray(value)) throw typeError(type, value, path);
      const element = schema === null ? null : schema.valueSchema();
      out.push('[');
      value.forEach((v, i) => {
        if (i > 0) out.push(',');
        writeValue(out, element, v, opts, `${path ?? ''}[${i}]`);
      });
      return void out.push(']');
    }
    case 'MAP': {
      if (!(value instanceof Map)) throw typeError(type, value, path);
      const keySchema = schema === null ? null : schema.keySchema();
      const valueSchema = schema === null ? null : schema.valueSchema();
      const objectMode = schema === null ? [...value.keys()].every((k) => typeof k === 'string') : keySchema!.type === 'STRING';
      let first = true;
      out.push(objectMode ? '{' : '[');
      for (const [k, v] of value) {
        if (!first) out.push(',');
        first = false;
        if (objectMode) {
          if (typeof k !== 'string') throw typeError('map key STRING', k, path);
          out.push(quote(k), ':');
          writeValue(out, valueSchema, v, opts, join(path, k));
        } else {
          out.push('[');
          writeValue(out, keySchema, k, opts, path);
          out.push(',');
          writeValue(out, valueSchema, v, opts, path);
          out.push(']');
        }
      }
      return void out.push(objectMode ? '}' : ']');
    }
    case 'STRUCT': {
      if (!(value instanceof Struct)) throw typeError(type, value, path);
      const structSchema = schema ?? value.schema;
      if (value.schema !== structSchema && !value.schema.equals(structSchema)) throw new DataException(`Mismatching schema.${where(path)}`);
      out.push('{');
      structSchema.fields().forEach((f, i) => {
        if (i > 0) out.push(',');
        out.push(quote(f.name), ':');
        writeValue(out, f.schema, value.getWithoutDefault(f), opts, join(path, f.name));
      });
      return void out.push('}');
    }
  }
}

/** The JSON text of a Connect value (schema null: written by its JavaScript type). */
export function connectToJson(schema: Schema | null, value: unknown, opts: JsonDataOptions = DEFAULT_JSON_DATA_OPTIONS): string {
  const out: string[] = [];
  writeValue(out, schema, value, opts, null);
  return out.join('');
}

function writeSchema(out: string[], schema: Schema, opts: JsonDataOptions, fieldName: string | null): void {
  out.push('{"type":', quote(TYPE_NAMES[schema.type]));
  if (schema.type === 'ARRAY') {
    out.push(',"items":');
    writeSchema(out, schema.valueSchema(), opts, null);
  } else if (schema.type === 'MAP') {
    out.push(',"keys":');
    writeSchema(out, schema.keySchema(), opts, null);
    out.push(',"values":');
    writeSchema(out, schema.valueSchema(), opts, null);
  } else if (schema.type === 'STRUCT') {
    out.push(',"fields":[');
    schema.fields().forEach((f, i) => {
      if (i > 0) out.push(',');
      writeSchema(out, f.schema, opts, f.name);
    });
    out.push(']');
  }
  out.push(',"optional":', schema.optional ? 'true' : 'false');
  if (schema.name !== null) out.push(',"name":', quote(schema.name));
  if (schema.version !== null) out.push(',"version":', String(schema.version));
  if (schema.doc !== null) out.push(',"doc":', quote(schema.doc));
  if (schema.parameters !== null) {
    out.push(',"parameters":{');
    Object.entries(schema.parameters).forEach(([k, v], i) => out.push(i > 0 ? ',' : '', quote(k), ':', quote(v)));
    out.push('}');
  }
  if (schema.defaultValue !== null) {
    out.push(',"default":');
    writeValue(out, schema, schema.defaultValue, opts, null);
  }
  if (fieldName !== null) out.push(',"field":', quote(fieldName));
  out.push('}');
}

/** The JSON text of a schema, as JsonConverter puts it in the envelope; "null" for no schema. */
export function schemaToJson(schema: Schema | null, opts: JsonDataOptions = DEFAULT_JSON_DATA_OPTIONS): string {
  if (schema === null) return 'null';
  const out: string[] = [];
  writeSchema(out, schema, opts, null);
  return out.join('');
}

// ---------------------------------------------------------------- JSON → Connect

function wrongJson(expected: string, json: JsonValue | undefined, path: string | null): DataException {
  return new DataException(`Expected ${expected} but found ${jsonTypeName(json)}${where(path)}`, { context: path === null ? {} : { field: path } });
}

function integral(json: JsonValue, type: SchemaType, path: string | null): number | bigint {
  if (typeof json === 'number' && Number.isInteger(json)) return json;
  if (json instanceof JsonNumber && json.integral) return BigInt(json.text);
  throw wrongJson(`an integer for ${type}`, json, path);
}

const INT_RANGES: Partial<Record<SchemaType, [number, number]>> = { INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647] };

function readInt(json: JsonValue, type: SchemaType, path: string | null): number | bigint {
  const n = integral(json, type, path);
  const range = INT_RANGES[type];
  if (range) {
    if (typeof n === 'bigint' || n < range[0] || n > range[1]) {
      throw new DataException(`Value ${n} is out of range for ${type} [${range[0]}, ${range[1]}]${where(path)}`, { context: path === null ? {} : { field: path } });
    }
    return n;
  }
  // INT64: a safe integer stays a number, larger values are bigints.
  if (typeof n === 'bigint') {
    if (n < -(2n ** 63n) || n > 2n ** 63n - 1n) throw new DataException(`Value ${n} is out of range for INT64${where(path)}`);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  }
  return n;
}

function readFloat(json: JsonValue, type: SchemaType, path: string | null): number {
  let n: number;
  if (typeof json === 'number') n = json;
  else if (json instanceof JsonNumber) n = json.toNumber();
  else if (json === 'NaN' || json === 'Infinity' || json === '-Infinity') n = Number(json);
  else throw wrongJson(`a number for ${type}`, json, path);
  return type === 'FLOAT32' ? Math.fround(n) : n;
}

function readLogical(schema: Schema, json: JsonValue, path: string | null): { value: unknown } | null {
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      const scale = LogicalDecimal.scale(schema);
      if (typeof json === 'number' || json instanceof JsonNumber) {
        const d = json instanceof JsonNumber ? json.toDecimal() : BigDecimal.parse(String(json));
        // Keep the schema's scale when that loses nothing (1.5 for scale 2 → 1.50).
        return { value: d.scale < scale ? d.setScale(scale) : d };
      }
      if (typeof json === 'string') {
        try {
          return { value: LogicalDecimal.toLogical(schema, decodeBase64(json)) };
        } catch (err) {
          throw new DataException(`Invalid bytes for Decimal field${where(path)}`, { cause: err });
        }
      }
      throw new DataException(`Invalid type for Decimal, underlying representation should be numeric or bytes but was ${jsonTypeName(json)}${where(path)}`);
    }
    case DATE_LOGICAL_NAME:
    case TIME_LOGICAL_NAME: {
      const logical = schema.name === DATE_LOGICAL_NAME ? LogicalDate : LogicalTime;
      const n = typeof json === 'number' && Number.isInteger(json) && json >= -2147483648 && json <= 2147483647 ? json : null;
      if (n === null) {
        const name = schema.name === DATE_LOGICAL_NAME ? 'Date' : 'Time';
        throw new DataException(`Invalid type for ${name}, underlying representation should be integer but was ${jsonTypeName(json)}${where(path)}`);
      }
      return { value: logical.toLogical(schema, n) };
    }
    case TIMESTAMP_LOGICAL_NAME: {
      if (!(typeof json === 'number' && Number.isInteger(json)) && !(json instanceof JsonNumber && json.integral)) {
        throw new DataException(`Invalid type for Timestamp, underlying representation should be integral but was ${jsonTypeName(json)}${where(path)}`);
      }
      return { value: LogicalTimestamp.toLogical(schema, json instanceof JsonNumber ? BigInt(json.text) : json) };
    }
    default:
      return null;
  }
}

function readSchemaless(json: JsonValue | undefined): unknown {
  if (json === null || json === undefined) return null;
  if (typeof json === 'boolean' || typeof json === 'string' || typeof json === 'number') return json;
  if (json instanceof JsonNumber) {
    if (!json.integral) return json.toNumber();
    const n = BigInt(json.text);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  }
  if (Array.isArray(json)) return json.map(readSchemaless);
  return new Map(Object.entries(json).map(([k, v]) => [k, readSchemaless(v)]));
}

/** Converts a parsed JSON value to Connect data for `schema` (null: infer from the JSON). */
export function jsonToConnect(schema: Schema | null, json: JsonValue | undefined, opts: JsonDataOptions = DEFAULT_JSON_DATA_OPTIONS, path: string | null = null): unknown {
  if (schema === null) return readSchemaless(json);
  if (json === null || json === undefined) {
    if (schema.defaultValue !== null && opts.replaceNullWithDefault) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataException(`Invalid null value for required ${schema.type} field${where(path)}`, { context: path === null ? {} : { field: path } });
  }
  if (schema.name !== null) {
    const logical = readLogical(schema, json, path);
    if (logical) return logical.value;
  }
  switch (schema.type) {
    case 'BOOLEAN':
      if (typeof json !== 'boolean') throw wrongJson('a boolean', json, path);
      return json;
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      return readInt(json, schema.type, path);
    case 'FLOAT32':
    case 'FLOAT64':
      return readFloat(json, schema.type, path);
    case 'STRING':
      if (typeof json !== 'string') throw wrongJson('a string', json, path);
      return json;
    case 'BYTES':
      if (typeof json !== 'string') throw wrongJson('base64 text for bytes', json, path);
      return decodeBase64(json);
    case 'ARRAY': {
      if (!Array.isArray(json)) throw wrongJson('an array', json, path);
      const element = schema.valueSchema();
      return json.map((v, i) => jsonToConnect(element, v, opts, `${path ?? ''}[${i}]`));
    }
    case 'MAP': {
      const keySchema = schema.keySchema();
      const valueSchema = schema.valueSchema();
      const result = new Map<unknown, unknown>();
      if (keySchema.type === 'STRING') {
        if (!isJsonObject(json)) throw new DataException(`Maps with string fields should be encoded as JSON objects, but found ${jsonTypeName(json)}${where(path)}`);
        for (const [k, v] of Object.entries(json)) result.set(k, jsonToConnect(valueSchema, v, opts, join(path, k)));
        return result;
      }
      if (!Array.isArray(json)) throw new DataException(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${jsonTypeName(json)}${where(path)}`);
      for (const entry of json) {
        if (!Array.isArray(entry)) throw new DataException(`Found invalid map entry instead of array tuple: ${jsonTypeName(entry)}${where(path)}`);
        if (entry.length !== 2) throw new DataException(`Found invalid map entry, expected length 2 but found :${entry.length}${where(path)}`);
        result.set(jsonToConnect(keySchema, entry[0], opts, path), jsonToConnect(valueSchema, entry[1], opts, path));
      }
      return result;
    }
    case 'STRUCT': {
      if (!isJsonObject(json)) throw new DataException(`Structs should be encoded as JSON objects, but found ${jsonTypeName(json)}${where(path)}`);
      const struct = new Struct(schema);
      for (const f of schema.fields()) {
        const v = Object.hasOwn(json, f.name) ? json[f.name] : undefined;
        struct.put(f, jsonToConnect(f.schema, v, opts, join(path, f.name)));
      }
      return struct;
    }
  }
}

/** Reads a schema from its JSON form (Kafka's asConnectSchema); JSON null is no schema. */
export function jsonToSchema(json: JsonValue | undefined, opts: JsonDataOptions = DEFAULT_JSON_DATA_OPTIONS): Schema | null {
  if (json === null || json === undefined) return null;
  if (!isJsonObject(json) || typeof json.type !== 'string') throw new DataException("Schema must contain 'type' field");
  const type = TYPES_BY_NAME.get(json.type);
  if (type === undefined) throw new DataException(`Unknown schema type: ${json.type}`);
  let builder: SchemaBuilder;
  if (type === 'ARRAY') {
    if (json.items === null || json.items === undefined) throw new DataException('Array schema did not specify the element type');
    builder = SchemaBuilder.array(jsonToSchema(json.items, opts)!);
  } else if (type === 'MAP') {
    if (json.keys === undefined) throw new DataException('Map schema did not specify the key type');
    if (json.values === undefined) throw new DataException('Map schema did not specify the value type');
    const keys = jsonToSchema(json.keys, opts);
    const values = jsonToSchema(json.values, opts);
    if (keys === null || values === null) throw new DataException('Map schema key and value types may not be null');
    builder = SchemaBuilder.map(keys, values);
  } else if (type === 'STRUCT') {
    builder = SchemaBuilder.struct();
    if (!Array.isArray(json.fields)) throw new DataException('Struct schema\'s "fields" argument is not an array.');
    for (const field of json.fields) {
      if (!isJsonObject(field) || typeof field.field !== 'string') throw new DataException("Struct schema's field name not specified properly");
      builder.field(field.field, jsonToSchema(field, opts)!);
    }
  } else {
    builder = SchemaBuilder.type(type);
  }
  if (json.optional === true) builder.optional();
  else builder.required();
  if (typeof json.name === 'string') builder.name(json.name);
  const version = json.version;
  if (typeof version === 'number' && Number.isInteger(version)) builder.version(version);
  if (typeof json.doc === 'string') builder.doc(json.doc);
  if (isJsonObject(json.parameters)) {
    for (const [k, v] of Object.entries(json.parameters)) {
      if (typeof v !== 'string') throw new DataException('Schema parameters must have string values.');
      builder.parameter(k, v);
    }
  }
  if (json.default !== undefined) builder.defaultValue(jsonToConnect(builder.build(), json.default, opts, 'default'));
  return builder.build();
}
