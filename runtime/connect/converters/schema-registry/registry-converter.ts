/**
 * The part of Confluent's AvroConverter and JsonSchemaConverter that does not depend on the
 * format: subject names, finding the schema id (register, look up, or the subject's latest
 * version), the wire format, caches, and turning registry answers into Connect errors — a
 * refused registration (409) is a DataException, so errors.tolerance and the dead letter queue
 * decide; an unreachable registry is a RetriableException.
 */
import { checkCompatibility, parseSchema, type ParsedSchema, type StoredSchema } from '../../../../schema-registry/core/index.ts';
import type { ConfigDef } from '../../config/index.ts';
import { DataException, NULL_SCHEMA_AND_VALUE, RetriableException, type Converter, type ConnectHeaders, type Schema, type SchemaAndValue } from '../../api/index.ts';
import { withConverterType } from '../converter-config.ts';
import { LruCache } from '../lru-cache.ts';
import { RegistryClient, RegistryClientError, type RegisteredSchema, type SubjectVersion } from './registry-client.ts';
import { KEY_SUBJECT_NAME_STRATEGY_CONFIG, parseRegistryConverterSettings, REGISTRY_CONVERTER_CONFIG, VALUE_SUBJECT_NAME_STRATEGY_CONFIG, type RegistryConverterSettings } from './registry-converter-config.ts';
import type { FormatSchema, SchemaFormat } from './schema-format.ts';
import { subjectNameStrategy, type SubjectNameStrategy } from './subject-name-strategy.ts';
import { frame, unframe } from './wire-format.ts';

interface Reader<Native> {
  native: Native;
  schema: Schema;
}

export abstract class RegistryConverter<Native> implements Converter {
  protected settings!: RegistryConverterSettings;
  private client!: RegistryClient;
  private strategy!: SubjectNameStrategy;
  private isKey = false;
  private writers = new LruCache<Schema, FormatSchema<Native>>(1000);
  private readers = new Map<number, Promise<Reader<Native>>>();
  private latest = new Map<string, Promise<{ id: number; native: Native; version: SubjectVersion }>>();

  private format!: SchemaFormat<Native>;

  protected abstract createFormat(settings: RegistryConverterSettings): SchemaFormat<Native>;

  config(): ConfigDef<object> {
    return REGISTRY_CONVERTER_CONFIG;
  }

  configure(configs: Readonly<Record<string, unknown>>, isKey: boolean): void {
    this.isKey = isKey;
    this.settings = parseRegistryConverterSettings(withConverterType(configs, isKey));
    this.strategy = subjectNameStrategy(
      isKey ? this.settings.keySubjectNameStrategy : this.settings.valueSubjectNameStrategy,
      isKey ? KEY_SUBJECT_NAME_STRATEGY_CONFIG : VALUE_SUBJECT_NAME_STRATEGY_CONFIG,
    );
    this.client = new RegistryClient({ urls: this.settings.urls, cacheCapacity: this.settings.cacheCapacity, headers: this.settings.headers });
    this.writers = new LruCache(this.settings.schemasCacheSize);
    this.readers = new Map();
    this.latest = new Map();
    this.format = this.createFormat(this.settings);
  }

  async fromConnectData(topic: string, _headers: ConnectHeaders | null, schema: Schema | null, value: unknown): Promise<Uint8Array | null> {
    if (value === null || value === undefined) return null;
    try {
      if (schema === null) throw new DataException(`a schema is required: the ${this.what()} has none (use a converter without a registry for schemaless data)`);
      const writer = this.writer(schema);
      const subject = this.strategy(topic, this.isKey, this.format.recordName(writer.native));
      const { id, native } = await this.resolveId(subject, writer);
      return frame(id, this.format.serialize(schema, native, value));
    } catch (err) {
      throw this.failure(`Failed to serialize ${this.format.displayName} data from topic ${topic}`, topic, err);
    }
  }

  async toConnectData(topic: string, _headers: ConnectHeaders | null, value: Uint8Array | null): Promise<SchemaAndValue> {
    if (value === null) return NULL_SCHEMA_AND_VALUE;
    try {
      const { id, payload } = unframe(value);
      const reader = await this.reader(id);
      return { schema: reader.schema, value: this.format.deserialize(reader.schema, reader.native, payload) };
    } catch (err) {
      throw this.failure(`Failed to deserialize data for topic ${topic} to ${this.format.displayName}`, topic, err);
    }
  }

  private what(): string {
    return this.isKey ? 'record key' : 'record value';
  }

  private writer(schema: Schema): FormatSchema<Native> {
    let writer = this.writers.get(schema);
    if (writer === undefined) {
      writer = this.format.fromConnectSchema(schema);
      this.writers.set(schema, writer);
    }
    return writer;
  }

  private async resolveId(subject: string, writer: FormatSchema<Native>): Promise<{ id: number; native: Native }> {
    const registered: RegisteredSchema = { schema: writer.text, schemaType: this.format.schemaType, references: [] };
    if (this.settings.autoRegister) return { id: await this.client.register(subject, registered, this.settings.normalize), native: writer.native };
    if (this.settings.useLatestVersion) return this.latestVersion(subject, registered);
    try {
      return { id: (await this.client.lookup(subject, registered, this.settings.normalize)).id, native: writer.native };
    } catch (err) {
      if (err instanceof RegistryClientError && err.status === 404) {
        throw new DataException(`the schema is not registered under subject ${subject} and auto.register.schemas=false (${err.message})`, { cause: err });
      }
      throw err;
    }
  }

  /**
   * use.latest.version: write with the subject's latest version, checked to read our data when
   * latest.compatibility.strict. The latest version is kept for the converter's life, as with
   * Confluent's default latest.cache.ttl.sec=-1.
   */
  private async latestVersion(subject: string, ours: RegisteredSchema): Promise<{ id: number; native: Native }> {
    let pending = this.latest.get(subject);
    if (pending === undefined) {
      pending = (async () => {
        const version = await this.client.latest(subject);
        const referenced = await this.referencedSchemas(version.references);
        return { id: version.id, native: this.format.parse(version, referenced), version };
      })();
      this.latest.set(subject, pending);
      pending.catch(() => this.latest.delete(subject));
    }
    const latest = await pending;
    if (this.settings.latestCompatibilityStrict) {
      const problems = await this.latestReads(latest.version, ours);
      if (problems.length > 0) {
        throw new DataException(`Incompatible schema ${ours.schema} for subject ${subject}: the latest version ${latest.version.version} cannot read data written with it: ${problems.join(', ')}`);
      }
    }
    return { id: latest.id, native: latest.native };
  }

  /** Why the latest version (reader) cannot read data written with our schema (writer), as the registry core judges it. */
  private async latestReads(latest: SubjectVersion, ours: RegisteredSchema): Promise<string[]> {
    const stored = new Map<string, StoredSchema>();
    const collect = async (refs: readonly { subject: string; version: number }[]): Promise<void> => {
      for (const r of refs) {
        const key = `${r.subject}\u0000${r.version}`;
        if (stored.has(key)) continue;
        const v = await this.client.version(r.subject, r.version);
        stored.set(key, { subject: v.subject, version: v.version, id: v.id, schemaType: v.schemaType as StoredSchema['schemaType'], references: v.references, schema: v.schema, deleted: false, md5: '' });
        await collect(v.references);
      }
    };
    await collect(latest.references);
    const fetch = (subject: string, version: number | 'latest') => (version === 'latest' ? undefined : stored.get(`${subject}\u0000${version}`));
    const parse = (s: RegisteredSchema): ParsedSchema => parseSchema(s, latest.subject, fetch, { normalize: false, validateAsNew: false });
    return checkCompatibility('BACKWARD', 'STRICT', parse(latest), [{ version: latest.version, schema: parse(ours) }]);
  }

  private reader(id: number): Promise<Reader<Native>> {
    let pending = this.readers.get(id);
    if (pending === undefined) {
      pending = (async () => {
        const registered = await this.client.schemaById(id);
        if (registered.schemaType !== this.format.schemaType) {
          throw new DataException(`schema ${id} is a ${registered.schemaType} schema; this converter reads ${this.format.schemaType}`);
        }
        const native = this.format.parse(registered, await this.referencedSchemas(registered.references));
        return { native, schema: this.format.toConnectSchema(native) };
      })();
      this.readers.set(id, pending);
      pending.catch(() => this.readers.delete(id));
    }
    return pending;
  }

  /** The schemas references point at, dependencies first, each once. */
  private async referencedSchemas(references: readonly { subject: string; version: number }[]): Promise<RegisteredSchema[]> {
    const out: RegisteredSchema[] = [];
    const seen = new Set<string>();
    const walk = async (refs: readonly { subject: string; version: number }[]): Promise<void> => {
      for (const r of refs) {
        const key = `${r.subject}\u0000${r.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const v = await this.client.version(r.subject, r.version);
        await walk(v.references);
        out.push(v);
      }
    };
    await walk(references);
    return out;
  }

  private failure(what: string, topic: string, err: unknown): Error {
    if (err instanceof RegistryClientError && err.retriable) {
      return new RetriableException(`${what}: ${err.message}`, { cause: err, context: { topic } });
    }
    const context = { topic, ...(err instanceof RegistryClientError ? { status: err.status, errorCode: err.errorCode } : {}) };
    return new DataException(`${what}: ${(err as Error).message}`, { cause: err, context });
  }
}
