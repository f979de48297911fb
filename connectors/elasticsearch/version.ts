/** The version the connector and its tasks report (/connector-plugins, task status). */
export const ELASTICSEARCH_SINK_VERSION = '0.1.0';
