/**
 * Connect schemas and values ⇄ JSON Schema and JSON, as Confluent's JsonSchemaData translates them:
 *   INT8..INT64 → "integer" and FLOAT32/FLOAT64 → "number", each with "connect.type"
 *   BYTES → "string" with connect.type bytes (base64); STRUCT → "object" whose properties carry
 *   "connect.index"; MAP with required string keys → "object" with additionalProperties and
 *   connect.type map, other maps → an array of {key, value}; optional → oneOf [null, T];
 *   names as "title", docs as "description", versions and parameters as connect.* keywords.
 * Reading, a plain "integer" is INT64 and a plain "number" FLOAT64; unions other than with null
 * become STRUCTs named io.confluent.connect.json.OneOf.
 */
import {
  BigDecimal,
  DataException,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  decodeBase64,
  encodeBase64,
  JsonNumber,
  LogicalDate,
  LogicalDecimal,
  LogicalTime,
  LogicalTimestamp,
  SchemaBuilder,
  Struct,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
  type JsonValue,
  type Schema,
} from '../../api/index.ts';

export const NAMESPACE = 'io.confluent.connect.json';
export const JSON_TYPE_ENUM = `${NAMESPACE}.Enum`;
export const JSON_TYPE_ONE_OF = `${NAMESPACE}.OneOf`;
const CONNECT_TYPE = 'connect.type';
const CONNECT_VERSION = 'connect.version';
const CONNECT_PARAMETERS = 'connect.parameters';
const CONNECT_INDEX = 'connect.index';

export type JsonSchemaNode = Record<string, unknown> | boolean;

export interface JsonSchemaDataOptions {
  decimalFormat: 'BASE64' | 'NUMERIC';
}

const INT_TYPES: Record<string, 'INT8' | 'INT16' | 'INT32' | 'INT64'> = { int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64' };

// ------------------------------------------------------------------ Connect → JSON Schema

export function fromConnectSchema(schema: Schema, options: JsonSchemaDataOptions, index?: number): Record<string, unknown> {
  const isUnion = schema.type === 'STRUCT' && schema.name === JSON_TYPE_ONE_OF;
  if (isUnion) {
    const branches: Record<string, unknown>[] = schema.optional ? [{ type: 'null' }] : [];
    for (const f of schema.fields()) branches.push(fromConnectSchema(requiredCopy(f.schema), options));
    return withIndex({ oneOf: branches }, index);
  }
  const out: Record<string, unknown> = {};
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      out.type = 'integer';
      out[CONNECT_TYPE] = schema.type.toLowerCase();
      break;
    case 'FLOAT32':
    case 'FLOAT64':
      out.type = 'number';
      out[CONNECT_TYPE] = schema.type.toLowerCase();
      break;
    case 'BOOLEAN':
      out.type = 'boolean';
      break;
    case 'STRING': {
      const symbols = Object.keys(schema.parameters ?? {})
        .filter((k) => k.startsWith(`${JSON_TYPE_ENUM}.`))
        .map((k) => k.slice(JSON_TYPE_ENUM.length + 1));
      out.type = 'string';
      if (symbols.length > 0) out.enum = symbols;
      break;
    }
    case 'BYTES':
      out.type = schema.name === DECIMAL_LOGICAL_NAME && options.decimalFormat === 'NUMERIC' ? 'number' : 'string';
      out[CONNECT_TYPE] = 'bytes';
      break;
    case 'ARRAY':
      out.type = 'array';
      out.items = fromConnectSchema(schema.valueSchema(), options);
      break;
    case 'MAP':
      if (schema.keySchema().type === 'STRING' && !schema.keySchema().optional) {
        out.type = 'object';
        out.additionalProperties = fromConnectSchema(schema.valueSchema(), options);
      } else {
        out.type = 'array';
        out.items = { type: 'object', properties: { key: fromConnectSchema(schema.keySchema(), options, 0), value: fromConnectSchema(schema.valueSchema(), options, 1) } };
      }
      out[CONNECT_TYPE] = 'map';
      break;
    case 'STRUCT':
      out.type = 'object';
      out.properties = Object.fromEntries(schema.fields().map((f) => [f.name, fromConnectSchema(f.schema, options, f.index)]));
      break;
  }
  if (schema.name !== null) out.title = schema.name;
  if (schema.version !== null) out[CONNECT_VERSION] = schema.version;
  if (schema.doc !== null) out.description = schema.doc;
  const params = Object.entries(schema.parameters ?? {}).filter(([k]) => !k.startsWith(NAMESPACE));
  if (params.length > 0) out[CONNECT_PARAMETERS] = Object.fromEntries(params);
  if (schema.defaultValue !== null) out.default = jsonTree(schema, schema.defaultValue, options);
  if (schema.optional) return withIndex({ oneOf: [{ type: 'null' }, out] }, index);
  return withIndex(out, index);
}

function withIndex(node: Record<string, unknown>, index: number | undefined): Record<string, unknown> {
  if (index !== undefined) node[CONNECT_INDEX] = index;
  return node;
}

function requiredCopy(schema: Schema): Schema {
  if (!schema.optional) return schema;
  const b = schema.type === 'STRUCT' ? SchemaBuilder.struct() : schema.type === 'ARRAY' ? SchemaBuilder.array(schema.valueSchema()) : schema.type === 'MAP' ? SchemaBuilder.map(schema.keySchema(), schema.valueSchema()) : SchemaBuilder.type(schema.type);
  if (schema.type === 'STRUCT') for (const f of schema.fields()) b.field(f.name, f.schema);
  if (schema.name !== null) b.name(schema.name);
  if (schema.version !== null) b.version(schema.version);
  if (schema.doc !== null) b.doc(schema.doc);
  if (schema.parameters !== null) b.parameters(schema.parameters);
  return b.build();
}

// ------------------------------------------------------------------ Connect value → JSON

/** A JSON tree for a Connect value (bigints kept as JsonNumber so no digit is lost). */
export function jsonTree(schema: Schema, value: unknown, options: JsonSchemaDataOptions, path = ''): JsonValue {
  let v = value;
  if (v === null || v === undefined) {
    if (schema.defaultValue !== null) v = schema.defaultValue;
    else if (schema.optional) return null;
    else throw new DataException(`Conversion error: null value for field that is required and has no default value${path === '' ? '' : ` (${path})`}`);
  }
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      const d = v as BigDecimal;
      return options.decimalFormat === 'NUMERIC' ? new JsonNumber(d.toPlainString()) : encodeBase64(LogicalDecimal.fromLogical(schema, d));
    }
    case DATE_LOGICAL_NAME:
      return LogicalDate.fromLogical(schema, v as Date);
    case TIME_LOGICAL_NAME:
      return LogicalTime.fromLogical(schema, v as Date);
    case TIMESTAMP_LOGICAL_NAME:
      return LogicalTimestamp.fromLogical(schema, v as Date);
  }
  switch (schema.type) {
    case 'INT64':
      return typeof v === 'bigint' ? new JsonNumber(v.toString()) : (v as number);
    case 'BYTES':
      return encodeBase64(v as Uint8Array);
    case 'ARRAY':
      return (v as unknown[]).map((item, i) => jsonTree(schema.valueSchema(), item, options, `${path}[${i}]`));
    case 'MAP': {
      const entries = [...(v as Map<unknown, unknown>).entries()];
      if (schema.keySchema().type === 'STRING' && !schema.keySchema().optional) {
        return Object.fromEntries(entries.map(([k, item]) => [k as string, jsonTree(schema.valueSchema(), item, options, `${path}[${String(k)}]`)]));
      }
      return entries.map(([k, item]) => ({ key: jsonTree(schema.keySchema(), k, options, `${path}.key`), value: jsonTree(schema.valueSchema(), item, options, `${path}.value`) }));
    }
    case 'STRUCT': {
      const struct = v as Struct;
      if (!(struct instanceof Struct)) throw new DataException(`Expected a Struct for ${schema}${path === '' ? '' : ` (${path})`}`);
      if (schema.name === JSON_TYPE_ONE_OF) {
        const set = schema.fields().find((f) => struct.get(f) !== null && struct.get(f) !== undefined);
        return set === undefined ? null : jsonTree(set.schema, struct.get(set), options, path);
      }
      const out: Record<string, JsonValue> = {};
      for (const f of schema.fields()) out[f.name] = jsonTree(f.schema, struct.get(f), options, path === '' ? f.name : `${path}.${f.name}`);
      return out;
    }
    default:
      return v as JsonValue;
  }
}

/** JSON text of a tree from jsonTree (JsonNumbers written as their digits). */
export function jsonText(value: JsonValue): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

// ------------------------------------------------------------------ JSON Schema → Connect

/** Resolves "$ref"s: "#/..." pointers into the document, or the names of referenced schemas. */
export class JsonSchemaRefs {
  private readonly root: JsonSchemaNode;
  private readonly documents: Map<string, JsonSchemaNode>;

  constructor(root: JsonSchemaNode, documents: Map<string, JsonSchemaNode>) {
    this.root = root;
    this.documents = documents;
  }

  resolve(node: JsonSchemaNode, depth = 0): JsonSchemaNode {
    if (typeof node !== 'object' || typeof node.$ref !== 'string') return node;
    if (depth > 50) throw new DataException(`$ref chain too deep at ${node.$ref}`);
    const ref = node.$ref;
    const hash = ref.indexOf('#');
    const docName = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    const doc = docName === '' ? this.root : this.documents.get(docName);
    if (doc === undefined) throw new DataException(`JSON Schema $ref "${ref}" names no referenced schema`);
    let target: unknown = doc;
    for (const part of pointer.split('/').filter((p) => p !== '')) {
      target = (target as Record<string, unknown> | undefined)?.[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (target === undefined) throw new DataException(`JSON Schema $ref "${ref}" points at nothing`);
    return this.resolve(target as JsonSchemaNode, depth + 1);
  }
}

export function toConnectSchema(node: JsonSchemaNode, refs: JsonSchemaRefs): Schema {
  return toConnect(node, refs, false, new Set());
}

function typesOf(node: Record<string, unknown>): string[] {
  const t = node.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

function toConnect(raw: JsonSchemaNode, refs: JsonSchemaRefs, forceOptional: boolean, visiting: Set<unknown>): Schema {
  const node = refs.resolve(raw);
  if (typeof node === 'boolean' || Object.keys(node).length === 0) throw new DataException('JSON Schemas that accept any value ({} or true) have no Connect equivalent');
  if (visiting.has(node)) throw new DataException('Recursive JSON Schemas are not supported by this converter');
  const union = (node.oneOf ?? node.anyOf) as JsonSchemaNode[] | undefined;
  let builder: SchemaBuilder;
  if (Array.isArray(union)) {
    const branches = union.map((b) => refs.resolve(b));
    const isNull = (b: JsonSchemaNode) => typeof b === 'object' && typesOf(b).length === 1 && typesOf(b)[0] === 'null';
    const nonNull = union.filter((_, i) => !isNull(branches[i]));
    if (nonNull.length === 1) return toConnect(nonNull[0], refs, true, visiting);
    builder = SchemaBuilder.struct().name(JSON_TYPE_ONE_OF);
    union.forEach((b, i) => {
      if (isNull(branches[i])) builder.optional();
      else builder.field(`${JSON_TYPE_ONE_OF}.field.${i}`, toConnect(b, refs, true, visiting));
    });
    return builder.build();
  }
  const types = typesOf(node).filter((t) => t !== 'null');
  const nullable = typesOf(node).includes('null');
  const connectType = node[CONNECT_TYPE];
  const type = types[0] ?? (Array.isArray(node.enum) ? 'string' : node.properties !== undefined ? 'object' : undefined);
  if (types.length > 1) throw new DataException(`JSON Schema with several types (${types.join(', ')}) has no Connect equivalent`);
  switch (type) {
    case 'integer':
      builder = SchemaBuilder.type(INT_TYPES[connectType as string] ?? 'INT64');
      break;
    case 'number':
      builder = connectType === 'float32' ? SchemaBuilder.float32() : connectType === 'bytes' ? SchemaBuilder.bytes() : SchemaBuilder.float64();
      break;
    case 'boolean':
      builder = SchemaBuilder.bool();
      break;
    case 'string':
      builder = connectType === 'bytes' ? SchemaBuilder.bytes() : SchemaBuilder.string();
      if (Array.isArray(node.enum)) {
        builder.parameter(JSON_TYPE_ENUM, '');
        for (const symbol of node.enum) builder.parameter(`${JSON_TYPE_ENUM}.${String(symbol)}`, String(symbol));
      }
      break;
    case 'array': {
      const items = refs.resolve((node.items ?? {}) as JsonSchemaNode);
      if (connectType === 'map' && typeof items === 'object' && typeof items.properties === 'object') {
        const props = items.properties as Record<string, JsonSchemaNode>;
        builder = SchemaBuilder.map(toConnect(props.key, refs, false, visiting), toConnect(props.value, refs, false, visiting));
      } else {
        builder = SchemaBuilder.array(toConnect((node.items ?? {}) as JsonSchemaNode, refs, false, visiting));
      }
      break;
    }
    case 'object':
      if (connectType === 'map') {
        builder = SchemaBuilder.map(SchemaBuilder.string().build(), toConnect((node.additionalProperties ?? {}) as JsonSchemaNode, refs, false, visiting));
      } else {
        builder = SchemaBuilder.struct();
        visiting.add(node);
        const props = Object.entries((node.properties ?? {}) as Record<string, JsonSchemaNode>);
        const indexed = props.map(([name, s], i) => {
          const resolved = refs.resolve(s);
          const idx = typeof s === 'object' && typeof s[CONNECT_INDEX] === 'number' ? (s[CONNECT_INDEX] as number) : typeof resolved === 'object' && typeof resolved[CONNECT_INDEX] === 'number' ? (resolved[CONNECT_INDEX] as number) : i;
          return { name, s, idx };
        });
        indexed.sort((a, b) => a.idx - b.idx);
        for (const { name, s } of indexed) builder.field(name, toConnect(s, refs, false, visiting));
        visiting.delete(node);
      }
      break;
    default:
      throw new DataException(`JSON Schema without a Connect equivalent: ${JSON.stringify(node).slice(0, 200)}`);
  }
  if (typeof node.title === 'string') {
    applyLogical(builder, node, node.title);
    if (builder.build().name === null) builder.name(node.title);
  }
  if (typeof node[CONNECT_VERSION] === 'number' && builder.build().version === null) builder.version(node[CONNECT_VERSION] as number);
  if (typeof node.description === 'string') builder.doc(node.description);
  const params = node[CONNECT_PARAMETERS];
  if (params !== null && typeof params === 'object') for (const [k, v] of Object.entries(params)) builder.parameter(k, String(v));
  if (forceOptional || nullable) builder.optional();
  if (node.default !== undefined && node.default !== null) {
    try {
      builder.defaultValue(connectValue(builder.build(), node.default as JsonValue));
    } catch {
      // Confluent ignores a default it cannot convert.
    }
  }
  return builder.build();
}

/** Logical types are recognised by their title (Connect's logical names). */
function applyLogical(builder: SchemaBuilder, node: Record<string, unknown>, title: string): void {
  if (title === DECIMAL_LOGICAL_NAME || title === DATE_LOGICAL_NAME || title === TIME_LOGICAL_NAME || title === TIMESTAMP_LOGICAL_NAME) {
    builder.name(title);
    if (typeof node[CONNECT_VERSION] !== 'number') builder.version(1);
  }
}

// ------------------------------------------------------------------ JSON → Connect value

export function connectValue(schema: Schema, json: JsonValue | undefined, path = ''): unknown {
  if (json === null || json === undefined) {
    if (schema.defaultValue !== null) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataException(`Invalid value: null used for required field${path === '' ? '' : ` "${path}"`}, schema type: ${schema.type}`);
  }
  const num = (): number => (json instanceof JsonNumber ? json.toNumber() : (json as number));
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      const scale = LogicalDecimal.scale(schema);
      if (typeof json === 'string') return LogicalDecimal.toLogical(schema, decodeBase64(json));
      const d = json instanceof JsonNumber ? json.toDecimal() : BigDecimal.fromNumber(json as number);
      return d.setScale(scale, 'HALF_UP');
    }
    case DATE_LOGICAL_NAME:
      return LogicalDate.toLogical(schema, num());
    case TIME_LOGICAL_NAME:
      return LogicalTime.toLogical(schema, num());
    case TIMESTAMP_LOGICAL_NAME:
      return LogicalTimestamp.toLogical(schema, num());
  }
  const mismatch = (): DataException => new DataException(`Invalid JSON for ${schema.type}${path === '' ? '' : ` at "${path}"`}: ${JSON.stringify(json instanceof JsonNumber ? json.text : json)}`);
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
      if (typeof json !== 'number' || !Number.isInteger(json)) throw mismatch();
      return json;
    case 'INT64':
      if (json instanceof JsonNumber) {
        if (!json.integral) throw mismatch();
        return BigInt(json.text);
      }
      if (typeof json !== 'number' || !Number.isInteger(json)) throw mismatch();
      return json;
    case 'FLOAT32':
    case 'FLOAT64':
      if (typeof json !== 'number' && !(json instanceof JsonNumber)) throw mismatch();
      return num();
    case 'BOOLEAN':
      if (typeof json !== 'boolean') throw mismatch();
      return json;
    case 'STRING':
      if (typeof json !== 'string') throw mismatch();
      return json;
    case 'BYTES':
      if (typeof json !== 'string') throw mismatch();
      return decodeBase64(json);
    case 'ARRAY':
      if (!Array.isArray(json)) throw mismatch();
      return json.map((item, i) => connectValue(schema.valueSchema(), item, `${path}[${i}]`));
    case 'MAP':
      if (Array.isArray(json)) {
        return new Map(json.map((e) => [connectValue(schema.keySchema(), (e as Record<string, JsonValue>).key, `${path}.key`), connectValue(schema.valueSchema(), (e as Record<string, JsonValue>).value, `${path}.value`)]));
      }
      if (typeof json !== 'object' || json instanceof JsonNumber) throw mismatch();
      return new Map(Object.entries(json).map(([k, item]) => [k, connectValue(schema.valueSchema(), item, `${path}[${k}]`)]));
    case 'STRUCT': {
      const struct = new Struct(schema);
      if (schema.name === JSON_TYPE_ONE_OF) {
        for (const f of schema.fields()) {
          try {
            struct.put(f, connectValue(f.schema, json, path));
            return struct;
          } catch {
            // Try the next branch.
          }
        }
        throw mismatch();
      }
      if (typeof json !== 'object' || Array.isArray(json) || json instanceof JsonNumber) throw mismatch();
      for (const f of schema.fields()) struct.put(f, connectValue(f.schema, json[f.name], path === '' ? f.name : `${path}.${f.name}`));
      return struct;
    }
  }
}
