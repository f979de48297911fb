/**
 * Response bodies in Confluent's field order, with empty fields left out as Jackson's NON_EMPTY
 * does (null, "", [] and {} are omitted; false and 0 are kept).
 */
import type { ConfigView, SchemaView } from '../core/index.ts';

type Body = Record<string, unknown>;

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

function ordered(entries: readonly [string, unknown][]): Body {
  const out: Body = {};
  for (const [k, v] of entries) if (!isEmpty(v)) out[k] = v;
  return out;
}

/** A subject version (GET /subjects/{s}/versions/{v}, lookup, GET /schemas). */
export function schemaBody(v: SchemaView): Body {
  return ordered([
    ['subject', v.subject],
    ['version', v.version],
    ['id', v.id],
    ['guid', v.guid],
    ['schemaType', v.schemaType],
    ['references', v.references],
    ['metadata', v.metadata],
    ['ruleSet', v.ruleSet],
    ['schema', v.schema],
    ['ts', v.ts],
    ['deleted', v.deleted],
  ]);
}

/** POST /subjects/{s}/versions: the id, and since CP 8 the rest of the registered schema. */
export function registerBody(v: SchemaView): Body {
  return ordered([
    ['id', v.id],
    ['version', v.version > 0 ? v.version : undefined],
    ['guid', v.guid],
    ['schemaType', v.schemaType],
    ['references', v.references],
    ['metadata', v.metadata],
    ['ruleSet', v.ruleSet],
    ['schema', v.schema],
  ]);
}

/** GET /schemas/ids/{id}: subject and version only when the request named a subject. */
export function schemaStringBody(v: SchemaView, withSubject: boolean, maxId: number | undefined): Body {
  return ordered([
    ['subject', withSubject ? v.subject : undefined],
    ['version', withSubject ? v.version : undefined],
    ['guid', v.guid],
    ['schemaType', v.schemaType],
    ['schema', v.schema],
    ['references', v.references],
    ['metadata', v.metadata],
    ['ruleSet', v.ruleSet],
    ['maxId', maxId],
  ]);
}

const CONFIG_FIELDS = [
  'alias',
  'normalize',
  'validateFields',
  'validateNewSchemas',
  'validateRules',
  'compatibilityLevel',
  'compatibilityPolicy',
  'compatibilityGroup',
  'defaultMetadata',
  'overrideMetadata',
  'defaultRuleSet',
  'overrideRuleSet',
] as const;

/** GET /config: the level under `compatibilityLevel`. */
export function configBody(c: ConfigView): Body {
  return ordered(CONFIG_FIELDS.map((k) => [k, (c as Record<string, unknown>)[k]]));
}

/** PUT /config answers with the request shape, whose level field is `compatibility`. */
export function configUpdateBody(c: ConfigView): Body {
  return ordered(CONFIG_FIELDS.map((k) => [k === 'compatibilityLevel' ? 'compatibility' : k, (c as Record<string, unknown>)[k]]));
}
