/**
 * The transform chain of a connector (Kafka's TransformationChain and TransformationStage):
 * built from the connector's flat config, applied to each record in order; a stage with a
 * predicate runs only when the predicate holds (or, with `negate=true`, when it does not), and a
 * stage returning null drops the record. Failures name the stage's alias and class.
 */
import type { ConnectRecord, Predicate, Transformation } from '../api/index.ts';
import { ConnectError, SinkRecord } from '../api/index.ts';
import type { ConfigProblem } from '../config/index.ts';
import { closestKeys, configProblemsError, describeUnknownKey, parseType } from '../config/index.ts';
import { ConfigError, messageOf } from '../../util/errors.ts';
import {
  enrichTransformsConfigDef,
  listedAliases,
  NEGATE_CONFIG,
  PREDICATE_CONFIG,
  PREDICATES_CONFIG,
  TRANSFORMS_CONFIG,
  transformsBaseConfigDef,
  TYPE_CONFIG,
} from './chain-config.ts';
import type { TransformRegistry } from './registry.ts';
import { defaultTransformRegistry } from './registry.ts';
import { isConfigKeyPrefixAware } from './util/plugin-config.ts';

/** A transformation or predicate that threw on a record (the worker's TRANSFORMATION stage). */
export class TransformationError extends ConnectError {
  /** The alias of the failed stage (`transforms.<alias>`). */
  readonly alias: string;
  /** Class name of the transformation or predicate that failed. */
  readonly className: string;

  constructor(message: string, options: { alias: string; className: string; cause: unknown; context: Record<string, unknown> }) {
    super(message, {
      code: 'CONNECT_TRANSFORMATION',
      // A retriable cause stays retriable, so the worker's retry policy still applies.
      retriable: options.cause instanceof ConnectError && options.cause.retriable,
      cause: options.cause,
      context: { stage: 'TRANSFORMATION', alias: options.alias, className: options.className, ...options.context },
    });
    this.alias = options.alias;
    this.className = options.className;
  }
}

function classNameOf(plugin: object): string {
  const named = (plugin as { className?: unknown }).className;
  return typeof named === 'string' ? named : plugin.constructor.name;
}

/** Where a record is, for error messages; never its key, value or headers. */
function positionOf<R extends ConnectRecord<R>>(record: R): Record<string, unknown> {
  const position: Record<string, unknown> = { topic: record.topic, partition: record.kafkaPartition };
  if (record instanceof SinkRecord) position.offset = record.kafkaOffset;
  return position;
}

function describePosition(position: Record<string, unknown>): string {
  return Object.entries(position)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

export interface StagePredicate<R extends ConnectRecord<R>> {
  readonly alias: string;
  readonly predicate: Predicate<R>;
  readonly negate: boolean;
}

export class TransformationStage<R extends ConnectRecord<R>> {
  readonly alias: string;
  readonly transformation: Transformation<R>;
  readonly condition: StagePredicate<R> | null;
  readonly className: string;

  constructor(alias: string, transformation: Transformation<R>, condition: StagePredicate<R> | null = null) {
    this.alias = alias;
    this.transformation = transformation;
    this.condition = condition;
    this.className = classNameOf(transformation);
  }

  /** The transformed record, the record unchanged when the predicate says skip, or null to drop it. */
  apply(record: R): R | null {
    const condition = this.condition;
    if (condition !== null) {
      let holds: boolean;
      try {
        holds = condition.predicate.test(record);
      } catch (err) {
        const position = positionOf(record);
        throw new TransformationError(
          `Predicate '${condition.alias}' (${classNameOf(condition.predicate)}) of transformation '${this.alias}' failed on record ${describePosition(position)}: ${messageOf(err)}`,
          { alias: this.alias, className: classNameOf(condition.predicate), cause: err, context: { ...position, predicate: condition.alias } },
        );
      }
      if (holds === condition.negate) return record;
    }
    let result: R | null | undefined;
    try {
      result = this.transformation.apply(record);
    } catch (err) {
      const position = positionOf(record);
      throw new TransformationError(`Transformation '${this.alias}' (${this.className}) failed on record ${describePosition(position)}: ${messageOf(err)}`, {
        alias: this.alias,
        className: this.className,
        cause: err,
        context: position,
      });
    }
    if (result === undefined) {
      const position = positionOf(record);
      throw new TransformationError(`Transformation '${this.alias}' (${this.className}) returned undefined for record ${describePosition(position)}; return null to drop a record`, {
        alias: this.alias,
        className: this.className,
        cause: undefined,
        context: position,
      });
    }
    return result;
  }

  close(): void {
    this.transformation.close();
    this.condition?.predicate.close();
  }

  toString(): string {
    const condition = this.condition === null ? '' : `, predicate=${this.condition.alias}, negate=${this.condition.negate}`;
    return `TransformationStage{alias=${this.alias}, transformation=${this.className}${condition}}`;
  }
}

export class TransformationChain<R extends ConnectRecord<R>> {
  readonly stages: readonly TransformationStage<R>[];
  /** Non-fatal findings from building the chain (unknown keys, unused predicates), for logging. */
  readonly warnings: readonly string[];

  constructor(stages: readonly TransformationStage<R>[], warnings: readonly string[] = []) {
    this.stages = stages;
    this.warnings = warnings;
  }

  get isEmpty(): boolean {
    return this.stages.length === 0;
  }

  /** The record after every stage, or null when a stage dropped it. Throws TransformationError. */
  apply(record: R): R | null {
    let current: R | null = record;
    for (const stage of this.stages) {
      current = stage.apply(current);
      if (current === null) return null;
    }
    return current;
  }

  close(): void {
    for (const stage of this.stages) stage.close();
  }

  toString(): string {
    return `TransformationChain{${this.stages.join(', ')}}`;
  }
}

export interface TransformChainOptions {
  /** Where class names resolve; defaults to the process-wide registry with Kafka's built-ins. */
  registry?: TransformRegistry;
}

/** The keys under `prefix`, prefix removed, without the chain's own keys. */
function pluginConfigs(config: Readonly<Record<string, unknown>>, prefix: string, drop: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (!drop.includes(name)) out[name] = value;
  }
  return out;
}

/** Configures a new plugin, turning any failure into a ConfigError problem that names the alias. */
function configurePlugin(plugin: { configure(configs: Readonly<Record<string, unknown>>): void }, configs: Record<string, unknown>, prefix: string, problems: ConfigProblem[]): boolean {
  if (isConfigKeyPrefixAware(plugin)) plugin.setConfigKeyPrefix(prefix);
  try {
    plugin.configure(configs);
    return true;
  } catch (err) {
    const key = err instanceof ConfigError && typeof err.context.key === 'string' ? err.context.key : `${prefix}${TYPE_CONFIG}`;
    const code = err instanceof ConfigError && err.code === 'CONFIG_MISSING' ? 'CONFIG_MISSING' : 'CONFIG_INVALID';
    // Our plugins name full keys already; others get the alias prefix so the user knows where.
    const message = isConfigKeyPrefixAware(plugin) && err instanceof ConfigError ? err.message : `${prefix.slice(0, -1)} (${classNameOf(plugin)}): ${messageOf(err)}`;
    const problem: ConfigProblem = { key: key.startsWith(prefix) ? key : prefix + key, code, message };
    // A predicate shared by several stages is configured once per stage; report its problem once.
    if (!problems.some((p) => p.key === problem.key && p.message === problem.message)) problems.push(problem);
    return false;
  }
}

/**
 * Builds the transform chain a connector config declares (`transforms`, `transforms.<a>.*`,
 * `predicates`, `predicates.<p>.*`). Every problem (unknown class, missing or invalid key,
 * undeclared predicate, `negate` without `predicate`) is collected into one ConfigError naming
 * the full keys; nothing is left configured when it throws.
 */
export function buildTransformationChain<R extends ConnectRecord<R>>(
  config: Readonly<Record<string, unknown>>,
  options: TransformChainOptions = {},
): TransformationChain<R> {
  const registry = options.registry ?? defaultTransformRegistry;
  const def = enrichTransformsConfigDef(transformsBaseConfigDef(), config, registry);
  def.parse(config);

  const problems: ConfigProblem[] = [];
  const created: Array<{ close(): void }> = [];
  const predicateAliases = listedAliases(config, PREDICATES_CONFIG);
  const newPredicate = (alias: string): Predicate<R> | null => {
    const prefix = `${PREDICATES_CONFIG}.${alias}.`;
    const predicate = registry.newPredicate<R>(String(config[prefix + TYPE_CONFIG]).trim(), prefix + TYPE_CONFIG);
    created.push(predicate);
    return configurePlugin(predicate, pluginConfigs(config, prefix, [TYPE_CONFIG]), prefix, problems) ? predicate : null;
  };

  const usedPredicates = new Set<string>();
  const stages: TransformationStage<R>[] = [];
  for (const alias of listedAliases(config, TRANSFORMS_CONFIG)) {
    const prefix = `${TRANSFORMS_CONFIG}.${alias}.`;
    const transformation = registry.newTransformation<R>(String(config[prefix + TYPE_CONFIG]).trim(), prefix + TYPE_CONFIG);
    created.push(transformation);
    const configured = configurePlugin(transformation, pluginConfigs(config, prefix, [TYPE_CONFIG, PREDICATE_CONFIG, NEGATE_CONFIG]), prefix, problems);
    const predicateAlias = config[prefix + PREDICATE_CONFIG];
    let condition: StagePredicate<R> | null = null;
    if (typeof predicateAlias === 'string' && predicateAlias.trim() !== '') {
      const name = predicateAlias.trim();
      usedPredicates.add(name);
      // Each stage gets its own predicate instance, as in Kafka.
      const predicate = newPredicate(name);
      const negate = config[prefix + NEGATE_CONFIG] === undefined ? false : parseType(prefix + NEGATE_CONFIG, config[prefix + NEGATE_CONFIG], 'BOOLEAN');
      if (predicate !== null) condition = { alias: name, predicate, negate };
    }
    if (configured) stages.push(new TransformationStage(alias, transformation, condition));
  }

  const warnings: string[] = [];
  for (const alias of predicateAliases) {
    if (usedPredicates.has(alias)) continue;
    // Still validated, as Kafka validates every declared predicate.
    const predicate = newPredicate(alias);
    predicate?.close();
    warnings.push(`predicate '${alias}' is declared in '${PREDICATES_CONFIG}' but no transformation uses it`);
  }

  if (problems.length > 0) {
    for (const plugin of created) plugin.close();
    throw configProblemsError(problems);
  }
  warnings.push(...unknownChainKeys(config, def.names()));
  return new TransformationChain(stages, warnings);
}

/** Warnings for `transforms.*` / `predicates.*` keys that nothing reads, with close known keys. */
function unknownChainKeys(config: Readonly<Record<string, unknown>>, known: readonly string[]): string[] {
  const listed = new Set([
    ...listedAliases(config, TRANSFORMS_CONFIG).map((a) => `${TRANSFORMS_CONFIG}.${a}.`),
    ...listedAliases(config, PREDICATES_CONFIG).map((a) => `${PREDICATES_CONFIG}.${a}.`),
  ]);
  const knownSet = new Set(known);
  const warnings: string[] = [];
  for (const key of Object.keys(config)) {
    if (knownSet.has(key) || !(key.startsWith(`${TRANSFORMS_CONFIG}.`) || key.startsWith(`${PREDICATES_CONFIG}.`))) continue;
    const prefix = [...listed].find((p) => key.startsWith(p));
    if (prefix === undefined) {
      const kind = key.startsWith(`${TRANSFORMS_CONFIG}.`) ? TRANSFORMS_CONFIG : PREDICATES_CONFIG;
      const alias = key.slice(kind.length + 1).split('.')[0];
      warnings.push(`configuration "${key}" is ignored: '${alias}' is not listed in '${kind}'`);
    } else {
      // Compared without the shared prefix, which would make every key of the alias look close.
      const siblings = known.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      const suggestions = closestKeys(key.slice(prefix.length), siblings).map((k) => prefix + k);
      warnings.push(describeUnknownKey({ key, suggestions }));
    }
  }
  return warnings;
}
