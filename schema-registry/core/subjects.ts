/**
 * Subject names and version ids as Confluent parses them. A subject may carry a context prefix,
 * ":.ctx:name"; a bare name lives in the default context ".". Only the default tenant exists here.
 */
import { invalidVersion } from './errors.ts';

export const DEFAULT_CONTEXT = '.';
/** The context Confluent uses for registry-wide config and mode (":.__GLOBAL:"). */
export const GLOBAL_CONTEXT = '.__GLOBAL';
const CONTEXT_PREFIX = ':.';
const CONTEXT_WILDCARD = ':*:';

export interface QualifiedSubject {
  /** "." for the default context, else ".name". */
  context: string;
  /** The subject without its context ("" for a bare context like ":.ctx:"). */
  name: string;
}

export function parseSubject(qualified: string): QualifiedSubject {
  if (qualified.startsWith(CONTEXT_PREFIX)) {
    const end = qualified.indexOf(':', CONTEXT_PREFIX.length);
    if (end < 0) return { context: qualified.slice(1), name: '' };
    return { context: qualified.slice(1, end), name: qualified.slice(end + 1) };
  }
  if (qualified.startsWith(CONTEXT_WILDCARD)) return { context: '*', name: qualified.slice(CONTEXT_WILDCARD.length) };
  return { context: DEFAULT_CONTEXT, name: qualified };
}

/** The form subjects are stored under: ":.:orders" and "orders" are the same subject. */
export function normalizeSubject(qualified: string): string {
  const q = parseSubject(qualified);
  return q.context === DEFAULT_CONTEXT ? q.name : `:${q.context}:${q.name}`;
}

export const contextOf = (subject: string): string => parseSubject(subject).context;

/** True for "", ":.:" — the names Confluent treats as "the default context itself" (global config/mode). */
export function isDefaultContextName(subject: string | undefined | null): boolean {
  if (subject === undefined || subject === null) return true;
  const q = parseSubject(subject);
  return q.context === DEFAULT_CONTEXT && q.name === '';
}

/**
 * Confluent's QualifiedSubject.isValidSubject: no ISO control characters, not the reserved names
 * "__GLOBAL"/"__EMPTY", and (outside config/mode) not in the ".__GLOBAL" context.
 */
export function isValidSubject(subject: string, options: { configOrMode?: boolean; allowEmpty?: boolean } = {}): boolean {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(subject)) return false;
  const q = parseSubject(subject);
  if (q.name === '__GLOBAL' || q.name === '__EMPTY') return false;
  if (!(options.allowEmpty ?? false) && (q.name === '' || q.name === '*')) return false;
  if (!(options.configOrMode ?? false) && q.context === GLOBAL_CONTEXT) return false;
  return true;
}

/** A parsed version segment: a number in [1, 2^31-1], or "latest" (also written -1). */
export type VersionId = number | 'latest';

/** Parses a version path segment like Confluent's VersionId; anything else is 42202 with its message. */
export function parseVersionId(text: string): VersionId {
  const t = text.trim();
  if (t.toLowerCase() === 'latest') return 'latest';
  // Integer.parseInt: optional sign, decimal digits, within int32.
  if (!/^[+-]?[0-9]+$/.test(t)) throw invalidVersion(text);
  const n = Number(t);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw invalidVersion(text);
  if (n === -1) return 'latest';
  if (n <= 0) throw invalidVersion(String(n));
  return n;
}
