/**
 * The registry's operations, as Confluent Schema Registry defines them, over a RegistryState.
 *
 * Reads answer from the state. Writes do not change the state: they validate, decide (ids,
 * versions, what to delete) and return the `_schemas` records to append together with the answer
 * to give once those records are stored. The store appends them, reads them back and applies each
 * with `state.apply` — exactly how Confluent's leader works (write to the topic, wait for its own
 * reader) — so a restarted or follower registry derives the same state from the topic.
 *
 * Writes must be planned one at a time against a state that has applied every earlier write
 * (the store's write lock): ids and versions are derived from the state.
 */
import {
  contextNotEmpty,
  incompatibleSchema,
  invalidMode,
  invalidSchema,
  invalidSubject,
  operationNotPermitted,
  referenceExists,
  RegistryError,
  schemaNotFound,
  subjectCompatibilityNotConfigured,
  subjectModeNotConfigured,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from './errors.ts';
import {
  checkCompatibility,
  parseCompatibilityLevel,
  parseCompatibilityPolicy,
  type CompatibilityLevel,
} from './compatibility.ts';
import {
  clearSubjectKey,
  configKey,
  contextKey,
  deleteSubjectKey,
  modeKey,
  schemaKey,
  type ConfigValue,
  type Mode,
  type RegistryRecord,
  type SchemaReference,
  type SchemaType,
} from './records.ts';
import { parseSchema, type ParsedSchema, type ReferenceFetcher, type SchemaRequest } from './schemas.ts';
import { guidOf, schemaHash, type RegistryState, type StoredSchema } from './state.ts';
import {
  DEFAULT_CONTEXT,
  GLOBAL_CONTEXT,
  contextOf,
  isDefaultContextName,
  isValidSubject,
  normalizeSubject,
  parseSubject,
  parseVersionId,
  type VersionId,
} from './subjects.ts';

export interface RegistryOptions {
  /** `schema.compatibility.level`: the level when nothing is configured (BACKWARD). */
  defaultCompatibility?: CompatibilityLevel;
  /** `mode` when nothing is configured (READWRITE). */
  defaultMode?: Mode;
  /** `schema.validate.new.schemas` (true): check Avro defaults of newly registered schemas. */
  validateNewSchemas?: boolean;
  /** `schema.reject.empty.subject` (false). */
  rejectEmptySubject?: boolean;
}

/** A schema version as the API shows it. */
export interface SchemaView {
  subject: string;
  version: number;
  id: number;
  guid: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  schema: string;
  deleted: boolean;
  ts?: number;
}

/** Register body: a schema plus, in IMPORT mode, the id and version to use. */
export interface RegisterRequest extends SchemaRequest {
  id?: number;
  version?: number;
}

export interface Write<T> {
  /** The answer to give once `records` are stored. */
  result: T;
  /** Records to append to `_schemas`, in order (may be empty: nothing to change). */
  records: RegistryRecord[];
}

/** Body of PUT /config: fields left out keep their current value. */
export interface ConfigUpdate {
  compatibilityLevel?: string;
  compatibilityPolicy?: string;
  compatibilityGroup?: string;
  normalize?: boolean;
  validateFields?: boolean;
  validateNewSchemas?: boolean;
  validateRules?: boolean;
  alias?: string;
  defaultMetadata?: unknown;
  overrideMetadata?: unknown;
  defaultRuleSet?: unknown;
  overrideRuleSet?: unknown;
}

/** A config as GET /config answers it (no subject). */
export type ConfigView = Omit<ConfigValue, 'subject'> & { compatibilityLevel: string };

export interface CompatibilityResult {
  is_compatible: boolean;
  /** Present when verbose was asked for. */
  messages?: string[];
}

const MODES: readonly Mode[] = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT', 'FORWARD'];

/** Confluent prints the default context as "" in "Subject X in context Y ..." messages. */
function qualifiedContext(subject: string): string {
  const ctx = contextOf(subject);
  return ctx === DEFAULT_CONTEXT ? '' : `:${ctx}:`;
}

function view(s: StoredSchema): SchemaView {
  const v: SchemaView = {
    subject: s.subject,
    version: s.version,
    id: s.id,
    guid: guidOf(s.md5),
    schemaType: s.schemaType,
    references: s.references,
    schema: s.schema,
    deleted: s.deleted,
  };
  if (s.metadata !== undefined) v.metadata = s.metadata;
  if (s.ruleSet !== undefined) v.ruleSet = s.ruleSet;
  if (s.ts !== undefined) v.ts = s.ts;
  return v;
}

export class SchemaRegistry {
  readonly state: RegistryState;
  private readonly defaultCompatibility: CompatibilityLevel;
  private readonly defaultMode: Mode;
  private readonly validateNewSchemas: boolean;
  private readonly rejectEmptySubject: boolean;

  constructor(state: RegistryState, options: RegistryOptions = {}) {
    this.state = state;
    this.defaultCompatibility = options.defaultCompatibility ?? 'BACKWARD';
    this.defaultMode = options.defaultMode ?? 'READWRITE';
    this.validateNewSchemas = options.validateNewSchemas ?? true;
    this.rejectEmptySubject = options.rejectEmptySubject ?? false;
  }

  // ---------------------------------------------------------------- reads

  /** GET /subjects. `subjectPrefix` ":*:" (the default) spans every context. */
  listSubjects(options: { subjectPrefix?: string; deleted?: boolean; deletedOnly?: boolean } = {}): string[] {
    const prefix = options.subjectPrefix ?? ':*:';
    const matches = (s: string): boolean => {
      if (prefix.startsWith(':*:')) return parseSubject(s).name.startsWith(prefix.slice(3));
      return s.startsWith(prefix);
    };
    const out: string[] = [];
    for (const [subject, versions] of this.state.subjects) {
      if (!matches(subject)) continue;
      const allDeleted = [...versions.values()].every((v) => v.deleted);
      const include = options.deletedOnly ? allDeleted : options.deleted ? true : !allDeleted;
      if (include) out.push(subject);
    }
    return out.sort(compareStrings);
  }

  /** GET /subjects/{s}/versions. */
  listVersions(subject: string, options: { deleted?: boolean; deletedOnly?: boolean; deletedAsNegative?: boolean } = {}): number[] {
    const name = normalizeSubject(subject);
    const all = this.state.versions(name);
    const lookupDeleted = options.deleted === true || options.deletedOnly === true || options.deletedAsNegative === true;
    if (!all.some((v) => lookupDeleted || !v.deleted)) throw subjectNotFound(name);
    if (options.deletedAsNegative) return all.map((v) => (v.deleted ? -v.version : v.version));
    if (options.deletedOnly) return all.filter((v) => v.deleted).map((v) => v.version);
    return all.filter((v) => options.deleted || !v.deleted).map((v) => v.version);
  }

  /** GET /subjects/{s}/versions/{v}; `version` is the path text ("latest", "-1", "3"). */
  getVersion(subject: string, version: string | VersionId, options: { deleted?: boolean } = {}): SchemaView {
    const name = normalizeSubject(subject);
    const v = typeof version === 'string' ? parseVersionId(version) : version;
    const found = this.find(name, v, options.deleted === true);
    if (found) return view(found);
    if (!this.hasSubject(name, options.deleted === true)) throw subjectNotFound(name);
    throw versionNotFound(v === 'latest' ? -1 : v);
  }

  /** GET /schemas/ids/{id}: the schema with this id (soft-deleted versions still resolve). */
  getSchemaById(id: number, options: { subject?: string } = {}): SchemaView {
    const key = this.keyForId(id, options.subject);
    const stored = key && this.state.get(key.subject, key.version);
    if (!stored) throw schemaNotFound(id);
    return view(stored);
  }

  /** GET /schemas/ids/{id}/versions: every subject version using the id. */
  getVersionsById(id: number, options: { subject?: string; deleted?: boolean } = {}): { subject: string; version: number }[] {
    const key = this.keyForId(id, options.subject);
    if (!key) throw schemaNotFound(id);
    const holders = this.state
      .holdersOf(id, contextOf(key.subject))
      .filter((h) => options.deleted === true || this.state.get(h.subject, h.version)?.deleted === false);
    return holders.sort((a, b) => compareStrings(a.subject, b.subject) || a.version - b.version);
  }

  /** GET /schemas/ids/{id}/subjects. */
  getSubjectsById(id: number, options: { subject?: string; deleted?: boolean } = {}): string[] {
    return [...new Set(this.getVersionsById(id, options).map((h) => h.subject))];
  }

  /** GET /schemas: versions of every (matching) subject, optionally the latest only. */
  listSchemas(options: { subjectPrefix?: string; deleted?: boolean; latestOnly?: boolean } = {}): SchemaView[] {
    const out: SchemaView[] = [];
    for (const subject of this.listSubjects({ subjectPrefix: options.subjectPrefix ?? '', deleted: options.deleted })) {
      const versions = this.state.versions(subject).filter((v) => options.deleted === true || !v.deleted);
      const chosen = options.latestOnly ? versions.slice(-1) : versions;
      out.push(...chosen.map(view));
    }
    return out;
  }

  /** GET /subjects/{s}/versions/{v}/referencedby: ids of schemas referring to that version. */
  referencedBy(subject: string, version: string | VersionId, options: { deleted?: boolean } = {}): number[] {
    const target = this.getVersion(subject, version, { deleted: true });
    return this.referrers(target.subject, target.version, options.deleted === true).map((r) => r.id);
  }

  /** GET /contexts. */
  listContexts(): string[] {
    return this.state.contextNames();
  }

  /**
   * POST /subjects/{s}: the version of this subject holding the submitted schema. The schema is
   * parsed first (an invalid one is 42201 even for an unknown subject).
   */
  lookup(subject: string, request: SchemaRequest, options: { normalize?: boolean; deleted?: boolean } = {}): SchemaView {
    const name = normalizeSubject(subject);
    const normalize = options.normalize === true || this.configInScope(name).normalize === true;
    const parsed = parseSchema(request, name, this.fetcher(), { normalize, validateAsNew: false });
    const found = this.findInSubject(name, parsed, request, options.deleted === true);
    if (found) return view(found);
    if (!this.hasSubject(name, options.deleted === true)) throw subjectNotFound(name);
    throw schemaNotFound();
  }

  /**
   * POST /compatibility/subjects/{s}/versions[/{v}]: is the schema compatible with version `v`
   * (or, with `version` undefined, with the versions the subject's level checks)?
   */
  testCompatibility(
    subject: string,
    version: string | undefined,
    request: SchemaRequest,
    options: { normalize?: boolean; verbose?: boolean } = {},
  ): CompatibilityResult {
    const name = normalizeSubject(subject);
    let previous: StoredSchema[];
    if (version === undefined) previous = this.state.liveVersions(name);
    else {
      const v = parseVersionId(version);
      const found = this.find(name, v, false);
      if (!found && v !== 'latest') throw versionNotFound(v);
      previous = found ? [found] : [];
    }
    const config = this.configInScope(name);
    const normalize = options.normalize === true || config.normalize === true;
    let messages: string[];
    try {
      const parsed = parseSchema(request, name, this.fetcher(), { normalize, validateAsNew: this.validatesNew(config) });
      messages = this.incompatibilities(name, parsed, previous, config);
    } catch (err) {
      if (!(err instanceof RegistryError) || err.errorCode !== 42201 || options.verbose !== true) throw err;
      messages = [err.message];
    }
    const result: CompatibilityResult = { is_compatible: messages.length === 0 };
    if (options.verbose === true) result.messages = messages;
    return result;
  }

  /**
   * GET /config[/{s}]. With a subject and defaultToGlobal false, only the subject's own config
   * (40408 when it has none — kafkajs relies on that).
   */
  getConfig(subject: string | null, options: { defaultToGlobal?: boolean } = {}): ConfigView {
    if (subject === null || isDefaultContextName(subject)) {
      return options.defaultToGlobal ? this.configInScope(null) : this.withLevel(this.state.configs.get(''));
    }
    const name = normalizeSubject(subject);
    if (options.defaultToGlobal) return this.configInScope(name);
    const own = this.state.configs.get(name);
    if (!own) throw subjectCompatibilityNotConfigured(name);
    return this.withLevel(own);
  }

  /** GET /mode[/{s}]. */
  getMode(subject: string | null, options: { defaultToGlobal?: boolean } = {}): { mode: Mode } {
    if (subject === null || isDefaultContextName(subject)) {
      return { mode: options.defaultToGlobal ? this.modeInScope(null) : (this.state.modes.get('') ?? this.defaultMode) };
    }
    const name = normalizeSubject(subject);
    if (options.defaultToGlobal) return { mode: this.modeInScope(name) };
    const own = this.state.modes.get(name);
    if (own === undefined) throw subjectModeNotConfigured(name);
    return { mode: own };
  }

  // ---------------------------------------------------------------- writes

  /**
   * POST /subjects/{s}/versions. Returns the existing id and version when the schema is already
   * live in the subject; otherwise checks mode and compatibility, reuses the schema's global id if
   * any subject has it, and plans the new version.
   */
  register(subject: string, request: RegisterRequest, options: { normalize?: boolean; force?: boolean } = {}): Write<SchemaView> {
    if (!isValidSubject(subject, { allowEmpty: !this.rejectEmptySubject })) throw invalidSubject(subject);
    const name = normalizeSubject(subject);
    const config = this.configInScope(name);
    const normalize = options.normalize === true || config.normalize === true;
    const requestedId = request.id !== undefined && request.id >= 0 ? request.id : -1;
    const requestedVersion = request.version ?? 0;

    // Already registered? (Answered even in read-only mode, as Confluent does.)
    if (typeof request.schema === 'string' && request.schema.trim() !== '') {
      const probe = parseSchema(request, name, this.fetcher(), { normalize, validateAsNew: false });
      const existing = requestedVersion === -1 ? this.latestIfSame(name, probe) : this.findInSubject(name, probe, request, false);
      if (existing) {
        if (requestedVersion === 0 || requestedVersion === -1) {
          if (requestedId < 0 || requestedId === existing.id) return { result: view(existing), records: [] };
        } else if (existing.id === requestedId && existing.version === requestedVersion) {
          return { result: view(existing), records: [] };
        }
      }
    }

    const mode = this.modeInScope(name);
    this.checkRegisterMode(name, mode, requestedId);
    const importing = mode === 'IMPORT' || mode === 'FORWARD';

    const all = this.state.versions(name);
    const newVersion = all.reduce((max, v) => Math.max(max, v.version + 1), 1);
    const live = all.filter((v) => !v.deleted);
    const latestLive = live[live.length - 1];

    let effective: SchemaRequest = request;
    if (typeof request.schema !== 'string' || request.schema.trim() === '') {
      // A body with no schema (e.g. only new metadata) re-registers the latest schema.
      if (importing || !latestLive) throw invalidSchema('Empty schema');
      effective = { ...request, schema: latestLive.schema, schemaType: latestLive.schemaType, references: latestLive.references };
    }
    const validateAsNew = requestedId < 0 && this.validatesNew(config) && !importing;
    const parsed = parseSchema(effective, name, this.fetcher(), { normalize: normalize && !importing, validateAsNew });
    const md5 = schemaHash(parsed.canonical, parsed.references, effective.metadata, effective.ruleSet);
    const ctx = contextOf(name);

    let id = mode === 'FORWARD' ? -1 : requestedId;
    const knownId = this.state.idForHash(ctx, md5);
    if (knownId !== undefined && (id < 0 || id === knownId)) {
      const mine = this.state.schemaKeyById(knownId, ctx, name);
      const mineLive = mine && this.state.get(name, mine.version)?.deleted === false;
      if (requestedVersion === 0 && mine && mineLive) {
        return { result: view(this.state.get(name, mine.version) as StoredSchema), records: [] };
      }
      id = knownId;
    }

    if (!importing && options.force !== true) {
      const messages = this.incompatibilities(name, parsed, live, config);
      if (messages.length > 0) throw incompatibleSchema(name, messages);
    }

    let version = requestedVersion;
    if (version <= 0) version = newVersion;
    else if (version !== newVersion && !importing) throw invalidSchema('Version is not one more than previous version');

    if (id >= 0) this.checkIdFree(id, ctx, parsed.canonical);
    else id = this.state.maxId(ctx) + 1;

    const records: RegistryRecord[] = [];
    if (ctx !== DEFAULT_CONTEXT && !this.state.contexts.has(ctx)) records.push({ key: contextKey(ctx), value: { tenant: 'default', context: ctx } });
    for (const old of all) {
      // A soft-deleted earlier version of the same schema gives way to the new version.
      if (old.deleted && old.id === id && old.version < version && this.referrers(name, old.version, true).length === 0) {
        records.push({ key: schemaKey(name, old.version), value: null });
      }
    }
    const value = {
      subject: name,
      version,
      id,
      schemaType: parsed.schemaType,
      references: parsed.references,
      schema: parsed.canonical,
      deleted: false,
      ...(effective.metadata !== undefined ? { metadata: effective.metadata } : {}),
      ...(effective.ruleSet !== undefined ? { ruleSet: effective.ruleSet } : {}),
    };
    records.push({ key: schemaKey(name, version), value });
    const result: SchemaView = {
      subject: name,
      version,
      id,
      guid: guidOf(md5),
      schemaType: parsed.schemaType,
      references: parsed.references,
      schema: parsed.canonical,
      deleted: false,
    };
    if (value.metadata !== undefined) result.metadata = value.metadata;
    if (value.ruleSet !== undefined) result.ruleSet = value.ruleSet;
    return { result, records };
  }

  /** DELETE /subjects/{s}/versions/{v}[?permanent=true]; answers the deleted version number. */
  deleteVersion(subject: string, version: string | VersionId, options: { permanent?: boolean } = {}): Write<number> {
    const name = normalizeSubject(subject);
    const permanent = options.permanent === true;
    const v = typeof version === 'string' ? parseVersionId(version) : version;
    const any = this.find(name, v, true);
    if (any && !permanent && any.deleted) throw versionSoftDeleted(name, v === 'latest' ? -1 : v);
    if (!any) {
      if (!this.hasSubject(name, true)) throw subjectNotFound(name);
      throw versionNotFound(v === 'latest' ? -1 : v);
    }
    this.checkNotReadOnly(name);
    if (this.referrers(name, any.version, permanent).length > 0) throw referenceExists(name, any.version);
    if (permanent && !any.deleted) throw versionNotSoftDeleted(name, any.version);
    const records: RegistryRecord[] = [];
    if (!permanent) {
      records.push({ key: schemaKey(name, any.version), value: { ...this.valueOf(any), deleted: true } });
    } else {
      records.push({ key: schemaKey(name, any.version), value: null });
      if (this.state.versions(name).length === 1) records.push(...this.dropSubjectSettings(name));
    }
    return { result: any.version, records };
  }

  /** DELETE /subjects/{s}[?permanent=true]; answers the deleted versions. */
  deleteSubject(subject: string, options: { permanent?: boolean } = {}): Write<number[]> {
    const name = normalizeSubject(subject);
    const permanent = options.permanent === true;
    if (!this.hasSubject(name, true)) throw subjectNotFound(name);
    if (!permanent && !this.hasSubject(name, false)) throw subjectSoftDeleted(name);
    this.checkNotReadOnly(name);
    const versions = permanent ? this.state.versions(name) : this.state.liveVersions(name);
    for (const v of versions) {
      // Only references from other subjects block (live ones, or any for a permanent delete).
      const referringSubjects = this.referrers(name, v.version, true)
        .flatMap((r) => this.state.holdersOf(r.id, r.context))
        .filter((h) => h.subject !== name && (permanent || this.state.get(h.subject, h.version)?.deleted === false));
      if (referringSubjects.length > 0) throw referenceExists(name, v.version);
      if (permanent && !v.deleted) throw subjectNotSoftDeleted(name);
    }
    const numbers = versions.map((v) => v.version);
    const records: RegistryRecord[] = [];
    if (!permanent) {
      records.push({ key: deleteSubjectKey(name), value: { subject: name, version: numbers[numbers.length - 1] } });
    } else {
      // Highest first, so a version referring to an earlier one of the same subject goes first.
      for (const n of [...numbers].reverse()) records.push({ key: schemaKey(name, n), value: null });
      records.push(...this.dropSubjectSettings(name));
    }
    return { result: numbers, records };
  }

  /** PUT /config[/{s}]; answers the resulting config. */
  updateConfig(subject: string | null, update: ConfigUpdate): Write<ConfigView> {
    if (update.compatibilityLevel !== undefined && update.compatibilityLevel !== null) parseCompatibilityLevel(update.compatibilityLevel);
    const name = this.settingsSubject(subject);
    this.checkNotReadOnly(name);
    const old = this.state.configs.get(name ?? '');
    const next: ConfigValue = { ...(old ?? {}) };
    for (const [k, v] of Object.entries(update) as [keyof ConfigUpdate, unknown][]) {
      if (v === undefined) continue;
      if (k === 'compatibilityLevel') next.compatibilityLevel = parseCompatibilityLevel(v as string);
      else if (k === 'compatibilityPolicy') next.compatibilityPolicy = (v as string).toUpperCase();
      else (next as Record<string, unknown>)[k] = v;
    }
    if (name !== null) next.subject = name;
    else delete next.subject;
    return { result: this.withLevel(next), records: [{ key: configKey(name), value: next }] };
  }

  /** DELETE /config[/{s}]; answers the config that was removed. */
  deleteConfig(subject: string | null): Write<ConfigView> {
    const name = subject === null || isDefaultContextName(subject) ? null : normalizeSubject(subject);
    this.checkNotReadOnly(name);
    const old = this.state.configs.get(name ?? '');
    if (name !== null && !old) throw subjectNotFound(name);
    return { result: this.withLevel(old), records: [{ key: configKey(name), value: null }] };
  }

  /**
   * PUT /mode[/{s}]. Entering IMPORT needs an empty scope (or force): leftover soft-deleted
   * versions are removed for good and a CLEAR_SUBJECT record tells every reader to forget them.
   */
  setMode(subject: string | null, modeName: string, options: { force?: boolean } = {}): Write<{ mode: Mode }> {
    const name = this.settingsSubject(subject);
    const mode = modeName.toUpperCase() as Mode;
    if (!MODES.includes(mode)) throw invalidMode();
    // FORWARD is only accepted on the ":.__GLOBAL:" context, as in Confluent.
    if (mode === 'FORWARD' && (name === null || contextOf(name) !== GLOBAL_CONTEXT || parseSubject(name).name !== '')) {
      throw new RegistryError(422, 42204, 'INVALID_MODE', 'Forward mode only supported on global level');
    }
    const records: RegistryRecord[] = [];
    if (mode === 'IMPORT' && this.modeInScope(name) !== 'IMPORT' && options.force !== true) {
      const scope = this.subjectsInScope(name);
      if (scope.some((s) => this.hasSubject(s, false))) throw operationNotPermitted('Cannot import since found existing subjects');
      for (const s of scope) {
        for (const v of this.state.versions(s)) {
          if (this.referrers(s, v.version, true).length > 0) throw referenceExists(s, v.version);
          records.push({ key: schemaKey(s, v.version), value: null });
        }
      }
      records.push({ key: clearSubjectKey(name), value: name === null ? {} : { subject: name } });
    }
    records.push({ key: modeKey(name), value: name === null ? { mode } : { subject: name, mode } });
    return { result: { mode }, records };
  }

  /** DELETE /mode[/{s}]; answers the mode that was removed. */
  deleteMode(subject: string | null): Write<{ mode: Mode }> {
    const name = subject === null || isDefaultContextName(subject) ? null : normalizeSubject(subject);
    const old = name === null ? (this.state.modes.get('') ?? this.defaultMode) : this.state.modes.get(name);
    if (old === undefined) throw subjectNotFound(name as string);
    return { result: { mode: old }, records: [{ key: modeKey(name), value: null }] };
  }

  /** DELETE /contexts/{c} (".ctx" or ":.ctx:"): only an empty context may go (else 42211). */
  deleteContext(context: string): Write<null> {
    const ctx = context.startsWith(':') ? parseSubject(context).context : context.startsWith('.') ? context : `.${context}`;
    if ([...this.state.subjects.keys()].some((s) => contextOf(s) === ctx)) throw contextNotEmpty(context);
    return { result: null, records: [{ key: contextKey(ctx), value: null }] };
  }

  // ---------------------------------------------------------------- helpers

  /** Applies a write's records to the state directly (for embedded use and tests without a topic). */
  commit<T>(write: Write<T>): T {
    for (const record of write.records) this.state.apply(record);
    return write.result;
  }

  private settingsSubject(subject: string | null): string | null {
    if (subject === null || isDefaultContextName(subject)) return null;
    if (!isValidSubject(subject, { configOrMode: true, allowEmpty: true })) throw invalidSubject(subject);
    return normalizeSubject(subject);
  }

  private hasSubject(subject: string, includeDeleted: boolean): boolean {
    return this.state.versions(subject).some((v) => includeDeleted || !v.deleted);
  }

  private find(subject: string, version: VersionId, includeDeleted: boolean): StoredSchema | undefined {
    if (version === 'latest') return this.state.liveVersions(subject).at(-1);
    const found = this.state.get(subject, version);
    return found && (includeDeleted || !found.deleted) ? found : undefined;
  }

  private fetcher(): ReferenceFetcher {
    return (subject, version, includeDeleted) => this.find(subject, version, includeDeleted);
  }

  /** The version of `subject` holding the parsed schema (same canonical text and references). */
  private findInSubject(subject: string, parsed: ParsedSchema, request: SchemaRequest, includeDeleted: boolean): StoredSchema | undefined {
    const md5 = schemaHash(parsed.canonical, parsed.references, request.metadata, request.ruleSet);
    const id = this.state.idForHash(contextOf(subject), md5);
    if (id === undefined) return undefined;
    const key = this.state.schemaKeyById(id, contextOf(subject), subject);
    const found = key && this.state.get(subject, key.version);
    if (found && (includeDeleted || !found.deleted)) return found;
    // The subject may hold the same schema under an older version than the id index remembers.
    return this.state
      .versions(subject)
      .reverse()
      .find((v) => (includeDeleted || !v.deleted) && v.md5 === md5);
  }

  private latestIfSame(subject: string, parsed: ParsedSchema): StoredSchema | undefined {
    const latest = this.state.liveVersions(subject).at(-1);
    return latest && latest.schema === parsed.canonical && sameReferences(latest.references, parsed.references) ? latest : undefined;
  }

  private keyForId(id: number, subject: string | undefined): { subject: string; version: number } | undefined {
    // Without a subject only the default context is searched, as in Confluent.
    if (subject === undefined || subject === '') return this.state.schemaKeyById(id, DEFAULT_CONTEXT);
    const name = normalizeSubject(subject);
    const ctx = contextOf(name);
    const direct = this.state.schemaKeyById(id, ctx, name);
    if (direct) return direct;
    if (ctx === DEFAULT_CONTEXT) {
      for (const c of this.state.contexts) {
        const k = this.state.schemaKeyById(id, c, `:${c}:${parseSubject(name).name}`);
        if (k) return k;
      }
    }
    return this.state.schemaKeyById(id, ctx);
  }

  /** Schemas referring to subject/version; without `includeDeleted` only those still live somewhere. */
  private referrers(subject: string, version: number, includeDeleted: boolean): { context: string; id: number }[] {
    return this.state
      .referencedBy(subject, version)
      .filter((r) => includeDeleted || this.state.holdersOf(r.id, r.context).some((h) => this.state.get(h.subject, h.version)?.deleted === false));
  }

  private checkRegisterMode(subject: string, mode: Mode, requestedId: number): void {
    const where = `Subject ${subject} in context ${qualifiedContext(subject)}`;
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw operationNotPermitted(`${where} is in read-only mode`);
    if (requestedId >= 0) {
      if (mode !== 'IMPORT' && mode !== 'FORWARD') throw operationNotPermitted(`${where} is not in import mode`);
    } else if (mode !== 'READWRITE') throw operationNotPermitted(`${where} is not in read-write mode`);
  }

  /** Confluent's read-only check; for registry-wide settings it names the subject "null", as Confluent does. */
  private checkNotReadOnly(subject: string | null): void {
    const mode = this.modeInScope(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
      throw operationNotPermitted(`Subject ${subject} in context ${qualifiedContext(subject ?? '')} is in read-only mode`);
    }
  }

  /** An explicit (imported) id may only be reused for the very same schema. */
  private checkIdFree(id: number, context: string, canonical: string): void {
    const holder = this.state.schemaKeyById(id, context);
    const existing = holder && this.state.get(holder.subject, holder.version);
    if (existing && existing.schema !== canonical) {
      throw operationNotPermitted(`Overwrite new schema with id ${id} in context ${context === DEFAULT_CONTEXT ? '' : `:${context}:`} is not permitted.`);
    }
  }

  private validatesNew(config: ConfigValue): boolean {
    return config.validateNewSchemas ?? this.validateNewSchemas;
  }

  private incompatibilities(subject: string, parsed: ParsedSchema, previous: readonly StoredSchema[], config: ConfigView): string[] {
    const level = parseCompatibilityLevel(config.compatibilityLevel);
    if (level === 'NONE' || previous.length === 0) return [];
    const policy = parseCompatibilityPolicy(config.compatibilityPolicy);
    const relevant = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
    const prev = relevant.map((p) => ({
      version: p.version,
      schema: parseSchema({ schema: p.schema, schemaType: p.schemaType, references: p.references }, subject, this.fetcher(), {
        normalize: false,
        validateAsNew: false,
      }),
    }));
    return checkCompatibility(level, policy, parsed, prev, config.validateFields === true);
  }

  /** Config in scope: the subject's own merged over the global (or its context's), then the default. */
  private configInScope(subject: string | null): ConfigView {
    const fallback = (): ConfigValue | undefined => {
      if (subject !== null) {
        const ctx = contextOf(subject);
        if (ctx !== DEFAULT_CONTEXT) {
          const c = this.state.configs.get(`:${ctx}:`);
          if (c) return c;
        }
      }
      return this.state.configs.get('') ?? this.state.configs.get(`:${GLOBAL_CONTEXT}:`);
    };
    const own = subject === null ? undefined : this.state.configs.get(subject);
    if (!own) return this.withLevel(fallback());
    const global = this.state.configs.get('');
    const merged: ConfigValue = { ...(global ?? {}) };
    for (const [k, v] of Object.entries(own)) if (v !== undefined && v !== null) (merged as Record<string, unknown>)[k] = v;
    return this.withLevel(merged);
  }

  private withLevel(config: ConfigValue | undefined): ConfigView {
    const { subject: _subject, ...rest } = config ?? {};
    return { ...rest, compatibilityLevel: rest.compatibilityLevel ?? this.defaultCompatibility };
  }

  private modeInScope(subject: string | null): Mode {
    if (subject !== null) {
      const own = this.state.modes.get(subject);
      if (own) return own;
      const ctx = contextOf(subject);
      if (ctx !== DEFAULT_CONTEXT) {
        const m = this.state.modes.get(`:${ctx}:`);
        if (m) return m;
      }
    }
    return this.state.modes.get('') ?? this.state.modes.get(`:${GLOBAL_CONTEXT}:`) ?? this.defaultMode;
  }

  /** Subjects a mode change covers: one subject, a context's subjects, or all. */
  private subjectsInScope(name: string | null): string[] {
    const all = [...this.state.subjects.keys()];
    if (name === null) return all;
    const q = parseSubject(name);
    if (q.name !== '') return all.filter((s) => s === name);
    return all.filter((s) => contextOf(s) === q.context);
  }

  /** Tombstones for a subject's own config and mode, once its last version is gone for good. */
  private dropSubjectSettings(subject: string): RegistryRecord[] {
    const out: RegistryRecord[] = [];
    if (this.state.modes.has(subject)) out.push({ key: modeKey(subject), value: null });
    if (this.state.configs.has(subject)) out.push({ key: configKey(subject), value: null });
    return out;
  }

  private valueOf(s: StoredSchema) {
    return {
      subject: s.subject,
      version: s.version,
      id: s.id,
      schemaType: s.schemaType,
      references: s.references,
      schema: s.schema,
      deleted: s.deleted,
      ...(s.metadata !== undefined ? { metadata: s.metadata } : {}),
      ...(s.ruleSet !== undefined ? { ruleSet: s.ruleSet } : {}),
    };
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameReferences(a: readonly SchemaReference[], b: readonly SchemaReference[]): boolean {
  return a.length === b.length && a.every((r, i) => r.name === b[i].name && r.subject === b[i].subject && r.version === b[i].version);
}
