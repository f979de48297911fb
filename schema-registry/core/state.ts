/**
 * The registry's state, derived only from `_schemas` records: `apply` is the reducer the store
 * calls for every record it reads (at start-up to rebuild, then for each record it wrote itself —
 * writes change the state when they are read back, as in Confluent's KafkaStore). It does no I/O
 * and never parses schemas, so a replay of tens of thousands of records stays fast.
 *
 * Semantics follow Confluent's KafkaStoreMessageHandler and InMemoryCache: ids are global per
 * context and tracked per (subject, version), soft-deleted versions keep their id mapping (so the
 * same schema registered again gets its old id back) and a tombstone removes it.
 */
import { createHash } from 'node:crypto';
import { normalizeSubject, parseSubject, DEFAULT_CONTEXT } from './subjects.ts';
import type { ConfigValue, Mode, RegistryRecord, SchemaReference, SchemaType, SchemaValue } from './records.ts';

export interface StoredSchema {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  /** The canonical schema string, as stored. */
  schema: string;
  deleted: boolean;
  /** Hex MD5 over schema + references (+ metadata, rule set): the dedup key and the guid. */
  md5: string;
  /** Timestamp of the record that wrote this version, when the store knows it. */
  ts?: number;
}

export interface RecordPosition {
  offset?: number;
  timestamp?: number;
}

export type ApplyOutcome = { applied: true } | { applied: false; reason: string };

const APPLIED: ApplyOutcome = { applied: true };

/** Confluent's MD5.ofSchema: UTF-8 schema, then each reference (name, subject, 4-byte version). */
export function schemaHash(schema: string, references: readonly SchemaReference[], metadata?: unknown, ruleSet?: unknown): string {
  const md5 = createHash('md5');
  md5.update(schema, 'utf8');
  for (const r of references) {
    md5.update(r.name, 'utf8');
    md5.update(r.subject, 'utf8');
    const v = Buffer.alloc(4);
    v.writeInt32BE(r.version);
    md5.update(v);
  }
  for (const extra of [metadata, ruleSet]) {
    if (extra === undefined || extra === null) continue;
    md5.update(Buffer.from([1]));
    md5.update(stableJson(extra), 'utf8');
  }
  return md5.digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The guid Confluent derives from the MD5: the 16 bytes as a UUID string. */
export function guidOf(md5Hex: string): string {
  return `${md5Hex.slice(0, 8)}-${md5Hex.slice(8, 12)}-${md5Hex.slice(12, 16)}-${md5Hex.slice(16, 20)}-${md5Hex.slice(20)}`;
}

/** A reference's subject, qualified with the referring subject's context when it has none. */
export function qualifyReferenceSubject(referrer: string, refSubject: string): string {
  const ref = parseSubject(refSubject);
  if (ref.context !== DEFAULT_CONTEXT) return normalizeSubject(refSubject);
  const parent = parseSubject(referrer);
  return parent.context === DEFAULT_CONTEXT ? refSubject : `:${parent.context}:${refSubject}`;
}

const refKey = (subject: string, version: number): string => `${subject}\u0000${version}`;

export class RegistryState {
  /** subject → version → schema, soft-deleted versions included. */
  readonly subjects = new Map<string, Map<number, StoredSchema>>();
  /** Config per subject or context (":.ctx:"); '' is the global config. */
  readonly configs = new Map<string, ConfigValue>();
  /** Mode per subject or context; '' is the global mode. */
  readonly modes = new Map<string, Mode>();
  /** Non-default contexts (".ctx") that have been created. */
  readonly contexts = new Set<string>();
  /** Offset of the last record applied (-1 before any). */
  lastOffset = -1;

  // context → id → subject → version
  private readonly idIndex = new Map<string, Map<number, Map<string, number>>>();
  // context → md5 → id
  private readonly hashIndex = new Map<string, Map<string, number>>();
  // (subject, version) of a referenced schema → context → ids of schemas referring to it
  private readonly referencedByIndex = new Map<string, Map<string, Set<number>>>();
  private readonly maxIds = new Map<string, number>();

  apply(record: RegistryRecord, position: RecordPosition = {}): ApplyOutcome {
    if (position.offset !== undefined) this.lastOffset = position.offset;
    switch (record.key.keytype) {
      case 'SCHEMA':
        // The key decides where a version lives (compaction and tombstones work on keys).
        return record.value === null
          ? this.tombstone(record.key.subject, record.key.version)
          : this.putSchema({ ...(record.value as SchemaValue), subject: record.key.subject, version: record.key.version }, position.timestamp);
      case 'CONFIG': {
        const k = record.key.subject ?? '';
        if (record.value === null) this.configs.delete(k);
        else this.configs.set(k, record.value as ConfigValue);
        return APPLIED;
      }
      case 'MODE': {
        const k = record.key.subject ?? '';
        const value = record.value as { mode: Mode } | null;
        if (value === null) this.modes.delete(k);
        else this.modes.set(k, value.mode);
        return APPLIED;
      }
      case 'DELETE_SUBJECT': {
        const value = record.value as { subject: string; version: number } | null;
        if (value !== null) this.softDeleteUpTo(value.subject, value.version);
        return APPLIED;
      }
      case 'CLEAR_SUBJECT': {
        const value = record.value as { subject?: string } | null;
        if (value !== null) this.clearDeleted(value.subject ?? null);
        return APPLIED;
      }
      case 'CONTEXT': {
        if (record.value === null) this.contexts.delete(record.key.context);
        else this.contexts.add(record.key.context);
        return APPLIED;
      }
      case 'NOOP':
      case 'OTHER':
        return APPLIED;
    }
  }

  private putSchema(value: SchemaValue, timestamp: number | undefined): ApplyOutcome {
    const subject = value.subject;
    const ctx = parseSubject(subject).context;
    // An id is bound to one schema text; a record reusing it for another schema is refused (Confluent does the same).
    const holder = this.schemaKeyById(value.id, ctx);
    if (holder) {
      const existing = this.subjects.get(holder.subject)?.get(holder.version);
      if (existing && existing.schema !== value.schema) {
        return { applied: false, reason: `id ${value.id} already belongs to a different schema in context ${ctx}` };
      }
    }
    const references = value.references ?? [];
    const stored: StoredSchema = {
      subject,
      version: value.version,
      id: value.id,
      schemaType: value.schemaType ?? 'AVRO',
      references,
      schema: value.schema,
      deleted: value.deleted,
      md5: schemaHash(value.schema, references, value.metadata, value.ruleSet),
    };
    if (value.metadata !== undefined) stored.metadata = value.metadata;
    if (value.ruleSet !== undefined) stored.ruleSet = value.ruleSet;
    if (timestamp !== undefined) stored.ts = timestamp;

    let versions = this.subjects.get(subject);
    if (!versions) this.subjects.set(subject, (versions = new Map()));
    const old = versions.get(value.version);
    if (old && old.id !== stored.id) this.unindex(old);
    versions.set(value.version, stored);

    this.maxIds.set(ctx, Math.max(this.maxIds.get(ctx) ?? 0, stored.id));
    let ids = this.idIndex.get(ctx);
    if (!ids) this.idIndex.set(ctx, (ids = new Map()));
    let holders = ids.get(stored.id);
    if (!holders) ids.set(stored.id, (holders = new Map()));
    holders.set(subject, stored.version);
    let hashes = this.hashIndex.get(ctx);
    if (!hashes) this.hashIndex.set(ctx, (hashes = new Map()));
    hashes.set(stored.md5, stored.id);
    if (!stored.deleted) {
      for (const r of references) {
        const key = refKey(qualifyReferenceSubject(subject, r.subject), r.version);
        let byCtx = this.referencedByIndex.get(key);
        if (!byCtx) this.referencedByIndex.set(key, (byCtx = new Map()));
        let set = byCtx.get(ctx);
        if (!set) byCtx.set(ctx, (set = new Set()));
        set.add(stored.id);
      }
    }
    return APPLIED;
  }

  private unindex(s: StoredSchema): void {
    const ctx = parseSubject(s.subject).context;
    const holders = this.idIndex.get(ctx)?.get(s.id);
    if (holders && holders.get(s.subject) === s.version) {
      holders.delete(s.subject);
      if (holders.size === 0) this.idIndex.get(ctx)?.delete(s.id);
    }
    for (const r of s.references) {
      const key = refKey(qualifyReferenceSubject(s.subject, r.subject), r.version);
      const set = this.referencedByIndex.get(key)?.get(ctx);
      set?.delete(s.id);
      if (set && set.size === 0) this.referencedByIndex.get(key)?.delete(ctx);
      if (this.referencedByIndex.get(key)?.size === 0) this.referencedByIndex.delete(key);
    }
  }

  private tombstone(subject: string, version: number): ApplyOutcome {
    const versions = this.subjects.get(subject);
    const old = versions?.get(version);
    if (!versions || !old) return APPLIED;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    this.unindex(old);
    return APPLIED;
  }

  private softDeleteUpTo(subject: string, upTo: number): void {
    const versions = this.subjects.get(subject);
    if (!versions) return;
    for (const [v, s] of versions) if (v <= upTo && !s.deleted) s.deleted = true;
  }

  /** CLEAR_SUBJECT: forget soft-deleted versions of the subject (or of every subject of a context). */
  private clearDeleted(subject: string | null): void {
    const target = parseSubject(subject ?? '');
    const matches = (s: string): boolean => {
      if (subject === null) return true;
      if (target.name !== '') return s === subject;
      return parseSubject(s).context === target.context;
    };
    for (const [name, versions] of [...this.subjects]) {
      if (!matches(name)) continue;
      for (const [v, s] of [...versions]) {
        if (!s.deleted) continue;
        versions.delete(v);
        const holders = this.idIndex.get(parseSubject(name).context)?.get(s.id);
        if (holders && holders.get(name) === v) holders.delete(name);
        if (holders && holders.size === 0) this.idIndex.get(parseSubject(name).context)?.delete(s.id);
      }
      if (versions.size === 0) this.subjects.delete(name);
    }
  }

  // ---- queries used by the command layer ----

  /** Versions of a subject in ascending order (soft-deleted included). */
  versions(subject: string): StoredSchema[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()].sort((a, b) => a.version - b.version);
  }

  liveVersions(subject: string): StoredSchema[] {
    return this.versions(subject).filter((s) => !s.deleted);
  }

  get(subject: string, version: number): StoredSchema | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** Highest id given out in a context (0 if none). */
  maxId(context: string): number {
    return this.maxIds.get(context) ?? 0;
  }

  /** The id a schema with this hash has in the context — if any subject still holds it (soft-deleted included). */
  idForHash(context: string, md5: string): number | undefined {
    const id = this.hashIndex.get(context)?.get(md5);
    if (id === undefined) return undefined;
    const holders = this.idIndex.get(context)?.get(id);
    return holders && holders.size > 0 ? id : undefined;
  }

  /** Every (subject, version) holding the id in the context. */
  holdersOf(id: number, context: string): { subject: string; version: number }[] {
    const holders = this.idIndex.get(context)?.get(id);
    if (!holders) return [];
    return [...holders].map(([subject, version]) => ({ subject, version }));
  }

  /** One (subject, version) holding the id — the given subject's if it holds it. */
  schemaKeyById(id: number, context: string, subject?: string): { subject: string; version: number } | undefined {
    const holders = this.idIndex.get(context)?.get(id);
    if (!holders || holders.size === 0) return undefined;
    if (subject !== undefined) {
      const v = holders.get(subject);
      return v === undefined ? undefined : { subject, version: v };
    }
    const [first] = holders;
    return { subject: first[0], version: first[1] };
  }

  /** Ids (with their contexts) of schemas whose references point at subject/version. */
  referencedBy(subject: string, version: number): { context: string; id: number }[] {
    const byCtx = this.referencedByIndex.get(refKey(subject, version));
    if (!byCtx) return [];
    const out: { context: string; id: number }[] = [];
    for (const [context, ids] of byCtx) for (const id of ids) out.push({ context, id });
    return out.sort((a, b) => (a.context === b.context ? a.id - b.id : a.context < b.context ? -1 : 1));
  }

  /** Context names known to the registry: always "." first, then created contexts in order. */
  contextNames(): string[] {
    return [DEFAULT_CONTEXT, ...[...this.contexts].sort()];
  }
}
