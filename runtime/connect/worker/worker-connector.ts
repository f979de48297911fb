/**
 * A connector instance on this worker (Kafka's WorkerConnector): started, paused (stopped but
 * kept), stopped, restarted; it reports its status changes, and connector-raised errors fail it.
 */
import type { Logger } from '../../observability/logger.ts';
import type { Connector, SourceConnector } from '../api/index.ts';
import type { SourceOffsetStore } from '../offsets/index.ts';
import { ConnectorOffsetReader } from '../offsets/index.ts';
import type { ConnectorType } from './plugins.ts';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

/** Status changes of a connector, reported to the herder (Kafka's ConnectorStatus.Listener). */
export interface ConnectorStatusListener {
  onStartup(connector: string): void;
  onPause(connector: string): void;
  onResume(connector: string): void;
  onStop(connector: string): void;
  onFailure(connector: string, error: Error): void;
  onShutdown(connector: string): void;
  /** The connector called requestTaskReconfiguration(). */
  onTaskReconfigurationRequest(connector: string): void;
}

export class WorkerConnector {
  readonly name: string;
  readonly connector: Connector;
  readonly type: ConnectorType;
  readonly #props: Readonly<Record<string, string>>;
  readonly #listener: ConnectorStatusListener;
  readonly #logger: Logger;
  #started = false;
  #failed = false;
  #state: TargetState = 'STOPPED';

  constructor(options: {
    name: string;
    connector: Connector;
    type: ConnectorType;
    props: Readonly<Record<string, string>>;
    offsetStore: SourceOffsetStore;
    listener: ConnectorStatusListener;
    logger: Logger;
  }) {
    this.name = options.name;
    this.connector = options.connector;
    this.type = options.type;
    this.#props = options.props;
    this.#listener = options.listener;
    this.#logger = options.logger;
    const reader = new ConnectorOffsetReader(options.offsetStore, options.name);
    const context = {
      requestTaskReconfiguration: () => this.#listener.onTaskReconfigurationRequest(this.name),
      raiseError: (error: Error) => {
        this.#logger.error({ err: error }, `connector ${this.name} raised an error`);
        this.#failed = true;
        this.#listener.onFailure(this.name, error);
      },
      offsetStorageReader: () => reader,
    };
    (this.connector as SourceConnector).initialize(context);
  }

  get props(): Readonly<Record<string, string>> {
    return this.#props;
  }

  get isRunning(): boolean {
    return this.#started && !this.#failed;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Moves to `state`; a failure to start or stop marks the connector FAILED and is rethrown. */
  async transitionTo(state: TargetState): Promise<void> {
    const previous = this.#state;
    this.#state = state;
    try {
      if (state === 'STARTED') {
        if (!this.#started) {
          await this.connector.start(this.#props);
          this.#started = true;
          this.#failed = false;
        }
        if (previous === 'STARTED' && !this.#failed) return;
        if (previous === 'PAUSED') this.#listener.onResume(this.name);
        else this.#listener.onStartup(this.name);
        return;
      }
      await this.#stopInstance();
      if (state === 'PAUSED') this.#listener.onPause(this.name);
      else this.#listener.onStop(this.name);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.#failed = true;
      this.#logger.error({ err: error }, `connector ${this.name} failed to ${state === 'STARTED' ? 'start' : 'stop'}`);
      this.#listener.onFailure(this.name, error);
      throw error;
    }
  }

  async #stopInstance(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.connector.stop();
  }

  /** Task configs from the running connector, at most `maxTasks`. */
  async taskConfigs(maxTasks: number): Promise<Array<Record<string, string>>> {
    return [...(await this.connector.taskConfigs(maxTasks))];
  }

  /** Stops the instance for good. */
  async shutdown(): Promise<void> {
    try {
      await this.#stopInstance();
    } catch (err) {
      this.#logger.warn({ err }, `connector ${this.name} failed to stop cleanly`);
    }
    this.#listener.onShutdown(this.name);
  }
}
