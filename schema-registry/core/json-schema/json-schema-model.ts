/**
 * JSON Schema documents read into the typed model Confluent's compatibility rules are written
 * against (the Everit library's): a schema is a string, number, object, array, enum, const, not,
 * boolean, null, combined (allOf/anyOf/oneOf), reference, empty ({} or true) or false schema.
 * Keywords of several kinds in one schema become a synthetic allOf; "type": [a, b] becomes an
 * anyOf of one schema per type. `$ref`s resolve within the document, to other documents given as
 * references (by name) or by `$id`.
 */
import { SluiceError, messageOf } from '../../../runtime/util/errors.ts';
import { JsonNumber, isJsonArray, isJsonObject, type JsonNode, type JsonObject } from '../json/json-tree.ts';
import { writeJson } from '../json/json-writer.ts';
import type { JsonSchemaDraft } from './metaschema-validation.ts';

export class JsonSchemaModelError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super('JSON_SCHEMA_INVALID', message, { cause });
  }
}

export interface Common {
  id?: string;
  title?: string;
  description?: string;
  /** Undefined when the schema has no "default" (a JSON null default is a default). */
  default?: JsonNode;
  /** The `connect.type` annotation Kafka Connect's JSON converter writes. */
  connectType?: string;
  /** Identity for de-duplicating subschemas of a combined schema. */
  key: string;
}

export interface StringSchema extends Common {
  kind: 'string';
  maxLength?: number;
  minLength?: number;
  pattern?: string;
}

export interface NumberSchema extends Common {
  kind: 'number';
  requiresInteger: boolean;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: number;
  exclusiveMinimum?: number;
  /** Kept as text: multipleOf is compared exactly (decimal remainder). */
  multipleOf?: string;
}

export interface ObjectSchema extends Common {
  kind: 'object';
  properties: Map<string, JsSchema>;
  required: string[];
  patternProperties: { pattern: RegExp; schema: JsSchema }[];
  /** False when additionalProperties is false. */
  permitsAdditionalProperties: boolean;
  /** The schema of additionalProperties when it is a schema rather than a boolean. */
  additionalPropertiesSchema?: JsSchema;
  propertyDependencies: Map<string, string[]>;
  schemaDependencies: Map<string, JsSchema>;
  maxProperties?: number;
  minProperties?: number;
  unevaluatedProperties?: JsSchema;
}

export interface ArraySchema extends Common {
  kind: 'array';
  allItemSchema?: JsSchema;
  itemSchemas?: JsSchema[];
  permitsAdditionalItems: boolean;
  additionalItemsSchema?: JsSchema;
  maxItems?: number;
  minItems?: number;
  uniqueItems: boolean;
  maxContains?: number;
  minContains?: number;
  unevaluatedItems?: JsSchema;
}

export interface EnumSchema extends Common {
  kind: 'enum';
  values: JsonNode[];
}

export interface ConstSchema extends Common {
  kind: 'const';
  value: JsonNode;
}

export interface NotSchema extends Common {
  kind: 'not';
  not: JsSchema;
}

export interface CombinedSchema extends Common {
  kind: 'combined';
  criterion: 'allOf' | 'anyOf' | 'oneOf';
  subschemas: JsSchema[];
}

export interface ReferenceSchema extends Common {
  kind: 'ref';
  ref: string;
  target(): JsSchema;
}

export interface SimpleSchema extends Common {
  /** 'true' is the boolean schema true, which counts as an empty schema. */
  kind: 'empty' | 'true' | 'false' | 'null' | 'boolean' | 'conditional';
}

export type JsSchema =
  | StringSchema
  | NumberSchema
  | ObjectSchema
  | ArraySchema
  | EnumSchema
  | ConstSchema
  | NotSchema
  | CombinedSchema
  | ReferenceSchema
  | SimpleSchema;

/** Everit's EmptySchema, of which TrueSchema is a subclass. */
export const isEmptySchema = (s: JsSchema): boolean => s.kind === 'empty' || s.kind === 'true';

const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'dependencies',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
];
const ARRAY_KEYWORDS = ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'prefixItems', 'unevaluatedItems', 'minContains', 'maxContains'];
const CONDITIONAL_KEYWORDS = ['if', 'then', 'else'];

interface Document {
  root: JsonNode;
  base: string | undefined;
}

/** Loads schemas of one document plus its referenced documents, resolving `$ref` lazily. */
export class SchemaLoader {
  private readonly draft: JsonSchemaDraft;
  private readonly byName = new Map<string, Document>();
  private readonly byId = new Map<string, { node: JsonNode; doc: Document }>();
  private readonly loaded = new Map<JsonNode, JsSchema>();
  private readonly docOf = new Map<JsonNode, Document>();

  constructor(draft: JsonSchemaDraft) {
    this.draft = draft;
  }

  /** Registers a referenced document under its reference name (the `$ref` URL used to reach it). */
  addDocument(name: string, root: JsonNode): void {
    const doc = this.index(root);
    this.byName.set(stripFragment(name), doc);
  }

  load(root: JsonNode): JsSchema {
    const doc = this.index(root);
    const schema = this.loadNode(root, doc);
    resolveReachable(schema);
    return schema;
  }

  private idKeyword(): string {
    return this.draft === 'draft-04' ? 'id' : '$id';
  }

  private index(root: JsonNode): Document {
    const rootId = isJsonObject(root) ? root.get(this.idKeyword()) : undefined;
    const doc: Document = { root, base: typeof rootId === 'string' ? stripFragment(rootId) : undefined };
    const walk = (node: JsonNode, base: string | undefined): void => {
      if (isJsonArray(node)) {
        node.forEach((n) => walk(n, base));
        return;
      }
      if (!isJsonObject(node)) return;
      this.docOf.set(node, doc);
      const id = node.get(this.idKeyword());
      let here = base;
      if (typeof id === 'string' && !id.startsWith('#')) {
        here = resolveUri(id, base);
        this.byId.set(stripFragment(here), { node, doc });
      }
      for (const [k, v] of node) if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') walk(v, here);
    };
    walk(root, doc.base);
    return doc;
  }

  private resolve(ref: string, doc: Document): { node: JsonNode; doc: Document } {
    const hash = ref.indexOf('#');
    const uri = hash >= 0 ? ref.slice(0, hash) : ref;
    const fragment = hash >= 0 ? ref.slice(hash + 1) : '';
    let target: { node: JsonNode; doc: Document } | undefined;
    if (uri === '') target = { node: doc.root, doc };
    else {
      const named = this.byName.get(uri);
      if (named) target = { node: named.root, doc: named };
      else target = this.byId.get(uri) ?? this.byId.get(resolveUri(uri, doc.base));
    }
    if (!target) throw new JsonSchemaModelError(`Unresolved $ref '${ref}'`);
    if (fragment === '' || fragment === '/') return target;
    if (!fragment.startsWith('/')) {
      // A plain-name fragment is an anchor ($anchor, or "#name" ids in older drafts).
      const anchored = findAnchor(target.node, fragment, this.idKeyword());
      if (!anchored) throw new JsonSchemaModelError(`Unresolved $ref '${ref}'`);
      return { node: anchored, doc: target.doc };
    }
    let node: JsonNode | undefined = target.node;
    for (const raw of fragment.slice(1).split('/')) {
      const token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      if (isJsonObject(node)) node = node.get(token);
      else if (isJsonArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
      else node = undefined;
      if (node === undefined) throw new JsonSchemaModelError(`Unresolved $ref '${ref}'`);
    }
    return { node, doc: target.doc };
  }

  private loadNode(node: JsonNode, doc: Document): JsSchema {
    if (isJsonObject(node)) {
      const cached = this.loaded.get(node);
      if (cached) return cached;
    }
    const schema = this.build(node, doc);
    if (isJsonObject(node)) this.loaded.set(node, schema);
    return schema;
  }

  private build(node: JsonNode, doc: Document): JsSchema {
    if (node === true) return { kind: 'true', key: 'true' };
    if (node === false) return { kind: 'false', key: 'false' };
    if (!isJsonObject(node)) throw new JsonSchemaModelError(`A schema must be an object or a boolean, found ${writeJson(node, 'bigdecimal')}`);
    const common = this.common(node);
    const ref = node.get('$ref');
    if (typeof ref === 'string') {
      let resolved: JsSchema | undefined;
      return {
        ...common,
        kind: 'ref',
        ref,
        target: () => {
          if (!resolved) {
            const t = this.resolve(ref, doc);
            resolved = this.loadNode(t.node, t.doc);
          }
          return resolved;
        },
      };
    }
    const parts: JsSchema[] = [];
    const enumNode = node.get('enum');
    if (isJsonArray(enumNode)) parts.push({ ...common, kind: 'enum', values: enumNode, key: `enum:${common.key}` });
    if (node.has('const')) parts.push({ ...common, kind: 'const', value: node.get('const') as JsonNode, key: `const:${common.key}` });
    const not = node.get('not');
    if (not !== undefined) parts.push({ ...common, kind: 'not', not: this.loadNode(not, doc), key: `not:${common.key}` });
    for (const criterion of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node.get(criterion);
      if (isJsonArray(list)) {
        parts.push({ ...common, kind: 'combined', criterion, subschemas: list.map((s) => this.loadNode(s, doc)), key: `${criterion}:${common.key}` });
      }
    }
    const type = node.get('type');
    if (typeof type === 'string') parts.push(this.typed(type, node, doc, common, true));
    else if (isJsonArray(type)) {
      const subschemas = type.filter((t): t is string => typeof t === 'string').map((t) => this.typed(t, node, doc, common, true));
      parts.push({ ...common, kind: 'combined', criterion: 'anyOf', subschemas, key: `types:${common.key}` });
    } else {
      if (has(node, ARRAY_KEYWORDS)) parts.push(this.typed('array', node, doc, common, false));
      if (has(node, OBJECT_KEYWORDS)) parts.push(this.typed('object', node, doc, common, false));
      if (has(node, NUMBER_KEYWORDS)) parts.push(this.typed('number', node, doc, common, false));
      if (has(node, STRING_KEYWORDS)) parts.push(this.typed('string', node, doc, common, false));
      if (this.draft !== 'draft-04' && this.draft !== 'draft-06' && has(node, CONDITIONAL_KEYWORDS)) {
        parts.push({ ...common, kind: 'conditional', key: `if:${common.key}` });
      }
    }
    if (parts.length === 0) return { ...common, kind: 'empty' };
    if (parts.length === 1) return parts[0];
    return { ...common, kind: 'combined', criterion: 'allOf', subschemas: parts, key: `synthetic:${common.key}` };
  }

  private common(node: JsonObject): Common {
    const c: Common = { key: writeJson(node, 'bigdecimal') };
    const id = node.get(this.idKeyword());
    if (typeof id === 'string') c.id = id;
    const title = node.get('title');
    if (typeof title === 'string') c.title = title;
    const description = node.get('description');
    if (typeof description === 'string') c.description = description;
    if (node.has('default')) c.default = node.get('default');
    const connectType = node.get('connect.type');
    if (typeof connectType === 'string') c.connectType = connectType;
    return c;
  }

  private typed(type: string, node: JsonObject, doc: Document, common: Common, explicit: boolean): JsSchema {
    const key = `${type}:${common.key}`;
    switch (type) {
      case 'string':
        return {
          ...common,
          key,
          kind: 'string',
          maxLength: num(node, 'maxLength'),
          minLength: num(node, 'minLength'),
          pattern: this.pattern(node.get('pattern')),
        };
      case 'integer':
      case 'number': {
        const s: NumberSchema = { ...common, key, kind: 'number', requiresInteger: type === 'integer' && explicit };
        s.maximum = num(node, 'maximum');
        s.minimum = num(node, 'minimum');
        // Draft-04 states exclusiveness as a boolean on maximum/minimum; later drafts give the limit.
        s.exclusiveMaximum = num(node, 'exclusiveMaximum');
        s.exclusiveMinimum = num(node, 'exclusiveMinimum');
        const multipleOf = node.get('multipleOf');
        if (multipleOf instanceof JsonNumber) s.multipleOf = multipleOf.lexeme;
        return s;
      }
      case 'object':
        return this.object(node, doc, common, key);
      case 'array':
        return this.array(node, doc, common, key);
      case 'boolean':
        return { ...common, key, kind: 'boolean' };
      case 'null':
        return { ...common, key, kind: 'null' };
      default:
        throw new JsonSchemaModelError(`Unknown type '${type}'`);
    }
  }

  private pattern(p: JsonNode | undefined): string | undefined {
    if (typeof p !== 'string') return undefined;
    compilePattern(p);
    return p;
  }

  private object(node: JsonObject, doc: Document, common: Common, key: string): ObjectSchema {
    const properties = new Map<string, JsSchema>();
    const props = node.get('properties');
    if (isJsonObject(props)) for (const [k, v] of props) properties.set(k, this.loadNode(v, doc));
    const required = node.get('required');
    const patternProperties: ObjectSchema['patternProperties'] = [];
    const pp = node.get('patternProperties');
    if (isJsonObject(pp)) for (const [p, v] of pp) patternProperties.push({ pattern: compilePattern(p), schema: this.loadNode(v, doc) });
    const additional = node.get('additionalProperties');
    const s: ObjectSchema = {
      ...common,
      key,
      kind: 'object',
      properties,
      required: isJsonArray(required) ? required.filter((r): r is string => typeof r === 'string') : [],
      patternProperties,
      permitsAdditionalProperties: additional !== false,
      propertyDependencies: new Map(),
      schemaDependencies: new Map(),
      maxProperties: num(node, 'maxProperties'),
      minProperties: num(node, 'minProperties'),
    };
    if (additional !== undefined && typeof additional !== 'boolean') s.additionalPropertiesSchema = this.loadNode(additional, doc);
    const deps = node.get('dependencies');
    if (isJsonObject(deps)) {
      for (const [k, v] of deps) {
        if (isJsonArray(v)) s.propertyDependencies.set(k, v.filter((x): x is string => typeof x === 'string'));
        else s.schemaDependencies.set(k, this.loadNode(v, doc));
      }
    }
    const depRequired = node.get('dependentRequired');
    if (isJsonObject(depRequired)) {
      for (const [k, v] of depRequired) if (isJsonArray(v)) s.propertyDependencies.set(k, v.filter((x): x is string => typeof x === 'string'));
    }
    const depSchemas = node.get('dependentSchemas');
    if (isJsonObject(depSchemas)) for (const [k, v] of depSchemas) s.schemaDependencies.set(k, this.loadNode(v, doc));
    const uneval = node.get('unevaluatedProperties');
    if (uneval !== undefined && this.modern()) s.unevaluatedProperties = this.loadNode(uneval, doc);
    return s;
  }

  private array(node: JsonObject, doc: Document, common: Common, key: string): ArraySchema {
    const s: ArraySchema = {
      ...common,
      key,
      kind: 'array',
      permitsAdditionalItems: true,
      maxItems: num(node, 'maxItems'),
      minItems: num(node, 'minItems'),
      uniqueItems: node.get('uniqueItems') === true,
    };
    const items = node.get('items');
    const prefixItems = node.get('prefixItems');
    const additional = this.draft === '2020-12' && isJsonArray(prefixItems) ? items : node.get('additionalItems');
    if (this.draft === '2020-12' && isJsonArray(prefixItems)) s.itemSchemas = prefixItems.map((n) => this.loadNode(n, doc));
    else if (isJsonArray(items)) s.itemSchemas = items.map((n) => this.loadNode(n, doc));
    else if (items !== undefined) s.allItemSchema = this.loadNode(items, doc);
    if (s.itemSchemas !== undefined && additional !== undefined) {
      if (additional === false) s.permitsAdditionalItems = false;
      else if (additional !== true) s.additionalItemsSchema = this.loadNode(additional, doc);
    }
    if (this.modern()) {
      s.maxContains = num(node, 'maxContains');
      s.minContains = num(node, 'minContains');
      const uneval = node.get('unevaluatedItems');
      if (uneval !== undefined) s.unevaluatedItems = this.loadNode(uneval, doc);
    }
    return s;
  }

  private modern(): boolean {
    return this.draft === '2019-09' || this.draft === '2020-12';
  }
}

/**
 * Resolves every `$ref` reachable from the schema, so a dangling one is refused when the schema is
 * registered (as loading it does in Confluent); unreachable definitions are not looked at.
 */
function resolveReachable(root: JsSchema): void {
  const seen = new Set<JsSchema>();
  const stack: JsSchema[] = [root];
  const push = (s: JsSchema | undefined) => {
    if (s !== undefined && !seen.has(s)) stack.push(s);
  };
  while (stack.length > 0) {
    const s = stack.pop() as JsSchema;
    if (seen.has(s)) continue;
    seen.add(s);
    switch (s.kind) {
      case 'ref':
        push(s.target());
        break;
      case 'not':
        push(s.not);
        break;
      case 'combined':
        s.subschemas.forEach(push);
        break;
      case 'object':
        s.properties.forEach(push);
        s.patternProperties.forEach((p) => push(p.schema));
        push(s.additionalPropertiesSchema);
        s.schemaDependencies.forEach(push);
        push(s.unevaluatedProperties);
        break;
      case 'array':
        push(s.allItemSchema);
        s.itemSchemas?.forEach(push);
        push(s.additionalItemsSchema);
        push(s.unevaluatedItems);
        break;
      default:
        break;
    }
  }
}

function has(node: JsonObject, keywords: readonly string[]): boolean {
  return keywords.some((k) => node.has(k));
}

function num(node: JsonObject, key: string): number | undefined {
  const v = node.get(key);
  return v instanceof JsonNumber ? v.value : undefined;
}

/** JSON Schema patterns are ECMA-262 regexes; one that does not compile makes the schema invalid. */
export function compilePattern(p: string): RegExp {
  try {
    return new RegExp(p, 'u');
  } catch {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new JsonSchemaModelError(`Invalid regular expression '${p}': ${messageOf(err)}`, err);
    }
  }
}

function stripFragment(uri: string): string {
  const hash = uri.indexOf('#');
  return hash >= 0 ? uri.slice(0, hash) : uri;
}

function resolveUri(ref: string, base: string | undefined): string {
  if (base === undefined) return ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

function findAnchor(root: JsonNode, anchor: string, idKeyword: string): JsonNode | undefined {
  const stack: JsonNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as JsonNode;
    if (isJsonArray(node)) stack.push(...node);
    if (!isJsonObject(node)) continue;
    if (node.get('$anchor') === anchor || node.get(idKeyword) === `#${anchor}`) return node;
    for (const [k, v] of node) if (k !== 'enum' && k !== 'const' && k !== 'default') stack.push(v);
  }
  return undefined;
}
