/**
 * Request bodies read the way Confluent's Jackson mapping reads them: unknown fields are ignored
 * (new clients send metadata, ruleSet, ...), scalars where a string is expected become strings,
 * a wrong shape is a 400 naming the field, and a missing body is 422.
 */
import type { ConfigUpdate, RegisterRequest, SchemaReference } from '../core/index.ts';
import { badBody, missingBody } from './http-errors.ts';

type JsonObject = Record<string, unknown>;

function object(body: unknown, what: string): JsonObject {
  if (body === undefined || body === null || body === '') throw missingBody();
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw badBody(`Cannot deserialize value of type \`${what}\` from ${Array.isArray(body) ? 'Array' : jsonKind(body)} value`);
  }
  return body as JsonObject;
}

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Floating-point';
  if (typeof v === 'boolean') return 'Boolean';
  if (Array.isArray(v)) return 'Array';
  return 'Object';
}

/** A string field; numbers and booleans are coerced as Jackson does, objects and arrays refused. */
function optionalString(o: JsonObject, field: string, what: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badBody(`Cannot deserialize value of type \`String\` from ${jsonKind(v)} value (field "${field}" of ${what})`);
}

function optionalInt(o: JsonObject, field: string, what: string): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) {
    throw badBody(`Cannot deserialize value of type \`int\` from ${jsonKind(v)} value (field "${field}" of ${what})`);
  }
  return n;
}

function optionalBoolean(o: JsonObject, field: string, what: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badBody(`Cannot deserialize value of type \`Boolean\` from ${jsonKind(v)} value (field "${field}" of ${what})`);
}

function references(o: JsonObject, what: string): SchemaReference[] | undefined {
  const v = o.references;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badBody(`Cannot deserialize value of type \`List<SchemaReference>\` from ${jsonKind(v)} value (field "references" of ${what})`);
  return v.map((r, i) => {
    const ref = object(r, `SchemaReference`);
    const where = `${what}.references[${i}]`;
    return {
      name: optionalString(ref, 'name', where) as string,
      subject: optionalString(ref, 'subject', where) as string,
      version: optionalInt(ref, 'version', where) as number,
    };
  });
}

/** Body of register, lookup and compatibility requests. */
export function registerRequest(body: unknown): RegisterRequest {
  const what = 'RegisterSchemaRequest';
  const o = object(body, what);
  const request: RegisterRequest = {};
  const schema = optionalString(o, 'schema', what);
  if (schema !== undefined) request.schema = schema;
  const schemaType = optionalString(o, 'schemaType', what);
  if (schemaType !== undefined) request.schemaType = schemaType;
  const refs = references(o, what);
  if (refs !== undefined) request.references = refs;
  if (o.metadata !== undefined && o.metadata !== null) request.metadata = o.metadata;
  if (o.ruleSet !== undefined && o.ruleSet !== null) request.ruleSet = o.ruleSet;
  const id = optionalInt(o, 'id', what);
  if (id !== undefined) request.id = id;
  const version = optionalInt(o, 'version', what);
  if (version !== undefined) request.version = version;
  return request;
}

const CONFIG_STRINGS = ['compatibilityPolicy', 'compatibilityGroup', 'alias'] as const;
const CONFIG_BOOLEANS = ['normalize', 'validateFields', 'validateNewSchemas', 'validateRules'] as const;
const CONFIG_OBJECTS = ['defaultMetadata', 'overrideMetadata', 'defaultRuleSet', 'overrideRuleSet'] as const;

/** PUT /config body: `compatibility` (the name clients send) or `compatibilityLevel`. */
export function configUpdate(body: unknown): ConfigUpdate {
  const what = 'ConfigUpdateRequest';
  const o = object(body, what);
  const update: ConfigUpdate = {};
  const level = optionalString(o, 'compatibility', what) ?? optionalString(o, 'compatibilityLevel', what);
  if (level !== undefined) update.compatibilityLevel = level;
  for (const k of CONFIG_STRINGS) {
    const v = optionalString(o, k, what);
    if (v !== undefined) update[k] = v;
  }
  for (const k of CONFIG_BOOLEANS) {
    const v = optionalBoolean(o, k, what);
    if (v !== undefined) update[k] = v;
  }
  for (const k of CONFIG_OBJECTS) if (o[k] !== undefined && o[k] !== null) update[k] = o[k];
  return update;
}

/** PUT /mode body: {"mode": "..."}; a missing mode is Confluent's invalid-mode answer upstream. */
export function modeUpdate(body: unknown): string {
  return optionalString(object(body, 'ModeUpdateRequest'), 'mode', 'ModeUpdateRequest') ?? '';
}
