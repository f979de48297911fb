/**
 * Config handling shared by the built-in SMTs and predicates. Each defines its keys once in a
 * ConfigDef; configure() parses through it. When the chain builder has told the plugin where its
 * keys live (`transforms.<alias>.`), every error names the full key, e.g.
 * `Invalid value "x" for configuration transforms.cast.spec: ...`.
 */
import { ConfigDef, invalidValue, validators } from '../../config/index.ts';
import type { Validator } from '../../config/index.ts';
import { ConfigError } from '../../../util/errors.ts';

/** Implemented by plugins whose config errors can name the full (prefixed) key. */
export interface ConfigKeyPrefixAware {
  setConfigKeyPrefix(prefix: string): void;
}

export function isConfigKeyPrefixAware(plugin: object): plugin is ConfigKeyPrefixAware {
  return typeof (plugin as Partial<ConfigKeyPrefixAware>).setConfigKeyPrefix === 'function';
}

/** The typed values a ConfigDef parses to. */
export type ConfigValuesOf<D> = D extends ConfigDef<infer V> ? V : never;

export abstract class ConfiguredPlugin<V extends object> implements ConfigKeyPrefixAware {
  readonly #definition: ConfigDef<V>;
  #keyPrefix = '';

  protected constructor(definition: ConfigDef<V>) {
    this.#definition = definition;
  }

  /** Kafka's class name of this plugin, e.g. `org.apache.kafka.connect.transforms.Cast$Value`. */
  abstract readonly className: string;

  setConfigKeyPrefix(prefix: string): void {
    this.#keyPrefix = prefix;
  }

  config(): ConfigDef<V> {
    return this.#definition;
  }

  /** The key as the user wrote it (with the `transforms.<alias>.` prefix when known). */
  protected keyName(key: string): string {
    return this.#keyPrefix + key;
  }

  /** Parses and validates `configs` (all problems in one ConfigError naming full keys). */
  protected parseConfig(configs: Readonly<Record<string, unknown>>): V {
    const prefix = this.#keyPrefix;
    const prefixed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(configs)) prefixed[prefix + k] = v;
    const def = prefix === '' ? this.#definition : embedded(this.#definition, prefix);
    const parsed = def.parse(prefixed).values() as Record<string, unknown>;
    const values: Record<string, unknown> = {};
    for (const name of this.#definition.names()) values[name] = parsed[prefix + name];
    return values as V;
  }

  /** Kafka's `new ConfigException(name, value, message)`, naming the full key. */
  protected invalid(key: string, value: unknown, message: string): ConfigError {
    return invalidValue(this.keyName(key), value, message);
  }

  /** Kafka's `new ConfigException(message)` about a key (or about the combination of keys). */
  protected problem(message: string, key?: string): ConfigError {
    const where = this.#keyPrefix === '' ? '' : ` (${this.#keyPrefix.slice(0, -1)})`;
    return new ConfigError(`${message}${where}`, { code: 'CONFIG_INVALID', context: key === undefined ? {} : { key: this.keyName(key) } });
  }

  toString(): string {
    return this.className;
  }
}

const embeddedDefs = new WeakMap<ConfigDef<object>, Map<string, ConfigDef<object>>>();

/** `definition` with every key under `prefix`, cached so a chain rebuild does not redo it. */
function embedded<V extends object>(definition: ConfigDef<V>, prefix: string): ConfigDef<object> {
  let byPrefix = embeddedDefs.get(definition);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    embeddedDefs.set(definition, byPrefix);
  }
  let def = byPrefix.get(prefix);
  if (def === undefined) {
    def = new ConfigDef().embed(prefix, prefix.slice(0, -1), 0, definition);
    byPrefix.set(prefix, def);
  }
  return def;
}

/** Kafka's NonEmptyListValidator. */
export const nonEmptyList: Validator = {
  description: 'non-empty list',
  ensureValid(name, value) {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) throw invalidValue(name, value, 'Empty list');
  },
};

/** Kafka's NonEmptyString. */
export const nonEmptyString: Validator = validators.nonEmptyString();

/** The documentation of `replace.null.with.default`, which several SMTs share (KIP-1040). */
export const REPLACE_NULL_WITH_DEFAULT_DOC =
  'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.';

/** Java's String.split(literal): like JavaScript's, but trailing empty parts are dropped. */
export function splitLikeJava(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
