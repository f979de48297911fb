/**
 * The MongoDB connectors as the worker's plugin registry lists them: names, types and version are
 * known without loading the connectors, whose MongoDB driver is large; `load()` loads one on
 * first use, so a worker that runs no MongoDB connector never pays for it.
 */
import { createRequire } from 'node:module';
import type { Connector } from '../../runtime/connect/api/index.ts';
import { MONGODB_CONNECTOR_VERSION } from './version.ts';

export const OFFICIAL_MONGODB_SINK_CLASS = 'com.mongodb.kafka.connect.MongoSinkConnector';
export const SLUICE_MONGODB_SINK_CLASS = 'sluice.connect.mongodb.MongoSinkConnector';
export const OFFICIAL_MONGODB_SOURCE_CLASS = 'com.mongodb.kafka.connect.MongoSourceConnector';
export const SLUICE_MONGODB_SOURCE_CLASS = 'sluice.connect.mongodb.MongoSourceConnector';

export interface MongoConnectorPlugin {
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: 'sink' | 'source';
  readonly version: string;
  load(): new () => Connector;
}

const require = createRequire(import.meta.url);

export const plugins: readonly MongoConnectorPlugin[] = [
  {
    className: OFFICIAL_MONGODB_SINK_CLASS,
    aliases: ['MongoSinkConnector', 'MongoSink', SLUICE_MONGODB_SINK_CLASS],
    type: 'sink',
    version: MONGODB_CONNECTOR_VERSION,
    load: () => (require('./sink-connector.ts') as { MongoSinkConnector: new () => Connector }).MongoSinkConnector,
  },
  {
    className: OFFICIAL_MONGODB_SOURCE_CLASS,
    aliases: ['MongoSourceConnector', 'MongoSource', SLUICE_MONGODB_SOURCE_CLASS],
    type: 'source',
    version: MONGODB_CONNECTOR_VERSION,
    load: () => (require('./source-connector.ts') as { MongoSourceConnector: new () => Connector }).MongoSourceConnector,
  },
];
