/**
 * A JSON Schema as the registry handles it: the text must be JSON, valid against its draft's
 * meta-schema, with every `$ref` resolvable (within itself or through its references). The stored
 * form is Jackson's compact rendering with keys in written order (sorted when normalized) and
 * decimal numbers as exact BigDecimals, like Confluent's JSON Schema provider.
 */
import { parseJson, toPlain, isJsonObject, isJsonArray, type JsonNode, type JsonObject } from '../json/json-tree.ts';
import { writeJson } from '../json/json-writer.ts';
import { compatibleChanges, describeDifference, diffSchemas } from './json-schema-diff.ts';
import { SchemaLoader, type JsSchema } from './json-schema-model.ts';
import { draftOf, metaschemaProblems, type JsonSchemaDraft } from './metaschema-validation.ts';
import type { CompatibilityPolicy } from '../compatibility.ts';
import { SluiceError, messageOf } from '../../../runtime/util/errors.ts';

export class JsonSchemaError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super('JSON_SCHEMA_INVALID', message, { cause });
  }
}

export interface ReferencedDocument {
  /** The reference name: the URL `$ref`s use to reach this document. */
  name: string;
  text: string;
}

export class ParsedJsonSchema {
  readonly schemaType = 'JSON';
  readonly canonical: string;
  readonly draft: JsonSchemaDraft;
  private readonly model: JsSchema;

  constructor(canonical: string, draft: JsonSchemaDraft, model: JsSchema) {
    this.canonical = canonical;
    this.draft = draft;
    this.model = model;
  }

  /** Can this (newer) schema accept data valid under `previous`? Confluent's diff(previous, this). */
  isBackwardCompatible(previous: { schemaType: string }, policy: CompatibilityPolicy): string[] {
    if (!(previous instanceof ParsedJsonSchema)) return ['Incompatible because of different schema type'];
    const allowed = compatibleChanges(policy);
    return diffSchemas(allowed, previous.model, this.model)
      .filter((d) => !allowed.has(d.type))
      .map(describeDifference);
  }
}

function readJson(text: string, what: string): JsonNode {
  try {
    return parseJson(text);
  } catch (err) {
    throw new JsonSchemaError(`${what} is not valid JSON: ${messageOf(err)}`, err);
  }
}

/** Keys sorted at every level (Java String order), as Confluent's normalization does. */
function sortKeys(node: JsonNode): JsonNode {
  if (isJsonArray(node)) return node.map(sortKeys);
  if (!isJsonObject(node)) return node;
  const out: JsonObject = new Map();
  for (const k of [...node.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out.set(k, sortKeys(node.get(k) as JsonNode));
  return out;
}

export function parseJsonSchema(text: string, references: readonly ReferencedDocument[], normalize: boolean): ParsedJsonSchema {
  const root = readJson(text, 'schema');
  if (!isJsonObject(root) && typeof root !== 'boolean') throw new JsonSchemaError('schema must be a JSON object or a boolean');
  const draft = draftOf(isJsonObject(root) ? root.get('$schema') : undefined);
  if (isJsonObject(root)) {
    const problems = metaschemaProblems(toPlain(root), draft);
    if (problems.length > 0) throw new JsonSchemaError(`not a valid ${draft} JSON Schema: ${problems.join('; ')}`);
  }
  const loader = new SchemaLoader(draft);
  for (const ref of references) {
    loader.addDocument(ref.name, readJson(ref.text, `reference '${ref.name}'`));
  }
  let model: JsSchema;
  try {
    model = loader.load(root);
  } catch (err) {
    throw new JsonSchemaError(messageOf(err), err);
  }
  const canonical = writeJson(normalize ? sortKeys(root) : root, 'bigdecimal');
  return new ParsedJsonSchema(canonical, draft, model);
}
