/**
 * The MongoDB source connector (com.mongodb.kafka.connect.MongoSourceConnector). One task: a
 * change stream (or a poll query) is one ordered sequence that cannot be split.
 */
import type { ConfigDef, ConfigValue } from '../../runtime/connect/api/index.ts';
import { SourceConnector } from '../../runtime/connect/api/index.ts';
import type { SourceTask } from '../../runtime/connect/api/index.ts';
import { MODE_CONFIG, MONGODB_SOURCE_CONFIG, sourceSettings } from './source-config.ts';
import { MongoSourceTask } from './source-task.ts';
import { MONGODB_CONNECTOR_VERSION } from './version.ts';


export class MongoSourceConnector extends SourceConnector {
  #props: Record<string, string> = {};

  version(): string {
    return MONGODB_CONNECTOR_VERSION;
  }

  config(): ConfigDef<object> {
    return MONGODB_SOURCE_CONFIG;
  }

  start(props: Readonly<Record<string, string>>): void {
    sourceSettings(props);
    this.#props = { ...props };
  }

  /** Adds the checks that span keys (poll mode needs one collection, timestamp mode a time). */
  override validate(connectorConfigs: Readonly<Record<string, string>>): ConfigValue[] {
    const values = MONGODB_SOURCE_CONFIG.validateValues(connectorConfigs);
    if (values.some((value) => value.errors.length > 0)) return values;
    try {
      sourceSettings(connectorConfigs);
    } catch (error) {
      values.find((value) => value.name === MODE_CONFIG)?.errors.push((error as Error).message);
    }
    return values;
  }

  taskClass(): new () => SourceTask {
    return MongoSourceTask;
  }

  taskConfigs(_maxTasks: number): Array<Record<string, string>> {
    return [{ ...this.#props }];
  }

  stop(): void {}
}
