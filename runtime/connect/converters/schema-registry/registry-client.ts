/**
 * The converters' client of a Confluent-compatible registry, over HTTP as Confluent's
 * CachedSchemaRegistryClient: register, look up, latest version and schema by id, with caches so
 * that steady-state conversion makes no request at all. Several URLs are tried in turn.
 *
 * Failures keep the registry's answer: a RegistryClientError carries the HTTP status and
 * error_code (409/40901 for an incompatible schema); network failures and 5xx are retriable.
 */
import { SluiceError } from '../../../util/errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface RegisteredSchema {
  schema: string;
  schemaType: string;
  references: SchemaReference[];
}

export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  id: number;
  version: number;
}

export class RegistryClientError extends SluiceError {
  readonly status: number;
  readonly errorCode: number;

  constructor(message: string, status: number, errorCode: number, options: { retriable: boolean; cause?: unknown; context?: Record<string, unknown> }) {
    super('SCHEMA_REGISTRY_REQUEST_FAILED', message, options);
    this.status = status;
    this.errorCode = errorCode;
  }
}

export interface RegistryClientOptions {
  urls: readonly string[];
  /** Entries per cache (Confluent's max.schemas.per.subject / schemas cache size). */
  cacheCapacity?: number;
  requestTimeoutMs?: number;
  /** Extra headers, e.g. Authorization for basic auth. */
  headers?: Record<string, string>;
}

export class RegistryClient {
  private readonly urls: string[];
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly byId: PromiseCache<number, RegisteredSchema>;
  private readonly idBySchema: PromiseCache<string, number>;
  private readonly lookups: PromiseCache<string, SubjectVersion>;

  constructor(options: RegistryClientOptions) {
    this.urls = options.urls.map((u) => u.replace(/\/+$/, ''));
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.headers = options.headers ?? {};
    const capacity = options.cacheCapacity ?? 1000;
    this.byId = new PromiseCache(capacity);
    this.idBySchema = new PromiseCache(capacity);
    this.lookups = new PromiseCache(capacity);
  }

  /** POST /subjects/{s}/versions; the id, cached per subject and schema. */
  register(subject: string, schema: RegisteredSchema, normalize: boolean): Promise<number> {
    const key = `${subject}\u0000${normalize}\u0000${schemaKey(schema)}`;
    return this.cached(this.idBySchema, key, async () => {
      const body = await this.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions${normalize ? '?normalize=true' : ''}`, requestBody(schema));
      this.byId.set(body.id, Promise.resolve(schema));
      return body.id;
    });
  }

  /** POST /subjects/{s}: the version of the subject holding this schema (404 when none). */
  lookup(subject: string, schema: RegisteredSchema, normalize: boolean): Promise<SubjectVersion> {
    const key = `${subject}\u0000${normalize}\u0000${schemaKey(schema)}`;
    return this.cached(this.lookups, key, () => this.request<SubjectVersion>('POST', `/subjects/${encodeURIComponent(subject)}${normalize ? '?normalize=true' : ''}`, requestBody(schema)).then(withDefaults));
  }

  /** GET /subjects/{s}/versions/latest — not cached: the latest version moves. */
  async latest(subject: string): Promise<SubjectVersion> {
    return withDefaults(await this.request<SubjectVersion>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`));
  }

  /** GET /schemas/ids/{id}, cached for good (an id always names the same schema). */
  schemaById(id: number, subject?: string): Promise<RegisteredSchema> {
    return this.cached(this.byId, id, async () => {
      const q = subject === undefined ? '' : `?subject=${encodeURIComponent(subject)}`;
      const body = await this.request<Partial<RegisteredSchema> & { schema: string }>('GET', `/schemas/ids/${id}${q}`);
      return { schema: body.schema, schemaType: body.schemaType ?? 'AVRO', references: body.references ?? [] };
    });
  }

  /** GET /subjects/{s}/versions/{v}: used to resolve references. */
  async version(subject: string, version: number): Promise<SubjectVersion> {
    return withDefaults(await this.request<SubjectVersion>('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`));
  }

  /** POST /compatibility/subjects/{s}/versions/latest. */
  async isCompatible(subject: string, schema: RegisteredSchema): Promise<boolean> {
    const body = await this.request<{ is_compatible: boolean }>('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, requestBody(schema));
    return body.is_compatible;
  }

  /** Concurrent callers share one request; failed lookups are not kept, so the next call asks again. */
  private cached<K, V>(cache: PromiseCache<K, V>, key: K, load: () => Promise<V>): Promise<V> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const pending = load();
    cache.set(key, pending);
    pending.catch(() => cache.deleteIf(key, pending));
    return pending;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let lastError: unknown;
    for (const base of this.urls) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: { accept: CONTENT_TYPE, ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }), ...this.headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        lastError = new RegistryClientError(`Cannot reach the schema registry at ${base} (${method} ${path}): ${(err as Error).message}`, 0, 0, {
          retriable: true,
          cause: err,
          context: { url: base },
        });
        continue;
      }
      const text = await response.text();
      if (response.ok) return JSON.parse(text) as T;
      let parsed: { error_code?: unknown; message?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // Not a registry error body; keep the raw text in the message.
      }
      const errorCode = typeof parsed.error_code === 'number' ? parsed.error_code : response.status;
      const message = typeof parsed.message === 'string' ? parsed.message : text.slice(0, 200);
      const error = new RegistryClientError(`${message}; error code: ${errorCode}`, response.status, errorCode, {
        retriable: response.status >= 500 || response.status === 408 || response.status === 429,
        context: { url: base, method, path, status: response.status, errorCode },
      });
      // Another URL may be healthier; a 4xx is the registry's answer and final.
      if (error.retriable) {
        lastError = error;
        continue;
      }
      throw error;
    }
    throw lastError;
  }
}

/** A least-recently-used map of pending or settled lookups. */
class PromiseCache<K, V> {
  private readonly capacity: number;
  private readonly map = new Map<K, Promise<V>>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: K): Promise<V> | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }

  set(key: K, value: Promise<V>): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  deleteIf(key: K, value: Promise<V>): void {
    if (this.map.get(key) === value) this.map.delete(key);
  }
}

function schemaKey(schema: RegisteredSchema): string {
  return JSON.stringify([schema.schemaType, schema.schema, schema.references]);
}

function requestBody(schema: RegisteredSchema): Record<string, unknown> {
  const body: Record<string, unknown> = { schema: schema.schema };
  if (schema.schemaType !== 'AVRO') body.schemaType = schema.schemaType;
  if (schema.references.length > 0) body.references = schema.references;
  return body;
}

function withDefaults(v: SubjectVersion): SubjectVersion {
  return { ...v, schemaType: v.schemaType ?? 'AVRO', references: v.references ?? [] };
}
