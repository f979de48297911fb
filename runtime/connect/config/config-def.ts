/**
 * One definition per config (DESIGN.md principle 5): each key is defined once with its type,
 * default, validator, importance, docs and display metadata, and that definition drives parsing,
 * validation (REST /config/validate), defaults, generated docs and secret masking. Mirrors Kafka's
 * ConfigDef so that keys, defaults and messages are what Kafka users know.
 */
import { ConfigError, messageOf } from '../../util/errors.ts';
import { closestKeys } from '../../util/config/closest-keys.ts';
import type { ConfigInfos } from './config-infos.ts';
import { buildConfigInfos } from './config-infos.ts';
import type { ConfigType, ConfigTypeInputs, ConfigTypeValues, Importance, Width } from '../../util/config/config-types.ts';
import { parseType } from '../../util/config/config-types.ts';
import { ParsedConfig } from './parsed-config.ts';
import type { Validator } from './validators.ts';

/** Computes valid values and visibility of a key from the other parsed values (Kafka's Recommender). */
export interface Recommender {
  validValues(name: string, parsed: Readonly<Record<string, unknown>>): unknown[];
  visible(name: string, parsed: Readonly<Record<string, unknown>>): boolean;
}

/** How a key is defined. Leave `default` out to make the key required; `null` means optional without a value. */
export interface ConfigKeySpec<N extends string = string, T extends ConfigType = ConfigType, D = unknown> {
  name: N;
  type: T;
  default?: D;
  validator?: Validator;
  importance: Importance;
  documentation: string;
  group?: string;
  orderInGroup?: number;
  width?: Width;
  displayName?: string;
  /** Keys whose validity or visibility depends on this one. */
  dependents?: readonly string[];
  recommender?: Recommender;
  /** Internal keys are accepted but left out of generated docs. */
  internal?: boolean;
}

/** A defined key, with its default already parsed and validated. */
export interface ConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  readonly hasDefault: boolean;
  /** The parsed default; undefined when the key is required. */
  readonly defaultValue: unknown;
  readonly validator: Validator | null;
  readonly importance: Importance;
  readonly documentation: string;
  readonly group: string | null;
  readonly orderInGroup: number;
  readonly width: Width;
  readonly displayName: string;
  readonly dependents: readonly string[];
  readonly recommender: Recommender | null;
  readonly internal: boolean;
}

/** The validation result of one key (Kafka's ConfigValue). */
export interface ConfigValue {
  name: string;
  /** The parsed value, the default when unset, or null when missing or unparseable. */
  value: unknown;
  recommendedValues: unknown[];
  errors: string[];
  visible: boolean;
}

/** A key the definition does not know, with the closest known keys. */
export interface UnknownKey {
  key: string;
  suggestions: string[];
}

/** Where the raw values came from, so errors can name the file and line. */
export interface ConfigSource {
  file?: string;
  lines?: ReadonlyMap<string, number>;
}

export interface ConfigProblem {
  key: string;
  code: 'CONFIG_MISSING' | 'CONFIG_INVALID';
  message: string;
  file?: string;
  line?: number;
}

type KeyValue<T extends ConfigType, D> = [D] extends [null] ? ConfigTypeValues[T] | null : ConfigTypeValues[T];

function missingMessage(name: string): string {
  return `Missing required configuration "${name}" which has no default value.`;
}

export class ConfigDef<V extends object = Record<string, unknown>> {
  readonly #keys = new Map<string, ConfigKey>();
  readonly #groups: string[] = [];

  /**
   * Defines a key. Throws at definition time when the default does not parse or fails its
   * validator, so a broken definition never reaches users.
   */
  define<const N extends string, T extends ConfigType, const D extends ConfigTypeInputs[T] | null | undefined = undefined>(
    spec: ConfigKeySpec<N, T, D>,
  ): ConfigDef<V & { [K in N]: KeyValue<T, D> }> {
    if (this.#keys.has(spec.name)) throw new ConfigError(`Configuration ${spec.name} is defined twice.`, { context: { key: spec.name } });
    const hasDefault = 'default' in spec && spec.default !== undefined;
    const defaultValue = !hasDefault ? undefined : spec.default === null ? null : parseType(spec.name, spec.default, spec.type);
    if (hasDefault && spec.validator) spec.validator.ensureValid(spec.name, defaultValue);
    this.#add({
      name: spec.name,
      type: spec.type,
      hasDefault,
      defaultValue,
      validator: spec.validator ?? null,
      importance: spec.importance,
      documentation: spec.documentation,
      group: spec.group ?? null,
      orderInGroup: spec.orderInGroup ?? -1,
      width: spec.width ?? 'NONE',
      displayName: spec.displayName ?? spec.name,
      dependents: [...(spec.dependents ?? [])],
      recommender: spec.recommender ?? null,
      internal: spec.internal ?? false,
    });
    return this as unknown as ConfigDef<V & { [K in N]: KeyValue<T, D> }>;
  }

  #add(key: ConfigKey): void {
    this.#keys.set(key.name, key);
    if (key.group !== null && !this.#groups.includes(key.group)) this.#groups.push(key.group);
  }

  /** Adds every key of `other` (e.g. a connector's keys on top of the common connector keys). */
  extend<W extends object>(other: ConfigDef<W>): ConfigDef<V & W> {
    for (const key of other.keys()) {
      if (this.#keys.has(key.name)) throw new ConfigError(`Configuration ${key.name} is defined twice.`, { context: { key: key.name } });
      this.#add(key);
    }
    return this as unknown as ConfigDef<V & W>;
  }

  /**
   * Adds the keys of `child` under `keyPrefix` in group `groupPrefix[: childGroup]`, numbered from
   * `startingOrder` (Kafka's ConfigDef.embed; used for `transforms.<alias>.` keys).
   */
  embed(keyPrefix: string, groupPrefix: string, startingOrder: number, child: ConfigDef<object>): this {
    let order = startingOrder;
    for (const key of child.sortedKeys()) {
      this.#add({
        ...key,
        name: keyPrefix + key.name,
        group: groupPrefix + (key.group === null ? '' : `: ${key.group}`),
        orderInGroup: order++,
        dependents: key.dependents.map((d) => keyPrefix + d),
        recommender: key.recommender && embeddedRecommender(keyPrefix, key.recommender),
      });
    }
    return this;
  }

  has(name: string): boolean {
    return this.#keys.has(name);
  }

  key(name: string): ConfigKey | undefined {
    return this.#keys.get(name);
  }

  /** Keys in definition order. */
  keys(): ConfigKey[] {
    return [...this.#keys.values()];
  }

  names(): string[] {
    return [...this.#keys.keys()];
  }

  /** Groups in order of first definition. */
  groups(): string[] {
    return [...this.#groups];
  }

  /** Keys ordered as Kafka's docs order them: by group, order in group, required first, importance, name. */
  sortedKeys(): ConfigKey[] {
    const groupOrder = new Map(this.#groups.map((g, i) => [g, i]));
    const importance = { HIGH: 0, MEDIUM: 1, LOW: 2 };
    return this.keys().sort((a, b) => {
      const ga = a.group === null ? -1 : (groupOrder.get(a.group) ?? 0);
      const gb = b.group === null ? -1 : (groupOrder.get(b.group) ?? 0);
      if (ga !== gb) return ga - gb;
      if (a.orderInGroup !== b.orderInGroup) return a.orderInGroup - b.orderInGroup;
      if (a.hasDefault !== b.hasDefault) return a.hasDefault ? 1 : -1;
      if (a.importance !== b.importance) return importance[a.importance] - importance[b.importance];
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }

  #undefinedDependents(): string[] {
    const missing = new Set<string>();
    for (const key of this.#keys.values()) for (const d of key.dependents) if (!this.#keys.has(d)) missing.add(d);
    return [...missing];
  }

  /**
   * Validates raw values key by key without throwing (Kafka's ConfigDef.validate): one ConfigValue
   * per defined key, in definition order, with parse, missing-key and validator errors.
   */
  validateValues(props: Readonly<Record<string, unknown>>): ConfigValue[] {
    const results = new Map<string, ConfigValue>();
    const parsed: Record<string, unknown> = {};
    for (const key of this.#keys.values()) {
      const result: ConfigValue = { name: key.name, value: null, recommendedValues: [], errors: [], visible: true };
      results.set(key.name, result);
      let value: unknown;
      let ok = true;
      if (Object.hasOwn(props, key.name) && props[key.name] !== undefined) {
        try {
          value = parseType(key.name, props[key.name], key.type);
        } catch (err) {
          result.errors.push(messageOf(err));
          ok = false;
        }
      } else if (!key.hasDefault) {
        result.errors.push(missingMessage(key.name));
        ok = false;
      } else {
        value = key.defaultValue;
      }
      if (ok && key.validator) {
        try {
          key.validator.ensureValid(key.name, value);
        } catch (err) {
          result.errors.push(messageOf(err));
        }
      }
      result.value = ok ? value : null;
      parsed[key.name] = result.value;
    }
    for (const key of this.#keys.values()) {
      if (!key.recommender) continue;
      const result = results.get(key.name)!;
      try {
        result.recommendedValues = key.recommender.validValues(key.name, parsed);
        result.visible = key.recommender.visible(key.name, parsed);
      } catch (err) {
        result.errors.push(messageOf(err));
      }
    }
    for (const name of this.#undefinedDependents()) {
      results.set(name, { name, value: null, recommendedValues: [], errors: [`${name} is referred in the dependents, but not defined.`], visible: false });
    }
    return [...results.values()];
  }

  /**
   * Validates `props` and renders Kafka Connect's /config/validate response
   * ({name, error_count, groups, configs:[{definition, value}]}), secrets masked.
   */
  validate(props: Readonly<Record<string, unknown>>, name = ''): ConfigInfos {
    return buildConfigInfos(name, [{ def: this, values: this.validateValues(props) }]);
  }

  /**
   * Parses raw values (strings, or already-typed values) into typed values, applying defaults and
   * validators. Every problem is collected; if there is any, one ConfigError lists them all, each
   * naming the key, the value and what was expected (and the file and line when `source` says).
   * Unknown keys are not errors here: see unknownKeys().
   */
  parse(props: Readonly<Record<string, unknown>>, source: ConfigSource = {}): ParsedConfig<V> {
    const undefinedDeps = this.#undefinedDependents();
    if (undefinedDeps.length > 0) {
      throw new ConfigError(`Some configurations are referred in the dependents, but not defined: ${undefinedDeps.join(',')}`, {
        code: 'CONFIG_DEFINITION',
        context: { keys: undefinedDeps },
      });
    }
    const values: Record<string, unknown> = {};
    const problems: ConfigProblem[] = [];
    const problem = (key: string, code: ConfigProblem['code'], message: string): void => {
      const line = source.lines?.get(key);
      problems.push({ key, code, message, ...(source.file !== undefined && { file: source.file }), ...(line !== undefined && { line }) });
    };
    for (const key of this.#keys.values()) {
      let value: unknown;
      if (Object.hasOwn(props, key.name) && props[key.name] !== undefined) {
        try {
          value = parseType(key.name, props[key.name], key.type);
        } catch (err) {
          problem(key.name, 'CONFIG_INVALID', messageOf(err));
          continue;
        }
      } else if (!key.hasDefault) {
        problem(key.name, 'CONFIG_MISSING', missingMessage(key.name));
        continue;
      } else {
        value = key.defaultValue;
      }
      if (key.validator) {
        try {
          key.validator.ensureValid(key.name, value);
        } catch (err) {
          problem(key.name, 'CONFIG_INVALID', messageOf(err));
          continue;
        }
      }
      values[key.name] = value;
    }
    if (problems.length > 0) throw configProblemsError(problems, source.file);
    return new ParsedConfig<V>(this, values as V, props);
  }

  /**
   * Keys of `props` this definition does not know, each with the closest known keys, for the
   * caller to report as warnings. Keys under `ignorePrefixes` (e.g. `producer.`) are skipped.
   */
  unknownKeys(props: Readonly<Record<string, unknown>>, ignorePrefixes: readonly string[] = []): UnknownKey[] {
    const known = this.names().filter((n) => !this.#keys.get(n)!.internal);
    return Object.keys(props)
      .filter((k) => !this.#keys.has(k) && !ignorePrefixes.some((p) => k.startsWith(p)))
      .map((key) => ({ key, suggestions: closestKeys(key, known) }));
  }
}

/** The child's recommender sees its own (unprefixed) key names. */
function embeddedRecommender(prefix: string, base: Recommender): Recommender {
  const unprefixed = (parsed: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(parsed).flatMap(([k, v]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), v]] : [])));
  return {
    validValues: (name, parsed) => base.validValues(name.slice(prefix.length), unprefixed(parsed)),
    visible: (name, parsed) => base.visible(name.slice(prefix.length), unprefixed(parsed)),
  };
}

/** One ConfigError for all problems; its code is the problems' code when they share one. */
export function configProblemsError(problems: ConfigProblem[], file?: string): ConfigError {
  const where = (p: ConfigProblem) => (p.file === undefined ? '' : `${p.file}${p.line === undefined ? '' : `:${p.line}`}: `);
  const lines = problems.map((p) => `${where(p)}${p.message}`);
  const message =
    lines.length === 1 ? lines[0] : `${lines.length} configuration problems${file === undefined ? '' : ` in ${file}`}:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
  const codes = new Set(problems.map((p) => p.code));
  return new ConfigError(message, {
    code: codes.size === 1 ? problems[0].code : 'CONFIG_INVALID',
    context: { ...(file !== undefined && { file }), problems },
  });
}

/** Describes unknown keys for a warning log line: `unknown key "x" (did you mean "y"?)`. */
export function describeUnknownKey(unknown: UnknownKey): string {
  const hint = unknown.suggestions.length === 0 ? '' : ` (did you mean ${unknown.suggestions.map((s) => `"${s}"`).join(' or ')}?)`;
  return `unknown configuration "${unknown.key}"${hint}`;
}
