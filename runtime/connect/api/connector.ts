/**
 * The Connector contract (Kafka's Connector): a connector is configured, splits its work into
 * task configs, and is started and stopped by the worker. Methods may be async.
 */
import type { ConfigDef, ConfigValue } from '../config/index.ts';
import { initializedContext } from './errors.ts';

export type MaybePromise<T> = T | Promise<T>;

/** What the worker gives a connector to talk back to it. */
export interface ConnectorContext {
  /** The connector's inputs changed: the worker calls taskConfigs() again and restarts tasks if they differ. */
  requestTaskReconfiguration(): void;
  /** The connector failed in the background; the worker marks it FAILED with this error. */
  raiseError(error: Error): void;
}

/** Anything with a version (connectors, tasks, converters, transforms). */
export interface Versioned {
  version(): string;
}

export abstract class Connector implements Versioned {
  #context: ConnectorContext | null = null;

  /** Called by the worker once, before start(). */
  initialize(context: ConnectorContext): void {
    this.#context = context;
  }

  /** The context given to initialize(). */
  protected get context(): ConnectorContext {
    return initializedContext(this.#context, this);
  }

  abstract version(): string;

  /** Starts with the connector's config (already validated and with config provider references resolved). */
  abstract start(props: Readonly<Record<string, string>>): MaybePromise<void>;

  /** Applies a new config; by default stops and starts again. */
  async reconfigure(props: Readonly<Record<string, string>>): Promise<void> {
    await this.stop();
    await this.start(props);
  }

  /** Up to `maxTasks` task configs; one task is started per config. */
  abstract taskConfigs(maxTasks: number): MaybePromise<Array<Record<string, string>>>;

  abstract stop(): MaybePromise<void>;

  /** The definition of this connector's own config keys. */
  abstract config(): ConfigDef<object>;

  /**
   * Validates a config: by default against config(), one ConfigValue per key. Override to add
   * checks that span keys (the worker adds its common keys and transforms itself).
   */
  validate(connectorConfigs: Readonly<Record<string, string>>): MaybePromise<ConfigValue[]> {
    return this.config().validateValues(connectorConfigs);
  }
}
