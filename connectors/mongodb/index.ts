/**
 * The MongoDB connector plugins. `plugins` is what the worker's plugin registry registers: the
 * official connector's class names (so existing configs run unchanged), simple-name aliases, and
 * our own class names as aliases.
 */
import { MongoSinkConnector, OFFICIAL_MONGODB_SINK_CLASS, SLUICE_MONGODB_SINK_CLASS } from './sink-connector.ts';

export interface MongoConnectorPlugin {
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: 'sink' | 'source';
  readonly connectorClass: typeof MongoSinkConnector;
}

export const plugins: readonly MongoConnectorPlugin[] = [
  {
    className: OFFICIAL_MONGODB_SINK_CLASS,
    aliases: ['MongoSinkConnector', 'MongoSink', SLUICE_MONGODB_SINK_CLASS],
    type: 'sink',
    connectorClass: MongoSinkConnector,
  },
];

export { MongoSinkConnector, OFFICIAL_MONGODB_SINK_CLASS, SLUICE_MONGODB_SINK_CLASS } from './sink-connector.ts';
export { MongoSinkTask } from './sink-task.ts';
export type { MongoSinkTaskOverrides } from './sink-task.ts';
export { MONGODB_SINK_CONFIG } from './sink-config.ts';
export { MONGODB_CONNECTOR_VERSION } from './version.ts';
