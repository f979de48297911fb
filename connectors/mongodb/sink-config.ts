/**
 * The MongoDB sink's config, key for key as the official connector (mongodb/mongo-kafka
 * MongoSinkTopicConfig) defines it. Any key can be set for one topic as
 * `topic.override.<topic>.<key>`; settingsForTopic() applies those. Additions of our own are
 * marked "(Sluice)".
 */
import type { ParsedConfig } from '../../runtime/connect/config/index.ts';
import { ConfigDef, validators } from '../../runtime/connect/config/index.ts';
import type { CdcHandlerName } from './cdc-handlers.ts';
import { resolveCdcHandler } from './cdc-handlers.ts';
import { DEFAULT_DATE_PATTERN, compileDatePattern } from './date-pattern.ts';
import { ConfigException } from './errors.ts';
import type { Granularity, TimeseriesSettings } from './timeseries.ts';
import type { IdStrategyName, NamespaceMapperName, PostProcessorName, WriteModelStrategyName } from './strategy-names.ts';
import {
  DEFAULT_DELETE_WRITE_MODEL_CLASS,
  DEFAULT_ID_STRATEGY_CLASS,
  DEFAULT_NAMESPACE_MAPPER_CLASS,
  DEFAULT_POST_PROCESSOR_CLASS,
  DEFAULT_WRITE_MODEL_CLASS,
  isDefaultWriteModel,
  resolveIdStrategy,
  resolveNamespaceMapper,
  resolvePostProcessor,
  resolveWriteModelStrategy,
} from './strategy-names.ts';

export const CONNECTION_URI_CONFIG = 'connection.uri';
export const DATABASE_CONFIG = 'database';
export const COLLECTION_CONFIG = 'collection';
export const NAMESPACE_MAPPER_CONFIG = 'namespace.mapper';
export const NAMESPACE_KEY_DATABASE_FIELD_CONFIG = 'namespace.mapper.key.database.field';
export const NAMESPACE_KEY_COLLECTION_FIELD_CONFIG = 'namespace.mapper.key.collection.field';
export const NAMESPACE_VALUE_DATABASE_FIELD_CONFIG = 'namespace.mapper.value.database.field';
export const NAMESPACE_VALUE_COLLECTION_FIELD_CONFIG = 'namespace.mapper.value.collection.field';
export const NAMESPACE_ERROR_IF_INVALID_CONFIG = 'namespace.mapper.error.if.invalid';
export const ID_STRATEGY_CONFIG = 'document.id.strategy';
export const ID_OVERWRITE_EXISTING_CONFIG = 'document.id.strategy.overwrite.existing';
export const ID_UUID_FORMAT_CONFIG = 'document.id.strategy.uuid.format';
export const PARTIAL_KEY_PROJECTION_TYPE_CONFIG = 'document.id.strategy.partial.key.projection.type';
export const PARTIAL_KEY_PROJECTION_LIST_CONFIG = 'document.id.strategy.partial.key.projection.list';
export const PARTIAL_VALUE_PROJECTION_TYPE_CONFIG = 'document.id.strategy.partial.value.projection.type';
export const PARTIAL_VALUE_PROJECTION_LIST_CONFIG = 'document.id.strategy.partial.value.projection.list';
export const WRITE_MODEL_STRATEGY_CONFIG = 'writemodel.strategy';
export const DELETE_ON_NULL_VALUES_CONFIG = 'delete.on.null.values';
export const DELETE_WRITE_MODEL_STRATEGY_CONFIG = 'delete.writemodel.strategy';
export const MAX_BATCH_SIZE_CONFIG = 'max.batch.size';
export const BULK_WRITE_ORDERED_CONFIG = 'bulk.write.ordered';
export const RATE_LIMITING_EVERY_N_CONFIG = 'rate.limiting.every.n';
export const RATE_LIMITING_TIMEOUT_CONFIG = 'rate.limiting.timeout';
export const POST_PROCESSOR_CHAIN_CONFIG = 'post.processor.chain';
export const KEY_PROJECTION_TYPE_CONFIG = 'key.projection.type';
export const KEY_PROJECTION_LIST_CONFIG = 'key.projection.list';
export const VALUE_PROJECTION_TYPE_CONFIG = 'value.projection.type';
export const VALUE_PROJECTION_LIST_CONFIG = 'value.projection.list';
export const FIELD_RENAMER_MAPPING_CONFIG = 'field.renamer.mapping';
export const FIELD_RENAMER_REGEXP_CONFIG = 'field.renamer.regexp';
export const ERRORS_TOLERANCE_CONFIG = 'mongo.errors.tolerance';
export const ERRORS_LOG_ENABLE_CONFIG = 'mongo.errors.log.enable';
export const RETRY_BACKOFF_MS_CONFIG = 'mongo.retry.backoff.ms';
export const MAX_RETRIES_CONFIG = 'mongo.max.retries';
export const CDC_HANDLER_CONFIG = 'change.data.capture.handler';
export const CDC_REMOVE_NULL_VALUES_CONFIG = 'change.data.capture.handler.remove.null.values';
export const TIMESERIES_TIMEFIELD_CONFIG = 'timeseries.timefield';
export const TIMESERIES_METAFIELD_CONFIG = 'timeseries.metafield';
export const TIMESERIES_EXPIRE_AFTER_SECONDS_CONFIG = 'timeseries.expire.after.seconds';
export const TIMESERIES_GRANULARITY_CONFIG = 'timeseries.granularity';
export const TIMESERIES_AUTO_CONVERT_CONFIG = 'timeseries.timefield.auto.convert';
export const TIMESERIES_DATE_FORMAT_CONFIG = 'timeseries.timefield.auto.convert.date.format';
export const TIMESERIES_LOCALE_CONFIG = 'timeseries.timefield.auto.convert.locale.language.tag';
export const FIELD_VALUE_TRANSFORMER_CONFIG = 'field.value.transformer';
export const TOPIC_OVERRIDE_PREFIX = 'topic.override.';

const CONNECTION_GROUP = 'Connection';
const NAMESPACE_GROUP = 'Namespace';
const WRITES_GROUP = 'Writes';
const PROCESSING_GROUP = 'Post processing';
const ERRORS_GROUP = 'Errors';
const CDC_GROUP = 'Change data capture';
const TIMESERIES_GROUP = 'Time series';

const classNames = (resolver: (key: string, value: string) => unknown) =>
  validators.custom('A short or full official class name.', (value, name) => {
    const list = Array.isArray(value) ? (value as string[]) : [value as string];
    for (const item of list) {
      try {
        resolver(name, item);
      } catch (error) {
        return (error as Error).message;
      }
    }
    return undefined;
  });

const jsonArray = validators.custom('A JSON array.', (value) => {
  try {
    return Array.isArray(JSON.parse(String(value))) ? undefined : 'expected a JSON array';
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
});

const projectionType = validators.oneOfIgnoreCase('none', 'allowlist', 'blocklist', 'whitelist', 'blacklist');

export const MONGODB_SINK_CONFIG = new ConfigDef()
  .define({
    name: CONNECTION_URI_CONFIG,
    type: 'PASSWORD',
    default: 'mongodb://localhost:27017',
    importance: 'HIGH',
    documentation: 'The MongoDB connection string. It may hold credentials, so it is masked in logs and the REST API. Driver options (e.g. `retryWrites`, `w`) go in its query string.',
    group: CONNECTION_GROUP,
    orderInGroup: 1,
    displayName: 'MongoDB Connection URI',
  })
  .define({
    name: DATABASE_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    documentation: 'The database to write to. Required unless a field path namespace mapper supplies it.',
    group: NAMESPACE_GROUP,
    orderInGroup: 1,
  })
  .define({
    name: COLLECTION_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    documentation: 'The collection to write to; empty = the topic name.',
    group: NAMESPACE_GROUP,
    orderInGroup: 2,
  })
  .define({
    name: NAMESPACE_MAPPER_CONFIG,
    type: 'STRING',
    default: DEFAULT_NAMESPACE_MAPPER_CLASS,
    validator: classNames(resolveNamespaceMapper),
    importance: 'MEDIUM',
    documentation: '`DefaultNamespaceMapper` (database + collection/topic) or `FieldPathNamespaceMapper` (database and/or collection taken from a key or value field, see `namespace.mapper.*.field`).',
    group: NAMESPACE_GROUP,
    orderInGroup: 3,
  })
  .define({ name: NAMESPACE_KEY_DATABASE_FIELD_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'FieldPathNamespaceMapper: key field (dot path) holding the database name.', group: NAMESPACE_GROUP, orderInGroup: 4 })
  .define({ name: NAMESPACE_KEY_COLLECTION_FIELD_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'FieldPathNamespaceMapper: key field (dot path) holding the collection name.', group: NAMESPACE_GROUP, orderInGroup: 5 })
  .define({ name: NAMESPACE_VALUE_DATABASE_FIELD_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'FieldPathNamespaceMapper: value field (dot path) holding the database name.', group: NAMESPACE_GROUP, orderInGroup: 6 })
  .define({ name: NAMESPACE_VALUE_COLLECTION_FIELD_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'FieldPathNamespaceMapper: value field (dot path) holding the collection name.', group: NAMESPACE_GROUP, orderInGroup: 7 })
  .define({
    name: NAMESPACE_ERROR_IF_INVALID_CONFIG,
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation: 'FieldPathNamespaceMapper: when the field is missing or not a string, fail the record (true) or fall back to `database`/`collection` (false).',
    group: NAMESPACE_GROUP,
    orderInGroup: 8,
  })
  .define({
    name: ID_STRATEGY_CONFIG,
    type: 'STRING',
    default: DEFAULT_ID_STRATEGY_CLASS,
    validator: classNames(resolveIdStrategy),
    importance: 'HIGH',
    documentation:
      'How `_id` is chosen: `BsonOidStrategy` (a new ObjectId: duplicates under redelivery), `KafkaMetaDataStrategy` (`topic#partition#offset`), `FullKeyStrategy`, `PartialKeyStrategy`, `PartialValueStrategy`, `ProvidedInKeyStrategy`, `ProvidedInValueStrategy`, `UuidStrategy`, `UuidProvidedInKeyStrategy`, `UuidProvidedInValueStrategy` (the provided `_id`, a UUID string or binary, stored as a BSON UUID). Short names or the official full class names.',
    group: WRITES_GROUP,
    orderInGroup: 1,
  })
  .define({
    name: ID_OVERWRITE_EXISTING_CONFIG,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    documentation: 'Replace an `_id` already present in the value by the strategy\'s id.',
    group: WRITES_GROUP,
    orderInGroup: 2,
  })
  .define({ name: ID_UUID_FORMAT_CONFIG, type: 'STRING', default: 'string', validator: validators.oneOfIgnoreCase('string', 'binary'), importance: 'LOW', documentation: 'UuidStrategy: a UUID string or a BSON binary (subtype 4).', group: WRITES_GROUP, orderInGroup: 3 })
  .define({ name: PARTIAL_KEY_PROJECTION_TYPE_CONFIG, type: 'STRING', default: '', validator: validators.custom('none, allowlist or blocklist', (v) => (v === '' || projectionTypeOk(v) ? undefined : 'expected none, allowlist or blocklist')), importance: 'LOW', documentation: 'PartialKeyStrategy: `allowlist` or `blocklist` of key fields.', group: WRITES_GROUP, orderInGroup: 4 })
  .define({ name: PARTIAL_KEY_PROJECTION_LIST_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'PartialKeyStrategy: comma-separated key fields (dot paths).', group: WRITES_GROUP, orderInGroup: 5 })
  .define({ name: PARTIAL_VALUE_PROJECTION_TYPE_CONFIG, type: 'STRING', default: '', validator: validators.custom('none, allowlist or blocklist', (v) => (v === '' || projectionTypeOk(v) ? undefined : 'expected none, allowlist or blocklist')), importance: 'LOW', documentation: 'PartialValueStrategy: `allowlist` or `blocklist` of value fields.', group: WRITES_GROUP, orderInGroup: 6 })
  .define({ name: PARTIAL_VALUE_PROJECTION_LIST_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'PartialValueStrategy: comma-separated value fields (dot paths).', group: WRITES_GROUP, orderInGroup: 7 })
  .define({
    name: WRITE_MODEL_STRATEGY_CONFIG,
    type: 'STRING',
    default: DEFAULT_WRITE_MODEL_CLASS,
    validator: classNames(resolveWriteModelStrategy),
    importance: 'HIGH',
    documentation:
      'The write for each record: `ReplaceOneDefaultStrategy` (the default, upsert by `_id`), `ReplaceOneBusinessKeyStrategy`, `UpdateOneDefaultStrategy`, `UpdateOneTimestampsStrategy`, `UpdateOneBusinessKeyTimestampStrategy`, `InsertOneDefaultStrategy`, `DeleteOneDefaultStrategy`, `DeleteOneBusinessKeyStrategy`, `DeleteOneTombstoneBusinessKeyStrategy` (a tombstone deletes by its key\'s business key; needs `PartialKeyStrategy`). With `timeseries.timefield` the default is `InsertOneDefaultStrategy`.',
    group: WRITES_GROUP,
    orderInGroup: 8,
  })
  .define({
    name: DELETE_ON_NULL_VALUES_CONFIG,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    documentation: 'A record with a null value (tombstone) deletes the document with `delete.writemodel.strategy`. Needs a key-based id strategy (FullKey, PartialKey, ProvidedInKey). When false a tombstone is a data error.',
    group: WRITES_GROUP,
    orderInGroup: 9,
  })
  .define({ name: DELETE_WRITE_MODEL_STRATEGY_CONFIG, type: 'STRING', default: DEFAULT_DELETE_WRITE_MODEL_CLASS, validator: classNames(resolveWriteModelStrategy), importance: 'LOW', documentation: 'The write model for tombstones when `delete.on.null.values=true`.', group: WRITES_GROUP, orderInGroup: 10 })
  .define({ name: MAX_BATCH_SIZE_CONFIG, type: 'INT', default: 0, validator: validators.atLeast(0), importance: 'MEDIUM', documentation: 'At most this many records per bulkWrite; 0 = no limit of your own: all consecutive records of one namespace in a put(), and (Sluice) those of puts queued behind a write under way together, up to 10,000.', group: WRITES_GROUP, orderInGroup: 11 })
  .define({ name: BULK_WRITE_ORDERED_CONFIG, type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'Ordered bulk writes stop at the first failing record (the rest of the batch is then written again after it); unordered ones attempt all.', group: WRITES_GROUP, orderInGroup: 12 })
  .define({ name: RATE_LIMITING_EVERY_N_CONFIG, type: 'INT', default: 0, validator: validators.atLeast(0), importance: 'LOW', documentation: 'Pause `rate.limiting.timeout` ms after every N bulk writes; 0 = never. While set, queued puts are not merged into one bulkWrite, so N counts the same writes as in the official connector.', group: WRITES_GROUP, orderInGroup: 13 })
  .define({ name: RATE_LIMITING_TIMEOUT_CONFIG, type: 'INT', default: 0, validator: validators.atLeast(0), importance: 'LOW', documentation: 'The pause of `rate.limiting.every.n`, in ms.', group: WRITES_GROUP, orderInGroup: 14 })
  .define({
    name: POST_PROCESSOR_CHAIN_CONFIG,
    type: 'LIST',
    default: DEFAULT_POST_PROCESSOR_CLASS,
    validator: classNames(resolvePostProcessor),
    importance: 'LOW',
    documentation:
      'Post processors applied in order: `DocumentIdAdder` (always first, added if missing), `KafkaMetaAdder`, `AllowListKeyProjector`, `AllowListValueProjector`, `BlockListKeyProjector`, `BlockListValueProjector`, `RenameByMapping`, `RenameByRegExp`, `NullFieldValueRemover`.',
    group: PROCESSING_GROUP,
    orderInGroup: 1,
  })
  .define({ name: KEY_PROJECTION_TYPE_CONFIG, type: 'STRING', default: 'none', validator: projectionType, importance: 'LOW', documentation: 'Key projector: `allowlist` or `blocklist`.', group: PROCESSING_GROUP, orderInGroup: 2 })
  .define({ name: KEY_PROJECTION_LIST_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'Key projector: comma-separated fields (dot paths).', group: PROCESSING_GROUP, orderInGroup: 3 })
  .define({ name: VALUE_PROJECTION_TYPE_CONFIG, type: 'STRING', default: 'none', validator: projectionType, importance: 'LOW', documentation: 'Value projector: `allowlist` or `blocklist`.', group: PROCESSING_GROUP, orderInGroup: 4 })
  .define({ name: VALUE_PROJECTION_LIST_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'Value projector: comma-separated fields (dot paths).', group: PROCESSING_GROUP, orderInGroup: 5 })
  .define({ name: FIELD_RENAMER_MAPPING_CONFIG, type: 'STRING', default: '[]', validator: jsonArray, importance: 'LOW', documentation: 'RenameByMapping: `[{"oldName":"value.a.b","newName":"c"}]` (oldName starts with `key.` or `value.`).', group: PROCESSING_GROUP, orderInGroup: 6 })
  .define({ name: FIELD_RENAMER_REGEXP_CONFIG, type: 'STRING', default: '[]', validator: jsonArray, importance: 'LOW', documentation: 'RenameByRegExp: `[{"regexp":"^value\\\\..*","pattern":"_","replace":"-"}]`, matched against `key.<path>` / `value.<path>`.', group: PROCESSING_GROUP, orderInGroup: 7 })
  .define({
    name: FIELD_VALUE_TRANSFORMER_CONFIG,
    type: 'STRING',
    default: '',
    validator: validators.custom('Empty (not supported).', (v) =>
      String(v ?? '').trim() === '' ? undefined : 'names a Java class implementing the official connector\'s FieldValueTransformer, which cannot run in Sluice; use a single message transform (transforms=...) instead'),
    importance: 'LOW',
    documentation: 'Not supported: it names a Java class. Set only to an empty value; use single message transforms to change field values.',
    group: PROCESSING_GROUP,
    orderInGroup: 8,
  })
  .define({
    name: CDC_HANDLER_CONFIG,
    type: 'STRING',
    default: '',
    validator: validators.custom('A CDC handler class name, or empty.', (value, name) => {
      try {
        resolveCdcHandler(name, String(value ?? ''));
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    }),
    importance: 'LOW',
    documentation:
      'CDC mode: each record is a change event, mirrored into the collection as the insert/replace/update/delete it describes (id strategies and post processors do not apply). `com.mongodb.kafka.connect.sink.cdc.mongodb.ChangeStreamHandler` (MongoDB change events, as the MongoDB source publishes them), `...cdc.debezium.mongodb.MongoDbHandler` / `...cdc.debezium.mongodb.ChangeStreamHandler` (Debezium MongoDB, oplog / change stream event format), `...cdc.debezium.rdbms.RdbmsHandler`, `...rdbms.mysql.MysqlHandler`, `...rdbms.postgres.PostgresHandler` (Debezium relational events). Empty = off.',
    group: CDC_GROUP,
    orderInGroup: 1,
  })
  .define({ name: CDC_REMOVE_NULL_VALUES_CONFIG, type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'CDC mode: drop null fields from replacements (recursively) and from `$set` of updates; `$unset` is kept. A write left empty is skipped.', group: CDC_GROUP, orderInGroup: 2 })
  .define({ name: TIMESERIES_TIMEFIELD_CONFIG, type: 'STRING', default: '', importance: 'MEDIUM', documentation: 'The top-level field holding each document\'s time (a BSON date). Set = the collection is created as a time-series collection before the first write (an existing collection must be one), and the default write model becomes `InsertOneDefaultStrategy`.', group: TIMESERIES_GROUP, orderInGroup: 1 })
  .define({ name: TIMESERIES_METAFIELD_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'The top-level field labelling a series (any type but array; not the time field or `_id`). Needs `timeseries.timefield`.', group: TIMESERIES_GROUP, orderInGroup: 2 })
  .define({ name: TIMESERIES_EXPIRE_AFTER_SECONDS_CONFIG, type: 'LONG', default: 0, validator: validators.atLeast(0), importance: 'LOW', documentation: 'Documents are deleted this many seconds after their time; 0 = never. Needs `timeseries.timefield`.', group: TIMESERIES_GROUP, orderInGroup: 3 })
  .define({ name: TIMESERIES_GRANULARITY_CONFIG, type: 'STRING', default: '', validator: validators.custom('seconds, minutes or hours (or empty)', (v) => (['', 'seconds', 'minutes', 'hours'].includes(String(v ?? '').trim().toLowerCase()) ? undefined : 'expected seconds, minutes or hours')), importance: 'LOW', documentation: 'The expected interval between measurements: `seconds`, `minutes` or `hours`; empty = the server default. Needs `timeseries.timefield`.', group: TIMESERIES_GROUP, orderInGroup: 4 })
  .define({ name: TIMESERIES_AUTO_CONVERT_CONFIG, type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Convert the time field to a BSON date: numbers are epoch milliseconds (fractions dropped), strings are parsed with `timeseries.timefield.auto.convert.date.format`. A value that does not convert is left as it is.', group: TIMESERIES_GROUP, orderInGroup: 5 })
  .define({
    name: TIMESERIES_DATE_FORMAT_CONFIG,
    type: 'STRING',
    default: DEFAULT_DATE_PATTERN,
    validator: validators.custom('A java.time DateTimeFormatter pattern of numeric fields.', (v) => {
      try {
        compileDatePattern(String(v ?? ''));
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    }),
    importance: 'LOW',
    documentation: 'The DateTimeFormatter pattern of string times (default: ISO-style dates with optional time, fraction, offset or `[zone]`). Numeric fields only (`yyyy MM dd HH mm ss S… X Z VV`, quoted literals, `[optional]` sections); month and day names are not supported. Without an offset or zone a time is UTC; a date alone is the start of that day.',
    group: TIMESERIES_GROUP,
    orderInGroup: 6,
  })
  .define({
    name: TIMESERIES_LOCALE_CONFIG,
    type: 'STRING',
    default: '',
    validator: validators.custom('A BCP 47 language tag, or empty.', (v) => {
      const tag = String(v ?? '').trim();
      if (tag === '') return undefined;
      try {
        Intl.getCanonicalLocales(tag);
        return undefined;
      } catch {
        return 'not a valid language tag';
      }
    }),
    importance: 'LOW',
    documentation: 'The locale of the date pattern. Accepted for compatibility; as only numeric fields are supported it does not change parsing.',
    group: TIMESERIES_GROUP,
    orderInGroup: 7,
  })
  .define({
    name: ERRORS_TOLERANCE_CONFIG,
    type: 'STRING',
    default: null,
    validator: validators.custom('none, all or data', (v) => (v === null || ['none', 'all', 'data'].includes(String(v).toLowerCase()) ? undefined : 'expected none, all or data')),
    importance: 'MEDIUM',
    documentation: 'Errors while writing: `none` fails the task; `all` reports failed records to the dead letter queue and goes on; `data` tolerates bad records but fails on errors of the server or connection. Unset = `errors.tolerance`.',
    group: ERRORS_GROUP,
    orderInGroup: 1,
  })
  .define({ name: ERRORS_LOG_ENABLE_CONFIG, type: 'BOOLEAN', default: null, importance: 'LOW', documentation: 'Log each tolerated failure. Unset = `errors.log.enable`.', group: ERRORS_GROUP, orderInGroup: 2 })
  .define({ name: RETRY_BACKOFF_MS_CONFIG, type: 'LONG', default: 100, validator: validators.atLeast(0), importance: 'LOW', documentation: '(Sluice) First backoff before retrying a write that failed with a retriable error (network, NotWritablePrimary, timeouts); doubles up to 10 s.', group: ERRORS_GROUP, orderInGroup: 3 })
  .define({ name: MAX_RETRIES_CONFIG, type: 'INT', default: 5, validator: validators.atLeast(0), importance: 'LOW', documentation: '(Sluice) Retries of a retriable write failure (with doubling backoff) before the task gives the batch back: the next put() throws a RetriableException and writes the batch again when the worker retries it; a flush() that meets the failure fails the offset commit, and the worker delivers the records again.', group: ERRORS_GROUP, orderInGroup: 4 });

function projectionTypeOk(value: unknown): boolean {
  return ['none', 'allowlist', 'blocklist', 'whitelist', 'blacklist'].includes(String(value).toLowerCase());
}

export type ProjectionType = 'none' | 'allowlist' | 'blocklist';
export type ErrorTolerance = 'none' | 'all' | 'data';

/** The settings that apply to one topic (overrides applied), resolved to the connector's own terms. */
export interface TopicSettings {
  readonly topic: string;
  readonly database: string;
  readonly collection: string;
  readonly namespaceMapper: NamespaceMapperName;
  readonly namespaceFields: { keyDatabase: string; keyCollection: string; valueDatabase: string; valueCollection: string; errorIfInvalid: boolean };
  readonly idStrategy: IdStrategyName;
  readonly overwriteExistingId: boolean;
  readonly uuidBinary: boolean;
  readonly partialKey: Projection;
  readonly partialValue: Projection;
  readonly writeModel: WriteModelStrategyName;
  readonly deleteOnNullValues: boolean;
  readonly deleteWriteModel: WriteModelStrategyName;
  readonly maxBatchSize: number;
  readonly ordered: boolean;
  readonly rateLimitEveryN: number;
  readonly rateLimitTimeoutMs: number;
  readonly postProcessors: readonly PostProcessorName[];
  readonly keyProjection: Projection;
  readonly valueProjection: Projection;
  readonly renameMappings: ReadonlyArray<{ oldName: string; newName: string }>;
  readonly renameRegexps: ReadonlyArray<{ regexp: RegExp; pattern: RegExp; replace: string }>;
  readonly tolerance: ErrorTolerance;
  readonly logErrors: boolean;
  readonly retryBackoffMs: number;
  readonly maxRetries: number;
  readonly cdcHandler: CdcHandlerName | null;
  readonly cdcRemoveNullValues: boolean;
  readonly timeseries: TimeseriesSettings | null;
}

export interface Projection {
  readonly type: ProjectionType;
  readonly fields: readonly string[];
}

/** The connector-level props with `topic.override.<topic>.*` applied for `topic`. */
export function propsForTopic(props: Readonly<Record<string, string>>, topic: string): Record<string, string> {
  const prefix = `${TOPIC_OVERRIDE_PREFIX}${topic}.`;
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) if (!key.startsWith(TOPIC_OVERRIDE_PREFIX)) merged[key] = value;
  for (const [key, value] of Object.entries(props)) if (key.startsWith(prefix)) merged[key.slice(prefix.length)] = value;
  return merged;
}

export function settingsForTopic(props: Readonly<Record<string, string>>, topic: string): TopicSettings {
  const topicProps = propsForTopic(props, topic);
  const config = MONGODB_SINK_CONFIG.parse(topicProps);
  const str = (key: string): string => config.getString(key) ?? '';
  const namespaceMapper = resolveNamespaceMapper(NAMESPACE_MAPPER_CONFIG, str(NAMESPACE_MAPPER_CONFIG));
  const database = str(DATABASE_CONFIG);
  if (database === '' && namespaceMapper === 'DefaultNamespaceMapper') {
    throw new ConfigException(topic === '' ? DATABASE_CONFIG : `${DATABASE_CONFIG} (topic ${topic})`, database, 'a database is required');
  }
  const chain = (config.getList(POST_PROCESSOR_CHAIN_CONFIG) ?? []).map((name) => resolvePostProcessor(POST_PROCESSOR_CHAIN_CONFIG, name));
  // DocumentIdAdder always runs first, as upstream: the id strategy sees the unprocessed record.
  const postProcessors: PostProcessorName[] = ['DocumentIdAdder', ...chain.filter((name) => name !== 'DocumentIdAdder')];
  const timeseries = timeseriesSettings(config);
  const idStrategy = resolveIdStrategy(ID_STRATEGY_CONFIG, str(ID_STRATEGY_CONFIG));
  // The default write model of a time-series collection inserts: they do not support replaces.
  const writeModel = timeseries !== null && isDefaultWriteModel(str(WRITE_MODEL_STRATEGY_CONFIG)) ? 'InsertOneDefaultStrategy' : resolveWriteModelStrategy(WRITE_MODEL_STRATEGY_CONFIG, str(WRITE_MODEL_STRATEGY_CONFIG));
  const deleteWriteModel = resolveWriteModelStrategy(DELETE_WRITE_MODEL_STRATEGY_CONFIG, str(DELETE_WRITE_MODEL_STRATEGY_CONFIG));
  for (const [key, model] of [[WRITE_MODEL_STRATEGY_CONFIG, writeModel], [DELETE_WRITE_MODEL_STRATEGY_CONFIG, deleteWriteModel]] as const) {
    if (model === 'DeleteOneTombstoneBusinessKeyStrategy' && idStrategy !== 'PartialKeyStrategy') {
      throw new ConfigException(key, model, `DeleteOneTombstoneBusinessKeyStrategy takes its filter from the key and needs ${ID_STRATEGY_CONFIG}=PartialKeyStrategy`);
    }
  }
  return {
    topic,
    database,
    collection: str(COLLECTION_CONFIG) === '' ? topic : str(COLLECTION_CONFIG),
    namespaceMapper,
    namespaceFields: {
      keyDatabase: str(NAMESPACE_KEY_DATABASE_FIELD_CONFIG),
      keyCollection: str(NAMESPACE_KEY_COLLECTION_FIELD_CONFIG),
      valueDatabase: str(NAMESPACE_VALUE_DATABASE_FIELD_CONFIG),
      valueCollection: str(NAMESPACE_VALUE_COLLECTION_FIELD_CONFIG),
      errorIfInvalid: config.getBoolean(NAMESPACE_ERROR_IF_INVALID_CONFIG) ?? false,
    },
    idStrategy,
    overwriteExistingId: config.getBoolean(ID_OVERWRITE_EXISTING_CONFIG) ?? false,
    uuidBinary: str(ID_UUID_FORMAT_CONFIG).toLowerCase() === 'binary',
    partialKey: projection(str(PARTIAL_KEY_PROJECTION_TYPE_CONFIG), str(PARTIAL_KEY_PROJECTION_LIST_CONFIG)),
    partialValue: projection(str(PARTIAL_VALUE_PROJECTION_TYPE_CONFIG), str(PARTIAL_VALUE_PROJECTION_LIST_CONFIG)),
    writeModel,
    deleteOnNullValues: config.getBoolean(DELETE_ON_NULL_VALUES_CONFIG) ?? false,
    deleteWriteModel,
    maxBatchSize: config.getInt(MAX_BATCH_SIZE_CONFIG) ?? 0,
    ordered: config.getBoolean(BULK_WRITE_ORDERED_CONFIG) ?? true,
    rateLimitEveryN: config.getInt(RATE_LIMITING_EVERY_N_CONFIG) ?? 0,
    rateLimitTimeoutMs: config.getInt(RATE_LIMITING_TIMEOUT_CONFIG) ?? 0,
    postProcessors,
    keyProjection: projection(str(KEY_PROJECTION_TYPE_CONFIG), str(KEY_PROJECTION_LIST_CONFIG)),
    valueProjection: projection(str(VALUE_PROJECTION_TYPE_CONFIG), str(VALUE_PROJECTION_LIST_CONFIG)),
    renameMappings: parseRenameMappings(str(FIELD_RENAMER_MAPPING_CONFIG)),
    renameRegexps: parseRenameRegexps(str(FIELD_RENAMER_REGEXP_CONFIG)),
    tolerance: errorTolerance(config, topicProps),
    logErrors: config.getBoolean(ERRORS_LOG_ENABLE_CONFIG) ?? topicProps['errors.log.enable'] === 'true',
    retryBackoffMs: config.getLong(RETRY_BACKOFF_MS_CONFIG) ?? 100,
    maxRetries: config.getInt(MAX_RETRIES_CONFIG) ?? 5,
    cdcHandler: resolveCdcHandler(CDC_HANDLER_CONFIG, str(CDC_HANDLER_CONFIG)),
    cdcRemoveNullValues: config.getBoolean(CDC_REMOVE_NULL_VALUES_CONFIG) ?? false,
    timeseries,
  };
}

function timeseriesSettings(config: ParsedConfig): TimeseriesSettings | null {
  const str = (key: string): string => (config.getString(key) ?? '').trim();
  const timeField = str(TIMESERIES_TIMEFIELD_CONFIG);
  const metaField = str(TIMESERIES_METAFIELD_CONFIG);
  const expireAfterSeconds = config.getLong(TIMESERIES_EXPIRE_AFTER_SECONDS_CONFIG) ?? 0;
  const granularity = str(TIMESERIES_GRANULARITY_CONFIG).toLowerCase();
  if (timeField === '') {
    // These only mean something for a time-series collection: refuse them rather than ignore them.
    if (metaField !== '') throw new ConfigException(TIMESERIES_METAFIELD_CONFIG, metaField, `needs ${TIMESERIES_TIMEFIELD_CONFIG}`);
    if (expireAfterSeconds !== 0) throw new ConfigException(TIMESERIES_EXPIRE_AFTER_SECONDS_CONFIG, expireAfterSeconds, `needs ${TIMESERIES_TIMEFIELD_CONFIG}`);
    if (granularity !== '') throw new ConfigException(TIMESERIES_GRANULARITY_CONFIG, granularity, `needs ${TIMESERIES_TIMEFIELD_CONFIG}`);
    return null;
  }
  if (metaField !== '' && (metaField === timeField || metaField === '_id')) throw new ConfigException(TIMESERIES_METAFIELD_CONFIG, metaField, 'must differ from the time field and from _id');
  return {
    timeField,
    metaField,
    expireAfterSeconds,
    granularity: granularity === '' ? null : (granularity as Granularity),
    autoConvert: config.getBoolean(TIMESERIES_AUTO_CONVERT_CONFIG) ?? false,
    datePattern: compileDatePattern(config.getString(TIMESERIES_DATE_FORMAT_CONFIG) ?? DEFAULT_DATE_PATTERN),
  };
}

function errorTolerance(config: ParsedConfig, props: Record<string, string>): ErrorTolerance {
  const own = config.getString(ERRORS_TOLERANCE_CONFIG);
  const value = (own ?? props['errors.tolerance'] ?? 'none').trim().toLowerCase();
  if (value === 'all' || value === 'data') return value;
  return 'none';
}

function projection(type: string, list: string): Projection {
  const lower = type.trim().toLowerCase();
  const normalised: ProjectionType = lower === 'allowlist' || lower === 'whitelist' ? 'allowlist' : lower === 'blocklist' || lower === 'blacklist' ? 'blocklist' : 'none';
  return { type: normalised, fields: list.split(',').map((field) => field.trim()).filter((field) => field !== '') };
}

function parseRenameMappings(text: string): Array<{ oldName: string; newName: string }> {
  const entries = JSON.parse(text) as unknown[];
  return entries.map((entry, index) => {
    const { oldName, newName } = (entry ?? {}) as { oldName?: unknown; newName?: unknown };
    if (typeof oldName !== 'string' || typeof newName !== 'string') {
      throw new ConfigException(FIELD_RENAMER_MAPPING_CONFIG, text, `entry ${index} needs string fields oldName and newName`);
    }
    return { oldName, newName };
  });
}

function parseRenameRegexps(text: string): Array<{ regexp: RegExp; pattern: RegExp; replace: string }> {
  const entries = JSON.parse(text) as unknown[];
  return entries.map((entry, index) => {
    const { regexp, pattern, replace } = (entry ?? {}) as { regexp?: unknown; pattern?: unknown; replace?: unknown };
    if (typeof regexp !== 'string' || typeof pattern !== 'string' || typeof replace !== 'string') {
      throw new ConfigException(FIELD_RENAMER_REGEXP_CONFIG, text, `entry ${index} needs string fields regexp, pattern and replace`);
    }
    try {
      return { regexp: new RegExp(regexp), pattern: new RegExp(pattern, 'g'), replace };
    } catch (error) {
      throw new ConfigException(FIELD_RENAMER_REGEXP_CONFIG, text, `entry ${index}: ${(error as Error).message}`);
    }
  });
}
