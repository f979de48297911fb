/**
 * Parses Avro schema JSON into the model with the rules of Avro's Java parser (the one Confluent
 * runs): namespaces inherited by nested named types and fields, names resolved against the
 * enclosing namespace then as written, forward references resolved at the end, strict names,
 * and — for schemas registered as new — default values checked against their field types.
 */
import { SluiceError, messageOf } from '../../../runtime/util/errors.ts';
import { JsonNumber, isJsonArray, isJsonObject, parseJson, type JsonNode, type JsonObject } from '../json/json-tree.ts';
import { writeJson } from '../json/json-writer.ts';
import {
  isAvroPrimitive,
  isNamed,
  makeName,
  type AvroField,
  type AvroName,
  type AvroNamed,
  type AvroSchema,
} from './avro-types.ts';

export class AvroSchemaError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super('AVRO_SCHEMA_INVALID', message, { cause });
  }
}

export interface AvroParseOptions {
  /** Check field defaults against their types (Confluent does this for schemas registered as new). */
  validateDefaults: boolean;
}

export interface ParsedAvro {
  schema: AvroSchema;
  /** Full names of the references' top-level named types (printed as names, not inlined). */
  referencedNames: Set<string>;
}

/** Placeholder for a name used before its definition; replaced once the whole schema is read. */
interface Unresolved {
  kind: 'unresolved';
  full: string;
}

const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type', 'aliases']);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

/**
 * Parses `text` after the texts of its resolved references (dependencies first), so that names
 * defined by references can be used.
 */
export function parseAvro(text: string, referenceTexts: readonly string[], options: AvroParseOptions): ParsedAvro {
  const ctx = new ParseContext(options);
  const referencedNames = new Set<string>();
  for (const [i, refText] of referenceTexts.entries()) {
    const top = ctx.parseTop(readJson(refText, `reference ${i + 1}`));
    // Like Confluent, only each reference's top-level type is written by name; types nested in it
    // are defined inline where the main schema first uses them.
    if (isNamed(top)) referencedNames.add(top.name.full);
  }
  const schema = ctx.parseTop(readJson(text, 'schema'));
  return { schema, referencedNames };
}

function readJson(text: string, what: string): JsonNode {
  try {
    return parseJson(text);
  } catch (err) {
    throw new AvroSchemaError(`${what} is not valid JSON: ${messageOf(err)}`, err);
  }
}

class ParseContext {
  readonly named = new Map<string, AvroNamed>();
  private readonly options: AvroParseOptions;
  private readonly fieldsToCheck: AvroField[] = [];

  constructor(options: AvroParseOptions) {
    this.options = options;
  }

  parseTop(node: JsonNode): AvroSchema {
    const schema = this.parse(node, null);
    const resolved = this.resolve(schema as AvroSchema | Unresolved, new Set());
    for (const named of this.named.values()) this.resolveNamed(named, new Set());
    if (this.options.validateDefaults) {
      for (const f of this.fieldsToCheck) checkDefault(f);
    }
    this.fieldsToCheck.length = 0;
    return resolved;
  }

  private parse(node: JsonNode, space: string | null): AvroSchema | Unresolved {
    if (typeof node === 'string') return this.find(node, space);
    if (isJsonArray(node)) return this.parseUnion(node, space);
    if (!isJsonObject(node)) throw new AvroSchemaError(`Schema not yet supported: ${writeJson(node, 'double')}`);
    const type = node.get('type');
    if (typeof type !== 'string') throw new AvroSchemaError(`No type: ${writeJson(node, 'double')}`);
    if (isAvroPrimitive(type)) return { kind: 'primitive', type, props: props(node, SCHEMA_RESERVED) };
    switch (type) {
      case 'record':
      case 'error':
        return this.parseRecord(node, space, type === 'error');
      case 'enum':
        return this.parseEnum(node, space);
      case 'array': {
        const items = node.get('items');
        if (items === undefined) throw new AvroSchemaError(`Array has no items type: ${writeJson(node, 'double')}`);
        return { kind: 'array', items: this.parse(items, space) as AvroSchema, props: props(node, SCHEMA_RESERVED) };
      }
      case 'map': {
        const values = node.get('values');
        if (values === undefined) throw new AvroSchemaError(`Map has no values type: ${writeJson(node, 'double')}`);
        return { kind: 'map', values: this.parse(values, space) as AvroSchema, props: props(node, SCHEMA_RESERVED) };
      }
      case 'fixed':
        return this.parseFixed(node, space);
      default:
        // {"type":"com.x.Rec"} refers to a named type, as a bare name does.
        return this.find(type, space);
    }
  }

  private find(name: string, space: string | null): AvroSchema | Unresolved {
    if (isAvroPrimitive(name)) return { kind: 'primitive', type: name, props: new Map() };
    const full = space !== null && !name.includes('.') ? `${space}.${name}` : name;
    return this.named.get(full) ?? this.named.get(name) ?? { kind: 'unresolved', full };
  }

  private define(schema: AvroNamed): void {
    const full = schema.name.full;
    if (isAvroPrimitive(full)) throw new AvroSchemaError(`Schemas may not be named after primitives: ${full}`);
    const parts = full.split('.');
    parts.slice(0, -1).forEach((p) => validateName(p, 'Namespace part'));
    validateName(parts[parts.length - 1], 'Name');
    const existing = this.named.get(full);
    if (existing && existing !== schema) throw new AvroSchemaError(`Can't redefine: ${full}`);
    this.named.set(full, schema);
  }

  private parseName(node: JsonObject, space: string | null): AvroName {
    const name = node.get('name');
    if (typeof name !== 'string') throw new AvroSchemaError(`No name in schema: ${writeJson(node, 'double')}`);
    const ns = node.get('namespace');
    return makeName(name, typeof ns === 'string' ? ns : space);
  }

  private parseRecord(node: JsonObject, space: string | null, isError: boolean): AvroSchema {
    const name = this.parseName(node, space);
    const fieldsNode = node.get('fields');
    if (!isJsonArray(fieldsNode)) throw new AvroSchemaError(`Record has no fields: ${writeJson(node, 'double')}`);
    const record: AvroNamed = {
      kind: 'record',
      name,
      doc: docOf(node),
      isError,
      fields: [],
      aliases: [],
      props: new Map(),
    };
    // Defined before its fields so that a field may refer to the record itself.
    this.define(record);
    const seen = new Set<string>();
    for (const [pos, f] of fieldsNode.entries()) {
      const field = this.parseField(f, name.space, pos);
      if (seen.has(field.name)) throw new AvroSchemaError(`Duplicate field ${field.name} in record ${name.full}`);
      seen.add(field.name);
      record.fields.push(field);
    }
    record.props = props(node, SCHEMA_RESERVED);
    record.aliases = namedAliases(node, name);
    return record;
  }

  private parseField(node: JsonNode, space: string | null, pos: number): AvroField {
    if (!isJsonObject(node)) throw new AvroSchemaError(`Field is not an object: ${writeJson(node, 'double')}`);
    const name = node.get('name');
    if (typeof name !== 'string') throw new AvroSchemaError(`No field name: ${writeJson(node, 'double')}`);
    validateName(name, 'Field name');
    const typeNode = node.get('type');
    if (typeNode === undefined) throw new AvroSchemaError(`No field type: ${writeJson(node, 'double')}`);
    const type = this.parse(typeNode, space) as AvroSchema;
    const orderNode = node.get('order');
    let order: AvroField['order'] = 'ascending';
    if (orderNode !== undefined) {
      const o = typeof orderNode === 'string' ? orderNode.toLowerCase() : '';
      if (o !== 'ascending' && o !== 'descending' && o !== 'ignore') {
        throw new AvroSchemaError(`Invalid order ${writeJson(orderNode, 'double')} for field ${name}`);
      }
      order = o;
    }
    let def = node.get('default');
    // Avro reads a textual default of a float/double field as the number it spells.
    if (typeof def === 'string' && type.kind === 'primitive' && (type.type === 'float' || type.type === 'double')) {
      const n = Number(def);
      def = new JsonNumber(Number.isInteger(n) && Number.isFinite(n) ? `${n}.0` : String(n));
    }
    const aliasesNode = node.get('aliases');
    const field: AvroField = {
      name,
      type,
      doc: docOf(node),
      order,
      aliases: stringList(aliasesNode, 'aliases'),
      props: props(node, FIELD_RESERVED),
      pos,
    };
    if (def !== undefined) field.default = def;
    this.fieldsToCheck.push(field);
    return field;
  }

  private parseEnum(node: JsonObject, space: string | null): AvroSchema {
    const name = this.parseName(node, space);
    const symbolsNode = node.get('symbols');
    if (!isJsonArray(symbolsNode)) throw new AvroSchemaError(`Enum has no symbols: ${writeJson(node, 'double')}`);
    const symbols: string[] = [];
    for (const s of symbolsNode) {
      if (typeof s !== 'string') throw new AvroSchemaError(`Enum symbol is not a string: ${writeJson(s, 'double')}`);
      validateName(s, 'Enum symbol');
      if (symbols.includes(s)) throw new AvroSchemaError(`Duplicate enum symbol: ${s}`);
      symbols.push(s);
    }
    const def = node.get('default');
    const schema: AvroNamed = {
      kind: 'enum',
      name,
      doc: docOf(node),
      symbols,
      aliases: namedAliases(node, name),
      props: props(node, ENUM_RESERVED),
    };
    if (typeof def === 'string') {
      if (!symbols.includes(def)) {
        throw new AvroSchemaError(`The Enum Default: ${def} is not in the enum symbol set: [${symbols.join(', ')}]`);
      }
      schema.enumDefault = def;
    }
    this.define(schema);
    return schema;
  }

  private parseFixed(node: JsonObject, space: string | null): AvroSchema {
    const name = this.parseName(node, space);
    const size = node.get('size');
    if (!(size instanceof JsonNumber) || !size.isIntegral || !Number.isSafeInteger(size.value) || size.value < 0 || size.value > 2 ** 31 - 1) {
      throw new AvroSchemaError(`Invalid or no size: ${writeJson(node, 'double')}`);
    }
    const schema: AvroNamed = {
      kind: 'fixed',
      name,
      doc: docOf(node),
      size: size.value,
      aliases: namedAliases(node, name),
      props: props(node, SCHEMA_RESERVED),
    };
    this.define(schema);
    return schema;
  }

  private parseUnion(nodes: JsonNode[], space: string | null): AvroSchema {
    const types = nodes.map((n) => this.parse(n, space) as AvroSchema | Unresolved);
    const seen = new Set<string>();
    for (const t of types) {
      if (t.kind === 'union') throw new AvroSchemaError(`Nested union: ${writeJson(nodes as JsonNode, 'double')}`);
      const key = t.kind === 'unresolved' ? t.full : isNamed(t) ? t.name.full : t.kind === 'primitive' ? t.type : t.kind;
      if (seen.has(key)) throw new AvroSchemaError(`Duplicate in union:${key}`);
      seen.add(key);
    }
    return { kind: 'union', types: types as AvroSchema[] };
  }

  private lookup(u: Unresolved): AvroNamed {
    const found = this.named.get(u.full);
    if (!found) throw new AvroSchemaError(`Undefined name: "${u.full}"`);
    return found;
  }

  private resolve(s: AvroSchema | Unresolved, seen: Set<AvroNamed>): AvroSchema {
    if (s.kind === 'unresolved') return this.lookup(s);
    if (isNamed(s)) {
      this.resolveNamed(s, seen);
      return s;
    }
    if (s.kind === 'array') s.items = this.resolve(s.items, seen);
    else if (s.kind === 'map') s.values = this.resolve(s.values, seen);
    else if (s.kind === 'union') s.types = s.types.map((t) => this.resolve(t, seen));
    return s;
  }

  private resolveNamed(s: AvroNamed, seen: Set<AvroNamed>): void {
    if (seen.has(s)) return;
    seen.add(s);
    if (s.kind === 'record') for (const f of s.fields) f.type = this.resolve(f.type, seen);
  }
}

function docOf(node: JsonObject): string | undefined {
  const doc = node.get('doc');
  return typeof doc === 'string' ? doc : undefined;
}

function props(node: JsonObject, reserved: Set<string>): JsonObject {
  const out: JsonObject = new Map();
  for (const [k, v] of node) if (!reserved.has(k)) out.set(k, v);
  return out;
}

function stringList(node: JsonNode | undefined, what: string): string[] {
  if (node === undefined) return [];
  if (!isJsonArray(node) || node.some((a) => typeof a !== 'string')) {
    throw new AvroSchemaError(`${what} not an array of strings: ${writeJson(node, 'double')}`);
  }
  return node as string[];
}

function namedAliases(node: JsonObject, name: AvroName): AvroName[] {
  const out: AvroName[] = [];
  for (const a of stringList(node.get('aliases'), 'aliases')) {
    const alias = makeName(a, name.space);
    if (!out.some((x) => x.full === alias.full)) out.push(alias);
  }
  return out;
}

/** Avro's strict name rule: [A-Za-z_][A-Za-z0-9_]*. */
function validateName(name: string, what: string): void {
  if (name === '') throw new AvroSchemaError(`${what} "" is invalid: Empty name`);
  if (!/^[A-Za-z_]/.test(name)) throw new AvroSchemaError(`${what} "${name}" is invalid: Illegal initial character: ${name}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new AvroSchemaError(`${what} "${name}" is invalid: Illegal character in: ${name}`);
}

function checkDefault(f: AvroField): void {
  if (f.default === undefined) return;
  if (!isValidDefault(f.type, f.default)) {
    throw new AvroSchemaError(`Invalid default for field ${f.name}: ${writeJson(f.default, 'double')} not a ${shortJson(f.type)}`);
  }
}

function shortJson(s: AvroSchema): string {
  if (s.kind === 'primitive') return `"${s.type}"`;
  if (isNamed(s)) return `"${s.name.full}"`;
  return s.kind;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Avro's Schema.isValidDefault: does the JSON default fit the schema? (A union's default may match any branch.) */
export function isValidDefault(s: AvroSchema, v: JsonNode): boolean {
  switch (s.kind) {
    case 'primitive':
      switch (s.type) {
        case 'string':
        case 'bytes':
          return typeof v === 'string';
        case 'int':
          return v instanceof JsonNumber && v.isIntegral && BigInt(v.lexeme) >= BigInt(INT_MIN) && BigInt(v.lexeme) <= BigInt(INT_MAX);
        case 'long':
          return v instanceof JsonNumber && v.isIntegral && BigInt(v.lexeme) >= -(2n ** 63n) && BigInt(v.lexeme) < 2n ** 63n;
        case 'float':
        case 'double':
          return v instanceof JsonNumber;
        case 'boolean':
          return typeof v === 'boolean';
        case 'null':
          return v === null;
      }
      return false;
    case 'enum':
    case 'fixed':
      return typeof v === 'string';
    case 'array':
      return isJsonArray(v) && v.every((x) => isValidDefault(s.items, x));
    case 'map':
      return isJsonObject(v) && [...v.values()].every((x) => isValidDefault(s.values, x));
    case 'union':
      return s.types.some((t) => isValidDefault(t, v));
    case 'record':
      return (
        isJsonObject(v) &&
        s.fields.every((f) => {
          const x = v.has(f.name) ? v.get(f.name) : f.default;
          if (x === undefined) return false;
          return f.type.kind === 'union' ? f.type.types.some((t) => isValidDefault(t, x)) : isValidDefault(f.type, x);
        })
      );
  }
}
