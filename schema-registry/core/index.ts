/**
 * Public surface of the registry core, for the store (`_schemas` topic), the HTTP layer and the
 * converters. Everything here is pure: no network, no topic, no clock.
 *
 * Typical use by the store:
 *   const state = new RegistryState();
 *   for (const r of topic) applyRawRecord(state, r.key, r.value, { offset: r.offset, timestamp: r.timestamp });
 *   const registry = new SchemaRegistry(state);
 *   const { result, records } = registry.register('orders-value', { schema });   // throws RegistryError
 *   // append records (encodeKey / encodeValue), wait until read back and applied, then answer `result`.
 */
import { decodeRecord } from './records.ts';
import type { ApplyOutcome, RecordPosition, RegistryState } from './state.ts';

export { RegistryState, guidOf, schemaHash, type StoredSchema, type ApplyOutcome, type RecordPosition } from './state.ts';
export {
  SchemaRegistry,
  type RegistryOptions,
  type SchemaView,
  type RegisterRequest,
  type Write,
  type ConfigUpdate,
  type ConfigView,
  type CompatibilityResult,
} from './registry.ts';
export {
  encodeKey,
  encodeValue,
  decodeKey,
  decodeRecord,
  schemaKey,
  configKey,
  modeKey,
  deleteSubjectKey,
  clearSubjectKey,
  noopKey,
  contextKey,
  type RegistryKey,
  type RegistryRecord,
  type SchemaValue,
  type ConfigValue,
  type ModeValue,
  type SchemaReference,
  type SchemaType,
  type Mode,
} from './records.ts';
export { RegistryError, type RegistryErrorBody } from './errors.ts';
export * as registryErrors from './errors.ts';
export { parseSchema, resolveReferences, SCHEMA_TYPES, type ParsedSchema, type SchemaRequest, type ReferenceFetcher, type ParseOptions } from './schemas.ts';
export {
  COMPATIBILITY_LEVELS,
  checkCompatibility,
  parseCompatibilityLevel,
  type CompatibilityLevel,
  type CompatibilityPolicy,
} from './compatibility.ts';
export { parseVersionId, normalizeSubject, parseSubject, isValidSubject, DEFAULT_CONTEXT, type VersionId, type QualifiedSubject } from './subjects.ts';

/** Decodes a `_schemas` record from its key and value text (null value = tombstone) and applies it. */
export function applyRawRecord(state: RegistryState, keyText: string, valueText: string | null, position: RecordPosition = {}): ApplyOutcome {
  return state.apply(decodeRecord(keyText, valueText), position);
}
