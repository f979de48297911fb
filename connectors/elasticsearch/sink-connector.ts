/**
 * The Elasticsearch sink connector: validates its config (key by key and across keys, as
 * Confluent's connector does) and gives every task the full config.
 */
import type { ConfigValue } from '../../runtime/connect/api/index.ts';
import { ConnectError, SinkConnector } from '../../runtime/connect/api/index.ts';
import type { SinkTask } from '../../runtime/connect/api/index.ts';
import { ELASTICSEARCH_SINK_CONFIG, parseSinkConfig, validateSinkConfig } from './config.ts';
import { ElasticsearchSinkTask } from './sink-task.ts';
import { CONFLUENT_ELASTICSEARCH_SINK_CLASS } from './plugin.ts';
import { ELASTICSEARCH_SINK_VERSION } from './version.ts';


export class ElasticsearchSinkConnector extends SinkConnector {
  /** The name plugin.path loading registers the class under (with its simple-name aliases). */
  static readonly className = CONFLUENT_ELASTICSEARCH_SINK_CLASS;

  #props: Record<string, string> = {};

  version(): string {
    return ELASTICSEARCH_SINK_VERSION;
  }

  config(): typeof ELASTICSEARCH_SINK_CONFIG {
    return ELASTICSEARCH_SINK_CONFIG;
  }

  override validate(connectorConfigs: Readonly<Record<string, string>>): ConfigValue[] {
    return validateSinkConfig(connectorConfigs);
  }

  start(props: Readonly<Record<string, string>>): void {
    try {
      parseSinkConfig(props);
    } catch (err) {
      throw new ConnectError(`Couldn't start ElasticsearchSinkConnector due to configuration error: ${(err as Error).message}`, { cause: err, code: 'CONFIG_INVALID' });
    }
    this.#props = { ...props };
  }

  taskClass(): new () => SinkTask {
    return ElasticsearchSinkTask;
  }

  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    return Array.from({ length: maxTasks }, (_, i) => ({ ...this.#props, 'task.id': String(i) }));
  }

  stop(): void {}

  /** Offsets live only in the consumer group: altering or resetting them needs nothing from us. */
  override alterOffsets(): boolean {
    return true;
  }
}
