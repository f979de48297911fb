/**
 * Turning a submitted schema (text, type, references) into a parsed schema: references resolved
 * through a lookup into the registry, the text checked by its type's rules and reduced to the
 * canonical string the registry stores and deduplicates on. Any problem is Confluent's 42201.
 */
import { messageOf } from '../../runtime/util/errors.ts';
import { LruCache } from '../../runtime/util/lru-cache.ts';
import { invalidSchema, RegistryError } from './errors.ts';
import { parseAvro } from './avro/avro-parser.ts';
import { avroCanonicalString, avroNormalizedString } from './avro/avro-writer.ts';
import { checkReaderWriter, describeAvroIncompatibility } from './avro/avro-compatibility.ts';
import type { AvroSchema } from './avro/avro-types.ts';
import { parseJsonSchema, type ParsedJsonSchema } from './json-schema/json-schema.ts';
import { qualifyReferenceSubject, type StoredSchema } from './state.ts';
import type { CheckableSchema, CompatibilityPolicy } from './compatibility.ts';
import type { SchemaReference, SchemaType } from './records.ts';

export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

export interface SchemaRequest {
  schema?: string;
  /** Exact-case AVRO, JSON or PROTOBUF; absent means AVRO. */
  schemaType?: string;
  references?: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
}

/** Finds a stored version for a reference ("latest" = newest live version). */
export type ReferenceFetcher = (subject: string, version: number | 'latest', includeDeleted: boolean) => StoredSchema | undefined;

export interface ParsedSchema extends CheckableSchema {
  readonly schemaType: SchemaType;
  readonly canonical: string;
  /** References with "latest" (-1) replaced by the version it resolved to. */
  readonly references: SchemaReference[];
}

export interface ParseOptions {
  normalize: boolean;
  /** A schema being registered anew: Avro defaults are validated and deleted references refused. */
  validateAsNew: boolean;
}

class AvroParsedSchema implements ParsedSchema {
  readonly schemaType = 'AVRO';
  readonly canonical: string;
  readonly references: SchemaReference[];
  readonly model: AvroSchema;

  constructor(canonical: string, references: SchemaReference[], model: AvroSchema) {
    this.canonical = canonical;
    this.references = references;
    this.model = model;
  }

  isBackwardCompatible(previous: CheckableSchema): string[] {
    if (!(previous instanceof AvroParsedSchema)) return ['Incompatible because of different schema type'];
    return checkReaderWriter(this.model, previous.model).map(describeAvroIncompatibility);
  }
}

class JsonParsedSchema implements ParsedSchema {
  readonly schemaType = 'JSON';
  readonly canonical: string;
  readonly references: SchemaReference[];
  readonly parsed: ParsedJsonSchema;

  constructor(parsed: ParsedJsonSchema, references: SchemaReference[]) {
    this.parsed = parsed;
    this.canonical = parsed.canonical;
    this.references = references;
  }

  isBackwardCompatible(previous: CheckableSchema, policy: CompatibilityPolicy): string[] {
    if (!(previous instanceof JsonParsedSchema)) return ['Incompatible because of different schema type'];
    return this.parsed.isBackwardCompatible(previous.parsed, policy);
  }
}

const referenceText = (r: SchemaReference): string => `{name='${r.name}', subject='${r.subject}', version=${r.version}}`;

interface ResolvedReferences {
  references: SchemaReference[];
  /** Reference name → schema text, dependencies before dependents. */
  documents: Map<string, string>;
}

/** Confluent's AbstractSchemaProvider.resolveReferences, depth first. */
export function resolveReferences(subject: string, references: readonly SchemaReference[], fetch: ReferenceFetcher, includeDeleted: boolean): ResolvedReferences {
  const documents = new Map<string, string>();
  const visited = new Set<string>();
  const walk = (referrer: string, refs: readonly SchemaReference[], depth: number): SchemaReference[] => {
    if (depth > 100) throw new Error('References nest deeper than 100 levels');
    return refs.map((ref) => {
      if (typeof ref?.name !== 'string' || typeof ref.subject !== 'string' || !Number.isInteger(ref.version)) {
        throw new Error(`Invalid reference: ${referenceText(ref)}`);
      }
      const refSubject = qualifyReferenceSubject(referrer, ref.subject);
      const found = fetch(refSubject, ref.version === -1 ? 'latest' : ref.version, includeDeleted);
      if (!found) throw new Error(`No schema reference found for subject "${refSubject}" and version ${ref.version}`);
      const resolved = { name: ref.name, subject: ref.subject, version: found.version };
      if (!visited.has(ref.name)) {
        visited.add(ref.name);
        if (!documents.has(ref.name)) {
          walk(found.subject, found.references, depth + 1);
          documents.set(ref.name, found.schema);
        }
      }
      return resolved;
    });
  };
  return { references: walk(subject, references, 0), documents };
}

/** Sorted by subject then version, duplicates removed (Confluent's normalize of references). */
function normalizeReferences(refs: SchemaReference[]): SchemaReference[] {
  const sorted = [...refs].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
  return sorted.filter((r, i) => sorted.findIndex((x) => x.name === r.name && x.subject === r.subject && x.version === r.version) === i);
}

const CACHE_LIMIT = 1000;
const cache = new LruCache<string, ParsedSchema>(CACHE_LIMIT);

/**
 * Parses a schema submitted for `subject`. Throws RegistryError 42201 naming what is wrong.
 * Results are memoized by input (parsing is pure), which keeps repeated lookups cheap.
 */
export function parseSchema(request: SchemaRequest, subject: string, fetch: ReferenceFetcher, options: ParseOptions): ParsedSchema {
  const type = request.schemaType ?? 'AVRO';
  if (type !== 'AVRO' && type !== 'JSON' && type !== 'PROTOBUF') throw invalidSchema(`Invalid schema type ${type}`);
  const text = request.schema;
  if (typeof text !== 'string' || text.trim() === '') throw invalidSchema('Empty schema');
  if (type === 'PROTOBUF') {
    throw invalidSchema('Invalid schema of type PROTOBUF, details: PROTOBUF schemas are not supported yet by this registry; use AVRO or JSON');
  }
  try {
    const resolved = resolveReferences(subject, request.references ?? [], fetch, !options.validateAsNew);
    const key = JSON.stringify([type, options.normalize, options.validateAsNew, text, resolved.references, [...resolved.documents]]);
    const hit = cache.get(key);
    if (hit) return hit;
    const parsed = type === 'AVRO' ? parseAvroRequest(text, resolved, options) : parseJsonRequest(text, resolved, options);
    cache.set(key, parsed);
    return parsed;
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw invalidSchema(`Invalid schema of type ${type}, details: ${messageOf(err)}`, err);
  }
}

function parseAvroRequest(text: string, resolved: ResolvedReferences, options: ParseOptions): ParsedSchema {
  const texts = [...resolved.documents.values()];
  const { schema, referencedNames } = parseAvro(text, texts, { validateDefaults: options.validateAsNew });
  if (!options.normalize) return new AvroParsedSchema(avroCanonicalString(schema, referencedNames), resolved.references, schema);
  const canonical = avroNormalizedString(schema, referencedNames, texts);
  const reparsed = parseAvro(canonical, texts, { validateDefaults: false });
  return new AvroParsedSchema(canonical, normalizeReferences(resolved.references), reparsed.schema);
}

function parseJsonRequest(text: string, resolved: ResolvedReferences, options: ParseOptions): ParsedSchema {
  const documents = [...resolved.documents].map(([name, doc]) => ({ name, text: doc }));
  const parsed = parseJsonSchema(text, documents, options.normalize);
  return new JsonParsedSchema(parsed, options.normalize ? normalizeReferences(resolved.references) : resolved.references);
}
