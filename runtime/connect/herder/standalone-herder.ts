/**
 * The standalone herder (Kafka's StandaloneHerder): the control plane of one worker. It keeps
 * connector configs (as given, with config provider references unresolved), target states
 * (RUNNING / PAUSED / STOPPED), task configs and statuses in memory, and drives the worker.
 * Every method the REST API needs is here, returning Kafka Connect's JSON shapes and throwing
 * NotFoundException (404), AlreadyExistsException (409), BadRequestException (400) or
 * ForbiddenException (403); see httpStatusOf. Mutations run one at a time.
 */
import type { ConfigProvider } from '../config/index.ts';
import { isSensitiveKeyName, resolveConfigVariables, HIDDEN, configKeyInfo } from '../config/index.ts';
import type { ConfigInfos, ConfigKeyInfo, SinkConnector, SourceConnector, SourceMap } from '../api/index.ts';
import { AlreadyExistsException, NotFoundException } from '../api/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { messageOf } from '../../util/errors.ts';
import type { SourceOffsetEntry, SourceOffsetStore } from '../offsets/index.ts';
import { NAME_CONFIG, SINK_CONNECTOR_CONFIG, SOURCE_CONNECTOR_CONFIG, TASKS_MAX_CONFIG, TOPICS_CONFIG, TOPICS_REGEX_CONFIG } from '../worker/connector-config.ts';
import type { ConnectMetrics, ConnectorStateName } from '../worker/metrics.ts';
import type { ConnectorPlugin, ConnectorType, PluginDescriptor, PluginRegistry } from '../worker/plugins.ts';
import type { Worker } from '../worker/worker.ts';
import type { ConnectorStatusListener, TargetState } from '../worker/worker-connector.ts';
import type { ConnectorTaskId, TaskStatusListener } from '../worker/worker-task.ts';
import type { OverridePolicy } from './connector-validation.ts';
import { validateConnectorConfig, validationErrors } from './connector-validation.ts';
import { BadRequestException, ForbiddenException } from './herder-errors.ts';
import type {
  ActiveTopicsInfo,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorState,
  ConnectorStateInfo,
  HealthInfo,
  InitialState,
  LoggerLevel,
  Message,
  PutConnectorResult,
  RestartOptions,
  ServerInfo,
  TaskInfo,
  TaskStateInfo,
} from './herder-types.ts';
import type { LoggerLevels } from './logger-levels.ts';
import type { TaskRestartConfig } from './task-restart-policy.ts';
import { TaskRestartPolicy } from './task-restart-policy.ts';

export interface HerderOptions {
  worker: Worker;
  plugins: PluginRegistry;
  offsetStore: SourceOffsetStore;
  metrics: ConnectMetrics;
  loggers: LoggerLevels;
  clock: Clock;
  /** Worker properties with references resolved (converter defaults for validation). */
  workerProps: Readonly<Record<string, string>>;
  /** Settings converters get unless they set them (the integrated registry's URL). */
  converterDefaults?: Readonly<Record<string, string>>;
  configProviders: ReadonlyMap<string, ConfigProvider>;
  overridePolicy: OverridePolicy;
  topicTracking: { enabled: boolean; allowReset: boolean };
  taskRestart: TaskRestartConfig;
  version: string;
  commit: string;
  kafkaClusterId: () => Promise<string | null>;
}

interface Status {
  state: ConnectorState;
  trace?: string;
}

interface ConnectorEntry {
  readonly name: string;
  /** As submitted: config provider references are kept, never resolved secrets. */
  config: Record<string, string>;
  resolved: Record<string, string>;
  plugin: ConnectorPlugin;
  target: TargetState;
  taskConfigs: Array<Record<string, string>>;
  status: Status;
  tasks: Map<number, Status>;
  topics: Set<string>;
  restartPolicies: Map<number, TaskRestartPolicy>;
  restartTimers: Map<number, NodeJS.Timeout>;
  /** Bumped whenever instances are replaced, so late callbacks of old ones are ignored. */
  generation: number;
}

const SINK_OFFSET_TOPIC = 'kafka_topic';
const SINK_OFFSET_PARTITION = 'kafka_partition';
const SINK_OFFSET_OFFSET = 'kafka_offset';

/** A stack trace with its causes, as Kafka's status `trace` shows it. */
export function traceOf(error: Error): string {
  let trace = error.stack ?? `${error.name}: ${error.message}`;
  let cause = (error as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 8; depth++) {
    trace += `\nCaused by: ${cause.stack ?? `${cause.name}: ${cause.message}`}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return trace;
}

export class StandaloneHerder {
  readonly #options: HerderOptions;
  readonly #connectors = new Map<string, ConnectorEntry>();
  readonly #logger: Logger;
  #queue: Promise<unknown> = Promise.resolve();
  #state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';

  constructor(options: HerderOptions) {
    this.#options = options;
    this.#logger = options.loggers.logger('connect.herder');
  }

  get workerId(): string {
    return this.#options.worker.workerId;
  }

  /** Marks the worker ready (GET /health answers 200 from now on). */
  start(): void {
    this.#state = 'running';
    this.#logger.info('Kafka Connect standalone herder started');
  }

  /** Stops every task and connector, keeping configs; offsets are flushed by the tasks. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    await this.#exclusive(async () => {
      for (const entry of this.#connectors.values()) {
        this.#cancelRestarts(entry);
        entry.generation++;
      }
      await this.#options.worker.stop();
    });
    await this.#options.offsetStore.close();
    this.#state = 'stopped';
    this.#logger.info('herder stopped');
  }

  /** Runs mutations one at a time, in call order. */
  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(operation);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #entry(name: string): ConnectorEntry {
    const entry = this.#connectors.get(name);
    if (entry === undefined) throw new NotFoundException(`Connector ${name} not found`);
    return entry;
  }

  // ---- reads --------------------------------------------------------------------------------

  /** GET /connectors: names, sorted. */
  connectors(): string[] {
    return [...this.#connectors.keys()].sort();
  }

  /** GET /connectors/{name}. */
  connectorInfo(name: string): ConnectorInfo {
    const entry = this.#entry(name);
    return {
      name,
      config: this.#masked(entry.plugin, entry.config),
      tasks: entry.taskConfigs.map((_, task) => ({ connector: name, task })),
      type: entry.plugin.type,
    };
  }

  /** GET /connectors/{name}/config (secrets masked, provider references kept). */
  connectorConfig(name: string): Record<string, string> {
    const entry = this.#entry(name);
    return this.#masked(entry.plugin, entry.config);
  }

  /** GET /connectors/{name}/status. */
  connectorStatus(name: string): ConnectorStateInfo {
    const entry = this.#entry(name);
    const workerId = this.workerId;
    return {
      name,
      connector: { state: entry.status.state, worker_id: workerId, ...(entry.status.trace === undefined ? {} : { trace: entry.status.trace }) },
      tasks: [...entry.tasks.entries()].sort(([a], [b]) => a - b).map(([id, status]) => this.#taskState(id, status)),
      type: entry.plugin.type,
    };
  }

  #taskState(id: number, status: Status): TaskStateInfo {
    return { id, state: status.state, worker_id: this.workerId, ...(status.trace === undefined ? {} : { trace: status.trace }) };
  }

  /** GET /connectors/{name}/tasks. */
  taskConfigs(name: string): TaskInfo[] {
    const entry = this.#entry(name);
    return entry.taskConfigs.map((config, task) => ({ id: { connector: name, task }, config: this.#masked(entry.plugin, config) }));
  }

  /** GET /connectors/{name}/tasks/{task}/status. */
  taskStatus(name: string, task: number): TaskStateInfo {
    const entry = this.#entry(name);
    const status = entry.tasks.get(task);
    if (status === undefined) throw new NotFoundException(`Task ${name}-${task} not found`);
    return this.#taskState(task, status);
  }

  /** GET /connectors/{name}/topics. */
  connectorActiveTopics(name: string): ActiveTopicsInfo {
    if (!this.#options.topicTracking.enabled) throw new ForbiddenException('Topic tracking is disabled.');
    const entry = this.#entry(name);
    return { [name]: { topics: [...entry.topics].sort() } };
  }

  /** Topic tracking: the worker saw a connector use `topic`. */
  recordTopic(connector: string, topic: string): void {
    if (this.#options.topicTracking.enabled) this.#connectors.get(connector)?.topics.add(topic);
  }

  /** PUT /connectors/{name}/topics/reset. */
  resetConnectorActiveTopics(name: string): void {
    if (!this.#options.topicTracking.enabled) throw new ForbiddenException('Topic tracking is disabled.');
    if (!this.#options.topicTracking.allowReset) throw new ForbiddenException('Topic tracking reset is disabled.');
    this.#entry(name).topics.clear();
  }

  /** GET /connector-plugins[?connectorsOnly=false]. */
  connectorPlugins(connectorsOnly = true): PluginDescriptor[] {
    return this.#options.plugins.plugins(connectorsOnly);
  }

  /** GET /connector-plugins/{plugin}/config: the plugin's own config keys. */
  connectorPluginConfig(pluginName: string): ConfigKeyInfo[] {
    const plugin = this.#options.plugins.find(pluginName);
    if (plugin === undefined) throw new NotFoundException(`Unknown plugin ${pluginName}.`);
    return plugin
      .create()
      .config()
      .keys()
      .filter((k) => !k.internal)
      .map((k) => configKeyInfo(k));
  }

  /** PUT /connector-plugins/{plugin}/config/validate: never throws for config errors (they are in the result). */
  async validateConnectorConfig(config: Readonly<Record<string, string>>): Promise<ConfigInfos> {
    return (await this.#validate(config)).infos;
  }

  #validate(config: Readonly<Record<string, string>>): ReturnType<typeof validateConnectorConfig> {
    return validateConnectorConfig({ plugins: this.#options.plugins, workerProps: this.#options.workerProps, converterDefaults: this.#options.converterDefaults, overridePolicy: this.#options.overridePolicy }, config);
  }

  /** GET /admin/loggers. */
  loggers(): Record<string, LoggerLevel> {
    return this.#options.loggers.levels();
  }

  /** GET /admin/loggers/{name}. */
  logger(name: string): LoggerLevel {
    return this.#options.loggers.level(name);
  }

  /** PUT /admin/loggers/{name}: the names of the loggers changed. */
  setLoggerLevel(namespace: string, level: string): string[] {
    return this.#options.loggers.setLevel(namespace, level);
  }

  /** GET /health. */
  health(): HealthInfo {
    switch (this.#state) {
      case 'starting':
        return { statusCode: 503, body: { status: 'starting', message: 'Worker is still starting up.' } };
      case 'running':
        return { statusCode: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } };
      default:
        return { statusCode: 500, body: { status: 'unhealthy', message: 'Worker is shutting down.' } };
    }
  }

  /** GET /. */
  async serverInfo(): Promise<ServerInfo> {
    let clusterId: string | null = null;
    try {
      clusterId = await this.#options.kafkaClusterId();
    } catch (err) {
      this.#logger.warn({ err }, 'could not read the Kafka cluster id');
    }
    return { version: this.#options.version, commit: this.#options.commit, kafka_cluster_id: clusterId };
  }

  /** The Prometheus registry behind GET /metrics. */
  get metricsRegistry(): ConnectMetrics['registry'] {
    return this.#options.metrics.registry;
  }

  #masked(plugin: ConnectorPlugin, config: Readonly<Record<string, string>>): Record<string, string> {
    const common = plugin.type === 'sink' ? SINK_CONNECTOR_CONFIG : SOURCE_CONNECTOR_CONFIG;
    const own = plugin.create().config();
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      const defined = common.key(key) ?? own.key(key);
      const secret = defined ? defined.type === 'PASSWORD' : isSensitiveKeyName(key);
      out[key] = secret && !/^(?:\$\{[^}]*\})+$/.test(value) ? HIDDEN : value;
    }
    return out;
  }

  // ---- connector lifecycle ------------------------------------------------------------------

  /** POST /connectors: 409 (AlreadyExistsException) when the name is taken. */
  createConnector(name: string, config: Readonly<Record<string, string>>, initialState: InitialState = 'RUNNING'): Promise<ConnectorInfo> {
    return this.#exclusive(async () => {
      if (this.#connectors.has(name)) throw new AlreadyExistsException(`Connector ${name} already exists`);
      await this.#put(name, config, targetOf(initialState));
      return this.connectorInfo(name);
    });
  }

  /** PUT /connectors/{name}/config: creates (201) or replaces (200). */
  putConnectorConfig(name: string, config: Readonly<Record<string, string>>): Promise<PutConnectorResult> {
    return this.#exclusive(async () => {
      const existing = this.#connectors.get(name);
      await this.#put(name, config, existing?.target ?? 'STARTED');
      return { created: existing === undefined, info: this.connectorInfo(name) };
    });
  }

  /** PATCH /connectors/{name}/config: merges `patch` (null removes a key). */
  patchConnectorConfig(name: string, patch: Readonly<Record<string, string | null>>): Promise<ConnectorInfo> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      const merged: Record<string, string> = { ...entry.config };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      await this.#put(name, merged, entry.target);
      return this.connectorInfo(name);
    });
  }

  /** Validates, resolves and (re)starts a connector with `config`. */
  async #put(name: string, raw: Readonly<Record<string, string>>, target: TargetState): Promise<void> {
    if (raw[NAME_CONFIG] !== undefined && raw[NAME_CONFIG] !== name) {
      throw new BadRequestException(`Connector name configuration (${raw[NAME_CONFIG]}) doesn't match connector name in the URL (${name})`, { context: { key: NAME_CONFIG } });
    }
    const config = { ...raw, [NAME_CONFIG]: name };
    const resolved = await this.#resolve(name, config);
    const { plugin, infos } = await this.#validate(resolved);
    const errors = validationErrors(infos);
    if (errors.length > 0) {
      const lines = errors.map(({ key, message }) => (message.includes(key) ? message : `${key}: ${message}`));
      throw new BadRequestException(
        `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${lines.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``,
        { context: { connector: name, errors } },
      );
    }
    const previous = this.#connectors.get(name);
    if (previous !== undefined) await this.#shutdown(previous);
    const entry: ConnectorEntry = {
      name,
      config,
      resolved,
      plugin,
      target,
      taskConfigs: [],
      status: { state: 'UNASSIGNED' },
      tasks: new Map(),
      topics: previous?.topics ?? new Set(),
      restartPolicies: new Map(),
      restartTimers: new Map(),
      generation: (previous?.generation ?? 0) + 1,
    };
    this.#connectors.set(name, entry);
    this.#logger.info({ connector: name, class: plugin.className }, previous === undefined ? `creating connector ${name}` : `reconfiguring connector ${name}`);
    await this.#startConnector(entry);
  }

  async #resolve(name: string, config: Record<string, string>): Promise<Record<string, string>> {
    try {
      const { values, warnings } = await resolveConfigVariables(config, this.#options.configProviders);
      for (const warning of warnings) this.#logger.warn({ connector: name }, warning);
      return values;
    } catch (err) {
      throw new BadRequestException(`Connector ${name}: ${messageOf(err)}`, { cause: err, context: (err as { context?: Record<string, unknown> }).context ?? {} });
    }
  }

  async #startConnector(entry: ConnectorEntry): Promise<void> {
    const generation = entry.generation;
    const started = await this.#options.worker.startConnector(entry.name, entry.resolved, entry.target === 'STOPPED' ? 'STOPPED' : 'STARTED', this.#connectorListener(entry, generation));
    if (!started || entry.target === 'STOPPED') return;
    await this.#generateAndStartTasks(entry, entry.target === 'PAUSED' ? 'PAUSED' : 'STARTED');
    if (entry.target === 'PAUSED') await this.#options.worker.setConnectorState(entry.name, 'PAUSED');
  }

  async #generateAndStartTasks(entry: ConnectorEntry, state: 'STARTED' | 'PAUSED'): Promise<void> {
    const configs = await this.#generateTaskConfigs(entry);
    if (configs === null) return;
    entry.taskConfigs = configs;
    await this.#startTasks(entry, state);
  }

  /** The connector's task configs, decorated as Kafka does; null (connector FAILED) when it broke tasks.max. */
  async #generateTaskConfigs(entry: ConnectorEntry): Promise<Array<Record<string, string>> | null> {
    const maxTasks = Number(entry.resolved[TASKS_MAX_CONFIG] ?? 1);
    let configs: Array<Record<string, string>>;
    try {
      configs = await this.#options.worker.connectorTaskConfigs(entry.name, maxTasks);
    } catch (err) {
      this.#setConnectorStatus(entry, { state: 'FAILED', trace: traceOf(asError(err)) });
      return null;
    }
    const enforce = (entry.resolved['tasks.max.enforce'] ?? 'true').trim().toLowerCase() !== 'false';
    if (configs.length > maxTasks && enforce) {
      const error = new BadRequestException(
        `The connector ${entry.name} has generated ${configs.length} tasks, which is greater than ${maxTasks}, the maximum number of tasks it is configured to create.`,
      );
      this.#setConnectorStatus(entry, { state: 'FAILED', trace: traceOf(error) });
      return null;
    }
    const instance = this.#options.worker.connector(entry.name);
    const taskClass = instance ? (instance.connector as SourceConnector | SinkConnector).taskClass().name : '';
    return configs.map((config) => {
      const decorated: Record<string, string> = { ...config, 'task.class': taskClass };
      if (entry.plugin.type === 'sink') {
        if (entry.resolved[TOPICS_CONFIG] !== undefined) decorated[TOPICS_CONFIG] = entry.resolved[TOPICS_CONFIG];
        if (entry.resolved[TOPICS_REGEX_CONFIG] !== undefined) decorated[TOPICS_REGEX_CONFIG] = entry.resolved[TOPICS_REGEX_CONFIG];
      }
      return decorated;
    });
  }

  async #startTasks(entry: ConnectorEntry, state: 'STARTED' | 'PAUSED'): Promise<void> {
    for (let task = 0; task < entry.taskConfigs.length; task++) await this.#startTask(entry, task, state);
  }

  async #startTask(entry: ConnectorEntry, task: number, state: 'STARTED' | 'PAUSED'): Promise<void> {
    entry.tasks.set(task, { state: 'UNASSIGNED' });
    this.#options.metrics.taskStatus(entry.name, task, 'UNASSIGNED');
    let policy = entry.restartPolicies.get(task);
    if (policy === undefined) {
      policy = new TaskRestartPolicy(this.#options.taskRestart);
      entry.restartPolicies.set(task, policy);
    }
    policy.started(this.#options.clock.now());
    await this.#options.worker.startTask({ connector: entry.name, task }, entry.resolved, entry.taskConfigs[task], this.#taskListener(entry, entry.generation), state);
  }

  async #stopTasks(entry: ConnectorEntry): Promise<void> {
    this.#cancelRestarts(entry);
    await this.#options.worker.stopTasks(this.#options.worker.taskIds(entry.name));
  }

  #cancelRestarts(entry: ConnectorEntry): void {
    for (const timer of entry.restartTimers.values()) clearTimeout(timer);
    entry.restartTimers.clear();
  }

  /** Stops tasks and connector of an entry being replaced or deleted. */
  async #shutdown(entry: ConnectorEntry): Promise<void> {
    entry.generation++;
    await this.#stopTasks(entry);
    await this.#options.worker.stopConnector(entry.name);
  }

  /** DELETE /connectors/{name}. Source offsets and the sink's group offsets are kept, as in Kafka. */
  deleteConnector(name: string): Promise<void> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      await this.#shutdown(entry);
      this.#connectors.delete(name);
      for (const task of entry.tasks.keys()) this.#options.metrics.removeTask(name, task);
      this.#options.metrics.removeConnector(name);
      this.#logger.info({ connector: name }, `deleted connector ${name}`);
    });
  }

  /** PUT /connectors/{name}/pause. */
  pauseConnector(name: string): Promise<void> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      if (entry.target === 'PAUSED') return;
      const wasStopped = entry.target === 'STOPPED';
      entry.target = 'PAUSED';
      if (wasStopped) {
        await this.#options.worker.setConnectorState(name, 'STARTED');
        await this.#generateAndStartTasks(entry, 'PAUSED');
      }
      await this.#options.worker.setConnectorState(name, 'PAUSED');
    });
  }

  /** PUT /connectors/{name}/resume. */
  resumeConnector(name: string): Promise<void> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      if (entry.target === 'STARTED') return;
      const wasStopped = entry.target === 'STOPPED';
      entry.target = 'STARTED';
      await this.#options.worker.setConnectorState(name, 'STARTED');
      if (wasStopped) await this.#generateAndStartTasks(entry, 'STARTED');
    });
  }

  /** PUT /connectors/{name}/stop: the connector stops and its tasks are removed (offsets become editable). */
  stopConnector(name: string): Promise<void> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      if (entry.target === 'STOPPED') return;
      entry.target = 'STOPPED';
      entry.generation++;
      await this.#stopTasks(entry);
      for (const task of entry.tasks.keys()) this.#options.metrics.removeTask(name, task);
      entry.tasks.clear();
      entry.taskConfigs = [];
      // A stopped connector keeps no running instance; the new one reports STOPPED.
      await this.#options.worker.stopConnector(name);
      await this.#options.worker.startConnector(name, entry.resolved, 'STOPPED', this.#connectorListener(entry, entry.generation));
    });
  }

  /**
   * POST /connectors/{name}/restart. Without flags only the connector restarts and null is
   * returned (204). With includeTasks/onlyFailed (KIP-745) the returned status shows RESTARTING
   * for what is restarted (202).
   */
  restartConnector(name: string, options: RestartOptions = {}): Promise<ConnectorStateInfo | null> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      const flags = options.includeTasks !== undefined || options.onlyFailed !== undefined;
      const includeTasks = options.includeTasks === true;
      const onlyFailed = options.onlyFailed === true;
      const restartConnector = !onlyFailed || entry.status.state === 'FAILED';
      const tasks = includeTasks ? [...entry.tasks.entries()].filter(([, s]) => !onlyFailed || s.state === 'FAILED').map(([id]) => id) : [];
      if (restartConnector) this.#setConnectorStatus(entry, { state: 'RESTARTING' });
      for (const task of tasks) this.#setTaskStatus(entry, task, { state: 'RESTARTING' });
      const snapshot = this.connectorStatus(name);
      if (restartConnector) await this.#restartConnectorInstance(entry);
      for (const task of tasks) await this.#restartTask(entry, task, true);
      return flags ? snapshot : null;
    });
  }

  async #restartConnectorInstance(entry: ConnectorEntry): Promise<void> {
    await this.#options.worker.stopConnector(entry.name);
    const started = await this.#options.worker.startConnector(entry.name, entry.resolved, entry.target === 'STOPPED' ? 'STOPPED' : 'STARTED', this.#connectorListener(entry, entry.generation));
    if (!started) return;
    if (entry.target === 'PAUSED') await this.#options.worker.setConnectorState(entry.name, 'PAUSED');
    // Tasks that never got configs (the connector failed before) are created now.
    if (entry.target !== 'STOPPED' && entry.taskConfigs.length === 0) await this.#generateAndStartTasks(entry, entry.target === 'PAUSED' ? 'PAUSED' : 'STARTED');
  }

  /** POST /connectors/{name}/tasks/{task}/restart. */
  restartTask(name: string, task: number): Promise<void> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      if (!entry.tasks.has(task)) throw new NotFoundException(`Task ${name}-${task} not found`);
      await this.#restartTask(entry, task, true);
    });
  }

  async #restartTask(entry: ConnectorEntry, task: number, manual: boolean): Promise<void> {
    const timer = entry.restartTimers.get(task);
    if (timer !== undefined) clearTimeout(timer);
    entry.restartTimers.delete(task);
    if (manual) entry.restartPolicies.get(task)?.reset();
    await this.#options.worker.stopTasks([{ connector: entry.name, task }]);
    if (task >= entry.taskConfigs.length) return;
    await this.#startTask(entry, task, entry.target === 'PAUSED' ? 'PAUSED' : 'STARTED');
  }

  /** The connector asked for new task configs: restart the tasks when they changed. */
  #reconfigure(entry: ConnectorEntry, generation: number): void {
    void this.#exclusive(async () => {
      if (this.#connectors.get(entry.name) !== entry || entry.generation !== generation || entry.target === 'STOPPED') return;
      const configs = await this.#generateTaskConfigs(entry);
      if (configs === null || JSON.stringify(configs) === JSON.stringify(entry.taskConfigs)) return;
      this.#logger.info({ connector: entry.name }, `task configs of ${entry.name} changed; restarting its tasks`);
      await this.#stopTasks(entry);
      entry.tasks.clear();
      entry.taskConfigs = configs;
      await this.#startTasks(entry, entry.target === 'PAUSED' ? 'PAUSED' : 'STARTED');
    }).catch((err: unknown) => this.#logger.error({ err, connector: entry.name }, 'task reconfiguration failed'));
  }

  // ---- offsets (KIP-875) --------------------------------------------------------------------

  /** GET /connectors/{name}/offsets. */
  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    const entry = this.#entry(name);
    if (entry.plugin.type === 'source') {
      return { offsets: this.#options.offsetStore.list(name).map(({ partition, offset }) => ({ partition: { ...partition }, offset: offset === null ? null : { ...offset } })) };
    }
    const admin = this.#options.worker.admin(entry.resolved);
    try {
      const committed = await admin.listGroupOffsets(`connect-${name}`);
      return {
        offsets: committed.map(({ topic, partition, offset }) => ({
          partition: { [SINK_OFFSET_TOPIC]: topic, [SINK_OFFSET_PARTITION]: partition },
          offset: { [SINK_OFFSET_OFFSET]: Number(offset) },
        })),
      };
    } finally {
      await admin.close().catch(() => undefined);
    }
  }

  #requireStopped(entry: ConnectorEntry): void {
    if (entry.target !== 'STOPPED') {
      throw new BadRequestException(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${entry.name}/stop' endpoint`,
      );
    }
  }

  /** PATCH /connectors/{name}/offsets (the connector must be STOPPED). */
  alterConnectorOffsets(name: string, body: ConnectorOffsets): Promise<Message> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      this.#requireStopped(entry);
      if (!Array.isArray(body?.offsets) || body.offsets.length === 0) throw new BadRequestException('The offsets to be altered may not be null or empty');
      return entry.plugin.type === 'source' ? this.#alterSourceOffsets(entry, body.offsets) : this.#alterSinkOffsets(entry, body.offsets);
    });
  }

  async #alterSourceOffsets(entry: ConnectorEntry, offsets: ConnectorOffsets['offsets']): Promise<Message> {
    for (const { partition, offset } of offsets) {
      if (partition === null || typeof partition !== 'object') throw new BadRequestException('Source partitions may not be null');
      if (offset !== null && typeof offset !== 'object') throw new BadRequestException(`The offset for ${JSON.stringify(partition)} must be an object or null`);
    }
    const entries: SourceOffsetEntry[] = offsets.map(({ partition, offset }) => ({ partition: partition as SourceMap, offset: offset as SourceMap | null }));
    const handled = await this.#connectorAlterOffsets(entry, entries);
    await this.#options.offsetStore.write(entry.name, entries);
    return { message: altered(handled, 'altered') };
  }

  async #alterSinkOffsets(entry: ConnectorEntry, offsets: ConnectorOffsets['offsets']): Promise<Message> {
    const parsed = offsets.map(({ partition, offset }) => {
      const topic = partition?.[SINK_OFFSET_TOPIC];
      const number = partition?.[SINK_OFFSET_PARTITION];
      if (typeof topic !== 'string' || topic === '' || !Number.isInteger(number) || (number as number) < 0) {
        throw new BadRequestException(`Sink partitions need "${SINK_OFFSET_TOPIC}" (a topic name) and "${SINK_OFFSET_PARTITION}" (a partition number), got ${JSON.stringify(partition)}`);
      }
      if (offset === null) {
        throw new BadRequestException(`Resetting a single partition of a sink connector (null offset for ${topic}-${String(number)}) is not supported; use DELETE /connectors/${entry.name}/offsets to reset all`);
      }
      const value = offset[SINK_OFFSET_OFFSET];
      if (!Number.isInteger(value) || (value as number) < 0) {
        throw new BadRequestException(`Sink offsets need "${SINK_OFFSET_OFFSET}" (a non-negative whole number), got ${JSON.stringify(offset)}`);
      }
      return { topic, partition: number as number, offset: value as number };
    });
    const handled = await this.#connectorAlterSinkOffsets(entry, parsed);
    const admin = this.#options.worker.admin(entry.resolved);
    try {
      await admin.alterGroupOffsets(
        `connect-${entry.name}`,
        parsed.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset) })),
      );
    } finally {
      await admin.close().catch(() => undefined);
    }
    return { message: altered(handled, 'altered') };
  }

  /** DELETE /connectors/{name}/offsets (the connector must be STOPPED). */
  resetConnectorOffsets(name: string): Promise<Message> {
    return this.#exclusive(async () => {
      const entry = this.#entry(name);
      this.#requireStopped(entry);
      if (entry.plugin.type === 'source') {
        const entries = this.#options.offsetStore.list(name).map(({ partition }) => ({ partition, offset: null }));
        const handled = await this.#connectorAlterOffsets(entry, entries);
        await this.#options.offsetStore.write(name, entries);
        return { message: altered(handled, 'reset') };
      }
      const admin = this.#options.worker.admin(entry.resolved);
      let handled: boolean;
      try {
        const current = await admin.listGroupOffsets(`connect-${name}`);
        handled = await this.#connectorAlterSinkOffsets(entry, current.map(({ topic, partition }) => ({ topic, partition, offset: null })));
        const failures = await admin.deleteGroups([`connect-${name}`]);
        const failure = failures.get(`connect-${name}`);
        if (failure !== undefined && (failure as { code?: string }).code !== 'GROUP_ID_NOT_FOUND') {
          throw new BadRequestException(`Could not reset the offsets of connector ${name}: ${messageOf(failure)}`, { cause: failure });
        }
      } finally {
        await admin.close().catch(() => undefined);
      }
      return { message: altered(handled, 'reset') };
    });
  }

  async #connectorAlterOffsets(entry: ConnectorEntry, entries: readonly SourceOffsetEntry[]): Promise<boolean> {
    const connector = entry.plugin.create() as SourceConnector;
    try {
      return await connector.alterOffsets(entry.resolved, entries);
    } catch (err) {
      throw new BadRequestException(`Failed to alter offsets for connector ${entry.name}: ${messageOf(err)}`, { cause: err });
    }
  }

  async #connectorAlterSinkOffsets(entry: ConnectorEntry, offsets: ReadonlyArray<{ topic: string; partition: number; offset: number | null }>): Promise<boolean> {
    const connector = entry.plugin.create() as SinkConnector;
    try {
      return await connector.alterOffsets(entry.resolved, offsets);
    } catch (err) {
      throw new BadRequestException(`Failed to alter offsets for connector ${entry.name}: ${messageOf(err)}`, { cause: err });
    }
  }

  // ---- status listeners -----------------------------------------------------------------------

  #current(entry: ConnectorEntry, generation: number): boolean {
    return this.#connectors.get(entry.name) === entry && entry.generation === generation;
  }

  #setConnectorStatus(entry: ConnectorEntry, status: Status): void {
    entry.status = status;
    this.#options.metrics.connectorStatus(entry.name, status.state as ConnectorStateName);
  }

  #setTaskStatus(entry: ConnectorEntry, task: number, status: Status): void {
    entry.tasks.set(task, status);
    this.#options.metrics.taskStatus(entry.name, task, status.state as ConnectorStateName);
  }

  #connectorListener(entry: ConnectorEntry, generation: number): ConnectorStatusListener {
    const update = (status: Status): void => {
      if (this.#current(entry, generation)) this.#setConnectorStatus(entry, status);
    };
    return {
      onStartup: () => update({ state: 'RUNNING' }),
      onResume: () => update({ state: 'RUNNING' }),
      onPause: () => update({ state: 'PAUSED' }),
      onStop: () => update({ state: 'STOPPED' }),
      onFailure: (_name, error) => update({ state: 'FAILED', trace: traceOf(error) }),
      onShutdown: () => {
        if (this.#current(entry, generation) && entry.status.state !== 'FAILED' && entry.status.state !== 'RESTARTING') update({ state: 'UNASSIGNED' });
      },
      onTaskReconfigurationRequest: () => this.#reconfigure(entry, generation),
    };
  }

  #taskListener(entry: ConnectorEntry, generation: number): TaskStatusListener {
    const update = (id: ConnectorTaskId, status: Status): boolean => {
      if (!this.#current(entry, generation) || !entry.tasks.has(id.task)) return false;
      this.#setTaskStatus(entry, id.task, status);
      return true;
    };
    return {
      onStartup: (id) => void update(id, { state: 'RUNNING' }),
      onResume: (id) => void update(id, { state: 'RUNNING' }),
      onPause: (id) => void update(id, { state: 'PAUSED' }),
      onFailure: (id, error) => {
        if (update(id, { state: 'FAILED', trace: traceOf(error) })) this.#maybeAutoRestart(entry, generation, id.task);
      },
      onShutdown: (id) => {
        const state = entry.tasks.get(id.task)?.state;
        if (state !== 'FAILED' && state !== 'RESTARTING') update(id, { state: 'UNASSIGNED' });
      },
    };
  }

  #maybeAutoRestart(entry: ConnectorEntry, generation: number, task: number): void {
    const policy = entry.restartPolicies.get(task);
    if (policy === undefined) return;
    const decision = policy.failed(this.#options.clock.now());
    if (!decision.restart) {
      if (this.#options.taskRestart.enabled) this.#logger.error({ connector: entry.name, task }, `task ${entry.name}-${task} stays FAILED: ${decision.reason}`);
      return;
    }
    this.#logger.warn({ connector: entry.name, task, delayMs: decision.delayMs, attempt: decision.attempt }, `restarting failed task ${entry.name}-${task} in ${decision.delayMs} ms (automatic restart ${decision.attempt})`);
    const timer = setTimeout(() => {
      entry.restartTimers.delete(task);
      void this.#exclusive(async () => {
        if (!this.#current(entry, generation) || entry.tasks.get(task)?.state !== 'FAILED') return;
        this.#setTaskStatus(entry, task, { state: 'RESTARTING' });
        await this.#restartTask(entry, task, false);
      }).catch((err: unknown) => this.#logger.error({ err, connector: entry.name, task }, 'automatic task restart failed'));
    }, decision.delayMs);
    timer.unref();
    entry.restartTimers.set(task, timer);
  }
}

function targetOf(state: InitialState): TargetState {
  return state === 'RUNNING' ? 'STARTED' : state;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Kafka's messages for altered or reset offsets, depending on whether the connector handled them too. */
function altered(handledByConnector: boolean, verb: 'altered' | 'reset'): string {
  return handledByConnector
    ? `The offsets for this connector have been ${verb} successfully`
    : `The Connect framework-managed offsets for this connector have been ${verb} successfully. However, if this connector manages offsets externally, they will need to be manually ${verb} in the system that the connector uses.`;
}

export type { ConnectorType };
