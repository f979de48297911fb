/**
 * Compatibility levels and how a new schema is checked against a subject's earlier versions,
 * following Confluent's CompatibilityChecker: BACKWARD means the new schema reads data written
 * with the old one, FORWARD the reverse, FULL both; non-transitive levels look at the latest
 * version only, transitive ones at every version from newest to oldest, stopping at the first
 * failure. Messages are Confluent's, including the trailing {oldSchemaVersion}/{oldSchema} notes.
 */
import { invalidCompatibilityLevel } from './errors.ts';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/** STRICT (default) or LENIENT change sets for JSON Schema; LOGICAL behaves as STRICT here. */
export type CompatibilityPolicy = 'STRICT' | 'LENIENT' | 'LOGICAL';

/** Case-insensitive, as Confluent's CompatibilityLevel.forName; anything else is 42203. */
export function parseCompatibilityLevel(name: string): CompatibilityLevel {
  const upper = name.toUpperCase();
  if ((COMPATIBILITY_LEVELS as readonly string[]).includes(upper)) return upper as CompatibilityLevel;
  throw invalidCompatibilityLevel();
}

export function parseCompatibilityPolicy(name: string | undefined): CompatibilityPolicy {
  const upper = (name ?? 'STRICT').toUpperCase();
  return upper === 'LENIENT' || upper === 'LOGICAL' ? upper : 'STRICT';
}

/** What a schema must offer to be checked: its type and "can I read data written with `previous`?". */
export interface CheckableSchema {
  readonly schemaType: string;
  /** The stored text, quoted in messages as {oldSchema: '...'}. */
  readonly canonical: string;
  /** Messages (with two %s placeholders: reader, writer) for every reason this schema cannot read `previous`'s data. */
  isBackwardCompatible(previous: CheckableSchema, policy: CompatibilityPolicy): string[];
}

export interface PreviousVersion {
  version: number;
  schema: CheckableSchema;
}

const DIFFERENT_SCHEMA_TYPE = 'Incompatible because of different schema type';
const MAX_SCHEMA_SIZE_FOR_LOGGING = 10 * 1024;

/** String.format(message, reader, writer) for the two %s of a difference text. */
function fill(message: string, reader: string, writer: string): string {
  return message.replace('%s', reader).replace('%s', writer);
}

function formatMessages(messages: string[], existing: PreviousVersion, reader: string, writer: string, appendSchema: boolean): string[] {
  if (messages.length === 0) return messages;
  const out = messages.map((m) => fill(m, reader, writer));
  if (appendSchema) {
    out.push(`{oldSchemaVersion: ${existing.version}}`);
    const text = existing.schema.canonical;
    out.push(
      text.length <= MAX_SCHEMA_SIZE_FOR_LOGGING
        ? `{oldSchema: '${text}'}`
        : `{oldSchema: <truncated> '${text.slice(0, MAX_SCHEMA_SIZE_FOR_LOGGING)}...'}`,
    );
  }
  return out;
}

function checkPair(level: CompatibilityLevel, policy: CompatibilityPolicy, next: CheckableSchema, existing: PreviousVersion): string[] {
  if (next.schemaType !== existing.schema.schemaType) return [DIFFERENT_SCHEMA_TYPE];
  const old = existing.schema;
  const canRead = () => formatMessages(next.isBackwardCompatible(old, policy), existing, 'new', 'old', true);
  const canBeRead = (append: boolean) => formatMessages(old.isBackwardCompatible(next, policy), existing, 'old', 'new', append);
  switch (level) {
    case 'BACKWARD':
    case 'BACKWARD_TRANSITIVE':
      return canRead();
    case 'FORWARD':
    case 'FORWARD_TRANSITIVE':
      return canBeRead(true);
    case 'FULL':
    case 'FULL_TRANSITIVE':
      return [...canBeRead(false), ...canRead()];
    case 'NONE':
      return [];
  }
}

/**
 * Messages explaining why `next` is incompatible with `previous` (chronological order, live
 * versions only) at `level`; empty when compatible. The trailing
 * {validateFields: 'false', compatibility: 'LEVEL'} note is added as Confluent does.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  policy: CompatibilityPolicy,
  next: CheckableSchema,
  previous: readonly PreviousVersion[],
  validateFields = false,
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const newestFirst = [...previous].reverse();
  const transitive = level.endsWith('_TRANSITIVE');
  let messages: string[] = [];
  for (const existing of transitive ? newestFirst : newestFirst.slice(0, 1)) {
    messages = checkPair(level, policy, next, existing);
    if (messages.length > 0) break;
  }
  if (messages.length > 0) messages.push(`{validateFields: '${validateFields}', compatibility: '${level}'}`);
  return messages;
}
