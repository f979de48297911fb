/** The shapes the herder returns: Kafka Connect's REST JSON bodies, field for field. */
import type { ConnectorType } from '../worker/plugins.ts';

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

/** `initial_state` of POST /connectors. */
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

export interface ConnectorTaskIdInfo {
  connector: string;
  task: number;
}

/** GET /connectors/{name}; POST /connectors (201). Secrets in `config` are masked. */
export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: ConnectorTaskIdInfo[];
  type: ConnectorType | 'unknown';
}

export interface ConnectorStatusInfo {
  state: ConnectorState;
  worker_id: string;
  /** The stack trace when FAILED. */
  trace?: string;
}

/** GET /connectors/{name}/tasks/{id}/status. */
export interface TaskStateInfo {
  id: number;
  state: ConnectorState;
  worker_id: string;
  trace?: string;
}

/** GET /connectors/{name}/status. */
export interface ConnectorStateInfo {
  name: string;
  connector: ConnectorStatusInfo;
  tasks: TaskStateInfo[];
  type: ConnectorType | 'unknown';
}

/** One entry of GET /connectors/{name}/tasks. */
export interface TaskInfo {
  id: ConnectorTaskIdInfo;
  config: Record<string, string>;
}

/** PUT /connectors/{name}/config: whether it was created (201) or replaced (200). */
export interface PutConnectorResult {
  created: boolean;
  info: ConnectorInfo;
}

export interface RestartOptions {
  includeTasks?: boolean;
  onlyFailed?: boolean;
}

/** GET/PATCH body of /connectors/{name}/offsets. */
export interface ConnectorOffsets {
  offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> | null }>;
}

export interface Message {
  message: string;
}

/** GET /connectors/{name}/topics. */
export type ActiveTopicsInfo = Record<string, { topics: string[] }>;

/** GET /admin/loggers/{name}. */
export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}

/** GET /. */
export interface ServerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string | null;
}

/** GET /health: `statusCode` is the HTTP status (200 healthy, 503 starting, 500 unhealthy). */
export interface HealthInfo {
  statusCode: 200 | 500 | 503;
  body: { status: 'healthy' | 'starting' | 'unhealthy'; message: string };
}
