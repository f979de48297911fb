/** The version the MongoDB connectors and their tasks report (/connector-plugins, task status). */
export const MONGODB_CONNECTOR_VERSION = '0.1.0';
