/**
 * JsonConverter (org.apache.kafka.connect.json.JsonConverter) with Kafka's settings:
 * `schemas.enable` (default true: the {"schema":...,"payload":...} envelope), `schemas.cache.size`
 * (1000), `decimal.format` (BASE64 | NUMERIC, any case) and `replace.null.with.default` (true).
 * With schemas disabled, plain JSON is read without a schema (integers → INT64, other numbers →
 * FLOAT64, objects → Map). Errors are DataExceptions naming the topic, key or value, and what
 * was wrong. Also a header converter.
 */
import type { Converter, DecimalFormat, HeaderConverter, JsonDataOptions, Schema, SchemaAndValue } from '../api/index.ts';
import {
  ConfigDef,
  DataException,
  NULL_SCHEMA_AND_VALUE,
  connectToJson,
  isJsonObject,
  jsonToConnect,
  jsonToSchema,
  parseJson,
  schemaToJson,
  validators,
} from '../api/index.ts';
import type { ConverterType } from './converter-config.ts';
import { CONVERTER_TYPE_CONFIG, converterConfigDef, withConverterType } from './converter-config.ts';
import { LruCache } from '../../util/lru-cache.ts';

export const SCHEMAS_ENABLE_CONFIG = 'schemas.enable';
export const SCHEMAS_CACHE_SIZE_CONFIG = 'schemas.cache.size';
export const DECIMAL_FORMAT_CONFIG = 'decimal.format';
export const REPLACE_NULL_WITH_DEFAULT_CONFIG = 'replace.null.with.default';

const CONFIG = converterConfigDef().extend(
  new ConfigDef()
    .define({
      name: SCHEMAS_ENABLE_CONFIG,
      type: 'BOOLEAN',
      default: true,
      importance: 'HIGH',
      documentation: 'Include schemas within each of the serialized values and keys.',
      group: 'Schemas',
      orderInGroup: 0,
      width: 'MEDIUM',
      displayName: 'Enable Schemas',
    })
    .define({
      name: SCHEMAS_CACHE_SIZE_CONFIG,
      type: 'INT',
      default: 1000,
      importance: 'HIGH',
      documentation: 'The maximum number of schemas that can be cached in this converter instance.',
      group: 'Schemas',
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Schema Cache Size',
    })
    .define({
      name: DECIMAL_FORMAT_CONFIG,
      type: 'STRING',
      default: 'BASE64',
      validator: validators.oneOfIgnoreCase('BASE64', 'NUMERIC'),
      importance: 'LOW',
      documentation: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
      group: 'Serialization',
      orderInGroup: 0,
      width: 'MEDIUM',
      displayName: 'Decimal Format',
    })
    .define({
      name: REPLACE_NULL_WITH_DEFAULT_CONFIG,
      type: 'BOOLEAN',
      default: true,
      importance: 'LOW',
      documentation:
        'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
      group: 'Serialization',
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Replace null with default',
    }),
);

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. ' +
  'If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** A run of 16 digits: a number there may be an integer beyond 2^53, which JSON.parse would round. */
const MAYBE_BIG_INTEGER = /\d{16}/;

/**
 * JSON without a schema as Connect data (Kafka's schemaless reading: objects become maps,
 * integers beyond 2^53 BigInts). Without a possible big integer in the text, plain JSON.parse
 * gives the same numbers as parseJson's source-keeping reviver, several times faster: without a
 * schema, fractions and exponents become plain numbers anyway.
 */
function schemalessJson(text: string, options: JsonDataOptions): unknown {
  if (!MAYBE_BIG_INTEGER.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Leading zeros and the error message are parseJson's business.
      return jsonToConnect(null, parseJson(text), options);
    }
    return plainToConnect(parsed);
  }
  return jsonToConnect(null, parseJson(text), options);
}

/** JSON.parse output as schemaless Connect data: objects become Maps (in key order), arrays stay arrays. */
function plainToConnect(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) {
    const out = new Array<unknown>(node.length);
    for (let i = 0; i < node.length; i++) out[i] = plainToConnect(node[i]);
    return out;
  }
  const object = node as Record<string, unknown>;
  const map = new Map<string, unknown>();
  for (const key of Object.keys(object)) map.set(key, plainToConnect(object[key]));
  return map;
}

export class JsonConverter implements Converter, HeaderConverter {
  #schemasEnabled = true;
  #options: JsonDataOptions = { decimalFormat: 'BASE64', replaceNullWithDefault: true };
  #type: ConverterType = 'value';
  #schemaToJsonCache = new LruCache<Schema, string>(1000);
  #jsonToSchemaCache = new LruCache<string, Schema | null>(1000);

  config(): ConfigDef<object> {
    return CONFIG;
  }

  configure(configs: Readonly<Record<string, unknown>>, isKey?: boolean): void {
    const parsed = CONFIG.parse(withConverterType(configs, isKey));
    this.#type = parsed.get(CONVERTER_TYPE_CONFIG) as ConverterType;
    this.#schemasEnabled = parsed.get(SCHEMAS_ENABLE_CONFIG);
    this.#options = {
      decimalFormat: parsed.get(DECIMAL_FORMAT_CONFIG).toUpperCase() as DecimalFormat,
      replaceNullWithDefault: parsed.get(REPLACE_NULL_WITH_DEFAULT_CONFIG),
    };
    const size = parsed.get(SCHEMAS_CACHE_SIZE_CONFIG);
    this.#schemaToJsonCache = new LruCache(size);
    this.#jsonToSchemaCache = new LruCache(size);
  }

  /** Entries in the schema caches (for tests and metrics). */
  get cachedSchemas(): { toJson: number; fromJson: number } {
    return { toJson: this.#schemaToJsonCache.size, fromJson: this.#jsonToSchemaCache.size };
  }

  #what(): string {
    return this.#type === 'header' ? 'header' : `record ${this.#type}`;
  }

  #fail(direction: 'to' | 'from', topic: string, err: unknown): DataException {
    const inner = err as Error;
    const message =
      direction === 'to'
        ? `Cannot convert the ${this.#what()} of topic "${topic}" to Connect data: ${inner.message}`
        : `Cannot convert Connect data to the ${this.#what()} of topic "${topic}": ${inner.message}`;
    const context = err instanceof DataException ? err.context : {};
    return new DataException(message, { cause: err, context: { ...context, topic } });
  }

  #schemaJson(schema: Schema | null): string {
    if (schema === null) return 'null';
    let json = this.#schemaToJsonCache.get(schema);
    if (json === undefined) {
      json = schemaToJson(schema, this.#options);
      this.#schemaToJsonCache.set(schema, json);
    }
    return json;
  }

  /** The JSON text for a value, with the envelope when schemas are enabled. */
  fromConnectJson(topic: string, schema: Schema | null, value: unknown): string | null {
    if (schema === null && (value === null || value === undefined)) return null;
    try {
      const payload = connectToJson(schema, value, this.#options);
      return this.#schemasEnabled ? `{"schema":${this.#schemaJson(schema)},"payload":${payload}}` : payload;
    } catch (err) {
      throw this.#fail('from', topic, err);
    }
  }

  fromConnectData(topic: string, _headers: unknown, schema: Schema | null, value: unknown): Uint8Array | null {
    const json = this.fromConnectJson(topic, schema, value);
    return json === null ? null : encoder.encode(json);
  }

  #schemaOf(node: Parameters<typeof jsonToSchema>[0]): Schema | null {
    if (node === null || node === undefined) return null;
    const key = JSON.stringify(node);
    let schema = this.#jsonToSchemaCache.get(key);
    if (schema === undefined) {
      schema = jsonToSchema(node, this.#options);
      this.#jsonToSchemaCache.set(key, schema);
    }
    return schema;
  }

  toConnectData(topic: string, _headers: unknown, value: Uint8Array | null): SchemaAndValue {
    if (value === null) return NULL_SCHEMA_AND_VALUE;
    try {
      if (!this.#schemasEnabled) return { schema: null, value: schemalessJson(utf8.decode(value), this.#options) };
      const json = parseJson(utf8.decode(value));
      if (!isJsonObject(json) || Object.keys(json).length !== 2 || !Object.hasOwn(json, 'schema') || !Object.hasOwn(json, 'payload')) {
        throw new DataException(ENVELOPE_ERROR);
      }
      const schema = this.#schemaOf(json.schema);
      return { schema, value: jsonToConnect(schema, json.payload, this.#options) };
    } catch (err) {
      throw this.#fail('to', topic, err);
    }
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, null, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, null, value);
  }
}
