/**
 * Kafka Connect's built-in single message transforms and predicates, by Kafka's class names, and
 * the transform chain a connector config declares (`transforms=...`, `predicates=...`).
 */
export { CastKey, CastValue } from './cast.ts';
export { DropHeaders } from './drop-headers.ts';
export { ExtractFieldKey, ExtractFieldValue } from './extract-field.ts';
export { FIELD_SYNTAX_VERSION_CONFIG, FIELD_SYNTAX_VERSIONS, SingleFieldPath } from './field-path.ts';
export type { FieldSyntaxVersion } from './field-path.ts';
export { Filter } from './filter.ts';
export { FlattenKey, FlattenValue } from './flatten.ts';
export { HeaderFromKey, HeaderFromValue } from './header-from.ts';
export { HoistFieldKey, HoistFieldValue } from './hoist-field.ts';
export { InsertFieldKey, InsertFieldValue } from './insert-field.ts';
export { InsertHeader } from './insert-header.ts';
export { MaskFieldKey, MaskFieldValue } from './mask-field.ts';
export { RegexRouter } from './regex-router.ts';
export { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.ts';
export { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.ts';
export { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.ts';
export { TimestampRouter } from './timestamp-router.ts';
export { ValueToKey } from './value-to-key.ts';
export { HasHeaderKey } from './predicates/has-header-key.ts';
export { RecordIsTombstone } from './predicates/record-is-tombstone.ts';
export { TopicNameMatches } from './predicates/topic-name-matches.ts';
export { TransformRegistry, builtinTransformRegistry, defaultTransformRegistry, registerBuiltins } from './registry.ts';
export type { PluginKind, PredicatePlugin, TransformationPlugin } from './registry.ts';
export { TransformationChain, TransformationError, TransformationStage, buildTransformationChain } from './chain.ts';
export type { StagePredicate, TransformChainOptions } from './chain.ts';
export {
  NEGATE_CONFIG,
  PREDICATE_CONFIG,
  PREDICATES_CONFIG,
  PREDICATES_GROUP,
  TRANSFORMS_CONFIG,
  TRANSFORMS_GROUP,
  enrichTransformsConfigDef,
  transformsBaseConfigDef,
} from './chain-config.ts';
export { transformsDocsMarkdown } from './docs.ts';
export { isConfigKeyPrefixAware } from './util/plugin-config.ts';
export type { ConfigKeyPrefixAware } from './util/plugin-config.ts';
export { SimpleDateFormat, DateParseError } from './util/simple-date-format.ts';
export { JavaRegex, RegexSyntaxError } from './util/java-regex.ts';
