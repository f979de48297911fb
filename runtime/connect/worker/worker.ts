/**
 * The worker (Kafka's Worker): runs connector instances and task loops on this process, with
 * their clients, converters, transformation chains, error handling and metrics. The herder
 * decides what runs; the worker makes it run and reports status changes back.
 */
import type { ClientConfig, KafkaAdmin } from '../../client/index.ts';
import { KafkaAdmin as Admin, KafkaConsumer, KafkaProducer } from '../../client/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { ConfigError } from '../../util/errors.ts';
import type { Random } from '../../util/random.ts';
import type { ConnectRecord, SinkConnector, SinkRecord, SinkTask, SourceConnector, SourceRecord, SourceTask } from '../api/index.ts';
import { originalsWithPrefix } from '../config/index.ts';
import type { SourceOffsetStore } from '../offsets/index.ts';
import { DLQ_TOPIC_NAME_CONFIG, TOPICS_CONFIG, TOPICS_REGEX_CONFIG, errorHandlingConfig, SINK_CONNECTOR_CONFIG, SOURCE_CONNECTOR_CONFIG } from './connector-config.ts';
import { DeadLetterQueueReporter, ensureDeadLetterQueueTopic } from './errors/dead-letter-queue.ts';
import { LogReporter } from './errors/log-reporter.ts';
import type { ErrorReporter } from './errors/processing-context.ts';
import { RetryWithToleranceOperator } from './errors/retry-with-tolerance.ts';
import type { ConnectMetrics } from './metrics.ts';
import type { PluginRegistry } from './plugins.ts';
import { createTaskConverters } from './task-converters.ts';
import type { TransformationStage } from './transformation-chain.ts';
import { buildTransformationChain } from './transformation-chain.ts';
import type { ConnectorStatusListener, TargetState } from './worker-connector.ts';
import { WorkerConnector } from './worker-connector.ts';
import type { RecordConsumer } from './worker-sink-task.ts';
import { WorkerSinkTask } from './worker-sink-task.ts';
import type { RecordProducer } from './worker-source-task.ts';
import { WorkerSourceTask } from './worker-source-task.ts';
import type { ConnectorTaskId, TaskStatusListener } from './worker-task.ts';
import type { WorkerTask } from './worker-task.ts';
import { taskIdString } from './worker-task.ts';

/** Creates the Kafka clients of tasks; tests substitute in-memory ones. */
export interface ClientFactory {
  producer(config: ClientConfig, logger: Logger): RecordProducer;
  consumer(config: ClientConfig, logger: Logger): RecordConsumer;
  admin(config: ClientConfig, logger: Logger): KafkaAdmin;
}

export const kafkaClients: ClientFactory = {
  producer: (config, logger) => new KafkaProducer(config, { logger }),
  consumer: (config, logger) => new KafkaConsumer(config, { logger }),
  admin: (config, logger) => new Admin(config, { logger }),
};

export interface WorkerOptions {
  workerId: string;
  /** Worker properties with config provider references resolved. */
  workerProps: Readonly<Record<string, string>>;
  /** Settings converters get unless they set them, e.g. schema.registry.url of the integrated registry. */
  converterDefaults?: Readonly<Record<string, string>>;
  bootstrapServers: string;
  flushIntervalMs: number;
  flushTimeoutMs: number;
  shutdownTimeoutMs: number;
  plugins: PluginRegistry;
  offsetStore: SourceOffsetStore;
  metrics: ConnectMetrics;
  /** A logger for a dotted name (connect.worker, connect.connector.NAME, connect.task.NAME) bound to `bindings`. */
  loggerFor: (name: string, bindings?: Record<string, unknown>) => Logger;
  clock: Clock;
  random: Random;
  clients?: ClientFactory;
  /** Topic tracking: a connector used a topic. */
  onTopic?: (connector: string, topic: string) => void;
}

/** Largest timer Node accepts; the producer waits this long instead of Kafka Connect's "forever". */
const FOREVER_MS = '2147483647';

export class Worker {
  readonly #options: WorkerOptions;
  readonly #clients: ClientFactory;
  readonly #connectors = new Map<string, WorkerConnector>();
  readonly #tasks = new Map<string, { id: ConnectorTaskId; task: WorkerTask }>();
  readonly #logger: Logger;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#clients = options.clients ?? kafkaClients;
    this.#logger = options.loggerFor('connect.worker');
  }

  get workerId(): string {
    return this.#options.workerId;
  }

  connector(name: string): WorkerConnector | undefined {
    return this.#connectors.get(name);
  }

  /**
   * Creates and starts (or pauses/stops, per `state`) a connector instance. Returns false when it
   * failed; the listener has then been told why.
   */
  async startConnector(name: string, props: Readonly<Record<string, string>>, state: TargetState, listener: ConnectorStatusListener): Promise<boolean> {
    if (this.#connectors.has(name)) throw new ConfigError(`Connector ${name} is already running on this worker`, { code: 'CONNECT_ALREADY_EXISTS' });
    const logger = this.#options.loggerFor(`connect.connector.${name}`, { connector: name });
    let instance: WorkerConnector;
    try {
      const plugin = this.#options.plugins.connector(props['connector.class'] ?? '');
      instance = new WorkerConnector({ name, connector: plugin.create(), type: plugin.type, props, offsetStore: this.#options.offsetStore, listener, logger });
      this.#options.metrics.connectorInfo(name, plugin.className, plugin.type, plugin.version);
    } catch (err) {
      this.#options.metrics.startup('connector', false);
      listener.onFailure(name, err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    this.#connectors.set(name, instance);
    try {
      await instance.transitionTo(state);
      this.#options.metrics.startup('connector', true);
      logger.info(`connector ${name} ${state === 'STARTED' ? 'started' : state === 'PAUSED' ? 'created paused' : 'created stopped'}`);
      return true;
    } catch {
      this.#options.metrics.startup('connector', false);
      return false;
    }
  }

  async setConnectorState(name: string, state: TargetState): Promise<void> {
    const instance = this.#connectors.get(name);
    if (instance === undefined) return;
    await instance.transitionTo(state).catch(() => undefined);
    for (const { id, task } of this.#tasks.values()) if (id.connector === name && state !== 'STOPPED') task.transitionTo(state === 'PAUSED' ? 'PAUSED' : 'STARTED');
  }

  /** Task configs of a started connector, each with `task.class` set as Kafka does. */
  async connectorTaskConfigs(name: string, maxTasks: number): Promise<Array<Record<string, string>>> {
    const instance = this.#connectors.get(name);
    if (instance === undefined || !instance.isRunning) return [];
    return instance.taskConfigs(maxTasks);
  }

  async stopConnector(name: string): Promise<void> {
    const instance = this.#connectors.get(name);
    if (instance === undefined) return;
    this.#connectors.delete(name);
    await instance.shutdown();
  }

  taskIds(connector: string): ConnectorTaskId[] {
    return [...this.#tasks.values()].filter(({ id }) => id.connector === connector).map(({ id }) => id);
  }

  /**
   * Creates a task's clients, converters, transforms and error handling and starts its loop.
   * Returns false when it could not be created (the listener was told why).
   */
  async startTask(
    id: ConnectorTaskId,
    connectorProps: Readonly<Record<string, string>>,
    taskProps: Readonly<Record<string, string>>,
    listener: TaskStatusListener,
    state: 'STARTED' | 'PAUSED',
  ): Promise<boolean> {
    const key = taskIdString(id);
    if (this.#tasks.has(key)) throw new ConfigError(`Task ${key} is already running on this worker`, { code: 'CONNECT_ALREADY_EXISTS' });
    const logger = this.#options.loggerFor(`connect.task.${id.connector}`, { connector: id.connector, task: id.task });
    let task: WorkerTask;
    try {
      task = await this.#buildTask(id, connectorProps, taskProps, listener, state, logger);
    } catch (err) {
      this.#options.metrics.startup('task', false);
      logger.error({ err }, `failed to create task ${key}`);
      listener.onFailure(id, err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    this.#options.metrics.startup('task', true);
    this.#tasks.set(key, { id, task });
    void task.run().finally(() => {
      if (this.#tasks.get(key)?.task === task) this.#tasks.delete(key);
    });
    return true;
  }

  async #buildTask(
    id: ConnectorTaskId,
    connectorProps: Readonly<Record<string, string>>,
    taskProps: Readonly<Record<string, string>>,
    listener: TaskStatusListener,
    state: 'STARTED' | 'PAUSED',
    logger: Logger,
  ): Promise<WorkerTask> {
    const { metrics, clock, random, workerProps, flushIntervalMs, flushTimeoutMs } = this.#options;
    const plugin = this.#options.plugins.connector(connectorProps['connector.class'] ?? '');
    const instance = this.#connectors.get(id.connector);
    const connector = instance?.connector ?? plugin.create();
    const converters = createTaskConverters(workerProps, connectorProps, this.#options.converterDefaults);
    const taskMetrics = metrics.task(id.connector, id.task, plugin.type);
    const chainOf = <R extends ConnectRecord<R>>(): { stages: Array<TransformationStage<R>>; close: () => void } => {
      const chain = buildTransformationChain<R>(connectorProps);
      for (const warning of chain.warnings) logger.warn(warning);
      return { stages: chain.stages, close: () => chain.stages.forEach((stage) => stage.close()) };
    };
    const def = plugin.type === 'sink' ? SINK_CONNECTOR_CONFIG : SOURCE_CONNECTOR_CONFIG;
    const common = def.parse(connectorProps).values() as Record<string, unknown>;
    const errors = errorHandlingConfig(common);
    const reporters: ErrorReporter[] = [];
    if (errors.logEnable) reporters.push(new LogReporter(logger, taskIdString(id), errors.logIncludeMessages, taskMetrics));
    // The operator ends retries once the task it serves is stopping.
    let built: WorkerTask | undefined;
    const operatorFor = (): RetryWithToleranceOperator =>
      new RetryWithToleranceOperator({
        config: errors,
        reporters,
        metrics: taskMetrics,
        clock,
        random,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        stopping: () => built?.isStopping ?? false,
      });
    const onTopic = (topic: string): void => this.#options.onTopic?.(id.connector, topic);
    const base = { id, logger, clock, listener, initialState: state } as const;
    if (plugin.type === 'source') {
      const TaskClass = (connector as SourceConnector).taskClass();
      const chain = chainOf<SourceRecord>();
      const producer = this.#clients.producer(this.#producerConfig(id, connectorProps), logger);
      const operator = operatorFor();
      const task = new WorkerSourceTask({
        ...base,
        task: new TaskClass() as SourceTask,
        taskConfig: taskProps,
        converters,
        transforms: chain.stages,
        producer,
        offsetStore: this.#options.offsetStore,
        operator,
        metrics: taskMetrics,
        flushIntervalMs,
        flushTimeoutMs,
        onTopic,
        closeResources: async () => chain.close(),
      });
      built = task;
      return task;
    }
    const TaskClass = (connector as SinkConnector).taskClass();
    const chain = chainOf<SinkRecord>();
    const subscription = sinkSubscription(connectorProps);
    let dlqProducer: RecordProducer | null = null;
    if (errors.dlqTopic !== '') {
      const admin = this.#clients.admin(this.#adminConfig(connectorProps), logger);
      try {
        await ensureDeadLetterQueueTopic(admin, errors.dlqTopic, errors.dlqReplicationFactor);
      } finally {
        await admin.close().catch(() => undefined);
      }
      dlqProducer = this.#clients.producer({ ...this.#producerConfig(id, connectorProps), 'client.id': `connector-dlq-producer-${id.connector}-${id.task}` }, logger);
      const producer = dlqProducer;
      reporters.push(
        new DeadLetterQueueReporter({
          topic: errors.dlqTopic,
          replicationFactor: errors.dlqReplicationFactor,
          contextHeaders: errors.dlqContextHeaders,
          connector: id.connector,
          task: id.task,
          send: (record) => producer.send(record),
          metrics: taskMetrics,
          logger,
        }),
      );
    }
    const operator = operatorFor();
    const consumerConfig = this.#consumerConfig(id, connectorProps);
    const task = new WorkerSinkTask({
      ...base,
      task: new TaskClass() as SinkTask,
      taskConfig: taskProps,
      subscription,
      converters,
      transforms: chain.stages,
      createConsumer: () => this.#clients.consumer(consumerConfig, logger),
      operator,
      metrics: taskMetrics,
      flushIntervalMs,
      errantRecordReporter: async (raw, error) => {
        await operator.failed({ stage: 'TASK_PUT', className: TaskClass.name, error, attempts: 0, consumerRecord: raw });
      },
      reportsConsumedRecords: reporters.length > 0,
      onTopic,
      closeResources: async () => {
        chain.close();
        await dlqProducer?.close();
      },
    });
    built = task;
    return task;
  }

  #producerConfig(id: ConnectorTaskId, connectorProps: Readonly<Record<string, string>>): ClientConfig {
    return {
      'bootstrap.servers': this.#options.bootstrapServers,
      'client.id': `connector-producer-${id.connector}-${id.task}`,
      acks: 'all',
      'delivery.timeout.ms': FOREVER_MS,
      'max.block.ms': FOREVER_MS,
      // Larger batches than Kafka's 16 KB default: a request then carries hundreds of records
      // instead of tens, so the worker and the broker handle fewer requests per record.
      'batch.size': '131072',
      ...originalsWithPrefix(this.#options.workerProps, 'producer.'),
      ...originalsWithPrefix(connectorProps, 'producer.override.'),
    };
  }

  #consumerConfig(id: ConnectorTaskId, connectorProps: Readonly<Record<string, string>>): ClientConfig {
    return {
      'bootstrap.servers': this.#options.bootstrapServers,
      'group.id': `connect-${id.connector}`,
      'client.id': `connector-consumer-${id.connector}-${id.task}`,
      'enable.auto.commit': 'false',
      'auto.offset.reset': 'earliest',
      ...originalsWithPrefix(this.#options.workerProps, 'consumer.'),
      ...originalsWithPrefix(connectorProps, 'consumer.override.'),
    };
  }

  #adminConfig(connectorProps: Readonly<Record<string, string>>): ClientConfig {
    return {
      'bootstrap.servers': this.#options.bootstrapServers,
      ...originalsWithPrefix(this.#options.workerProps, 'admin.'),
      ...originalsWithPrefix(connectorProps, 'admin.override.'),
    };
  }

  /** An admin client with the worker's settings (and a connector's overrides), for offsets and topics. */
  admin(connectorProps: Readonly<Record<string, string>> = {}): KafkaAdmin {
    return this.#clients.admin(this.#adminConfig(connectorProps), this.#logger);
  }

  /** Stops tasks, waiting up to task.shutdown.graceful.timeout.ms for each to finish. */
  async stopTasks(ids: readonly ConnectorTaskId[]): Promise<void> {
    const running = ids.flatMap((id) => {
      const entry = this.#tasks.get(taskIdString(id));
      return entry === undefined ? [] : [entry];
    });
    await Promise.all(
      running.map(async ({ id, task }) => {
        const ended = await task.stop(this.#options.shutdownTimeoutMs);
        if (!ended) this.#logger.error({ connector: id.connector, task: id.task }, `graceful stop of task ${taskIdString(id)} failed (task.shutdown.graceful.timeout.ms=${this.#options.shutdownTimeoutMs})`);
        this.#tasks.delete(taskIdString(id));
      }),
    );
  }

  /** Stops every task and connector. */
  async stop(): Promise<void> {
    await this.stopTasks([...this.#tasks.values()].map(({ id }) => id));
    for (const name of [...this.#connectors.keys()]) await this.stopConnector(name);
  }
}

/** The sink's subscription: exactly one of topics and topics.regex (Kafka's rule). */
export function sinkSubscription(props: Readonly<Record<string, string>>): readonly string[] | RegExp {
  const topics = (props[TOPICS_CONFIG] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const regex = (props[TOPICS_REGEX_CONFIG] ?? '').trim();
  if (topics.length > 0 && regex !== '') {
    throw new ConfigError(`${TOPICS_CONFIG} and ${TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set.`, { context: { key: TOPICS_CONFIG } });
  }
  if (topics.length === 0 && regex === '') {
    throw new ConfigError(`Must configure one of ${TOPICS_CONFIG} or ${TOPICS_REGEX_CONFIG}`, { code: 'CONFIG_MISSING', context: { key: TOPICS_CONFIG } });
  }
  const dlq = (props[DLQ_TOPIC_NAME_CONFIG] ?? '').trim();
  if (dlq !== '' && topics.includes(dlq)) {
    throw new ConfigError(`The DLQ topic '${dlq}' may not be included in the list of topics ('${TOPICS_CONFIG}=${topics.join(',')}') consumed by the connector`, {
      context: { key: DLQ_TOPIC_NAME_CONFIG },
    });
  }
  if (regex === '') return topics;
  try {
    return new RegExp(regex);
  } catch (err) {
    throw new ConfigError(`Invalid value "${regex}" for configuration ${TOPICS_REGEX_CONFIG}: ${(err as Error).message}`, { context: { key: TOPICS_REGEX_CONFIG }, cause: err });
  }
}
