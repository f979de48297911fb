/**
 * The MongoDB connector plugins. `plugins` is what the worker's plugin registry registers: the
 * official connector's class names (so existing configs run unchanged), simple-name aliases, and
 * our own class names as aliases.
 */
import { MongoSinkConnector, OFFICIAL_MONGODB_SINK_CLASS, SLUICE_MONGODB_SINK_CLASS } from './sink-connector.ts';
import { MongoSourceConnector, OFFICIAL_MONGODB_SOURCE_CLASS, SLUICE_MONGODB_SOURCE_CLASS } from './source-connector.ts';

export interface MongoConnectorPlugin {
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: 'sink' | 'source';
  readonly connectorClass: typeof MongoSinkConnector | typeof MongoSourceConnector;
}

export const plugins: readonly MongoConnectorPlugin[] = [
  {
    className: OFFICIAL_MONGODB_SINK_CLASS,
    aliases: ['MongoSinkConnector', 'MongoSink', SLUICE_MONGODB_SINK_CLASS],
    type: 'sink',
    connectorClass: MongoSinkConnector,
  },
  {
    className: OFFICIAL_MONGODB_SOURCE_CLASS,
    aliases: ['MongoSourceConnector', 'MongoSource', SLUICE_MONGODB_SOURCE_CLASS],
    type: 'source',
    connectorClass: MongoSourceConnector,
  },
];

export { MongoSinkConnector, OFFICIAL_MONGODB_SINK_CLASS, SLUICE_MONGODB_SINK_CLASS } from './sink-connector.ts';
export { MongoSinkTask } from './sink-task.ts';
export type { MongoSinkTaskOverrides } from './sink-task.ts';
export { MONGODB_SINK_CONFIG } from './sink-config.ts';
export { MONGODB_CONNECTOR_VERSION } from './version.ts';
export { MongoSourceConnector, OFFICIAL_MONGODB_SOURCE_CLASS, SLUICE_MONGODB_SOURCE_CLASS } from './source-connector.ts';
export { MongoSourceTask } from './source-task.ts';
export type { MongoSourceTaskOverrides } from './source-task.ts';
export { MONGODB_SOURCE_CONFIG } from './source-config.ts';
export { ResumeTokenLostError } from './errors.ts';
