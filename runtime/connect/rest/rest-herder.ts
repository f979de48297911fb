/**
 * What the REST API needs from the herder: exactly the operations Kafka Connect's REST resources
 * call, returning the REST JSON shapes of herder-types.ts. The standalone herder satisfies it as
 * is; any herder may answer synchronously or with a promise. Errors are the herder's typed ones
 * (NotFoundException → 404, AlreadyExistsException → 409, BadRequestException → 400, ...).
 */
import type { ConfigInfos, ConfigKeyInfo } from '../config/index.ts';
import type {
  ActiveTopicsInfo,
  ConnectorInfo,
  ConnectorOffsets,
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
} from '../herder/herder-types.ts';
import type { PluginDescriptor } from '../worker/plugins.ts';

type Answer<T> = T | Promise<T>;

export interface RestHerder {
  serverInfo(): Answer<ServerInfo>;
  health(): Answer<HealthInfo>;

  connectors(): Answer<string[]>;
  connectorInfo(name: string): Answer<ConnectorInfo>;
  connectorConfig(name: string): Answer<Record<string, string>>;
  connectorStatus(name: string): Answer<ConnectorStateInfo>;
  taskConfigs(name: string): Answer<TaskInfo[]>;
  taskStatus(name: string, task: number): Answer<TaskStateInfo>;
  connectorActiveTopics(name: string): Answer<ActiveTopicsInfo>;
  resetConnectorActiveTopics(name: string): Answer<void>;

  createConnector(name: string, config: Readonly<Record<string, string>>, initialState?: InitialState): Answer<ConnectorInfo>;
  putConnectorConfig(name: string, config: Readonly<Record<string, string>>): Answer<PutConnectorResult>;
  patchConnectorConfig(name: string, patch: Readonly<Record<string, string | null>>): Answer<ConnectorInfo>;
  deleteConnector(name: string): Answer<void>;
  pauseConnector(name: string): Answer<void>;
  resumeConnector(name: string): Answer<void>;
  stopConnector(name: string): Answer<void>;
  /** Without options: restart the connector only and answer null. With both flags given: the status snapshot. */
  restartConnector(name: string, options?: RestartOptions): Answer<ConnectorStateInfo | null>;
  restartTask(name: string, task: number): Answer<void>;

  connectorOffsets(name: string): Answer<ConnectorOffsets>;
  alterConnectorOffsets(name: string, body: ConnectorOffsets): Answer<Message>;
  resetConnectorOffsets(name: string): Answer<Message>;

  connectorPlugins(connectorsOnly: boolean): Answer<PluginDescriptor[]>;
  connectorPluginConfig(plugin: string): Answer<ConfigKeyInfo[]>;
  validateConnectorConfig(config: Readonly<Record<string, string>>): Answer<ConfigInfos>;

  loggers(): Answer<Record<string, LoggerLevel>>;
  logger(name: string): Answer<LoggerLevel>;
  /** The names of the loggers whose level changed. */
  setLoggerLevel(namespace: string, level: string): Answer<string[]>;
}

/** The Prometheus registry behind GET /metrics (a prom-client Registry fits). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}
