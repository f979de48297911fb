/**
 * The MongoDB source's config, key for key as the official connector (mongodb/mongo-kafka
 * MongoSourceConfig) defines what we support, plus `mode` and the poll keys of our own
 * (marked "(Sluice)").
 */
import { ConfigDef, validators } from '../../runtime/connect/config/index.ts';
import { ConfigException } from './errors.ts';

export const CONNECTION_URI_CONFIG = 'connection.uri';
export const DATABASE_CONFIG = 'database';
export const COLLECTION_CONFIG = 'collection';
export const MODE_CONFIG = 'mode';
export const POLL_FIELD_CONFIG = 'poll.field';
export const PIPELINE_CONFIG = 'pipeline';
export const PUBLISH_FULL_DOCUMENT_ONLY_CONFIG = 'publish.full.document.only';
export const FULL_DOCUMENT_CONFIG = 'change.stream.full.document';
export const FULL_DOCUMENT_BEFORE_CHANGE_CONFIG = 'change.stream.full.document.before.change';
export const STARTUP_MODE_CONFIG = 'startup.mode';
export const STARTUP_TIMESTAMP_CONFIG = 'startup.mode.timestamp.start.at.operation.time';
export const COPY_EXISTING_NAMESPACE_REGEX_CONFIG = 'startup.mode.copy.existing.namespace.regex';
export const COPY_EXISTING_PIPELINE_CONFIG = 'startup.mode.copy.existing.pipeline';
export const OFFSET_PARTITION_NAME_CONFIG = 'offset.partition.name';
export const TOPIC_PREFIX_CONFIG = 'topic.prefix';
export const TOPIC_SUFFIX_CONFIG = 'topic.suffix';
export const TOPIC_SEPARATOR_CONFIG = 'topic.separator';
export const TOPIC_NAMESPACE_MAP_CONFIG = 'topic.namespace.map';
export const OUTPUT_FORMAT_KEY_CONFIG = 'output.format.key';
export const OUTPUT_FORMAT_VALUE_CONFIG = 'output.format.value';
export const OUTPUT_JSON_FORMATTER_CONFIG = 'output.json.formatter';
export const BATCH_SIZE_CONFIG = 'batch.size';
export const POLL_AWAIT_TIME_MS_CONFIG = 'poll.await.time.ms';
export const POLL_MAX_BATCH_SIZE_CONFIG = 'poll.max.batch.size';
export const HEARTBEAT_INTERVAL_MS_CONFIG = 'heartbeat.interval.ms';
export const HEARTBEAT_TOPIC_NAME_CONFIG = 'heartbeat.topic.name';
export const RESUME_TOKEN_LOST_CONFIG = 'resume.token.lost.behavior';

const JSON_FORMATTER_PACKAGE = 'com.mongodb.kafka.connect.source.json.formatter.';
export const JSON_FORMATTERS = ['DefaultJson', 'ExtendedJson', 'SimplifiedJson'] as const;
export type JsonFormatter = (typeof JSON_FORMATTERS)[number];

const GROUP = 'Source';

const jsonArray = validators.custom('A JSON array.', (value) => {
  try {
    return Array.isArray(JSON.parse(String(value))) ? undefined : 'expected a JSON array';
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
});

export const MONGODB_SOURCE_CONFIG = new ConfigDef()
  .define({ name: CONNECTION_URI_CONFIG, type: 'PASSWORD', default: 'mongodb://localhost:27017,localhost:27018,localhost:27019', importance: 'HIGH', documentation: 'The MongoDB connection string (masked: it may hold credentials). Change streams need a replica set or a sharded cluster.', group: GROUP, orderInGroup: 1 })
  .define({ name: DATABASE_CONFIG, type: 'STRING', default: '', importance: 'MEDIUM', documentation: 'The database to watch; empty = the whole deployment (change streams only).', group: GROUP, orderInGroup: 2 })
  .define({ name: COLLECTION_CONFIG, type: 'STRING', default: '', importance: 'MEDIUM', documentation: 'The collection to watch; empty = the whole database (change streams only).', group: GROUP, orderInGroup: 3 })
  .define({
    name: MODE_CONFIG,
    type: 'STRING',
    default: 'changestream',
    validator: validators.oneOfIgnoreCase('changestream', 'poll'),
    importance: 'HIGH',
    documentation:
      '(Sluice) `changestream` (the official behaviour) or `poll`, for servers without change streams (FerretDB, some managed services): the collection is queried for documents whose `poll.field` is above the last value seen. Poll mode sees inserts and, with a timestamp field that every write sets, updates; it never sees deletes.',
    group: GROUP,
    orderInGroup: 4,
  })
  .define({ name: POLL_FIELD_CONFIG, type: 'STRING', default: '_id', validator: validators.nonEmptyString(), importance: 'MEDIUM', documentation: '(Sluice) Poll mode: the increasing field (`_id` with ObjectIds, or a timestamp/sequence field set on every write). Ties are broken by `_id`.', group: GROUP, orderInGroup: 5 })
  .define({ name: PIPELINE_CONFIG, type: 'STRING', default: '[]', validator: jsonArray, importance: 'MEDIUM', documentation: 'Extra aggregation stages for the change stream (e.g. `[{"$match": {"operationType": "insert"}}]`). Poll mode: `$match` stages filter the query.', group: GROUP, orderInGroup: 6 })
  .define({ name: PUBLISH_FULL_DOCUMENT_ONLY_CONFIG, type: 'BOOLEAN', default: false, importance: 'HIGH', documentation: 'Publish only the changed document (`fullDocument`), not the whole change event. Deletes then have no record.', group: GROUP, orderInGroup: 7 })
  .define({ name: FULL_DOCUMENT_CONFIG, type: 'STRING', default: '', validator: validators.oneOfIgnoreCase('', 'default', 'updateLookup', 'whenAvailable', 'required'), importance: 'MEDIUM', documentation: '`updateLookup` adds the current document to update events; `whenAvailable`/`required` use post-images.', group: GROUP, orderInGroup: 8 })
  .define({ name: FULL_DOCUMENT_BEFORE_CHANGE_CONFIG, type: 'STRING', default: '', validator: validators.oneOfIgnoreCase('', 'off', 'whenAvailable', 'required'), importance: 'LOW', documentation: 'Pre-images in `fullDocumentBeforeChange` (the collection needs `changeStreamPreAndPostImages`).', group: GROUP, orderInGroup: 9 })
  .define({ name: STARTUP_MODE_CONFIG, type: 'STRING', default: 'latest', validator: validators.oneOfIgnoreCase('latest', 'timestamp', 'copy_existing'), importance: 'MEDIUM', documentation: 'Where to start when no offset is stored: `latest` (new changes only), `timestamp` (from `startup.mode.timestamp.start.at.operation.time`), `copy_existing` (first copy the existing documents, then stream; a crash mid-copy resumes the copy where it stopped).', group: GROUP, orderInGroup: 10 })
  .define({ name: STARTUP_TIMESTAMP_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'startup.mode=timestamp: epoch seconds or an ISO-8601 instant.', group: GROUP, orderInGroup: 11 })
  .define({ name: COPY_EXISTING_NAMESPACE_REGEX_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'copy_existing: only namespaces (`db.coll`) matching this regex are copied.', group: GROUP, orderInGroup: 12 })
  .define({ name: COPY_EXISTING_PIPELINE_CONFIG, type: 'STRING', default: '[]', validator: jsonArray, importance: 'LOW', documentation: 'copy_existing: aggregation stages applied to the copied documents.', group: GROUP, orderInGroup: 13 })
  .define({ name: OFFSET_PARTITION_NAME_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'The source partition name offsets are stored under; default `<database>.<collection>` (not tied to the hosts of the URI, unlike the official connector). A new name starts afresh.', group: GROUP, orderInGroup: 14 })
  .define({ name: TOPIC_PREFIX_CONFIG, type: 'STRING', default: '', importance: 'MEDIUM', documentation: 'Topic = [prefix<sep>]database<sep>collection[<sep>suffix].', group: GROUP, orderInGroup: 15 })
  .define({ name: TOPIC_SUFFIX_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'See `topic.prefix`.', group: GROUP, orderInGroup: 16 })
  .define({ name: TOPIC_SEPARATOR_CONFIG, type: 'STRING', default: '.', importance: 'LOW', documentation: 'Separator of the topic name parts.', group: GROUP, orderInGroup: 17 })
  .define({ name: TOPIC_NAMESPACE_MAP_CONFIG, type: 'STRING', default: '', importance: 'LOW', documentation: 'JSON object mapping namespaces to topics: exact `db.coll` or `db` keys, `*` wildcard keys; the first match wins.', group: GROUP, orderInGroup: 18 })
  .define({ name: OUTPUT_FORMAT_KEY_CONFIG, type: 'STRING', default: 'json', validator: validators.oneOfIgnoreCase('json', 'bson', 'schema'), importance: 'MEDIUM', documentation: '`json` (a String), `bson` (bytes) or `schema` (a Connect struct with a schema inferred from the document key, e.g. `{_id}`; ObjectIds become hex strings). The official connector uses its `output.schema.key` there, which Sluice does not support.', group: GROUP, orderInGroup: 19 })
  .define({ name: OUTPUT_FORMAT_VALUE_CONFIG, type: 'STRING', default: 'json', validator: validators.oneOfIgnoreCase('json', 'bson', 'schema'), importance: 'MEDIUM', documentation: '`json` (a String), `bson` (bytes) or `schema` (a Connect struct with a schema inferred from the document).', group: GROUP, orderInGroup: 20 })
  .define({ name: OUTPUT_JSON_FORMATTER_CONFIG, type: 'STRING', default: `${JSON_FORMATTER_PACKAGE}DefaultJson`, validator: validators.custom('A JSON formatter class.', (v) => (jsonFormatterOf(String(v)) === null ? `expected one of ${JSON_FORMATTERS.join(', ')}` : undefined)), importance: 'LOW', documentation: '`DefaultJson`: relaxed Extended JSON (the official connector\'s legacy strict mode differs in dates: `{"$date": <millis>}`); `ExtendedJson`: canonical Extended JSON; `SimplifiedJson`: relaxed, with ObjectIds as hex strings, dates as ISO strings and decimals as strings.', group: GROUP, orderInGroup: 21 })
  .define({ name: BATCH_SIZE_CONFIG, type: 'INT', default: 0, validator: validators.atLeast(0), importance: 'LOW', documentation: 'Cursor batch size; 0 = the server default.', group: GROUP, orderInGroup: 22 })
  .define({ name: POLL_AWAIT_TIME_MS_CONFIG, type: 'LONG', default: 5000, validator: validators.atLeast(1), importance: 'LOW', documentation: 'How long a poll waits for new data before returning empty.', group: GROUP, orderInGroup: 23 })
  .define({ name: POLL_MAX_BATCH_SIZE_CONFIG, type: 'INT', default: 1000, validator: validators.atLeast(1), importance: 'LOW', documentation: 'At most this many records per poll.', group: GROUP, orderInGroup: 24 })
  .define({ name: HEARTBEAT_INTERVAL_MS_CONFIG, type: 'LONG', default: 0, validator: validators.atLeast(0), importance: 'LOW', documentation: 'Change streams: when idle this long, publish a heartbeat carrying the latest resume token so the offset keeps up; 0 = off.', group: GROUP, orderInGroup: 25 })
  .define({ name: HEARTBEAT_TOPIC_NAME_CONFIG, type: 'STRING', default: '__mongodb_heartbeats', importance: 'LOW', documentation: 'The topic of heartbeats.', group: GROUP, orderInGroup: 26 })
  .define({
    name: RESUME_TOKEN_LOST_CONFIG,
    type: 'STRING',
    default: 'fail',
    validator: validators.oneOfIgnoreCase('fail', 'restart_latest', 'restart_copy_existing'),
    importance: 'MEDIUM',
    documentation:
      '(Sluice) When the stored resume token is no longer in the oplog (ChangeStreamHistoryLost and friends): `fail` the task with a clear message (default), `restart_latest` (continue from now: changes in between are lost) or `restart_copy_existing` (copy the collections again, then stream: duplicates). Never a silent jump.',
    group: GROUP,
    orderInGroup: 27,
  });

export function jsonFormatterOf(value: string): JsonFormatter | null {
  const short = value.trim().startsWith(JSON_FORMATTER_PACKAGE) ? value.trim().slice(JSON_FORMATTER_PACKAGE.length) : value.trim();
  return (JSON_FORMATTERS as readonly string[]).includes(short) ? (short as JsonFormatter) : null;
}

export type OutputFormat = 'json' | 'bson' | 'schema';

export interface SourceSettings {
  readonly uri: string;
  readonly database: string;
  readonly collection: string;
  readonly mode: 'changestream' | 'poll';
  readonly pollField: string;
  readonly pipeline: Array<Record<string, unknown>>;
  readonly publishFullDocumentOnly: boolean;
  readonly fullDocument: string;
  readonly fullDocumentBeforeChange: string;
  readonly startupMode: 'latest' | 'timestamp' | 'copy_existing';
  readonly startupTimestamp: string;
  readonly copyNamespaceRegex: RegExp | null;
  readonly copyPipeline: Array<Record<string, unknown>>;
  readonly partitionName: string;
  readonly topicPrefix: string;
  readonly topicSuffix: string;
  readonly topicSeparator: string;
  readonly topicNamespaceMap: Record<string, string>;
  readonly keyFormat: OutputFormat;
  readonly valueFormat: OutputFormat;
  readonly jsonFormatter: JsonFormatter;
  readonly batchSize: number;
  readonly pollAwaitTimeMs: number;
  readonly pollMaxBatchSize: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTopic: string;
  readonly resumeTokenLost: 'fail' | 'restart_latest' | 'restart_copy_existing';
}

export function sourceSettings(props: Readonly<Record<string, string>>): SourceSettings {
  const config = MONGODB_SOURCE_CONFIG.parse(props);
  const str = (key: string): string => config.getString(key) ?? '';
  const mode = str(MODE_CONFIG).toLowerCase() as SourceSettings['mode'];
  const database = str(DATABASE_CONFIG);
  const collection = str(COLLECTION_CONFIG);
  if (mode === 'poll' && (database === '' || collection === '')) {
    throw new ConfigException(database === '' ? DATABASE_CONFIG : COLLECTION_CONFIG, '', 'mode=poll watches one collection: set both database and collection');
  }
  if (collection !== '' && database === '') throw new ConfigException(DATABASE_CONFIG, '', 'a collection needs its database');
  const startupMode = str(STARTUP_MODE_CONFIG).toLowerCase() as SourceSettings['startupMode'];
  if (startupMode === 'timestamp' && str(STARTUP_TIMESTAMP_CONFIG) === '') {
    throw new ConfigException(STARTUP_TIMESTAMP_CONFIG, '', 'startup.mode=timestamp needs a start time (epoch seconds or ISO-8601)');
  }
  const regex = str(COPY_EXISTING_NAMESPACE_REGEX_CONFIG);
  const keyFormat = str(OUTPUT_FORMAT_KEY_CONFIG).toLowerCase() as OutputFormat;
  return {
    uri: config.getPassword(CONNECTION_URI_CONFIG)?.value() ?? '',
    database,
    collection,
    mode,
    pollField: str(POLL_FIELD_CONFIG),
    pipeline: JSON.parse(str(PIPELINE_CONFIG)) as Array<Record<string, unknown>>,
    publishFullDocumentOnly: config.getBoolean(PUBLISH_FULL_DOCUMENT_ONLY_CONFIG) ?? false,
    fullDocument: str(FULL_DOCUMENT_CONFIG),
    fullDocumentBeforeChange: str(FULL_DOCUMENT_BEFORE_CHANGE_CONFIG),
    startupMode,
    startupTimestamp: str(STARTUP_TIMESTAMP_CONFIG),
    copyNamespaceRegex: regex === '' ? null : compileRegex(regex),
    copyPipeline: JSON.parse(str(COPY_EXISTING_PIPELINE_CONFIG)) as Array<Record<string, unknown>>,
    partitionName: str(OFFSET_PARTITION_NAME_CONFIG) || (collection === '' ? database || '*' : `${database}.${collection}`),
    topicPrefix: str(TOPIC_PREFIX_CONFIG),
    topicSuffix: str(TOPIC_SUFFIX_CONFIG),
    topicSeparator: str(TOPIC_SEPARATOR_CONFIG),
    topicNamespaceMap: parseNamespaceMap(str(TOPIC_NAMESPACE_MAP_CONFIG)),
    keyFormat,
    valueFormat: str(OUTPUT_FORMAT_VALUE_CONFIG).toLowerCase() as OutputFormat,
    jsonFormatter: jsonFormatterOf(str(OUTPUT_JSON_FORMATTER_CONFIG)) ?? 'DefaultJson',
    batchSize: config.getInt(BATCH_SIZE_CONFIG) ?? 0,
    pollAwaitTimeMs: config.getLong(POLL_AWAIT_TIME_MS_CONFIG) ?? 5000,
    pollMaxBatchSize: config.getInt(POLL_MAX_BATCH_SIZE_CONFIG) ?? 1000,
    heartbeatIntervalMs: config.getLong(HEARTBEAT_INTERVAL_MS_CONFIG) ?? 0,
    heartbeatTopic: str(HEARTBEAT_TOPIC_NAME_CONFIG),
    resumeTokenLost: str(RESUME_TOKEN_LOST_CONFIG).toLowerCase() as SourceSettings['resumeTokenLost'],
  };
}

function compileRegex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new ConfigException(COPY_EXISTING_NAMESPACE_REGEX_CONFIG, text, (error as Error).message);
  }
}

function parseNamespaceMap(text: string): Record<string, string> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigException(TOPIC_NAMESPACE_MAP_CONFIG, text, `not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new ConfigException(TOPIC_NAMESPACE_MAP_CONFIG, text, 'expected a JSON object of namespace → topic strings');
  }
  return parsed as Record<string, string>;
}
