/**
 * An in-memory herder for REST tests: the RestHerder contract with the standalone herder's
 * errors (NotFoundException, AlreadyExistsException, BadRequestException, ForbiddenException),
 * and secrets returned unmasked so that tests see the REST layer mask them.
 */
import { AlreadyExistsException, NotFoundException } from '../../../../runtime/connect/api/index.ts';
import type { ConfigInfos, ConfigKeyInfo } from '../../../../runtime/connect/config/index.ts';
import { BadRequestException, ForbiddenException } from '../../../../runtime/connect/herder/herder-errors.ts';
import type {
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorState,
  ConnectorStateInfo,
  HealthInfo,
  InitialState,
  LoggerLevel,
  RestartOptions,
  TaskInfo,
} from '../../../../runtime/connect/herder/herder-types.ts';
import type { RestHerder } from '../../../../runtime/connect/rest/index.ts';
import type { PluginDescriptor } from '../../../../runtime/connect/worker/plugins.ts';

const WORKER = '127.0.0.1:8083';
const PLUGINS: PluginDescriptor[] = [
  { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '4.1.0' },
  { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '4.1.0' },
  { class: 'org.apache.kafka.connect.transforms.InsertField$Value', type: 'transformation', version: '4.1.0' },
];

interface Entry {
  config: Record<string, string>;
  target: 'STARTED' | 'PAUSED' | 'STOPPED';
  state: ConnectorState;
  tasks: ConnectorState[];
  topics: string[];
  offsets: ConnectorOffsets['offsets'];
}

export class FakeHerder implements RestHerder {
  readonly connectorsByName = new Map<string, Entry>();
  readonly levels: Record<string, LoggerLevel> = { root: { level: 'INFO', last_modified: null } };
  readonly calls: string[] = [];
  health_: HealthInfo = { statusCode: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } };
  topicTracking = { enabled: true, allowReset: true };

  serverInfo() {
    return Promise.resolve({ version: '0.1.0', commit: 'abc123', kafka_cluster_id: 'cluster-1' });
  }

  health(): HealthInfo {
    return this.health_;
  }

  #entry(name: string): Entry {
    const entry = this.connectorsByName.get(name);
    if (entry === undefined) throw new NotFoundException(`Connector ${name} not found`);
    return entry;
  }

  #type(entry: Entry): 'source' | 'sink' {
    return entry.config['connector.class'].includes('Sink') ? 'sink' : 'source';
  }

  connectors(): string[] {
    return [...this.connectorsByName.keys()].sort();
  }

  connectorInfo(name: string): ConnectorInfo {
    const entry = this.#entry(name);
    return { name, config: { ...entry.config }, tasks: entry.tasks.map((_, task) => ({ connector: name, task })), type: this.#type(entry) };
  }

  connectorConfig(name: string): Record<string, string> {
    return { ...this.#entry(name).config };
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const entry = this.#entry(name);
    return {
      name,
      connector: { state: entry.state, worker_id: WORKER, ...(entry.state === 'FAILED' ? { trace: 'Error: boom\n    at start' } : {}) },
      tasks: entry.tasks.map((state, id) => ({ id, state, worker_id: WORKER })),
      type: this.#type(entry),
    };
  }

  taskConfigs(name: string): TaskInfo[] {
    const entry = this.#entry(name);
    return entry.tasks.map((_, task) => ({ id: { connector: name, task }, config: { ...entry.config, 'task.class': 'FileStreamSourceTask' } }));
  }

  taskStatus(name: string, task: number) {
    const entry = this.#entry(name);
    const state = entry.tasks[task];
    if (state === undefined) throw new NotFoundException(`Task ${name}-${task} not found`);
    return { id: task, state, worker_id: WORKER };
  }

  connectorActiveTopics(name: string) {
    if (!this.topicTracking.enabled) throw new ForbiddenException('Topic tracking is disabled.');
    return { [name]: { topics: [...this.#entry(name).topics] } };
  }

  resetConnectorActiveTopics(name: string): void {
    if (!this.topicTracking.enabled) throw new ForbiddenException('Topic tracking is disabled.');
    if (!this.topicTracking.allowReset) throw new ForbiddenException('Topic tracking reset is disabled.');
    this.#entry(name).topics = [];
  }

  #put(name: string, config: Readonly<Record<string, string>>, target: Entry['target']): void {
    if (config.name !== undefined && config.name !== name) {
      throw new BadRequestException(`Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`);
    }
    const className = config['connector.class'];
    if (className === undefined) throw new BadRequestException(`Connector config ${JSON.stringify(config)} contains no connector type (connector.class is missing)`);
    if (!PLUGINS.some((p) => p.class.endsWith(className) || p.class.endsWith(`${className}Connector`))) {
      throw new BadRequestException(
        `Connector configuration is invalid and contains the following 1 error(s):\nconnector.class: unknown class ${className}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``,
      );
    }
    const tasks = target === 'STOPPED' ? [] : [target === 'PAUSED' ? 'PAUSED' : 'RUNNING'];
    const previous = this.connectorsByName.get(name);
    this.connectorsByName.set(name, {
      config: { ...config, name },
      target,
      state: target === 'STARTED' ? 'RUNNING' : target,
      tasks: tasks as ConnectorState[],
      topics: previous?.topics ?? ['connect-test'],
      offsets: previous?.offsets ?? [{ partition: { filename: '/tmp/in.txt' }, offset: { position: 42 } }],
    });
  }

  async createConnector(name: string, config: Readonly<Record<string, string>>, initialState: InitialState = 'RUNNING'): Promise<ConnectorInfo> {
    this.calls.push(`create ${name} ${initialState}`);
    if (this.connectorsByName.has(name)) throw new AlreadyExistsException(`Connector ${name} already exists`);
    this.#put(name, config, initialState === 'RUNNING' ? 'STARTED' : initialState);
    return this.connectorInfo(name);
  }

  async putConnectorConfig(name: string, config: Readonly<Record<string, string>>) {
    const existing = this.connectorsByName.get(name);
    this.#put(name, config, existing?.target ?? 'STARTED');
    return { created: existing === undefined, info: this.connectorInfo(name) };
  }

  async patchConnectorConfig(name: string, patch: Readonly<Record<string, string | null>>): Promise<ConnectorInfo> {
    const entry = this.#entry(name);
    const merged = { ...entry.config };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    this.#put(name, merged, entry.target);
    return this.connectorInfo(name);
  }

  async deleteConnector(name: string): Promise<void> {
    this.#entry(name);
    this.connectorsByName.delete(name);
  }

  async pauseConnector(name: string): Promise<void> {
    const entry = this.#entry(name);
    entry.target = 'PAUSED';
    entry.state = 'PAUSED';
    entry.tasks = entry.tasks.map(() => 'PAUSED');
  }

  async resumeConnector(name: string): Promise<void> {
    const entry = this.#entry(name);
    entry.target = 'STARTED';
    entry.state = 'RUNNING';
    entry.tasks = entry.tasks.length === 0 ? ['RUNNING'] : entry.tasks.map(() => 'RUNNING');
  }

  async stopConnector(name: string): Promise<void> {
    const entry = this.#entry(name);
    entry.target = 'STOPPED';
    entry.state = 'STOPPED';
    entry.tasks = [];
  }

  async restartConnector(name: string, options: RestartOptions = {}): Promise<ConnectorStateInfo | null> {
    this.calls.push(`restart ${name} ${JSON.stringify(options)}`);
    const entry = this.#entry(name);
    const flags = options.includeTasks !== undefined || options.onlyFailed !== undefined;
    if (!flags) return null;
    const status = this.connectorStatus(name);
    if (!options.onlyFailed || entry.state === 'FAILED') status.connector.state = 'RESTARTING';
    if (options.includeTasks) for (const task of status.tasks) if (!options.onlyFailed || task.state === 'FAILED') task.state = 'RESTARTING';
    return status;
  }

  async restartTask(name: string, task: number): Promise<void> {
    this.calls.push(`restart task ${name}-${task}`);
    this.taskStatus(name, task);
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    return { offsets: this.#entry(name).offsets };
  }

  #requireStopped(name: string): Entry {
    const entry = this.#entry(name);
    if (entry.target !== 'STOPPED') {
      throw new BadRequestException(`Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`);
    }
    return entry;
  }

  async alterConnectorOffsets(name: string, body: ConnectorOffsets) {
    this.#requireStopped(name).offsets = body.offsets;
    return { message: 'The offsets for this connector have been altered successfully' };
  }

  async resetConnectorOffsets(name: string) {
    this.#requireStopped(name).offsets = [];
    return { message: 'The offsets for this connector have been reset successfully' };
  }

  connectorPlugins(connectorsOnly: boolean): PluginDescriptor[] {
    return PLUGINS.filter((p) => !connectorsOnly || p.type === 'source' || p.type === 'sink');
  }

  connectorPluginConfig(plugin: string): ConfigKeyInfo[] {
    if (!PLUGINS.some((p) => p.class.endsWith(plugin))) throw new NotFoundException(`Unknown plugin ${plugin}.`);
    return [
      { name: 'topic', type: 'STRING', required: true, default_value: null, importance: 'HIGH', documentation: 'The topic.', group: null, width: 'NONE', display_name: 'topic', dependents: [], order: -1 },
    ];
  }

  async validateConnectorConfig(config: Readonly<Record<string, string>>): Promise<ConfigInfos> {
    this.calls.push(`validate ${config['connector.class']}`);
    const topicErrors = config.topic === undefined ? ['Missing required configuration "topic" which has no default value.'] : [];
    const key = (name: string, type: string): ConfigKeyInfo => ({
      name, type, required: false, default_value: null, importance: 'HIGH', documentation: '', group: 'Common', width: 'NONE', display_name: name, dependents: [], order: 1,
    });
    return {
      name: config['connector.class'],
      error_count: topicErrors.length,
      groups: ['Common'],
      configs: [
        { definition: key('topic', 'STRING'), value: { name: 'topic', value: config.topic ?? null, recommended_values: [], errors: topicErrors, visible: true } },
        { definition: key('ssl.key', 'PASSWORD'), value: { name: 'ssl.key', value: config['ssl.key'] ?? null, recommended_values: [], errors: [], visible: true } },
        ...Object.keys(config)
          .filter((k) => k.startsWith('producer.override.'))
          .map((k) => ({ definition: null, value: { name: k, value: config[k], recommended_values: [], errors: [], visible: true } })),
      ],
    };
  }

  loggers(): Record<string, LoggerLevel> {
    return { ...this.levels };
  }

  logger(name: string): LoggerLevel {
    const level = this.levels[name];
    if (level === undefined) throw new NotFoundException(`Logger ${name} not found.`);
    return level;
  }

  setLoggerLevel(namespace: string, level: string): string[] {
    if (!['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'].includes(level.toUpperCase())) throw new BadRequestException(`Invalid log level '${level}'.`);
    this.levels[namespace] = { level: level.toUpperCase(), last_modified: 1700000000000 };
    return [namespace];
  }
}
