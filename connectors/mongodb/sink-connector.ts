/**
 * The MongoDB sink connector (com.mongodb.kafka.connect.MongoSinkConnector): every task gets the
 * connector's config; Kafka spreads the topic partitions over them.
 */
import type { ConfigDef, ConfigValue } from '../../runtime/connect/api/index.ts';
import { SinkConnector } from '../../runtime/connect/api/index.ts';
import type { SinkTask } from '../../runtime/connect/api/index.ts';
import { DATABASE_CONFIG, MONGODB_SINK_CONFIG, settingsForTopic } from './sink-config.ts';
import { MongoSinkTask } from './sink-task.ts';
import { MONGODB_CONNECTOR_VERSION } from './version.ts';


export class MongoSinkConnector extends SinkConnector {
  #props: Record<string, string> = {};

  version(): string {
    return MONGODB_CONNECTOR_VERSION;
  }

  config(): ConfigDef<object> {
    return MONGODB_SINK_CONFIG;
  }

  start(props: Readonly<Record<string, string>>): void {
    MONGODB_SINK_CONFIG.parse(props);
    this.#props = { ...props };
  }

  /** Adds the checks that span keys (database required with the default mapper, class names). */
  override validate(connectorConfigs: Readonly<Record<string, string>>): ConfigValue[] {
    const values = MONGODB_SINK_CONFIG.validateValues(connectorConfigs);
    if (values.some((value) => value.errors.length > 0)) return values;
    try {
      settingsForTopic(connectorConfigs, '');
    } catch (error) {
      const database = values.find((value) => value.name === DATABASE_CONFIG);
      database?.errors.push((error as Error).message);
    }
    return values;
  }

  taskClass(): new () => SinkTask {
    return MongoSinkTask;
  }

  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    return Array.from({ length: maxTasks }, () => ({ ...this.#props }));
  }

  stop(): void {}
}
