/**
 * Connect schemas ⇄ Avro schemas, as Confluent's AvroData translates them, so that a schema our
 * AvroConverter registers is the one Confluent's would register (same canonical text, same id):
 *   INT8/INT16 → int with "connect.type"; INT32 int; INT64 long; FLOAT32 float; FLOAT64 double
 *   STRUCT → record (unnamed ones are io.confluent.connect.avro.ConnectDefault[N])
 *   MAP with required string keys → map; other maps → array of io.confluent.connect.avro.MapEntry
 *   optional → union with null (null first, unless there is a default value)
 *   Decimal/Date/Time/Timestamp → Avro logical types; names, docs, versions and parameters in
 *   "connect.*" properties (connect.meta.data=true).
 * Avro enums come back as STRING with io.confluent.connect.avro.Enum parameters, general unions as
 * STRUCTs named io.confluent.connect.avro.Union, fixed as BYTES with connect.fixed.size.
 */
import type {
  BigDecimal} from '../../api/index.ts';
import {
  DataException,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  LogicalDecimal,
  SchemaBuilder,
  Struct,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
  type Schema,
} from '../../api/index.ts';
import { AvroNames, branchName, fullName, typeOf, type AvroJson, type AvroObject } from './avro-names.ts';

export const NAMESPACE = 'io.confluent.connect.avro';
export const DEFAULT_SCHEMA_NAME = 'ConnectDefault';
export const MAP_ENTRY_TYPE_NAME = 'MapEntry';
export const AVRO_TYPE_UNION = `${NAMESPACE}.Union`;
export const AVRO_TYPE_ENUM = `${NAMESPACE}.Enum`;
const AVRO_RECORD_DOC_PROP = `${NAMESPACE}.record.doc`;
const AVRO_FIELD_DOC_PREFIX_PROP = `${NAMESPACE}.field.doc.`;
const AVRO_ENUM_DOC_PREFIX_PROP = `${NAMESPACE}.enum.doc.`;
const AVRO_ENUM_DEFAULT_PREFIX_PROP = `${NAMESPACE}.enum.default.`;
const AVRO_FIELD_DEFAULT_FLAG_PROP = `${NAMESPACE}.field.default`;
const CONNECT_NAME_PROP = 'connect.name';
const CONNECT_DOC_PROP = 'connect.doc';
const CONNECT_VERSION_PROP = 'connect.version';
const CONNECT_DEFAULT_VALUE_PROP = 'connect.default';
const CONNECT_PARAMETERS_PROP = 'connect.parameters';
const CONNECT_INTERNAL_TYPE_NAME = 'connect.internal.type';
const CONNECT_TYPE_PROP = 'connect.type';
const CONNECT_AVRO_FIXED_SIZE_PROP = 'connect.fixed.size';
const CONNECT_AVRO_DECIMAL_PRECISION_PROP = 'connect.decimal.precision';
const DECIMAL_PRECISION_DEFAULT = 64;
const MILLIS_PER_DAY = 86_400_000;

export interface AvroDataOptions {
  /** connect.meta.data: carry Connect names, docs, versions and parameters in connect.* properties. */
  connectMetaData: boolean;
}

function splitName(name: string): { namespace: string | undefined; name: string } {
  const i = name.lastIndexOf('.');
  return i < 0 ? { namespace: undefined, name } : { namespace: name.slice(0, i), name: name.slice(i + 1) };
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

// ------------------------------------------------------------------ Connect → Avro

class FromConnectContext {
  unnamed = 0;
  /** Non-optional schemas already written, by structural equality: later uses refer to them by name. */
  readonly written: { schema: Schema; name: string }[] = [];

  nextDefaultName(): { namespace: string; name: string } {
    this.unnamed++;
    return { namespace: NAMESPACE, name: DEFAULT_SCHEMA_NAME + (this.unnamed > 1 ? this.unnamed : '') };
  }

  refer(schema: Schema): string | undefined {
    return this.written.find((w) => w.schema.equals(schema))?.name;
  }
}

const isFixed = (schema: Schema): boolean => schema.parameters?.[CONNECT_AVRO_FIXED_SIZE_PROP] !== undefined;
const isUnionStruct = (schema: Schema): boolean => schema.type === 'STRUCT' && schema.name === AVRO_TYPE_UNION;

/** The same schema, required (for the non-null branch of an optional). */
function nonOptional(schema: Schema): Schema {
  if (!schema.optional) return schema;
  let b: SchemaBuilder;
  switch (schema.type) {
    case 'STRUCT':
      b = SchemaBuilder.struct();
      for (const f of schema.fields()) b.field(f.name, f.schema);
      break;
    case 'ARRAY':
      b = SchemaBuilder.array(schema.valueSchema());
      break;
    case 'MAP':
      b = SchemaBuilder.map(schema.keySchema(), schema.valueSchema());
      break;
    default:
      b = SchemaBuilder.type(schema.type);
  }
  if (schema.name !== null) b.name(schema.name);
  if (schema.version !== null) b.version(schema.version);
  if (schema.doc !== null) b.doc(schema.doc);
  if (schema.parameters !== null) b.parameters(schema.parameters);
  if (schema.defaultValue !== null) b.defaultValue(schema.defaultValue);
  return b.build();
}

function parametersJson(params: Readonly<Record<string, string>>): Record<string, string> {
  return { ...params };
}

/** A Connect value as the JSON Avro uses for defaults (bytes as ISO-8859-1 text). */
export function defaultValueToJson(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return latin1(LogicalDecimal.fromLogical(schema, value as BigDecimal));
    case DATE_LOGICAL_NAME:
      return Math.floor((value as Date).getTime() / MILLIS_PER_DAY);
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      return (value as Date).getTime();
  }
  switch (schema.type) {
    case 'INT64':
      return Number(value);
    case 'BYTES':
      return latin1(value as Uint8Array);
    case 'ARRAY':
      return (value as unknown[]).map((v) => defaultValueToJson(schema.valueSchema(), v));
    case 'MAP': {
      const entries = [...(value as Map<unknown, unknown>).entries()];
      if (schema.keySchema().type === 'STRING' && !schema.keySchema().optional) {
        return Object.fromEntries(entries.map(([k, v]) => [k as string, defaultValueToJson(schema.valueSchema(), v)]));
      }
      return entries.map(([k, v]) => ({ key: defaultValueToJson(schema.keySchema(), k), value: defaultValueToJson(schema.valueSchema(), v) }));
    }
    case 'STRUCT': {
      const struct = value as Struct;
      return Object.fromEntries(schema.fields().map((f) => [f.name, defaultValueToJson(f.schema, struct.get(f))]));
    }
    default:
      return value;
  }
}

export function fromConnectSchema(schema: Schema, options: AvroDataOptions): AvroJson {
  return fromConnect(schema, new FromConnectContext(), options, false);
}

function fromConnect(schema: Schema, ctx: FromConnectContext, options: AvroDataOptions, ignoreOptional: boolean): AvroJson {
  if (!schema.optional && !isUnionStruct(schema)) {
    const name = ctx.refer(schema);
    if (name !== undefined) return name;
  }
  let base: AvroJson;
  let connectType: string | undefined;
  const props: [string, unknown][] = [];
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
      connectType = schema.type === 'INT8' ? 'int8' : 'int16';
      base = { type: 'int' };
      break;
    case 'INT32':
      base = { type: 'int' };
      break;
    case 'INT64':
      base = { type: 'long' };
      break;
    case 'FLOAT32':
      base = { type: 'float' };
      break;
    case 'FLOAT64':
      base = { type: 'double' };
      break;
    case 'BOOLEAN':
      base = { type: 'boolean' };
      break;
    case 'STRING':
      base = { type: 'string' };
      break;
    case 'BYTES': {
      if (isFixed(schema)) {
        const n = schema.name !== null ? splitName(schema.name) : ctx.nextDefaultName();
        base = { type: 'fixed', name: n.name, ...(n.namespace !== undefined ? { namespace: n.namespace } : {}), size: Number(schema.parameters?.[CONNECT_AVRO_FIXED_SIZE_PROP]) };
      } else {
        base = { type: 'bytes' };
      }
      if (schema.name === DECIMAL_LOGICAL_NAME) {
        props.push(['scale', LogicalDecimal.scale(schema)]);
        props.push(['precision', Number(schema.parameters?.[CONNECT_AVRO_DECIMAL_PRECISION_PROP] ?? DECIMAL_PRECISION_DEFAULT)]);
      }
      break;
    }
    case 'ARRAY':
      base = { type: 'array', items: fromConnect(schema.valueSchema(), ctx, options, false) };
      break;
    case 'MAP': {
      const key = schema.keySchema();
      if (key.type === 'STRING' && !key.optional) {
        base = { type: 'map', values: fromConnect(schema.valueSchema(), ctx, options, false) };
      } else {
        const n = schema.name === null ? { namespace: NAMESPACE, name: MAP_ENTRY_TYPE_NAME } : splitName(schema.name);
        const entry: AvroObject = { type: 'record', name: n.name, ...(n.namespace !== undefined ? { namespace: n.namespace } : {}), fields: [] };
        entry.fields = [recordField('key', key, null, ctx, options), recordField('value', schema.valueSchema(), null, ctx, options)];
        if (schema.name !== null) entry[CONNECT_INTERNAL_TYPE_NAME] = MAP_ENTRY_TYPE_NAME;
        base = { type: 'array', items: entry };
      }
      break;
    }
    case 'STRUCT': {
      if (isUnionStruct(schema)) {
        const branches: AvroJson[] = schema.optional ? ['null'] : [];
        for (const f of schema.fields()) branches.push(fromConnect(nonOptional(f.schema), ctx, options, true));
        return branches;
      }
      if (schema.optional) {
        const inner = fromConnect(nonOptional(schema), ctx, options, false);
        return ['null', inner];
      }
      const n = schema.name !== null ? splitName(schema.name) : ctx.nextDefaultName();
      const doc = schema.parameters?.[AVRO_RECORD_DOC_PROP];
      const record: AvroObject = { type: 'record', name: n.name };
      if (n.namespace !== undefined) record.namespace = n.namespace;
      if (doc !== undefined) record.doc = doc;
      // Register before the fields: a field of the same struct type refers to it by name.
      if (schema.name !== null) ctx.written.push({ schema, name: fullName(n.name, n.namespace) });
      record.fields = schema.fields().map((f) => recordField(f.name, f.schema, schema.parameters?.[AVRO_FIELD_DOC_PREFIX_PROP + f.name] ?? null, ctx, options));
      base = record;
      break;
    }
  }
  const out = base as AvroObject;
  for (const [k, v] of props) out[k] = v;
  if (options.connectMetaData) {
    if (schema.doc !== null) out[CONNECT_DOC_PROP] = schema.doc;
    if (schema.version !== null) out[CONNECT_VERSION_PROP] = schema.version;
    if (schema.parameters !== null && Object.keys(schema.parameters).length > 0) out[CONNECT_PARAMETERS_PROP] = parametersJson(schema.parameters);
    if (schema.defaultValue !== null && schema.parameters?.[AVRO_FIELD_DEFAULT_FLAG_PROP] === undefined) {
      out[CONNECT_DEFAULT_VALUE_PROP] = defaultValueToJson(schema, schema.defaultValue);
    }
    if (schema.name !== null) out[CONNECT_NAME_PROP] = schema.name;
    if (connectType !== undefined) out[CONNECT_TYPE_PROP] = connectType;
  }
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      out.logicalType = 'decimal';
      break;
    case TIME_LOGICAL_NAME:
      out.logicalType = 'time-millis';
      break;
    case TIMESTAMP_LOGICAL_NAME:
      out.logicalType = 'timestamp-millis';
      break;
    case DATE_LOGICAL_NAME:
      out.logicalType = 'date';
      break;
  }
  for (const [k, v] of Object.entries(schema.parameters ?? {})) if (k.startsWith('avro')) out[k] = v;
  // Plain primitives without properties are written as their type name.
  const simplified = Object.keys(out).length === 1 && typeof out.type === 'string' ? out.type : out;
  if (!schema.optional || ignoreOptional) {
    if (!schema.optional && typeof simplified !== 'string' && typeof (simplified as AvroObject).name === 'string' && schema.type !== 'STRUCT') {
      ctx.written.push({ schema, name: fullName((simplified as AvroObject).name as string, (simplified as AvroObject).namespace as string | undefined) });
    }
    return simplified;
  }
  return schema.defaultValue !== null ? [simplified, 'null'] : ['null', simplified];
}

function recordField(name: string, schema: Schema, doc: string | null, ctx: FromConnectContext, options: AvroDataOptions): Record<string, unknown> {
  const field: Record<string, unknown> = { name, type: fromConnect(schema, ctx, options, false) };
  if (doc !== null) field.doc = doc;
  if (schema.defaultValue !== null) field.default = defaultValueToJson(schema, schema.defaultValue);
  else if (schema.optional) field.default = null;
  return field;
}

// ------------------------------------------------------------------ Avro → Connect

export function toConnectSchema(schema: AvroJson, names: AvroNames, options: AvroDataOptions): Schema {
  return toConnect(schema, undefined, names, options, { forceOptional: false, fieldDefault: undefined, fieldDoc: null }, new Set());
}

interface FieldContext {
  forceOptional: boolean;
  /** The record field's default (JSON), which wins over connect.default. */
  fieldDefault: unknown;
  fieldDoc: string | null;
}

function unionMemberFieldName(node: AvroJson, namespace: string | undefined): string {
  const type = typeOf(node);
  if (type === 'record' || type === 'enum' || type === 'fixed') return splitName(branchName(node, namespace)).name;
  return type;
}

function toConnect(raw: AvroJson, namespace: string | undefined, names: AvroNames, options: AvroDataOptions, field: FieldContext, visiting: Set<AvroObject>): Schema {
  const { node, namespace: ns } = names.resolve(raw, namespace);
  if (typeof node === 'object' && !Array.isArray(node)) {
    if (visiting.has(node)) throw new DataException(`Recursive Avro schemas are not supported by this converter (${String(node.name)})`);
  }
  const obj: AvroObject = typeof node === 'string' ? { type: node } : Array.isArray(node) ? { type: node } : node;
  const type = typeOf(node);
  const logicalType = typeof obj.logicalType === 'string' ? obj.logicalType : undefined;
  let builder: SchemaBuilder;
  const innerNs = type === 'record' || type === 'enum' || type === 'fixed' ? AvroNames.innerNamespace(obj, ns) : ns;
  switch (type) {
    case 'boolean':
      builder = SchemaBuilder.bool();
      break;
    case 'bytes':
    case 'fixed':
      if (logicalType === 'decimal') {
        builder = LogicalDecimal.builder(typeof obj.scale === 'number' ? obj.scale : 0);
        if (typeof obj.precision === 'number' && obj.precision !== DECIMAL_PRECISION_DEFAULT) builder.parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP, String(obj.precision));
      } else {
        builder = SchemaBuilder.bytes();
      }
      if (type === 'fixed') builder.parameter(CONNECT_AVRO_FIXED_SIZE_PROP, String(obj.size));
      break;
    case 'double':
      builder = SchemaBuilder.float64();
      break;
    case 'float':
      builder = SchemaBuilder.float32();
      break;
    case 'int': {
      const connectType = obj[CONNECT_TYPE_PROP];
      if (logicalType === 'date') builder = SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1);
      else if (logicalType === 'time-millis') builder = SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1);
      else if (connectType === 'int8') builder = SchemaBuilder.int8();
      else if (connectType === 'int16') builder = SchemaBuilder.int16();
      else builder = SchemaBuilder.int32();
      break;
    }
    case 'long':
      builder = logicalType === 'timestamp-millis' ? SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1) : SchemaBuilder.int64();
      break;
    case 'string':
      builder = SchemaBuilder.string();
      break;
    case 'array': {
      const items = names.resolve(obj.items as AvroJson, ns);
      if (isMapEntry(items.node, items.namespace)) {
        const entry = items.node as AvroObject;
        const fields = entry.fields as { name: string; type: AvroJson }[];
        const key = fields.find((f) => f.name === 'key');
        const value = fields.find((f) => f.name === 'value');
        if (fields.length !== 2 || key === undefined || value === undefined) {
          throw new DataException('Found map encoded as array of key-value pairs, but array elements do not match the expected format.');
        }
        const entryNs = AvroNames.innerNamespace(entry, items.namespace);
        const noField: FieldContext = { forceOptional: false, fieldDefault: undefined, fieldDoc: null };
        builder = SchemaBuilder.map(toConnect(key.type, entryNs, names, options, noField, visiting), toConnect(value.type, entryNs, names, options, noField, visiting));
      } else {
        builder = SchemaBuilder.array(toConnect(obj.items as AvroJson, ns, names, options, { forceOptional: false, fieldDefault: undefined, fieldDoc: null }, visiting));
      }
      break;
    }
    case 'map':
      builder = SchemaBuilder.map(SchemaBuilder.string().build(), toConnect(obj.values as AvroJson, ns, names, options, { forceOptional: false, fieldDefault: undefined, fieldDoc: null }, visiting));
      break;
    case 'record':
    case 'error': {
      builder = SchemaBuilder.struct();
      visiting.add(obj);
      if (options.connectMetaData && typeof obj.doc === 'string') builder.parameter(AVRO_RECORD_DOC_PROP, obj.doc);
      for (const f of obj.fields as { name: string; type: AvroJson; doc?: string; default?: unknown }[]) {
        if (options.connectMetaData && typeof f.doc === 'string') builder.parameter(AVRO_FIELD_DOC_PREFIX_PROP + f.name, f.doc);
        const fieldSchema = toConnect(f.type, innerNs, names, options, { forceOptional: false, fieldDefault: 'default' in f ? f.default : undefined, fieldDoc: f.doc ?? null }, visiting);
        builder.field(f.name, fieldSchema);
      }
      visiting.delete(obj);
      break;
    }
    case 'enum': {
      builder = SchemaBuilder.string();
      const simple = splitName(branchName(obj, ns)).name;
      if (options.connectMetaData) {
        if (typeof obj.doc === 'string') builder.parameter(AVRO_ENUM_DOC_PREFIX_PROP + simple, obj.doc);
        if (typeof obj.default === 'string') builder.parameter(AVRO_ENUM_DEFAULT_PREFIX_PROP + simple, obj.default);
      }
      builder.parameter(AVRO_TYPE_ENUM, branchName(obj, ns));
      for (const symbol of obj.symbols as string[]) builder.parameter(`${AVRO_TYPE_ENUM}.${symbol}`, symbol);
      break;
    }
    case 'union': {
      const branches = node as AvroJson[];
      const resolved = branches.map((b) => names.resolve(b, ns));
      if (branches.length === 2 && resolved.some((r) => r.node === 'null')) {
        const other = branches[resolved.findIndex((r) => r.node !== 'null')];
        return toConnect(other, ns, names, options, { forceOptional: true, fieldDefault: undefined, fieldDoc: field.fieldDoc }, visiting);
      }
      builder = SchemaBuilder.struct().name(AVRO_TYPE_UNION);
      const seen = new Set<string>();
      branches.forEach((b, i) => {
        if (resolved[i].node === 'null') {
          builder.optional();
          return;
        }
        const name = unionMemberFieldName(resolved[i].node, resolved[i].namespace);
        if (seen.has(name)) throw new DataException('Multiple union schemas map to the Connect union field name');
        seen.add(name);
        builder.field(name, toConnect(b, ns, names, options, { forceOptional: true, fieldDefault: undefined, fieldDoc: null }, visiting));
      });
      break;
    }
    case 'null':
      throw new DataException('Standalone null schemas are not supported by this converter');
    default:
      throw new DataException(`Couldn't translate unsupported schema type ${type}.`);
  }

  if (options.connectMetaData && typeof obj[CONNECT_DOC_PROP] === 'string') builder.doc(obj[CONNECT_DOC_PROP] as string);
  const version = obj[CONNECT_VERSION_PROP];
  if (version !== undefined) {
    if (typeof version !== 'number') throw new DataException(`Invalid Connect version found: ${JSON.stringify(version)}`);
    const existing = builder.build().version;
    if (existing === null) builder.version(version);
    else if (existing !== version) {
      throw new DataException(`Mismatched versions: version already added to SchemaBuilder (${existing}) differs from version in source schema (${version})`);
    }
  }
  const params = obj[CONNECT_PARAMETERS_PROP];
  if (options.connectMetaData && params !== undefined) {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new DataException(`Expected JSON object for schema parameters but found: ${JSON.stringify(params)}`);
    for (const [k, v] of Object.entries(params)) {
      if (typeof v !== 'string') throw new DataException(`Expected schema parameter values to be strings but found: ${JSON.stringify(v)}`);
      builder.parameter(k, v);
    }
  }
  for (const [k, v] of Object.entries(obj)) if (k.startsWith('avro') && k !== 'type') builder.parameter(k, typeof v === 'string' ? v : JSON.stringify(v));

  const connectDefault = obj[CONNECT_DEFAULT_VALUE_PROP];
  let defaultJson = field.fieldDefault;
  if (defaultJson === undefined) defaultJson = connectDefault;
  else if (options.connectMetaData && connectDefault === undefined) builder.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, 'true');
  if (field.forceOptional) builder.optional();
  if (defaultJson !== undefined && defaultJson !== null) {
    try {
      builder.defaultValue(defaultValueFromJson(builder.build(), node, ns, names, defaultJson));
    } catch {
      // Confluent logs and ignores a default it cannot convert.
    }
  }

  let name: string | undefined;
  if (typeof obj[CONNECT_NAME_PROP] === 'string') name = obj[CONNECT_NAME_PROP] as string;
  else if (type === 'record' || type === 'error' || type === 'enum' || (type === 'fixed' && logicalType !== 'decimal')) name = branchName(obj, ns);
  const current = builder.build().name;
  if (name !== undefined && !name.startsWith(`${NAMESPACE}.${DEFAULT_SCHEMA_NAME}`) && current === null) builder.name(name);
  return builder.build();
}

function isMapEntry(node: AvroJson, namespace: string | undefined): boolean {
  if (typeof node !== 'object' || Array.isArray(node) || typeOf(node) !== 'record') return false;
  return branchName(node, namespace) === `${NAMESPACE}.${MAP_ENTRY_TYPE_NAME}` || node[CONNECT_INTERNAL_TYPE_NAME] === MAP_ENTRY_TYPE_NAME;
}

/** A default value (Avro JSON) as a Connect value of `schema`. */
function defaultValueFromJson(schema: Schema, node: AvroJson, namespace: string | undefined, names: AvroNames, json: unknown): unknown {
  if (json === null) return null;
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return LogicalDecimal.toLogical(schema, Buffer.from(json as string, 'latin1'));
    case DATE_LOGICAL_NAME:
      return new Date((json as number) * MILLIS_PER_DAY);
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      return new Date(json as number);
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'FLOAT32':
    case 'FLOAT64':
      if (typeof json !== 'number') throw new DataException('invalid default');
      return json;
    case 'INT64':
      if (typeof json !== 'number') throw new DataException('invalid default');
      return Number.isSafeInteger(json) ? json : BigInt(json);
    case 'BOOLEAN':
    case 'STRING':
      return json;
    case 'BYTES':
      return Buffer.from(json as string, 'latin1');
    case 'ARRAY':
      return (json as unknown[]).map((v) => defaultValueFromJson(schema.valueSchema(), itemNode(node, namespace, names), namespace, names, v));
    case 'MAP':
      if (Array.isArray(json)) return new Map(json.map((e: { key: unknown; value: unknown }) => [defaultValueFromJson(schema.keySchema(), 'string', namespace, names, e.key), defaultValueFromJson(schema.valueSchema(), 'string', namespace, names, e.value)]));
      return new Map(Object.entries(json as object).map(([k, v]) => [k, defaultValueFromJson(schema.valueSchema(), 'string', namespace, names, v)]));
    case 'STRUCT': {
      const struct = new Struct(schema);
      if (schema.name === AVRO_TYPE_UNION) {
        const first = schema.fields()[0];
        if (first !== undefined) struct.put(first, defaultValueFromJson(first.schema, 'string', namespace, names, json));
        return struct;
      }
      for (const f of schema.fields()) {
        const v = (json as Record<string, unknown>)[f.name];
        if (v !== undefined) struct.put(f, defaultValueFromJson(f.schema, 'string', namespace, names, v));
      }
      return struct;
    }
  }
}

function itemNode(node: AvroJson, namespace: string | undefined, names: AvroNames): AvroJson {
  const resolved = names.resolve(node, namespace).node;
  return typeof resolved === 'object' && !Array.isArray(resolved) ? ((resolved.items as AvroJson) ?? 'string') : 'string';
}
