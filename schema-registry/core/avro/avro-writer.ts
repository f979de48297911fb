/**
 * Avro schema text as Confluent stores it.
 * - canonical: what Avro's Java Schema.toString writes (Confluent's AvroSchema.canonicalString):
 *   fixed attribute order, namespaces only where they differ from the enclosing one, each named
 *   type defined once, types from references written by name.
 * - normalized (`normalize=true`): Confluent's normalization — full names, properties and aliases
 *   sorted, defaults converted to their field types — then read back and written canonically.
 */
import { JsonNumber, isJsonObject, type JsonNode, type JsonObject } from '../json/json-tree.ts';
import { quoteJson, writeJson } from '../json/json-writer.ts';
import { javaDoubleToString } from '../json/java-numbers.ts';
import { parseAvro, isValidDefault } from './avro-parser.ts';
import { aliasStrings, qualifiedName, type AvroField, type AvroNamed, type AvroSchema } from './avro-types.ts';

export function avroCanonicalString(schema: AvroSchema, referencedNames: ReadonlySet<string>): string {
  return toJson(schema, new Set(referencedNames), null);
}

function writeProps(props: JsonObject): string {
  let out = '';
  for (const [k, v] of props) out += `,${quoteJson(k)}:${writeJson(v, 'double')}`;
  return out;
}

function writeName(s: AvroNamed, space: string | null): string {
  let out = `"name":${quoteJson(s.name.name)}`;
  if (s.name.space !== null) {
    if (s.name.space !== space) out += `,"namespace":${quoteJson(s.name.space)}`;
  } else if (space !== null) out += ',"namespace":""';
  return out;
}

function writeAliases(s: AvroNamed): string {
  if (s.aliases.length === 0) return '';
  return `,"aliases":[${s.aliases.map((a) => quoteJson(qualifiedName(a, s.name.space))).join(',')}]`;
}

function toJson(s: AvroSchema, known: Set<string>, space: string | null): string {
  switch (s.kind) {
    case 'primitive':
      return s.props.size === 0 ? `"${s.type}"` : `{"type":"${s.type}"${writeProps(s.props)}}`;
    case 'array':
      return `{"type":"array","items":${toJson(s.items, known, space)}${writeProps(s.props)}}`;
    case 'map':
      return `{"type":"map","values":${toJson(s.values, known, space)}${writeProps(s.props)}}`;
    case 'union':
      return `[${s.types.map((t) => toJson(t, known, space)).join(',')}]`;
    default:
      break;
  }
  if (known.has(s.name.full)) return quoteJson(qualifiedName(s.name, space));
  known.add(s.name.full);
  const doc = s.doc === undefined ? '' : `,"doc":${quoteJson(s.doc)}`;
  switch (s.kind) {
    case 'record': {
      const fields = s.fields.map((f) => fieldJson(f, known, s.name.space)).join(',');
      return `{"type":"${s.isError ? 'error' : 'record'}",${writeName(s, space)}${doc},"fields":[${fields}]${writeProps(s.props)}${writeAliases(s)}}`;
    }
    case 'enum': {
      const def = s.enumDefault === undefined ? '' : `,"default":${quoteJson(s.enumDefault)}`;
      const symbols = s.symbols.map(quoteJson).join(',');
      return `{"type":"enum",${writeName(s, space)}${doc},"symbols":[${symbols}]${def}${writeProps(s.props)}${writeAliases(s)}}`;
    }
    case 'fixed':
      return `{"type":"fixed",${writeName(s, space)}${doc},"size":${s.size}${writeProps(s.props)}${writeAliases(s)}}`;
  }
}

function fieldJson(f: AvroField, known: Set<string>, space: string | null): string {
  let out = `{"name":${quoteJson(f.name)},"type":${toJson(f.type, known, space)}`;
  if (f.doc !== undefined) out += `,"doc":${quoteJson(f.doc)}`;
  if (f.default !== undefined) out += `,"default":${writeJson(f.default, 'double')}`;
  if (f.order !== 'ascending') out += `,"order":"${f.order}"`;
  if (f.aliases.length > 0) out += `,"aliases":[${f.aliases.map(quoteJson).join(',')}]`;
  return `${out}${writeProps(f.props)}}`;
}

/**
 * Confluent's normalized form of `schema`, returned as the canonical string of the normalized
 * schema (parsed again after the referenced types, exactly as Confluent does).
 */
export function avroNormalizedString(schema: AvroSchema, referencedNames: ReadonlySet<string>, referenceTexts: readonly string[]): string {
  const env = new Set(referencedNames);
  const normalized = build(schema, env);
  const reparsed = parseAvro(normalized, referenceTexts, { validateDefaults: false });
  return avroCanonicalString(reparsed.schema, reparsed.referencedNames);
}

const sortedProps = (props: JsonObject): string =>
  [...props.keys()]
    .sort(compareJavaStrings)
    .map((k) => `,${quoteJson(k)}:${writeJson(props.get(k) as JsonNode, 'double')}`)
    .join('');

/** Java String.compareTo order (UTF-16 code units), which TreeMap/TreeSet use. */
function compareJavaStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function build(s: AvroSchema, env: Set<string>): string {
  const lt = validLogicalType(s);
  switch (s.kind) {
    case 'union':
      return `[${s.types.map((t) => build(t, env)).join(',')}]`;
    case 'array':
    case 'map': {
      const inner = s.kind === 'array' ? `,"items":${build(s.items, env)}` : `,"values":${build(s.values, env)}`;
      return `{"type":"${s.kind}"${inner}${logicalProps(lt)}${sortedProps(s.props)}}`;
    }
    case 'primitive':
      if (lt !== undefined) return `{"type":"${s.type}"${logicalProps(lt)}${sortedProps(s.props)}}`;
      return s.props.size > 0 ? `{"type":"${s.type}"${sortedProps(s.props)}}` : `"${s.type}"`;
    default:
      break;
  }
  const full = s.name.full;
  if (env.has(full)) return quoteJson(full);
  env.add(full);
  let out = `{"name":${quoteJson(full)},"type":"${s.kind}"`;
  if (s.kind === 'enum') out += `,"symbols":[${s.symbols.map(quoteJson).join(',')}]`;
  else if (s.kind === 'fixed') out += `,"size":${s.size}`;
  else out += `,"fields":[${s.fields.map((f) => buildField(f, env)).join(',')}]`;
  out += logicalProps(lt);
  if (s.doc !== undefined && s.doc !== '') out += `,"doc":${quoteJson(s.doc)}`;
  const aliases = aliasStrings(s).sort(compareJavaStrings);
  if (aliases.length > 0) out += `,"aliases":[${[...new Set(aliases)].map(quoteJson).join(',')}]`;
  if (s.kind === 'enum' && s.enumDefault !== undefined) out += `,"default":${quoteJson(s.enumDefault)}`;
  return `${out}${sortedProps(s.props)}}`;
}

function buildField(f: AvroField, env: Set<string>): string {
  let out = `{"name":${quoteJson(f.name)},"type":${build(f.type, env)},"order":"${f.order.toUpperCase()}"`;
  if (f.doc !== undefined) out += `,"doc":${quoteJson(f.doc)}`;
  if (f.aliases.length > 0) out += `,"aliases":[${[...new Set(f.aliases)].sort(compareJavaStrings).map(quoteJson).join(',')}]`;
  if (f.default !== undefined) out += `,"default":${writeJson(defaultAsTyped(f.type, f.default), 'double')}`;
  return `${out}${sortedProps(f.props)}}`;
}

/** A default converted to the Java value of its type and back, as Avro's Field.defaultVal() does. */
function defaultAsTyped(type: AvroSchema, v: JsonNode): JsonNode {
  switch (type.kind) {
    case 'primitive':
      if ((type.type === 'float' || type.type === 'double') && v instanceof JsonNumber) return new JsonNumber(javaDoubleToString(v.value));
      return v;
    case 'union': {
      const branch = type.types.find((t) => isValidDefault(t, v));
      return branch === undefined ? v : defaultAsTyped(branch, v);
    }
    case 'array':
      return Array.isArray(v) ? v.map((x) => defaultAsTyped(type.items, x)) : v;
    case 'map':
      return isJsonObject(v) ? new Map([...v].map(([k, x]) => [k, defaultAsTyped(type.values, x)])) : v;
    case 'record': {
      if (!isJsonObject(v)) return v;
      const out: JsonObject = new Map();
      for (const f of type.fields) {
        const x = v.has(f.name) ? (v.get(f.name) as JsonNode) : f.default;
        if (x !== undefined) out.set(f.name, defaultAsTyped(f.type, x));
      }
      return out;
    }
    default:
      return v;
  }
}

interface LogicalType {
  name: string;
  precision?: number;
  scale?: number;
}

const intProp = (props: JsonObject, key: string): number | undefined => {
  const v = props.get(key);
  return v instanceof JsonNumber && v.isIntegral ? v.value : undefined;
};

/** The logical type Avro would attach (LogicalTypes.fromSchemaIgnoreInvalid), if valid. */
function validLogicalType(s: AvroSchema): LogicalType | undefined {
  if (s.kind === 'union') return undefined;
  const name = s.props.get('logicalType');
  if (typeof name !== 'string') return undefined;
  const base = s.kind === 'primitive' ? s.type : s.kind;
  switch (name) {
    case 'decimal': {
      if (base !== 'bytes' && base !== 'fixed') return undefined;
      const precision = intProp(s.props, 'precision');
      const scale = intProp(s.props, 'scale') ?? 0;
      if (precision === undefined || precision <= 0 || scale < 0 || scale > precision) return undefined;
      if (s.kind === 'fixed' && precision > Math.floor(Math.log10(2) * (8 * s.size - 1))) return undefined;
      return { name, precision, scale };
    }
    case 'big-decimal':
      return base === 'bytes' ? { name } : undefined;
    case 'uuid':
      return base === 'string' || (s.kind === 'fixed' && s.size === 16) ? { name } : undefined;
    case 'date':
    case 'time-millis':
      return base === 'int' ? { name } : undefined;
    case 'time-micros':
    case 'timestamp-millis':
    case 'timestamp-micros':
    case 'timestamp-nanos':
    case 'local-timestamp-millis':
    case 'local-timestamp-micros':
    case 'local-timestamp-nanos':
      return base === 'long' ? { name } : undefined;
    case 'duration':
      return s.kind === 'fixed' && s.size === 12 ? { name } : undefined;
    default:
      return undefined;
  }
}

function logicalProps(lt: LogicalType | undefined): string {
  if (lt === undefined) return '';
  let out = `,"logicalType":${quoteJson(lt.name)}`;
  if (lt.name === 'decimal') {
    out += `,"precision":${lt.precision}`;
    if (lt.scale !== 0) out += `,"scale":${lt.scale}`;
  }
  return out;
}
