/**
 * Validates a JSON Schema document against the meta-schema of its draft (chosen by `$schema`;
 * draft-07 when absent, as Confluent's default spec version), with ajv. Only the schema itself is
 * checked here — never data — so ajv compiles nothing per schema and the engines are shared.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06Metaschema from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { DRAFT04_METASCHEMA_ID, draft04Metaschema } from './draft04-metaschema.ts';

export type JsonSchemaDraft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** The draft named by a `$schema` URI (http or https, with or without the trailing '#'). */
export function draftOf($schema: unknown): JsonSchemaDraft {
  if (typeof $schema !== 'string') return 'draft-07';
  const uri = $schema.replace(/^https?:\/\//, '').replace(/#$/, '');
  switch (uri) {
    case 'json-schema.org/draft-04/schema':
      return 'draft-04';
    case 'json-schema.org/draft-06/schema':
      return 'draft-06';
    case 'json-schema.org/draft/2019-09/schema':
      return '2019-09';
    case 'json-schema.org/draft/2020-12/schema':
      return '2020-12';
    default:
      return 'draft-07';
  }
}

const options = { strict: false, validateFormats: false, allErrors: true } as const;

let classic: Ajv | undefined;
let ajv2019: Ajv2019 | undefined;
let ajv2020: Ajv2020 | undefined;

function classicEngine(): Ajv {
  if (!classic) {
    classic = new Ajv(options);
    classic.addMetaSchema(draft06Metaschema);
    classic.addSchema(draft04Metaschema);
  }
  return classic;
}

const META_IDS: Record<'draft-04' | 'draft-06' | 'draft-07', string> = {
  'draft-04': DRAFT04_METASCHEMA_ID,
  'draft-06': 'http://json-schema.org/draft-06/schema',
  'draft-07': 'http://json-schema.org/draft-07/schema',
};

/**
 * Problems found when checking `schema` (plain JS value) against its draft's meta-schema, each as
 * "<where>: <what>"; empty when valid.
 */
export function metaschemaProblems(schema: unknown, draft: JsonSchemaDraft): string[] {
  // The meta-schema is picked by draft, not by the `$schema` text (which may say http or end in '#').
  let validate;
  if (draft === '2019-09') {
    ajv2019 ??= new Ajv2019(options);
    validate = ajv2019.getSchema('https://json-schema.org/draft/2019-09/schema');
  } else if (draft === '2020-12') {
    ajv2020 ??= new Ajv2020(options);
    validate = ajv2020.getSchema('https://json-schema.org/draft/2020-12/schema');
  } else {
    validate = classicEngine().getSchema(META_IDS[draft]);
  }
  if (!validate) throw new Error(`the ${draft} meta-schema is not available`);
  validate(schema);
  const errors: ErrorObject[] | null | undefined = validate.errors;
  if (!errors) return [];
  // anyOf/oneOf summaries repeat what their branches said; keep the specific errors.
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const shown = specific.length > 0 ? specific : errors;
  return [...new Set(shown.map((e) => `${e.instancePath === '' ? '#' : `#${e.instancePath}`}: ${e.message ?? e.keyword}${describeParams(e)}`))];
}

function describeParams(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (Array.isArray(p.allowedValues)) return ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  return '';
}
