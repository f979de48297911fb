/**
 * The keys every connector config has (Kafka's ConnectorConfig, SinkConnectorConfig and
 * SourceConnectorConfig), grouped as Kafka's /config/validate groups them: Common, Transforms,
 * Predicates, Error Handling (and Topic Creation / Exactly Once Support for sources).
 */
import type { ConfigDef } from '../config/index.ts';
import { ConfigDef as Def, validators } from '../config/index.ts';
import { converterClassValidator, headerConverterClassValidator } from './worker-config.ts';

export const NAME_CONFIG = 'name';
export const CONNECTOR_CLASS_CONFIG = 'connector.class';
export const TASKS_MAX_CONFIG = 'tasks.max';
export const TRANSFORMS_CONFIG = 'transforms';
export const PREDICATES_CONFIG = 'predicates';
export const ERRORS_RETRY_TIMEOUT_CONFIG = 'errors.retry.timeout';
export const ERRORS_RETRY_MAX_DELAY_CONFIG = 'errors.retry.delay.max.ms';
export const ERRORS_TOLERANCE_CONFIG = 'errors.tolerance';
export const ERRORS_LOG_ENABLE_CONFIG = 'errors.log.enable';
export const ERRORS_LOG_INCLUDE_MESSAGES_CONFIG = 'errors.log.include.messages';
export const DLQ_TOPIC_NAME_CONFIG = 'errors.deadletterqueue.topic.name';
export const DLQ_TOPIC_REPLICATION_FACTOR_CONFIG = 'errors.deadletterqueue.topic.replication.factor';
export const DLQ_CONTEXT_HEADERS_ENABLE_CONFIG = 'errors.deadletterqueue.context.headers.enable';
export const TOPICS_CONFIG = 'topics';
export const TOPICS_REGEX_CONFIG = 'topics.regex';

export const COMMON_GROUP = 'Common';
export const TRANSFORMS_GROUP = 'Transforms';
export const PREDICATES_GROUP = 'Predicates';
export const ERROR_GROUP = 'Error Handling';

/** Prefixes of keys passed on to other components: never reported as unknown. */
export const CONNECTOR_PASS_THROUGH_PREFIXES = [
  'transforms.',
  'predicates.',
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'producer.override.',
  'consumer.override.',
  'admin.override.',
  'topic.creation.',
] as const;

const uniqueAliases = validators.custom('unique aliases', (value, name) => {
  const list = (value as string[] | null) ?? [];
  const seen = new Set<string>();
  for (const alias of list) {
    if (alias === '') return `${name} has an empty alias`;
    if (seen.has(alias)) return `Duplicate alias provided: ${alias}`;
    seen.add(alias);
  }
  return undefined;
});

function commonDefinition(): ConfigDef<object> {
  return new Def()
    .define({
      name: NAME_CONFIG,
      type: 'STRING',
      validator: validators.nonEmptyStringWithoutControlChars(),
      importance: 'HIGH',
      documentation: 'Globally unique name to use for this connector.',
      group: COMMON_GROUP,
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Connector name',
    })
    .define({
      name: CONNECTOR_CLASS_CONFIG,
      type: 'STRING',
      importance: 'HIGH',
      documentation:
        'Name or alias of the class for this connector, e.g. org.apache.kafka.connect.file.FileStreamSinkConnector or FileStreamSink.',
      group: COMMON_GROUP,
      orderInGroup: 2,
      width: 'LONG',
      displayName: 'Connector class',
    })
    .define({
      name: TASKS_MAX_CONFIG,
      type: 'INT',
      default: 1,
      validator: validators.atLeast(1),
      importance: 'HIGH',
      documentation: 'Maximum number of tasks to use for this connector.',
      group: COMMON_GROUP,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Tasks max',
    })
    .define({
      name: 'tasks.max.enforce',
      type: 'BOOLEAN',
      default: true,
      importance: 'LOW',
      documentation: 'Fail the connector when it generates more task configs than tasks.max (deprecated in Kafka).',
      group: COMMON_GROUP,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'Enforce tasks max',
    })
    .define({
      name: 'key.converter',
      type: 'CLASS',
      default: null,
      validator: converterClassValidator,
      importance: 'LOW',
      documentation: 'Converter for record keys; overrides the worker key.converter.',
      group: COMMON_GROUP,
      orderInGroup: 5,
      width: 'SHORT',
      displayName: 'Key converter class',
    })
    .define({
      name: 'value.converter',
      type: 'CLASS',
      default: null,
      validator: converterClassValidator,
      importance: 'LOW',
      documentation: 'Converter for record values; overrides the worker value.converter.',
      group: COMMON_GROUP,
      orderInGroup: 6,
      width: 'SHORT',
      displayName: 'Value converter class',
    })
    .define({
      name: 'header.converter',
      type: 'CLASS',
      default: null,
      validator: headerConverterClassValidator,
      importance: 'LOW',
      documentation: 'HeaderConverter for record headers; overrides the worker header.converter.',
      group: COMMON_GROUP,
      orderInGroup: 7,
      width: 'SHORT',
      displayName: 'Header converter class',
    })
    .define({
      name: 'config.action.reload',
      type: 'STRING',
      default: 'restart',
      validator: validators.oneOfIgnoreCase('none', 'restart'),
      importance: 'LOW',
      documentation: 'What to do when a config provider reports a change: restart the connector, or nothing.',
      group: COMMON_GROUP,
      orderInGroup: 8,
      width: 'MEDIUM',
      displayName: 'Reload Action',
    })
    .define({
      name: TRANSFORMS_CONFIG,
      type: 'LIST',
      default: '',
      validator: uniqueAliases,
      importance: 'LOW',
      documentation: 'Aliases for the transformations to be applied to records, in order.',
      group: TRANSFORMS_GROUP,
      orderInGroup: 0,
      width: 'LONG',
      displayName: 'Transforms',
    })
    .define({
      name: PREDICATES_CONFIG,
      type: 'LIST',
      default: '',
      validator: uniqueAliases,
      importance: 'LOW',
      documentation: 'Aliases for the predicates used by transformations.',
      group: PREDICATES_GROUP,
      orderInGroup: 0,
      width: 'LONG',
      displayName: 'Predicates',
    })
    .define({
      name: ERRORS_RETRY_TIMEOUT_CONFIG,
      type: 'LONG',
      default: 0,
      validator: validators.atLeast(-1),
      importance: 'MEDIUM',
      documentation: 'Maximum duration in milliseconds that a failed operation will be reattempted. 0 means no retries, -1 infinite retries.',
      group: ERROR_GROUP,
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Retry Timeout for Errors',
    })
    .define({
      name: ERRORS_RETRY_MAX_DELAY_CONFIG,
      type: 'LONG',
      default: 60000,
      validator: validators.atLeast(0),
      importance: 'MEDIUM',
      documentation: 'Maximum duration in milliseconds between consecutive retry attempts (jitter is added).',
      group: ERROR_GROUP,
      orderInGroup: 2,
      width: 'MEDIUM',
      displayName: 'Maximum Delay Between Retries for Errors',
    })
    .define({
      name: ERRORS_TOLERANCE_CONFIG,
      type: 'STRING',
      default: 'none',
      validator: validators.oneOfIgnoreCase('none', 'all'),
      importance: 'MEDIUM',
      documentation: "Behavior for tolerating errors during connector operation. 'none' fails the task on any error; 'all' skips problematic records.",
      group: ERROR_GROUP,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Error Tolerance',
    })
    .define({
      name: ERRORS_LOG_ENABLE_CONFIG,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      documentation: 'If true, write each error and the details of the failed operation and problematic record to the Connect log.',
      group: ERROR_GROUP,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'Log Errors',
    })
    .define({
      name: ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      documentation: 'Whether to include the record (key, value, headers) in the error log.',
      group: ERROR_GROUP,
      orderInGroup: 5,
      width: 'SHORT',
      displayName: 'Log Error Details',
    });
}

/** Kafka's SinkConnectorConfig: the common keys plus the subscription and the dead letter queue. */
export function sinkConnectorDefinition(): ConfigDef<object> {
  return commonDefinition()
    .define({
      name: TOPICS_CONFIG,
      type: 'LIST',
      default: '',
      importance: 'HIGH',
      documentation: 'List of topics to consume, separated by commas.',
      group: COMMON_GROUP,
      orderInGroup: 4,
      width: 'LONG',
      displayName: 'Topics',
    })
    .define({
      name: TOPICS_REGEX_CONFIG,
      type: 'STRING',
      default: '',
      importance: 'HIGH',
      documentation: 'Regular expression giving topics to consume. Only one of topics or topics.regex should be specified.',
      group: COMMON_GROUP,
      orderInGroup: 4,
      width: 'LONG',
      displayName: 'Topics regex',
    })
    .define({
      name: DLQ_TOPIC_NAME_CONFIG,
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      documentation: 'The name of the topic to be used as the dead letter queue (DLQ) for records that fail to be processed.',
      group: ERROR_GROUP,
      orderInGroup: 6,
      width: 'MEDIUM',
      displayName: 'Dead Letter Queue Topic Name',
    })
    .define({
      name: DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
      type: 'SHORT',
      default: 3,
      validator: validators.atLeast(-1),
      importance: 'MEDIUM',
      documentation: 'Replication factor used to create the dead letter queue topic when it doesn\'t already exist (-1: the broker default).',
      group: ERROR_GROUP,
      orderInGroup: 7,
      width: 'MEDIUM',
      displayName: 'Dead Letter Queue Topic Replication Factor',
    })
    .define({
      name: DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      documentation: 'If true, add headers containing error context to the messages written to the dead letter queue (__connect.errors.*).',
      group: ERROR_GROUP,
      orderInGroup: 8,
      width: 'MEDIUM',
      displayName: 'Enable Error Context Headers',
    });
}

/** Kafka's SourceConnectorConfig: the common keys plus topic creation and exactly-once settings. */
export function sourceConnectorDefinition(): ConfigDef<object> {
  return commonDefinition()
    .define({
      name: 'topic.creation.groups',
      type: 'LIST',
      default: '',
      importance: 'LOW',
      documentation: 'Groups of configurations for topics created by source connectors.',
      group: 'Topic Creation',
      orderInGroup: 0,
      width: 'LONG',
      displayName: 'Topic Creation Groups',
    })
    .define({
      name: 'exactly.once.support',
      type: 'STRING',
      default: 'requested',
      validator: validators.oneOfIgnoreCase('requested', 'required'),
      importance: 'MEDIUM',
      documentation: 'Whether exactly-once delivery is required (only distributed workers provide it).',
      group: 'Exactly Once Support',
      orderInGroup: 1,
      width: 'SHORT',
      displayName: 'Exactly once support',
    })
    .define({
      name: 'transaction.boundary',
      type: 'STRING',
      default: 'poll',
      validator: validators.oneOfIgnoreCase('poll', 'interval', 'connector'),
      importance: 'MEDIUM',
      documentation: 'Transaction boundaries for exactly-once sources (distributed workers only).',
      group: 'Exactly Once Support',
      orderInGroup: 2,
      width: 'SHORT',
      displayName: 'Transaction Boundary',
    })
    .define({
      name: 'transaction.boundary.interval.ms',
      type: 'LONG',
      default: null,
      importance: 'LOW',
      documentation: 'Transaction commit interval when transaction.boundary=interval.',
      group: 'Exactly Once Support',
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Transaction boundary interval',
    })
    .define({
      name: 'offsets.storage.topic',
      type: 'STRING',
      default: null,
      importance: 'LOW',
      documentation: 'A separate offsets topic for this connector (distributed workers only).',
      group: 'Offsets Topic',
      orderInGroup: 1,
      width: 'LONG',
      displayName: 'Offsets topic',
    });
}

export const SINK_CONNECTOR_CONFIG = sinkConnectorDefinition();
export const SOURCE_CONNECTOR_CONFIG = sourceConnectorDefinition();

/** Error-handling settings of one connector, parsed. */
export interface ErrorHandlingConfig {
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  toleranceAll: boolean;
  logEnable: boolean;
  logIncludeMessages: boolean;
  dlqTopic: string;
  dlqReplicationFactor: number;
  dlqContextHeaders: boolean;
}

/** Reads the errors.* keys from a validated connector config (sink keys default for sources). */
export function errorHandlingConfig(values: Readonly<Record<string, unknown>>): ErrorHandlingConfig {
  return {
    retryTimeoutMs: Number(values[ERRORS_RETRY_TIMEOUT_CONFIG] ?? 0),
    retryDelayMaxMs: Number(values[ERRORS_RETRY_MAX_DELAY_CONFIG] ?? 60000),
    toleranceAll: String(values[ERRORS_TOLERANCE_CONFIG] ?? 'none').toLowerCase() === 'all',
    logEnable: values[ERRORS_LOG_ENABLE_CONFIG] === true,
    logIncludeMessages: values[ERRORS_LOG_INCLUDE_MESSAGES_CONFIG] === true,
    dlqTopic: String(values[DLQ_TOPIC_NAME_CONFIG] ?? '').trim(),
    dlqReplicationFactor: Number(values[DLQ_TOPIC_REPLICATION_FACTOR_CONFIG] ?? 3),
    dlqContextHeaders: values[DLQ_CONTEXT_HEADERS_ENABLE_CONFIG] === true,
  };
}
