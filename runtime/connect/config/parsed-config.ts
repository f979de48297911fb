/**
 * Parsed, validated config values with typed access (Kafka's AbstractConfig). Produced by
 * ConfigDef.parse; keeps the originals for prefix pass-through (`producer.`, `key.converter.`...).
 */
import { ConfigError } from '../../util/errors.ts';
import type { ConfigDef } from './config-def.ts';
import type { ConfigType } from '../../util/config/config-types.ts';
import { convertToString } from '../../util/config/config-types.ts';
import { maskSecrets } from './masking.ts';
import type { Password } from '../../util/config/password.ts';
import { originalsWithPrefix, withPrefixOverride } from './prefix.ts';

export class ParsedConfig<V extends object = Record<string, unknown>> {
  readonly def: ConfigDef<V>;
  readonly #values: V;
  readonly #originals: Readonly<Record<string, unknown>>;

  constructor(def: ConfigDef<V>, values: V, originals: Readonly<Record<string, unknown>>) {
    this.def = def;
    this.#values = values;
    this.#originals = { ...originals };
  }

  /** The typed value of a defined key. */
  get<K extends keyof V & string>(key: K): V[K] {
    return this.#checked(key) as V[K];
  }

  #checked(key: string, type?: ConfigType): unknown {
    const def = this.def.key(key);
    if (!def) throw new ConfigError(`Unknown configuration "${key}"`, { code: 'CONFIG_UNDEFINED', context: { key } });
    if (type !== undefined && def.type !== type && !(type === 'INT' && def.type === 'SHORT')) {
      throw new ConfigError(`Configuration "${key}" is of type ${def.type}, not ${type}`, { code: 'CONFIG_UNDEFINED', context: { key } });
    }
    return (this.#values as Record<string, unknown>)[key];
  }

  // Untyped accessors for code that works with keys chosen at run time.
  getString(key: string): string | null {
    return this.#checked(key, 'STRING') as string | null;
  }
  getBoolean(key: string): boolean | null {
    return this.#checked(key, 'BOOLEAN') as boolean | null;
  }
  getInt(key: string): number | null {
    return this.#checked(key, 'INT') as number | null;
  }
  getLong(key: string): number | null {
    return this.#checked(key, 'LONG') as number | null;
  }
  getDouble(key: string): number | null {
    return this.#checked(key, 'DOUBLE') as number | null;
  }
  getList(key: string): string[] | null {
    return this.#checked(key, 'LIST') as string[] | null;
  }
  getClass(key: string): string | null {
    return this.#checked(key, 'CLASS') as string | null;
  }
  getPassword(key: string): Password | null {
    return this.#checked(key, 'PASSWORD') as Password | null;
  }

  /** All parsed values (defaults included) of the defined keys. */
  values(): V {
    return { ...this.#values };
  }

  /** The raw values as given, including keys this definition does not know. */
  originals(): Record<string, unknown> {
    return { ...this.#originals };
  }

  /** The raw values as strings (secrets revealed: for passing on to another component only). */
  originalsStrings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#originals)) {
      const s = convertToString(v, undefined, true);
      if (s !== null) out[k] = s;
    }
    return out;
  }

  /** Originals under `prefix`, prefix removed (e.g. `key.converter.` → the key converter's config). */
  originalsWithPrefix(prefix: string, strip = true): Record<string, unknown> {
    return originalsWithPrefix(this.#originals, prefix, strip);
  }

  /** Parsed values overlaid with the `prefix`ed originals, prefix removed. */
  valuesWithPrefixOverride(prefix: string): Record<string, unknown> {
    return withPrefixOverride(this.#values as Record<string, unknown>, this.#originals, prefix);
  }

  /** Values rendered as strings for logs and REST: secrets show as `[hidden]`. */
  toLoggable(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const key of this.def.keys()) out[key.name] = convertToString((this.#values as Record<string, unknown>)[key.name], key.type);
    return maskSecrets(this.def, out);
  }
}
