/**
 * The Elasticsearch sink connector plugin. `plugins` is what the worker's plugin registry
 * registers: Confluent's class name (so existing configs run unchanged), its simple-name
 * aliases, and our own class name as an alias.
 */
import { CONFLUENT_ELASTICSEARCH_SINK_CLASS, ElasticsearchSinkConnector, SLUICE_ELASTICSEARCH_SINK_CLASS } from './sink-connector.ts';

export interface ElasticsearchConnectorPlugin {
  readonly className: string;
  readonly aliases: readonly string[];
  readonly type: 'sink';
  readonly connectorClass: typeof ElasticsearchSinkConnector;
}

export const plugins: readonly ElasticsearchConnectorPlugin[] = [
  {
    className: CONFLUENT_ELASTICSEARCH_SINK_CLASS,
    aliases: ['ElasticsearchSink', 'ElasticsearchSinkConnector', SLUICE_ELASTICSEARCH_SINK_CLASS],
    type: 'sink',
    connectorClass: ElasticsearchSinkConnector,
  },
];

export { CONFLUENT_ELASTICSEARCH_SINK_CLASS, ElasticsearchSinkConnector, SLUICE_ELASTICSEARCH_SINK_CLASS } from './sink-connector.ts';
export { ElasticsearchSinkTask } from './sink-task.ts';
export { ELASTICSEARCH_SINK_CONFIG } from './config.ts';
export { ELASTICSEARCH_SINK_VERSION } from './version.ts';
