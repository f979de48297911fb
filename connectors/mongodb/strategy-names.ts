/**
 * Strategy and post-processor names: the official connector's full Java class names
 * (com.mongodb.kafka.connect.sink...) or their short names, resolved to one short name each, so
 * existing configs run unchanged.
 */
import { ConfigException } from './errors.ts';

const ID_PACKAGE = 'com.mongodb.kafka.connect.sink.processor.id.strategy.';
const WRITE_PACKAGE = 'com.mongodb.kafka.connect.sink.writemodel.strategy.';
const PROCESSOR_PACKAGE = 'com.mongodb.kafka.connect.sink.processor.';
const NAMESPACE_PACKAGE = 'com.mongodb.kafka.connect.sink.namespace.mapping.';

export const ID_STRATEGIES = [
  'BsonOidStrategy',
  'KafkaMetaDataStrategy',
  'FullKeyStrategy',
  'PartialKeyStrategy',
  'PartialValueStrategy',
  'ProvidedInKeyStrategy',
  'ProvidedInValueStrategy',
  'UuidStrategy',
  'UuidProvidedInKeyStrategy',
  'UuidProvidedInValueStrategy',
] as const;
export type IdStrategyName = (typeof ID_STRATEGIES)[number];

export const WRITE_MODEL_STRATEGIES = [
  'DefaultWriteModelStrategy',
  'ReplaceOneDefaultStrategy',
  'ReplaceOneBusinessKeyStrategy',
  'UpdateOneDefaultStrategy',
  'UpdateOneTimestampsStrategy',
  'UpdateOneBusinessKeyTimestampStrategy',
  'InsertOneDefaultStrategy',
  'DeleteOneDefaultStrategy',
  'DeleteOneBusinessKeyStrategy',
  'DeleteOneTombstoneBusinessKeyStrategy',
] as const;
export type WriteModelStrategyName = (typeof WRITE_MODEL_STRATEGIES)[number];

export const POST_PROCESSORS = [
  'DocumentIdAdder',
  'KafkaMetaAdder',
  'BlockListKeyProjector',
  'BlockListValueProjector',
  'AllowListKeyProjector',
  'AllowListValueProjector',
  'RenameByMapping',
  'RenameByRegExp',
  'NullFieldValueRemover',
] as const;
export type PostProcessorName = (typeof POST_PROCESSORS)[number];

export const NAMESPACE_MAPPERS = ['DefaultNamespaceMapper', 'FieldPathNamespaceMapper'] as const;
export type NamespaceMapperName = (typeof NAMESPACE_MAPPERS)[number];

export const DEFAULT_ID_STRATEGY_CLASS = `${ID_PACKAGE}BsonOidStrategy`;
export const DEFAULT_WRITE_MODEL_CLASS = `${WRITE_PACKAGE}DefaultWriteModelStrategy`;
export const DEFAULT_DELETE_WRITE_MODEL_CLASS = `${WRITE_PACKAGE}DeleteOneDefaultStrategy`;
export const DEFAULT_POST_PROCESSOR_CLASS = `${PROCESSOR_PACKAGE}DocumentIdAdder`;
export const DEFAULT_NAMESPACE_MAPPER_CLASS = `${NAMESPACE_PACKAGE}DefaultNamespaceMapper`;

// Renamed upstream (BlacklistValueProjector → BlockListValueProjector in 1.5); old names still run.
const PROCESSOR_ALIASES: Record<string, PostProcessorName> = {
  BlacklistKeyProjector: 'BlockListKeyProjector',
  BlacklistValueProjector: 'BlockListValueProjector',
  WhitelistKeyProjector: 'AllowListKeyProjector',
  WhitelistValueProjector: 'AllowListValueProjector',
};

function resolve<T extends string>(key: string, value: string, packages: readonly string[], known: readonly T[], aliases: Record<string, T> = {}): T {
  let short = value.trim();
  for (const prefix of packages) if (short.startsWith(prefix)) short = short.slice(prefix.length);
  // Short names may drop the "Strategy" suffix: ProvidedInValue = ProvidedInValueStrategy.
  const candidates = [short, `${short}Strategy`];
  for (const candidate of candidates) {
    if ((known as readonly string[]).includes(candidate)) return candidate as T;
    const alias = aliases[candidate];
    if (alias !== undefined) return alias;
  }
  throw new ConfigException(key, value, `unknown class; expected one of ${known.join(', ')} (short or full official class name)`);
}

export function resolveIdStrategy(key: string, value: string): IdStrategyName {
  return resolve(key, value, [ID_PACKAGE], ID_STRATEGIES);
}

export function resolveWriteModelStrategy(key: string, value: string): WriteModelStrategyName {
  const name = resolve(key, value, [WRITE_PACKAGE], WRITE_MODEL_STRATEGIES);
  return name === 'DefaultWriteModelStrategy' ? 'ReplaceOneDefaultStrategy' : name;
}

/** True when `value` names DefaultWriteModelStrategy (which depends on the collection type). */
export function isDefaultWriteModel(value: string): boolean {
  return resolve(WRITE_PACKAGE, value, [WRITE_PACKAGE], WRITE_MODEL_STRATEGIES) === 'DefaultWriteModelStrategy';
}

export function resolvePostProcessor(key: string, value: string): PostProcessorName {
  return resolve(key, value, [`${PROCESSOR_PACKAGE}field.projection.`, `${PROCESSOR_PACKAGE}field.renaming.`, PROCESSOR_PACKAGE], POST_PROCESSORS, PROCESSOR_ALIASES);
}

export function resolveNamespaceMapper(key: string, value: string): NamespaceMapperName {
  return resolve(key, value, [NAMESPACE_PACKAGE], NAMESPACE_MAPPERS);
}
