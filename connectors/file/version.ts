/** The version the file source connector and its tasks report (/connector-plugins, task status). */
export const FILE_SOURCE_VERSION = '0.1.0';
