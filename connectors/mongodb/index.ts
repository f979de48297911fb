/**
 * The MongoDB connectors. The worker's plugin registry imports plugin.ts, not this file, so that
 * the connectors and the driver load only when a config names them.
 */
export { OFFICIAL_MONGODB_SINK_CLASS, OFFICIAL_MONGODB_SOURCE_CLASS, SLUICE_MONGODB_SINK_CLASS, SLUICE_MONGODB_SOURCE_CLASS, plugins } from './plugin.ts';
export type { MongoConnectorPlugin } from './plugin.ts';
export { MongoSinkConnector } from './sink-connector.ts';
export { MongoSinkTask } from './sink-task.ts';
export type { MongoSinkTaskOverrides } from './sink-task.ts';
export { MONGODB_SINK_CONFIG } from './sink-config.ts';
export { MONGODB_CONNECTOR_VERSION } from './version.ts';
export { MongoSourceConnector } from './source-connector.ts';
export { MongoSourceTask } from './source-task.ts';
export type { MongoSourceTaskOverrides } from './source-task.ts';
export { MONGODB_SOURCE_CONFIG } from './source-config.ts';
export { ResumeTokenLostError } from './errors.ts';
