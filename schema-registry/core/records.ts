/**
 * The records of the `_schemas` topic, byte-compatible with Confluent Schema Registry (and so with
 * Karapace): compact JSON keys whose field order is fixed — compaction needs identical key bytes —
 * and JSON values where empty fields are left out, as Jackson's NON_EMPTY does. A null value is a
 * tombstone.
 */
import { CorruptDataError, messageOf } from '../../runtime/util/errors.ts';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export type Mode = 'READWRITE' | 'READONLY' | 'READONLY_OVERRIDE' | 'IMPORT' | 'FORWARD';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export type RegistryKey =
  | { keytype: 'SCHEMA'; subject: string; version: number; magic: number }
  | { keytype: 'CONFIG'; subject: string | null; magic: number }
  | { keytype: 'MODE'; subject: string | null; magic: number }
  | { keytype: 'DELETE_SUBJECT'; subject: string; magic: number }
  | { keytype: 'CLEAR_SUBJECT'; subject: string | null; magic: number }
  | { keytype: 'NOOP'; magic: number }
  | { keytype: 'CONTEXT'; tenant: string; context: string; magic: number }
  /** Keys written by registries with features we do not have (e.g. ASSOC); kept so replay can skip them. */
  | { keytype: 'OTHER'; type: string };

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  /** Absent in records of older Confluent releases and Karapace: means AVRO. */
  schemaType?: SchemaType;
  references?: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  schema: string;
  deleted: boolean;
}

export interface ConfigValue {
  subject?: string;
  alias?: string;
  aliasForDeks?: string;
  normalize?: boolean;
  validateFields?: boolean;
  validateNewSchemas?: boolean;
  validateRules?: boolean;
  compatibilityLevel?: string;
  compatibilityPolicy?: string;
  compatibilityGroup?: string;
  defaultMetadata?: unknown;
  overrideMetadata?: unknown;
  defaultRuleSet?: unknown;
  overrideRuleSet?: unknown;
}

export interface ModeValue {
  subject?: string;
  mode: Mode;
}

export interface DeleteSubjectValue {
  subject: string;
  version: number;
}

export interface ClearSubjectValue {
  /** Absent: every subject (entering IMPORT mode globally). */
  subject?: string;
}

export interface ContextValue {
  tenant: string;
  context: string;
}

export type RegistryRecord =
  | { key: Extract<RegistryKey, { keytype: 'SCHEMA' }>; value: SchemaValue | null }
  | { key: Extract<RegistryKey, { keytype: 'CONFIG' }>; value: ConfigValue | null }
  | { key: Extract<RegistryKey, { keytype: 'MODE' }>; value: ModeValue | null }
  | { key: Extract<RegistryKey, { keytype: 'DELETE_SUBJECT' }>; value: DeleteSubjectValue | null }
  | { key: Extract<RegistryKey, { keytype: 'CLEAR_SUBJECT' }>; value: ClearSubjectValue | null }
  | { key: Extract<RegistryKey, { keytype: 'NOOP' }>; value: null }
  | { key: Extract<RegistryKey, { keytype: 'CONTEXT' }>; value: ContextValue | null }
  | { key: Extract<RegistryKey, { keytype: 'OTHER' }>; value: unknown };

// Key constructors with Confluent's magic bytes (1 for SCHEMA, 0 otherwise).
export const schemaKey = (subject: string, version: number) => ({ keytype: 'SCHEMA' as const, subject, version, magic: 1 });
export const configKey = (subject: string | null) => ({ keytype: 'CONFIG' as const, subject, magic: 0 });
export const modeKey = (subject: string | null) => ({ keytype: 'MODE' as const, subject, magic: 0 });
export const deleteSubjectKey = (subject: string) => ({ keytype: 'DELETE_SUBJECT' as const, subject, magic: 0 });
export const clearSubjectKey = (subject: string | null) => ({ keytype: 'CLEAR_SUBJECT' as const, subject, magic: 0 });
export const noopKey = () => ({ keytype: 'NOOP' as const, magic: 0 });
export const contextKey = (context: string, tenant = 'default') => ({ keytype: 'CONTEXT' as const, tenant, context, magic: 0 });

/** Jackson NON_EMPTY: null, undefined, "" and empty arrays/objects are left out. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

function ordered(fields: [string, unknown][]): string {
  const parts: string[] = [];
  for (const [k, v] of fields) if (!isEmpty(v)) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}

/** The key bytes' text, field order as Confluent writes it. */
export function encodeKey(key: RegistryKey): string {
  switch (key.keytype) {
    case 'SCHEMA':
      return ordered([
        ['keytype', key.keytype],
        ['subject', key.subject],
        ['version', key.version],
        ['magic', key.magic],
      ]);
    case 'CONFIG':
    case 'MODE':
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      return ordered([
        ['keytype', key.keytype],
        ['subject', key.subject],
        ['magic', key.magic],
      ]);
    case 'NOOP':
      return ordered([
        ['keytype', key.keytype],
        ['magic', key.magic],
      ]);
    case 'CONTEXT':
      return ordered([
        ['keytype', key.keytype],
        ['tenant', key.tenant],
        ['context', key.context],
        ['magic', key.magic],
      ]);
    case 'OTHER':
      throw new TypeError(`Cannot encode a key of unknown type ${key.type}`);
  }
}

const referencesJson = (refs: SchemaReference[] | undefined) => refs?.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));

/** The value text for a record (null for tombstones). */
export function encodeValue(record: RegistryRecord): string | null {
  const v = record.value;
  if (v === null || v === undefined) return null;
  switch (record.key.keytype) {
    case 'SCHEMA': {
      const s = v as SchemaValue;
      return ordered([
        ['subject', s.subject],
        ['version', s.version],
        ['id', s.id],
        ['schemaType', s.schemaType],
        ['references', referencesJson(s.references)],
        ['metadata', s.metadata],
        ['ruleSet', s.ruleSet],
        ['schema', s.schema],
        // NON_EMPTY keeps a false boolean: Confluent always writes "deleted".
        ['deleted', s.deleted],
      ]);
    }
    case 'CONFIG': {
      const c = v as ConfigValue;
      return ordered([
        ['subject', c.subject],
        ['alias', c.alias],
        ['aliasForDeks', c.aliasForDeks],
        ['normalize', c.normalize],
        ['validateFields', c.validateFields],
        ['validateNewSchemas', c.validateNewSchemas],
        ['validateRules', c.validateRules],
        ['compatibilityLevel', c.compatibilityLevel],
        ['compatibilityPolicy', c.compatibilityPolicy],
        ['compatibilityGroup', c.compatibilityGroup],
        ['defaultMetadata', c.defaultMetadata],
        ['overrideMetadata', c.overrideMetadata],
        ['defaultRuleSet', c.defaultRuleSet],
        ['overrideRuleSet', c.overrideRuleSet],
      ]);
    }
    case 'MODE': {
      const m = v as ModeValue;
      return ordered([
        ['subject', m.subject],
        ['mode', m.mode],
      ]);
    }
    case 'DELETE_SUBJECT': {
      const d = v as DeleteSubjectValue;
      return ordered([
        ['subject', d.subject],
        ['version', d.version],
      ]);
    }
    case 'CLEAR_SUBJECT':
      return ordered([['subject', (v as ClearSubjectValue).subject]]);
    case 'CONTEXT': {
      const c = v as ContextValue;
      return ordered([
        ['tenant', c.tenant],
        ['context', c.context],
      ]);
    }
    default:
      throw new TypeError(`Cannot encode a value for key type ${record.key.keytype}`);
  }
}

function parseObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CorruptDataError(`_schemas ${what} is not JSON: ${messageOf(err)}`, { cause: err, context: { [what]: text } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CorruptDataError(`_schemas ${what} is not a JSON object`, { context: { [what]: text } });
  }
  return parsed as Record<string, unknown>;
}

const str = (o: Record<string, unknown>, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const int = (o: Record<string, unknown>, k: string): number | undefined => (Number.isInteger(o[k]) ? (o[k] as number) : undefined);

function required<T>(value: T | undefined, field: string, text: string): T {
  if (value === undefined) throw new CorruptDataError(`_schemas record lacks a valid "${field}"`, { context: { record: text } });
  return value;
}

export function decodeKey(text: string): RegistryKey {
  const o = parseObject(text, 'key');
  const keytype = str(o, 'keytype');
  const magic = int(o, 'magic') ?? 0;
  const subject = str(o, 'subject');
  switch (keytype) {
    case 'SCHEMA':
      return { keytype, subject: required(subject, 'subject', text), version: required(int(o, 'version'), 'version', text), magic };
    case 'CONFIG':
    case 'MODE':
      return { keytype, subject: subject ?? null, magic };
    case 'DELETE_SUBJECT':
      return { keytype, subject: required(subject, 'subject', text), magic };
    case 'CLEAR_SUBJECT':
      return { keytype, subject: subject ?? null, magic };
    case 'NOOP':
      return { keytype, magic };
    case 'CONTEXT':
      return { keytype, tenant: str(o, 'tenant') ?? 'default', context: required(str(o, 'context'), 'context', text), magic };
    default:
      return { keytype: 'OTHER', type: keytype ?? '' };
  }
}

function decodeReferences(v: unknown, text: string): SchemaReference[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new CorruptDataError('_schemas value has non-array "references"', { context: { record: text } });
  return v.map((r: Record<string, unknown>) => ({
    name: required(str(r, 'name'), 'references.name', text),
    subject: required(str(r, 'subject'), 'references.subject', text),
    version: required(int(r, 'version'), 'references.version', text),
  }));
}

/** Decodes a record; the key's type decides the value's shape. `valueText` null is a tombstone. */
export function decodeRecord(keyText: string, valueText: string | null): RegistryRecord {
  const key = decodeKey(keyText);
  if (valueText === null) return { key, value: null } as RegistryRecord;
  if (key.keytype === 'OTHER') return { key, value: valueText };
  if (key.keytype === 'NOOP') return { key, value: null };
  const o = parseObject(valueText, 'value');
  switch (key.keytype) {
    case 'SCHEMA': {
      const schemaType = str(o, 'schemaType');
      const value: SchemaValue = {
        subject: str(o, 'subject') ?? key.subject,
        version: int(o, 'version') ?? key.version,
        id: required(int(o, 'id'), 'id', valueText),
        schema: required(str(o, 'schema'), 'schema', valueText),
        deleted: o.deleted === true,
      };
      if (schemaType !== undefined) value.schemaType = schemaType as SchemaType;
      const references = decodeReferences(o.references, valueText);
      if (references !== undefined && references.length > 0) value.references = references;
      if (o.metadata !== undefined && o.metadata !== null) value.metadata = o.metadata;
      if (o.ruleSet !== undefined && o.ruleSet !== null) value.ruleSet = o.ruleSet;
      return { key, value };
    }
    case 'CONFIG': {
      // Older records lack "subject" in the value; the key carries it.
      const value = { ...o } as ConfigValue;
      if (value.subject === undefined && key.subject !== null) value.subject = key.subject;
      return { key, value };
    }
    case 'MODE': {
      const value: ModeValue = { mode: required(str(o, 'mode'), 'mode', valueText) as Mode };
      const subject = str(o, 'subject') ?? key.subject ?? undefined;
      if (subject !== undefined) value.subject = subject;
      return { key, value };
    }
    case 'DELETE_SUBJECT':
      return { key, value: { subject: str(o, 'subject') ?? key.subject, version: required(int(o, 'version'), 'version', valueText) } };
    case 'CLEAR_SUBJECT': {
      const subject = str(o, 'subject') ?? key.subject ?? undefined;
      return { key, value: subject === undefined ? {} : { subject } };
    }
    case 'CONTEXT':
      return { key, value: { tenant: str(o, 'tenant') ?? key.tenant, context: str(o, 'context') ?? key.context } };
  }
}
