import { closestKeys } from '../../util/config/closest-keys.ts';
import { describeValue, parseType } from '../../util/config/config-types.ts';
import { ConfigError } from '../../util/errors.ts';

/**
 * One definition per config key (name, type, default, validator, importance, docs), in the shape
 * Kafka's ConfigDef uses. Parsing, validation, defaults and generated docs all derive from it.
 * Values arrive as strings (properties files, AlterConfigs requests) or already typed (code).
 */
export type ConfigType = 'boolean' | 'int' | 'long' | 'double' | 'string' | 'list';
export type Importance = 'high' | 'medium' | 'low';

export type ConfigValue = boolean | number | string | string[];

export interface ConfigKeyDef<T extends ConfigValue = ConfigValue> {
  name: string;
  type: ConfigType;
  default: T;
  importance: Importance;
  doc: string;
  /** Returns a problem description (without the key name), or undefined when the value is fine. */
  // Method syntax on purpose: a validator of numbers must fit the ConfigValue slot of a list of defs.
  validate?(value: T): string | undefined;
  /** Human-readable valid values for docs and errors, e.g. "[0,...]" as Kafka prints them. */
  validValues?: string;
}

/** Kafka's Long.MAX_VALUE, the "never" of many time and count settings. */
export const LONG_MAX = 9223372036854775807n;

/**
 * Long values are JS numbers: exact up to 2^53, and Long.MAX_VALUE becomes 2^63 as a double, which
 * compares as "larger than any time or count" exactly like Kafka's sentinel does.
 */
export function formatConfigValue(type: ConfigType, value: ConfigValue): string {
  if (Array.isArray(value)) return value.join(',');
  if (type === 'long' && typeof value === 'number' && value >= 2 ** 63) return LONG_MAX.toString();
  return String(value);
}

export const atLeast =
  (min: number) =>
  (v: number): string | undefined =>
    v < min ? `must be at least ${min}` : undefined;

export const between =
  (min: number, max: number) =>
  (v: number): string | undefined =>
    v < min || v > max ? `must be between ${min} and ${max}` : undefined;

export const oneOf =
  (allowed: readonly string[]) =>
  (v: string): string | undefined =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;

export const listOf =
  (allowed: readonly string[]) =>
  (v: string[]): string | undefined => {
    const bad = v.filter((item) => !allowed.includes(item));
    return bad.length > 0 ? `contains ${bad.join(', ')}; each item must be one of ${allowed.join(', ')}` : undefined;
  };

const TYPE_NAMES: Record<ConfigType, 'BOOLEAN' | 'INT' | 'LONG' | 'DOUBLE' | 'STRING' | 'LIST'> = {
  boolean: 'BOOLEAN',
  int: 'INT',
  long: 'LONG',
  double: 'DOUBLE',
  string: 'STRING',
  list: 'LIST',
};

/** The broker answers every bad value with Kafka's INVALID_CONFIG error. */
function invalid(key: string, raw: unknown, problem: string, cause?: unknown): never {
  throw new ConfigError(`Invalid value ${describeValue(raw)} for configuration ${key}: ${problem}`, {
    code: 'INVALID_CONFIG',
    context: { key, value: raw },
    cause,
  });
}

/** Parses one value for `def` with Kafka's ConfigDef.parseType rules, then the key's own validator. */
export function parseConfigValue(def: ConfigKeyDef, raw: unknown): ConfigValue {
  let value: ConfigValue;
  try {
    value = parseType(def.name, raw, TYPE_NAMES[def.type]);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(err.message, { code: 'INVALID_CONFIG', context: err.context, cause: err });
  }
  // Broker lists drop empty items ("a,,b" is two topics), and a double must be a real number.
  if (Array.isArray(value)) value = value.filter((item) => item !== '');
  if (typeof value === 'number' && !Number.isFinite(value)) invalid(def.name, raw, 'Not a finite number');
  const problem = def.validate?.(value as never);
  if (problem !== undefined) invalid(def.name, raw, problem);
  return value;
}

/** A set of definitions, looked up by name. */
export class ConfigDefs<T extends object> {
  readonly keys: ReadonlyMap<string, ConfigKeyDef>;
  readonly what: string;

  constructor(what: string, defs: readonly ConfigKeyDef[]) {
    this.what = what;
    this.keys = new Map(defs.map((def) => [def.name, def]));
  }

  get(name: string): ConfigKeyDef {
    const def = this.keys.get(name);
    if (def !== undefined) return def;
    const near = closestKeys(name, this.keys.keys());
    const hint = near.length > 0 ? `; did you mean ${near.join(', ')}?` : '';
    throw new ConfigError(`Unknown ${this.what} configuration ${name}${hint}`, { code: 'INVALID_CONFIG', context: { key: name, closest: near } });
  }

  defaults(): T {
    const out: Record<string, ConfigValue> = {};
    for (const def of this.keys.values()) out[def.name] = Array.isArray(def.default) ? [...def.default] : def.default;
    return out as T;
  }

  /** Parses and validates overrides (unknown keys fail with the closest known keys). */
  parseOverrides(raw: Readonly<Record<string, unknown>>): Partial<T> {
    const out: Record<string, ConfigValue> = {};
    for (const [name, value] of Object.entries(raw)) out[name] = parseConfigValue(this.get(name), value);
    return out as Partial<T>;
  }

  /** Defaults, then `overrides` layered in order (later wins). */
  resolve(...overrides: Partial<T>[]): T {
    return Object.assign(this.defaults(), ...overrides) as T;
  }

  /** Renders values back to strings, as DescribeConfigs and properties files show them. */
  format(values: Partial<T>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) out[name] = formatConfigValue(this.get(name).type, value as ConfigValue);
    return out;
  }
}
