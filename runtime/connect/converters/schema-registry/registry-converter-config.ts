/**
 * Settings of the schema registry converters, with Confluent's names and defaults
 * (AbstractKafkaSchemaSerDeConfig, AvroDataConfig, JsonSchemaDataConfig). The worker passes them
 * with the `key.converter.` / `value.converter.` prefix removed.
 */
import { ConfigDef, validators } from '../../config/index.ts';
import type { Password } from '../../config/index.ts';
import { converterConfigDef } from '../converter-config.ts';
import { DEFAULT_SUBJECT_NAME_STRATEGY } from './subject-name-strategy.ts';

export const SCHEMA_REGISTRY_URL_CONFIG = 'schema.registry.url';
export const AUTO_REGISTER_SCHEMAS_CONFIG = 'auto.register.schemas';
export const USE_LATEST_VERSION_CONFIG = 'use.latest.version';
export const LATEST_COMPATIBILITY_STRICT_CONFIG = 'latest.compatibility.strict';
export const NORMALIZE_SCHEMAS_CONFIG = 'normalize.schemas';
export const KEY_SUBJECT_NAME_STRATEGY_CONFIG = 'key.subject.name.strategy';
export const VALUE_SUBJECT_NAME_STRATEGY_CONFIG = 'value.subject.name.strategy';
export const MAX_SCHEMAS_PER_SUBJECT_CONFIG = 'max.schemas.per.subject';
export const SCHEMAS_CACHE_CONFIG = 'schemas.cache.config';
export const CONNECT_META_DATA_CONFIG = 'connect.meta.data';
export const BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = 'basic.auth.credentials.source';
export const BASIC_AUTH_USER_INFO_CONFIG = 'basic.auth.user.info';
export const DECIMAL_FORMAT_CONFIG = 'decimal.format';

export interface RegistryConverterSettings {
  urls: string[];
  autoRegister: boolean;
  useLatestVersion: boolean;
  latestCompatibilityStrict: boolean;
  normalize: boolean;
  keySubjectNameStrategy: string;
  valueSubjectNameStrategy: string;
  cacheCapacity: number;
  schemasCacheSize: number;
  connectMetaData: boolean;
  decimalFormat: 'BASE64' | 'NUMERIC';
  headers: Record<string, string>;
}

const SERDE = 'Schema registry';

function registryConfigDef() {
  return converterConfigDef().extend(
    new ConfigDef()
      .define({
        name: SCHEMA_REGISTRY_URL_CONFIG,
        type: 'LIST',
        importance: 'HIGH',
        documentation: 'Comma-separated list of URLs for Schema Registry instances that can be used to register or look up schemas.',
        group: SERDE,
      })
      .define({ name: AUTO_REGISTER_SCHEMAS_CONFIG, type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'Specify if the converter should attempt to register the schema with Schema Registry.', group: SERDE })
      .define({ name: USE_LATEST_VERSION_CONFIG, type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Use the latest version of the subject instead of registering the record schema (needs auto.register.schemas=false).', group: SERDE })
      .define({
        name: LATEST_COMPATIBILITY_STRICT_CONFIG,
        type: 'BOOLEAN',
        default: true,
        importance: 'LOW',
        documentation: 'With use.latest.version, check that the latest subject version can read data written with the record schema (backward compatibility) before using it.',
        group: SERDE,
      })
      .define({ name: NORMALIZE_SCHEMAS_CONFIG, type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Whether to normalize schemas, which generally ignores ordering when it is not significant.', group: SERDE })
      .define({ name: KEY_SUBJECT_NAME_STRATEGY_CONFIG, type: 'CLASS', default: DEFAULT_SUBJECT_NAME_STRATEGY, importance: 'MEDIUM', documentation: 'Determines how to construct the subject name under which the key schema is registered.', group: SERDE })
      .define({ name: VALUE_SUBJECT_NAME_STRATEGY_CONFIG, type: 'CLASS', default: DEFAULT_SUBJECT_NAME_STRATEGY, importance: 'MEDIUM', documentation: 'Determines how to construct the subject name under which the value schema is registered.', group: SERDE })
      .define({ name: MAX_SCHEMAS_PER_SUBJECT_CONFIG, type: 'INT', default: 1000, validator: validators.atLeast(1), importance: 'LOW', documentation: 'Maximum number of schemas to create or cache locally.', group: SERDE })
      .define({ name: SCHEMAS_CACHE_CONFIG, type: 'INT', default: 1000, validator: validators.atLeast(0), importance: 'LOW', documentation: 'Size of the converted schemas cache.', group: SERDE })
      .define({ name: CONNECT_META_DATA_CONFIG, type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Toggle for enabling/disabling connect converter to add its meta data to the output schema or not.', group: SERDE })
      .define({ name: BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, type: 'STRING', default: 'URL', validator: validators.oneOfIgnoreCase('URL', 'USER_INFO'), importance: 'MEDIUM', documentation: 'Where the basic auth credentials come from: URL (user info in schema.registry.url) or USER_INFO (basic.auth.user.info).', group: SERDE })
      .define({ name: BASIC_AUTH_USER_INFO_CONFIG, type: 'PASSWORD', default: null, importance: 'MEDIUM', documentation: 'The user info "user:password" for basic auth, with basic.auth.credentials.source=USER_INFO.', group: SERDE })
      .define({ name: DECIMAL_FORMAT_CONFIG, type: 'STRING', default: 'BASE64', validator: validators.oneOfIgnoreCase('BASE64', 'NUMERIC'), importance: 'LOW', documentation: 'How JSON Schema values carry decimals: BASE64 (default) or NUMERIC.', group: SERDE }),
  );
}

export const REGISTRY_CONVERTER_CONFIG = registryConfigDef();

function basicAuth(userInfo: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(userInfo, 'utf8').toString('base64')}` };
}

/** Parses the converter settings; URLs carrying user info supply basic auth (credentials source URL). */
export function parseRegistryConverterSettings(configs: Readonly<Record<string, unknown>>): RegistryConverterSettings {
  const parsed = REGISTRY_CONVERTER_CONFIG.parse(configs);
  const source = (parsed.getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG) ?? 'URL').toUpperCase();
  let headers: Record<string, string> = {};
  const urls = (parsed.getList(SCHEMA_REGISTRY_URL_CONFIG) ?? []).map((raw) => {
    const url = new URL(raw);
    if (url.username !== '' && source === 'URL') headers = basicAuth(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  });
  const userInfo = parsed.get(BASIC_AUTH_USER_INFO_CONFIG) as Password | null;
  if (source === 'USER_INFO' && userInfo !== null) headers = basicAuth(userInfo.value());
  return {
    urls,
    autoRegister: parsed.getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG) ?? true,
    useLatestVersion: parsed.getBoolean(USE_LATEST_VERSION_CONFIG) ?? false,
    latestCompatibilityStrict: parsed.getBoolean(LATEST_COMPATIBILITY_STRICT_CONFIG) ?? true,
    normalize: parsed.getBoolean(NORMALIZE_SCHEMAS_CONFIG) ?? false,
    keySubjectNameStrategy: parsed.getClass(KEY_SUBJECT_NAME_STRATEGY_CONFIG) ?? '',
    valueSubjectNameStrategy: parsed.getClass(VALUE_SUBJECT_NAME_STRATEGY_CONFIG) ?? '',
    cacheCapacity: parsed.getInt(MAX_SCHEMAS_PER_SUBJECT_CONFIG) ?? 1000,
    schemasCacheSize: parsed.getInt(SCHEMAS_CACHE_CONFIG) ?? 1000,
    connectMetaData: parsed.getBoolean(CONNECT_META_DATA_CONFIG) ?? true,
    decimalFormat: (parsed.getString(DECIMAL_FORMAT_CONFIG) ?? 'BASE64').toUpperCase() as 'BASE64' | 'NUMERIC',
    headers,
  };
}
