/**
 * The Elasticsearch sink connector. The worker's plugin registry imports plugin.ts, not this
 * file, so that the connector and its client load only when a config names them.
 */
export { CONFLUENT_ELASTICSEARCH_SINK_CLASS, SLUICE_ELASTICSEARCH_SINK_CLASS, plugins } from './plugin.ts';
export type { ElasticsearchConnectorPlugin } from './plugin.ts';
export { ElasticsearchSinkConnector } from './sink-connector.ts';
export { ElasticsearchSinkTask } from './sink-task.ts';
export { ELASTICSEARCH_SINK_CONFIG } from './config.ts';
export { ELASTICSEARCH_SINK_VERSION } from './version.ts';
