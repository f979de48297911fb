/**
 * The worker's view of a connector's transformation chain (`transforms=a,b`,
 * `transforms.a.type=...`, `predicate`/`negate`), built by runtime/connect/transforms. The task
 * loops run the stages one by one so that an error names the transform that raised it (the
 * TRANSFORMATION stage of the error handler).
 */
import type { ConnectRecord, ConfigValue, ValidatedPart } from '../api/index.ts';
import { ConfigDef } from '../config/index.ts';
import { buildTransformationChain as buildChain, defaultTransformRegistry, enrichTransformsConfigDef } from '../transforms/index.ts';
import { TRANSFORMS_CONFIG } from './connector-config.ts';

/** One transform of the chain, already configured (and guarded by its predicate). */
export interface TransformationStage<R extends ConnectRecord<R>> {
  /** Kafka's class name, e.g. org.apache.kafka.connect.transforms.RegexRouter (for error context). */
  readonly className: string;
  /** The transformed record, or null when the record is dropped. */
  apply(record: R): R | null;
  close(): void;
}

export interface TransformationPluginInfo {
  className: string;
  kind: 'transformation' | 'predicate';
}

/** Transformations and predicates available to `transforms.<alias>.type` / `predicates.<alias>.type`. */
export function transformationPlugins(): TransformationPluginInfo[] {
  return [
    ...defaultTransformRegistry.transformations().map((p) => ({ className: p.className, kind: 'transformation' as const })),
    ...defaultTransformRegistry.predicates().map((p) => ({ className: p.className, kind: 'predicate' as const })),
  ];
}

export interface BuiltChain<R extends ConnectRecord<R>> {
  stages: Array<TransformationStage<R>>;
  /** Unknown transform keys and unused predicates, for the log. */
  warnings: readonly string[];
}

/** Builds and configures the chain; configuration errors are one ConfigError naming the full keys. */
export function buildTransformationChain<R extends ConnectRecord<R>>(config: Readonly<Record<string, string>>): BuiltChain<R> {
  const chain = buildChain<R>(config);
  return { stages: [...chain.stages], warnings: chain.warnings };
}

export interface TransformationValidation {
  /** Definitions and results of the `transforms.<alias>.` / `predicates.<alias>.` keys. */
  parts: ValidatedPart[];
  /** Errors of keys outside those parts (e.g. `transforms` itself). */
  errors: Map<string, string[]>;
  warnings: readonly string[];
}

/** Validation of the transform and predicate keys, for /config/validate and start-up checks. */
export function validateTransformations(config: Readonly<Record<string, string>>): TransformationValidation {
  const def = enrichTransformsConfigDef(new ConfigDef(), config, defaultTransformRegistry);
  const values: ConfigValue[] = def.validateValues(config);
  const errors = new Map<string, string[]>();
  let warnings: readonly string[] = [];
  if (values.every((v) => v.errors.length === 0)) {
    try {
      const chain = buildChain(config);
      warnings = chain.warnings;
      chain.close();
    } catch (err) {
      const problems = ((err as { context?: { problems?: Array<{ key: string; message: string }> } }).context?.problems ?? [
        { key: TRANSFORMS_CONFIG, message: (err as Error).message },
      ]) as Array<{ key: string; message: string }>;
      for (const { key, message } of problems) {
        const value = values.find((v) => v.name === key);
        if (value) value.errors.push(message);
        else errors.set(key, [...(errors.get(key) ?? []), message]);
      }
    }
  }
  return { parts: def.keys().length === 0 ? [] : [{ def, values }], errors, warnings };
}
