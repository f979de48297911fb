/**
 * The Connect runtime of `connect-standalone`, run on its own thread by standalone.ts (so that its
 * heap can be bounded): reads and checks everything first (worker keys, config providers,
 * plugins, every connector config), then starts the integrated broker (when bootstrap.servers is
 * absent), the REST API, the worker, the herder and the connectors. Any start-up problem is one
 * clear error naming the file and key, and nothing is left running. A `stop` message stops
 * gracefully: tasks flush, source offsets are written, sink offsets committed.
 */
import type { MessagePort } from 'node:worker_threads';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Admin } from '@platformatic/kafka';
import type { ConfigProvider } from '../connect/config/index.ts';
import { createConfigProviders, describeUnknownKey, propertiesToRecord, readPropertiesFile, resolveConfigVariables } from '../connect/config/index.ts';
import type { ConnectorFile } from '../connect/herder/connector-files.ts';
import { readConnectorFile } from '../connect/herder/connector-files.ts';
import { unknownConnectorKeys, validateConnectorConfig, validationErrors } from '../connect/herder/connector-validation.ts';
import type { OverridePolicy } from '../connect/herder/connector-validation.ts';
import { LoggerLevels } from '../connect/herder/logger-levels.ts';
import { StandaloneHerder } from '../connect/herder/standalone-herder.ts';
import { FileOffsetStore } from '../connect/offsets/index.ts';
import { restServerSettings, startRestServer } from '../connect/rest/index.ts';
import { ConnectMetrics } from '../connect/worker/metrics.ts';
import { PluginRegistry } from '../connect/worker/plugins.ts';
import { validateTransformations } from '../connect/worker/transformation-chain.ts';
import { Worker } from '../connect/worker/worker.ts';
import type { WorkerConfig } from '../connect/worker/worker-config.ts';
import {
  BOOTSTRAP_SERVERS_CONFIG,
  BROKER_DATA_DIR_CONFIG,
  BROKER_LISTENERS_CONFIG,
  OFFSET_STORAGE_FILE_FILENAME_CONFIG,
  PLUGIN_PATH_CONFIG,
  REGISTRY_ENABLED_CONFIG,
  REGISTRY_LISTENERS_CONFIG,
  parseWorkerConfig,
  workerIdOf,
} from '../connect/worker/worker-config.ts';
import type { Logger } from '../observability/logger.ts';
import { createLogger } from '../observability/logger.ts';
import { systemClock } from '../util/clock.ts';
import { ConfigError, SluiceError, messageOf } from '../util/errors.ts';
import { systemRandom } from '../util/random.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import { version } from './version.ts';

interface Prepared {
  /** Control port of the broker thread the launcher created early, when it did. */
  brokerPort: MessagePort | undefined;
  workerFile: string;
  workerProps: Record<string, string>;
  /** registry.enabled, its default resolved: true with the integrated broker. */
  registryEnabled: boolean;
  config: WorkerConfig;
  providers: Map<string, ConfigProvider>;
  plugins: PluginRegistry;
  connectors: ConnectorFile[];
}

/** Where a key was set, for messages: `file:line` or `file`. */
function at(file: string, lines: ReadonlyMap<string, number> | undefined, key: string): string {
  const line = lines?.get(key);
  return line === undefined ? file : `${file}:${line}`;
}

/** Reads and checks the worker file and every connector file; starts nothing. */
async function prepare(argv: readonly string[], log: Logger, brokerPort: MessagePort | undefined): Promise<Prepared> {
  const [workerFile, ...connectorFiles] = argv;
  const parsed = await readPropertiesFile(workerFile);
  const raw = propertiesToRecord(parsed);
  let providers: Map<string, ConfigProvider>;
  try {
    providers = createConfigProviders(raw);
  } catch (err) {
    throw inFile(err, workerFile, parsed.lines);
  }
  const resolved = await resolveConfigVariables(raw, providers).catch((err: unknown) => {
    throw inFile(err, workerFile, parsed.lines);
  });
  for (const warning of resolved.warnings) log.warn(`${workerFile}: ${warning}`);
  const { config, unknown, ignored } = parseWorkerConfig(resolved.values, { file: workerFile, lines: parsed.lines });
  for (const entry of unknown) log.warn(`${at(workerFile, parsed.lines, entry.key)}: ${describeUnknownKey(entry)}; it is ignored`);
  for (const { key, reason } of ignored) log.info(`${at(workerFile, parsed.lines, key)}: ${key}: ${reason}`);

  const plugins = PluginRegistry.withBuiltins(version);
  await plugins.loadPluginPath(config.get(PLUGIN_PATH_CONFIG) ?? [], log);

  // Converters validated here see the integrated registry's URL as start() will give it to them.
  const servers = config.get(BOOTSTRAP_SERVERS_CONFIG);
  const registryEnabled = config.get(REGISTRY_ENABLED_CONFIG) ?? (servers === null || servers.length === 0);
  const converterDefaults: Record<string, string> = registryEnabled ? { 'schema.registry.url': config.get(REGISTRY_LISTENERS_CONFIG) } : {};
  const connectors: ConnectorFile[] = [];
  for (const file of connectorFiles) {
    const connector = await readConnectorFile(file);
    const duplicate = connectors.find((c) => c.name === connector.name);
    if (duplicate !== undefined) {
      throw new ConfigError(`${file}: connector name "${connector.name}" is already used by ${duplicate.file}`, { code: 'CONFIG_INVALID', context: { file, key: 'name' } });
    }
    await checkConnector(connector, { workerProps: resolved.values, converterDefaults, plugins, providers, overridePolicy: config.get('connector.client.config.override.policy') as OverridePolicy }, log);
    connectors.push(connector);
  }
  return { brokerPort, workerFile, workerProps: resolved.values, registryEnabled, config, providers, plugins, connectors };
}

/** Validates a connector file as creating it would, so that a bad one stops start-up before anything runs. */
async function checkConnector(
  connector: ConnectorFile,
  context: { workerProps: Record<string, string>; converterDefaults: Record<string, string>; plugins: PluginRegistry; providers: Map<string, ConfigProvider>; overridePolicy: OverridePolicy },
  log: Logger,
): Promise<void> {
  const { file, lines } = connector;
  let resolved: Record<string, string>;
  try {
    const result = await resolveConfigVariables(connector.config, context.providers);
    for (const warning of result.warnings) log.warn(`${file}: ${warning}`);
    resolved = result.values;
  } catch (err) {
    throw inFile(err, file, lines);
  }
  let validation: Awaited<ReturnType<typeof validateConnectorConfig>>;
  try {
    validation = await validateConnectorConfig(context, resolved);
  } catch (err) {
    throw inFile(err, file, lines);
  }
  const errors = validationErrors(validation.infos);
  if (errors.length > 0) {
    const described = errors.map(({ key, message }) => `${at(file, lines, key)}: ${message.includes(key) ? message : `${key}: ${message}`}`);
    throw new ConfigError(
      described.length === 1 ? described[0] : `${described.length} configuration problems in connector ${connector.name}:\n${described.map((d) => `  - ${d}`).join('\n')}`,
      { code: 'CONFIG_INVALID', context: { file, connector: connector.name, errors } },
    );
  }
  for (const entry of unknownConnectorKeys(validation.plugin, resolved)) log.warn(`${at(file, lines, entry.key)}: ${describeUnknownKey(entry)}; it is ignored`);
  for (const warning of validateTransformations(resolved).warnings) log.warn(`${file}: ${warning}`);
}

/** An error about a key of `file` as a ConfigError whose message names the file (and line). */
function inFile(err: unknown, file: string, lines?: ReadonlyMap<string, number>): Error {
  if (!(err instanceof SluiceError)) return err instanceof Error ? err : new Error(String(err));
  if (err.message.startsWith(file)) return err;
  const key = typeof err.context.key === 'string' ? err.context.key : undefined;
  const where = key === undefined ? file : at(file, lines, key);
  return new ConfigError(`${where}: ${err.message}`, { code: err.code, cause: err, context: { ...err.context, file } });
}

/** The Kafka cluster id, read from the cluster's metadata (GET / reports it). */
async function clusterIdOf(bootstrap: string): Promise<string | null> {
  const admin = new Admin({ clientId: 'sluice-connect-cluster-id', bootstrapBrokers: bootstrap.split(','), retries: 1 });
  try {
    return (await admin.metadata({ topics: [] })).id;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

interface Running {
  herder: StandaloneHerder;
  stop(): Promise<void>;
}

/** Starts everything; on any failure, stops what was started and rethrows. */
async function start(prepared: Prepared, loggers: LoggerLevels, log: Logger): Promise<Running> {
  const { config, workerFile } = prepared;
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
    cleanups.length = 0;
  };
  try {
    const offsetFile = config.get(OFFSET_STORAGE_FILE_FILENAME_CONFIG);
    const offsetStore = await FileOffsetStore.open(offsetFile).catch((err: unknown) => {
      throw inFile(err, workerFile);
    });
    cleanups.push(() => offsetStore.close());

    let broker: EmbeddedBroker | null = null;
    const servers = config.get(BOOTSTRAP_SERVERS_CONFIG);
    let bootstrap: string;
    if (servers === null || servers.length === 0) {
      broker = await startEmbeddedBroker(
        {
          dataDir: config.get(BROKER_DATA_DIR_CONFIG),
          listeners: config.get(BROKER_LISTENERS_CONFIG),
          properties: brokerProperties(prepared.workerProps),
        },
        prepared.brokerPort,
      ).catch((err: unknown) => {
        throw brokerError(err, workerFile, config);
      });
      const running = broker;
      cleanups.push(() => running.close());
      bootstrap = broker.bootstrap;
      log.info({ bootstrap, dataDir: config.get(BROKER_DATA_DIR_CONFIG) }, `started the integrated broker on ${bootstrap}`);
    } else {
      bootstrap = servers.join(',');
    }

    // The integrated schema registry: on by default with the integrated broker, so that registry
    // converters work with no other process; their unset schema.registry.url points at it.
    const converterDefaults: Record<string, string> = {};
    if (prepared.registryEnabled) {
      // Loaded only when enabled: a worker against an external cluster never pays for it.
      const { startRegistry } = await import('../../schema-registry/http/index.ts');
      const registry = await startRegistry({
        listeners: config.get(REGISTRY_LISTENERS_CONFIG),
        listenersKey: REGISTRY_LISTENERS_CONFIG,
        bootstrapServers: bootstrap,
        logger: loggers.logger('schema-registry'),
      }).catch((err: unknown) => {
        throw inFile(err, workerFile);
      });
      cleanups.push(() => registry.close());
      converterDefaults['schema.registry.url'] = registry.url;
      log.info({ url: registry.url }, `started the integrated schema registry on ${registry.url}`);
    }

    const metrics = new ConnectMetrics(systemClock);
    const worker = new Worker({
      workerId: workerIdOf(config),
      workerProps: prepared.workerProps,
      converterDefaults,
      bootstrapServers: bootstrap,
      flushIntervalMs: config.get('offset.flush.interval.ms'),
      flushTimeoutMs: config.get('offset.flush.timeout.ms'),
      shutdownTimeoutMs: config.get('task.shutdown.graceful.timeout.ms'),
      plugins: prepared.plugins,
      offsetStore,
      metrics,
      loggerFor: (name, bindings) => loggers.logger(name, bindings),
      clock: systemClock,
      random: systemRandom,
      onTopic: (connector, topic) => herder.recordTopic(connector, topic),
    });
    const embeddedClusterId = broker?.clusterId ?? null;
    const herder = new StandaloneHerder({
      worker,
      plugins: prepared.plugins,
      offsetStore,
      metrics,
      loggers,
      clock: systemClock,
      workerProps: prepared.workerProps,
      converterDefaults,
      configProviders: prepared.providers,
      overridePolicy: config.get('connector.client.config.override.policy') as OverridePolicy,
      topicTracking: { enabled: config.get('topic.tracking.enable'), allowReset: config.get('topic.tracking.allow.reset') },
      taskRestart: {
        enabled: config.get('sluice.task.restart.enable'),
        backoffMs: config.get('sluice.task.restart.backoff.ms'),
        backoffMaxMs: config.get('sluice.task.restart.backoff.max.ms'),
        maxAttempts: config.get('sluice.task.restart.max.attempts'),
        healthyAfterMs: config.get('sluice.task.restart.healthy.after.ms'),
      },
      version,
      commit: process.env.SLUICE_COMMIT ?? 'unknown',
      kafkaClusterId: () => (embeddedClusterId !== null ? Promise.resolve(embeddedClusterId) : clusterIdOf(bootstrap)),
    });
    cleanups.push(() => herder.stop());
    // Cleanups run in reverse: the REST server closes before the herder stops.
    const rest = await startRestServer({ herder, metrics: metrics.registry, logger: loggers.logger('connect.rest'), ...restServerSettings(config) }).catch((err: unknown) => {
      throw inFile(err, workerFile);
    });
    cleanups.push(() => rest.close());
    herder.start();

    for (const connector of prepared.connectors) {
      await herder.createConnector(connector.name, connector.config, connector.initialState).catch((err: unknown) => {
        throw inFile(err, connector.file, connector.lines);
      });
      log.info({ connector: connector.name }, `created connector ${connector.name} from ${connector.file}`);
    }
    log.info(`Kafka Connect standalone started (worker ${worker.workerId}, Kafka at ${bootstrap})`);
    return { herder, stop: cleanUp };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/**
 * Server.properties defaults of the integrated broker that differ from a standalone broker's.
 * Every consumer group on it belongs to this one process (one member per sink connector), so
 * waiting for more members to join only delays the first delivery: Kafka's own sample
 * server.properties sets the same value for single-node use.
 */
const INTEGRATED_BROKER_DEFAULTS: Readonly<Record<string, string>> = { 'group.initial.rebalance.delay.ms': '0' };

/** The worker's `broker.*` keys other than data dir and listeners, as server.properties entries. */
function brokerProperties(props: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...INTEGRATED_BROKER_DEFAULTS };
  for (const [key, value] of Object.entries(props)) {
    if (!key.startsWith('broker.') || key === BROKER_DATA_DIR_CONFIG || key === BROKER_LISTENERS_CONFIG) continue;
    out[key.slice('broker.'.length)] = value;
  }
  return out;
}

/** A broker start-up failure, named after the worker key that caused it. */
function brokerError(err: unknown, file: string, config: WorkerConfig): Error {
  if (!(err instanceof SluiceError)) return err instanceof Error ? err : new Error(String(err));
  if (err.code === 'LISTENER_BIND_FAILED') {
    return new ConfigError(
      `${file}: ${BROKER_LISTENERS_CONFIG}=${config.get(BROKER_LISTENERS_CONFIG)}: the integrated broker ${err.message}; choose a free port in ${BROKER_LISTENERS_CONFIG}, or set ${BOOTSTRAP_SERVERS_CONFIG} to use a running cluster`,
      { code: 'PORT_IN_USE', cause: err, context: { file, key: BROKER_LISTENERS_CONFIG } },
    );
  }
  if (err.code === 'DATA_DIR_LOCKED') {
    return new ConfigError(`${file}: ${BROKER_DATA_DIR_CONFIG}=${config.get(BROKER_DATA_DIR_CONFIG)}: ${err.message}`, {
      code: err.code,
      cause: err,
      context: { file, key: BROKER_DATA_DIR_CONFIG },
    });
  }
  const key = typeof err.context.key === 'string' ? `broker.${err.context.key}` : undefined;
  return new ConfigError(`${file}: ${key === undefined ? '' : `${key}: `}the integrated broker could not start: ${messageOf(err)}`, {
    code: err.code,
    cause: err,
    context: { file, ...(key === undefined ? {} : { key }) },
  });
}

/** Messages between the launcher (standalone.ts) and this thread. */
export type RuntimeMessage =
  | { type: 'started' }
  | { type: 'failed'; code: string; message: string; stack: string | undefined }
  | { type: 'stopped' };

async function main(argv: string[], brokerPort: MessagePort | undefined): Promise<void> {
  const port = parentPort!;
  const send = (message: RuntimeMessage): void => port.postMessage(message);
  let running: Running;
  let log: Logger;
  try {
    const root = createLogger();
    const loggers = new LoggerLevels(root, systemClock);
    log = loggers.logger('connect.standalone');
    const prepared = await prepare(argv, log, brokerPort);
    running = await start(prepared, loggers, log);
  } catch (err) {
    send({ type: 'failed', code: err instanceof SluiceError ? err.code : 'STARTUP_FAILED', message: messageOf(err), stack: err instanceof Error ? err.stack : undefined });
    return;
  }
  send({ type: 'started' });
  port.once('message', (message: { type: string; signal?: string }) => {
    if (message.type !== 'stop') return;
    log.info(`${message.signal ?? 'stop'} received: stopping connectors and flushing offsets`);
    void running
      .stop()
      .catch((err: unknown) => log.error({ err }, 'stopping failed'))
      .finally(() => {
        log.info('Kafka Connect standalone stopped');
        send({ type: 'stopped' });
      });
  });
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === 'connect-standalone') {
  const data = workerData as { argv: string[]; brokerPort?: MessagePort };
  await main(data.argv, data.brokerPort);
}
