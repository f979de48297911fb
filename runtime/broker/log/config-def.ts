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
const LONG_MIN = -9223372036854775808n;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

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

function invalid(key: string, raw: unknown, problem: string): never {
  throw new ConfigError(`Invalid value ${JSON.stringify(raw)} for configuration ${key}: ${problem}`, {
    code: 'INVALID_CONFIG',
    context: { key, value: raw },
  });
}

function parseInteger(def: ConfigKeyDef, raw: string | number, min: bigint, max: bigint): number {
  const text = typeof raw === 'number' ? (Number.isInteger(raw) ? BigInt(raw).toString() : String(raw)) : raw.trim();
  if (!/^[+-]?\d+$/.test(text)) invalid(def.name, raw, `expected an integer (${def.type})`);
  const big = BigInt(text);
  if (big < min || big > max) invalid(def.name, raw, `out of range for ${def.type} [${min}, ${max}]`);
  return Number(big);
}

/** Parses one value for `def`; strings follow Kafka's ConfigDef.parseType rules. */
export function parseConfigValue(def: ConfigKeyDef, raw: unknown): ConfigValue {
  let value: ConfigValue;
  switch (def.type) {
    case 'boolean':
      if (typeof raw === 'boolean') value = raw;
      else if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) value = raw.trim().toLowerCase() === 'true';
      else return invalid(def.name, raw, 'expected true or false');
      break;
    case 'int':
      if (typeof raw !== 'string' && typeof raw !== 'number') return invalid(def.name, raw, 'expected an integer (int)');
      value = parseInteger(def, raw, BigInt(INT_MIN), BigInt(INT_MAX));
      break;
    case 'long':
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') return invalid(def.name, raw, 'expected an integer (long)');
      value = typeof raw === 'bigint' ? parseInteger(def, raw.toString(), LONG_MIN, LONG_MAX) : parseInteger(def, raw, LONG_MIN, LONG_MAX);
      break;
    case 'double': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) return invalid(def.name, raw, 'expected a number (double)');
      value = n;
      break;
    }
    case 'string':
      if (typeof raw !== 'string') return invalid(def.name, raw, 'expected a string');
      value = raw.trim();
      break;
    case 'list':
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) value = raw.map((item: string) => item.trim()).filter((item) => item !== '');
      else if (typeof raw === 'string') value = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
      else return invalid(def.name, raw, 'expected a comma-separated list');
      break;
  }
  const problem = def.validate?.(value as never);
  if (problem !== undefined) invalid(def.name, raw, problem);
  return value;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Up to three known keys closest to `key`, nearest first. */
export function closestKeys(key: string, known: Iterable<string>): string[] {
  return [...known]
    .map((name) => ({ name, distance: editDistance(key, name) }))
    .filter(({ name, distance }) => distance <= Math.max(3, Math.floor(name.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map(({ name }) => name);
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
