/**
 * The standalone worker's config (Kafka Connect's WorkerConfig + StandaloneConfig keys, with their
 * defaults), plus Sluice's own: the embedded broker (`broker.*`) and automatic restart of failed
 * tasks (`sluice.task.restart.*`, off by default). Defined once; the CLI, /config docs and the
 * unknown-key warnings all read this definition.
 */
import type { ConfigSource, ParsedConfig, UnknownKey } from '../config/index.ts';
import { ConfigDef, validators } from '../config/index.ts';
import { availableConverters, availableHeaderConverters, createConverter, createHeaderConverter } from '../converters/index.ts';

export const BOOTSTRAP_SERVERS_CONFIG = 'bootstrap.servers';
export const KEY_CONVERTER_CLASS_CONFIG = 'key.converter';
export const VALUE_CONVERTER_CLASS_CONFIG = 'value.converter';
export const HEADER_CONVERTER_CLASS_CONFIG = 'header.converter';
export const OFFSET_STORAGE_FILE_FILENAME_CONFIG = 'offset.storage.file.filename';
export const OFFSET_COMMIT_INTERVAL_MS_CONFIG = 'offset.flush.interval.ms';
export const OFFSET_COMMIT_TIMEOUT_MS_CONFIG = 'offset.flush.timeout.ms';
export const TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG = 'task.shutdown.graceful.timeout.ms';
export const LISTENERS_CONFIG = 'listeners';
export const PLUGIN_PATH_CONFIG = 'plugin.path';
export const BROKER_DATA_DIR_CONFIG = 'broker.data.dir';
export const BROKER_LISTENERS_CONFIG = 'broker.listeners';
export const REGISTRY_ENABLED_CONFIG = 'registry.enabled';
export const REGISTRY_LISTENERS_CONFIG = 'registry.listeners';
export const TASK_RESTART_ENABLE_CONFIG = 'sluice.task.restart.enable';
export const TASK_RESTART_BACKOFF_MS_CONFIG = 'sluice.task.restart.backoff.ms';
export const TASK_RESTART_BACKOFF_MAX_MS_CONFIG = 'sluice.task.restart.backoff.max.ms';
export const TASK_RESTART_MAX_ATTEMPTS_CONFIG = 'sluice.task.restart.max.attempts';
export const TASK_RESTART_HEALTHY_AFTER_MS_CONFIG = 'sluice.task.restart.healthy.after.ms';

export const DEFAULT_HEADER_CONVERTER = 'org.apache.kafka.connect.storage.SimpleHeaderConverter';

/** Prefixes whose keys are passed on to another component, so never "unknown". */
export const PASS_THROUGH_PREFIXES = [
  'producer.',
  'consumer.',
  'admin.',
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'config.providers.',
  'broker.',
  'listeners.https.',
  'admin.listeners.https.',
] as const;

/** Keys Kafka removed or that only distributed workers read: a specific note instead of "unknown". */
export const IGNORED_WORKER_KEYS: Readonly<Record<string, string>> = {
  'internal.key.converter': 'removed in Kafka 3.0 (offsets are stored as JSON); ignored',
  'internal.value.converter': 'removed in Kafka 3.0 (offsets are stored as JSON); ignored',
  'internal.key.converter.schemas.enable': 'removed in Kafka 3.0; ignored',
  'internal.value.converter.schemas.enable': 'removed in Kafka 3.0; ignored',
  'rest.port': 'removed in Kafka 3.0; use listeners=http://HOST:PORT',
  'rest.host.name': 'removed in Kafka 3.0; use listeners=http://HOST:PORT',
  'group.id': 'only distributed workers use it; ignored in standalone mode',
  'config.storage.topic': 'only distributed workers use it; ignored in standalone mode',
  'offset.storage.topic': 'only distributed workers use it; ignored in standalone mode',
  'status.storage.topic': 'only distributed workers use it; ignored in standalone mode',
  'config.storage.replication.factor': 'only distributed workers use it; ignored in standalone mode',
  'offset.storage.replication.factor': 'only distributed workers use it; ignored in standalone mode',
  'status.storage.replication.factor': 'only distributed workers use it; ignored in standalone mode',
  'offset.storage.partitions': 'only distributed workers use it; ignored in standalone mode',
  'status.storage.partitions': 'only distributed workers use it; ignored in standalone mode',
  'exactly.once.source.support': 'only distributed workers support exactly-once sources; ignored',
  'scheduled.rebalance.max.delay.ms': 'only distributed workers rebalance; ignored in standalone mode',
  'connect.protocol': 'only distributed workers use it; ignored in standalone mode',
  'metric.reporters': 'metrics are served in Prometheus format at /metrics; JMX reporters do not apply',
  'auto.include.jmx.reporter': 'metrics are served in Prometheus format at /metrics; JMX does not apply',
  'metrics.num.samples': 'metric windows are fixed (2 samples of 30 s, as Kafka by default)',
  'metrics.sample.window.ms': 'metric windows are fixed (2 samples of 30 s, as Kafka by default)',
  'metrics.recording.level': 'every worker metric is always recorded',
};

function classValidator(kind: 'converter' | 'header'): ReturnType<typeof validators.custom> {
  const description = kind === 'converter' ? 'a Converter class' : 'a HeaderConverter class';
  return validators.custom(description, (value, name) => {
    if (value === null || value === undefined) return undefined;
    try {
      if (kind === 'converter') createConverter(String(value), name);
      else createHeaderConverter(String(value), name);
      return undefined;
    } catch {
      const available = kind === 'converter' ? availableConverters() : availableHeaderConverters();
      return `${kind === 'converter' ? 'Converter' : 'HeaderConverter'} class ${String(value)} could not be found; available: ${available.join(', ')}`;
    }
  });
}

export const converterClassValidator = classValidator('converter');
export const headerConverterClassValidator = classValidator('header');

const listenerUrl = validators.custom('a list of http://HOST:PORT URLs', (value) => {
  for (const entry of (value as string[] | null) ?? []) {
    if (!/^https?:\/\/(\[[0-9a-fA-F:]*\]|[^:/\s]*):\d{1,5}\/?$/i.test(entry)) return `"${entry}" is not a listener URL; expected http://HOST:PORT, e.g. http://127.0.0.1:8083`;
  }
  return undefined;
});

export const WORKER_CONFIG = new ConfigDef()
  .define({
    name: BOOTSTRAP_SERVERS_CONFIG,
    type: 'LIST',
    default: null,
    importance: 'HIGH',
    documentation:
      'host:port pairs of the Kafka cluster to connect to. When absent, the worker starts the integrated broker on broker.listeners (data under broker.data.dir).',
  })
  .define({
    name: 'client.id',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    documentation: 'Prefix of the client ids of the worker clients.',
  })
  .define({
    name: KEY_CONVERTER_CLASS_CONFIG,
    type: 'CLASS',
    validator: converterClassValidator,
    importance: 'HIGH',
    documentation: 'Converter class used to convert between Kafka Connect format and the serialized form written to Kafka (record keys).',
  })
  .define({
    name: VALUE_CONVERTER_CLASS_CONFIG,
    type: 'CLASS',
    validator: converterClassValidator,
    importance: 'HIGH',
    documentation: 'Converter class used to convert between Kafka Connect format and the serialized form written to Kafka (record values).',
  })
  .define({
    name: HEADER_CONVERTER_CLASS_CONFIG,
    type: 'CLASS',
    default: DEFAULT_HEADER_CONVERTER,
    validator: headerConverterClassValidator,
    importance: 'LOW',
    documentation: 'HeaderConverter class used to convert between Kafka Connect format and the serialized form written to Kafka (record headers).',
  })
  .define({
    name: OFFSET_STORAGE_FILE_FILENAME_CONFIG,
    type: 'STRING',
    validator: validators.nonEmptyString(),
    importance: 'HIGH',
    documentation: 'File to store source connector offsets in (JSON, written atomically).',
  })
  .define({
    name: OFFSET_COMMIT_INTERVAL_MS_CONFIG,
    type: 'LONG',
    default: 60000,
    validator: validators.atLeast(1),
    importance: 'LOW',
    documentation: 'Interval at which to try committing offsets for tasks.',
  })
  .define({
    name: OFFSET_COMMIT_TIMEOUT_MS_CONFIG,
    type: 'LONG',
    default: 5000,
    validator: validators.atLeast(0),
    importance: 'LOW',
    documentation: 'Maximum number of milliseconds to wait for records to flush and offset data to be committed before cancelling the process.',
  })
  .define({
    name: TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG,
    type: 'LONG',
    default: 5000,
    validator: validators.atLeast(0),
    importance: 'LOW',
    documentation: 'Amount of time to wait for tasks to shutdown gracefully.',
  })
  .define({
    name: LISTENERS_CONFIG,
    type: 'LIST',
    default: 'http://127.0.0.1:8083',
    validator: listenerUrl,
    importance: 'LOW',
    documentation:
      'REST API listeners. Unlike Kafka Connect (all interfaces), the default binds to loopback only; use http://0.0.0.0:8083 to expose it.',
  })
  .define({ name: 'rest.advertised.host.name', type: 'STRING', default: null, importance: 'LOW', documentation: 'Host name given to other workers.' })
  .define({ name: 'rest.advertised.port', type: 'INT', default: null, importance: 'LOW', documentation: 'Port given to other workers.' })
  .define({
    name: 'rest.advertised.listener',
    type: 'STRING',
    default: null,
    validator: validators.custom('http or https', (v) => (v === null || v === 'http' || v === 'https' ? undefined : 'String must be one of: http, https')),
    importance: 'LOW',
    documentation: 'Listener protocol given to other workers.',
  })
  .define({ name: 'admin.listeners', type: 'LIST', default: null, importance: 'LOW', documentation: 'Listeners for the /admin endpoints (default: the main listeners).' })
  .define({ name: 'access.control.allow.origin', type: 'STRING', default: '', importance: 'LOW', documentation: 'Value of Access-Control-Allow-Origin for REST requests.' })
  .define({ name: 'access.control.allow.methods', type: 'STRING', default: '', importance: 'LOW', documentation: 'Methods allowed by CORS.' })
  .define({ name: 'response.http.headers.config', type: 'STRING', default: '', importance: 'LOW', documentation: 'Rules for REST API HTTP response headers.' })
  .define({ name: 'rest.extension.classes', type: 'LIST', default: '', importance: 'LOW', documentation: 'REST extensions (Java classes; none can be loaded here).' })
  .define({
    name: PLUGIN_PATH_CONFIG,
    type: 'LIST',
    default: null,
    importance: 'LOW',
    documentation:
      'Comma-separated plugin locations: folders or npm packages exporting connectors. Kafka jar entries for the FileStream connectors (libs/connect-file-*.jar) are accepted; the built-ins cover them.',
  })
  .define({
    name: 'plugin.discovery',
    type: 'STRING',
    default: 'hybrid_warn',
    validator: validators.oneOfIgnoreCase('only_scan', 'hybrid_warn', 'hybrid_fail', 'service_load'),
    importance: 'LOW',
    documentation: 'Accepted for compatibility: plugins here are found by their exports.',
  })
  .define({ name: 'config.providers', type: 'LIST', default: '', importance: 'LOW', documentation: 'Names of ConfigProvider instances (config.providers.NAME.class).' })
  .define({
    name: 'connector.client.config.override.policy',
    type: 'STRING',
    default: 'All',
    validator: validators.oneOf('All', 'None', 'Principal'),
    importance: 'MEDIUM',
    documentation: 'Which producer.override.* / consumer.override.* / admin.override.* keys connectors may set.',
  })
  .define({ name: 'topic.creation.enable', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Whether source connectors may create topics.' })
  .define({ name: 'topic.tracking.enable', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Track the topics connectors use (/connectors/NAME/topics).' })
  .define({ name: 'topic.tracking.allow.reset', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Allow resetting the tracked topics.' })
  .define({
    name: BROKER_DATA_DIR_CONFIG,
    type: 'STRING',
    default: './sluice-data',
    validator: validators.nonEmptyString(),
    importance: 'MEDIUM',
    documentation: 'Where the integrated broker keeps its data (only when bootstrap.servers is absent).',
  })
  .define({
    name: BROKER_LISTENERS_CONFIG,
    type: 'STRING',
    default: 'PLAINTEXT://127.0.0.1:9092',
    validator: validators.nonEmptyString(),
    importance: 'MEDIUM',
    documentation: 'Listeners of the integrated broker (only when bootstrap.servers is absent).',
  })
  .define({
    name: REGISTRY_ENABLED_CONFIG,
    type: 'BOOLEAN',
    default: null,
    importance: 'MEDIUM',
    documentation:
      'Start the integrated schema registry (on registry.listeners, storing schemas in the _schemas topic). Default: true when the integrated broker runs (bootstrap.servers absent), false otherwise. Converters whose schema.registry.url is unset use it.',
  })
  .define({
    name: REGISTRY_LISTENERS_CONFIG,
    type: 'STRING',
    default: 'http://127.0.0.1:8081',
    validator: validators.nonEmptyString(),
    importance: 'MEDIUM',
    documentation: 'Listener of the integrated schema registry (only when registry.enabled).',
  })
  .define({
    name: TASK_RESTART_ENABLE_CONFIG,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    documentation: 'Restart FAILED tasks automatically with exponential backoff (Kafka Connect never does).',
  })
  .define({
    name: TASK_RESTART_BACKOFF_MS_CONFIG,
    type: 'LONG',
    default: 1000,
    validator: validators.atLeast(0),
    importance: 'LOW',
    documentation: 'Delay before the first automatic restart of a failed task; doubles on each further failure.',
  })
  .define({
    name: TASK_RESTART_BACKOFF_MAX_MS_CONFIG,
    type: 'LONG',
    default: 60000,
    validator: validators.atLeast(0),
    importance: 'LOW',
    documentation: 'Longest delay between automatic restarts of a failed task.',
  })
  .define({
    name: TASK_RESTART_MAX_ATTEMPTS_CONFIG,
    type: 'INT',
    default: 10,
    validator: validators.atLeast(-1),
    importance: 'LOW',
    documentation: 'Automatic restarts of a task before it is left FAILED (-1: no limit). The count resets once the task has run healthy for sluice.task.restart.healthy.after.ms.',
  })
  .define({
    name: TASK_RESTART_HEALTHY_AFTER_MS_CONFIG,
    type: 'LONG',
    default: 300000,
    validator: validators.atLeast(0),
    importance: 'LOW',
    documentation: 'How long a restarted task must run without failing for its restart count to reset.',
  });

export type WorkerConfigValues = typeof WORKER_CONFIG extends ConfigDef<infer V> ? V : never;
export type WorkerConfig = ParsedConfig<WorkerConfigValues>;

export interface ParsedWorkerConfig {
  config: WorkerConfig;
  /** Keys that are not worker keys, each with the closest known ones. */
  unknown: UnknownKey[];
  /** Keys that are known to Kafka but do nothing here, with why. */
  ignored: Array<{ key: string; reason: string }>;
}

/**
 * Parses worker properties. Every problem (missing required key, wrong type, unknown converter
 * class) is one ConfigError naming the keys and, through `source`, the file and line.
 */
export function parseWorkerConfig(props: Readonly<Record<string, string>>, source: ConfigSource = {}): ParsedWorkerConfig {
  const config = WORKER_CONFIG.parse(props, source);
  const ignored: ParsedWorkerConfig['ignored'] = [];
  const unknown: UnknownKey[] = [];
  for (const entry of WORKER_CONFIG.unknownKeys(props, PASS_THROUGH_PREFIXES)) {
    const reason = IGNORED_WORKER_KEYS[entry.key];
    if (reason === undefined) unknown.push(entry);
    else ignored.push({ key: entry.key, reason });
  }
  return { config, unknown, ignored };
}

/** The worker id Kafka Connect reports in status (`host:port` of the advertised REST listener). */
export function workerIdOf(config: WorkerConfig): string {
  const listener = (config.get(LISTENERS_CONFIG) ?? [])[0] ?? 'http://127.0.0.1:8083';
  const match = /^https?:\/\/(\[[^\]]*\]|[^:/]*):(\d+)/i.exec(listener);
  const host = config.get('rest.advertised.host.name') ?? (match?.[1] || '127.0.0.1');
  const port = config.get('rest.advertised.port') ?? Number(match?.[2] ?? 8083);
  return `${host}:${port}`;
}
