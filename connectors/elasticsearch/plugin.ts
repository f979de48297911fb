/**
 * The Elasticsearch sink as the worker's plugin registry lists it: names, type and version are
 * known without loading the connector, whose Elasticsearch client is large; `load()` loads it on
 * first use, so a worker that runs no Elasticsearch sink never pays for it.
 */
import { createRequire } from 'node:module';
import type { Connector } from '../../runtime/connect/api/index.ts';
import { ELASTICSEARCH_SINK_VERSION } from './version.ts';

/** Confluent's class name, so that existing connector configs run unchanged. */
export const CONFLUENT_ELASTICSEARCH_SINK_CLASS = 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector';
/** Our own class name. */
export const SLUICE_ELASTICSEARCH_SINK_CLASS = 'io.sluice.connect.elasticsearch.ElasticsearchSinkConnector';

export interface ElasticsearchConnectorPlugin {
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: 'sink';
  readonly version: string;
  load(): new () => Connector;
}

const require = createRequire(import.meta.url);

export const plugins: readonly ElasticsearchConnectorPlugin[] = [
  {
    className: CONFLUENT_ELASTICSEARCH_SINK_CLASS,
    aliases: ['ElasticsearchSink', 'ElasticsearchSinkConnector', SLUICE_ELASTICSEARCH_SINK_CLASS],
    type: 'sink',
    version: ELASTICSEARCH_SINK_VERSION,
    load: () => (require('./sink-connector.ts') as { ElasticsearchSinkConnector: new () => Connector }).ElasticsearchSinkConnector,
  },
];
