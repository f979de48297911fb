/**
 * The Connector API: everything a connector, converter or transform codes against. Connectors
 * import this module and runtime/connect/config only.
 */
export * from '../config/index.ts';
export { AlreadyExistsException, ConnectError, DataException, IllegalWorkerStateException, NotFoundException, RetriableException, SchemaBuilderException } from './errors.ts';
export type { ConnectErrorOptions } from './errors.ts';
export { ConnectSchema, Field, NULL_SCHEMA_AND_VALUE, SCHEMA_TYPES, Schemas, isPrimitiveType } from './schema.ts';
export type { ConnectSchemaInit, Schema, SchemaAndValue, SchemaType } from './schema.ts';
export { SchemaBuilder } from './schema-builder.ts';
export { DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, Struct, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME, validateValue } from './struct.ts';
export { BigDecimal } from './big-decimal.ts';
export type { RoundingMode } from './big-decimal.ts';
export { LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp, dateLogicalType } from './logical-types.ts';
export { valuesEqual } from './values-equal.ts';
export { convertToString as valueToString, inferSchema, parseString as parseValueString } from './values.ts';
export { javaDoubleToString, javaFloatToString } from './java-numbers.ts';
export { JsonNumber, decodeBase64, encodeBase64, isJsonObject, jsonTypeName, parseJson } from './json-text.ts';
export type { JsonValue } from './json-text.ts';
export { DEFAULT_JSON_DATA_OPTIONS, connectToJson, jsonToConnect, jsonToSchema, schemaToJson } from './json-data.ts';
export type { DecimalFormat, JsonDataOptions } from './json-data.ts';
export { ConnectHeaders } from './headers.ts';
export type { Header } from './headers.ts';
export { ConnectRecord, SinkRecord, SourceRecord } from './records.ts';
export type { ConnectRecordInit, RecordChanges, SinkRecordInit, SourceMap, SourceRecordInit, TimestampType } from './records.ts';
export { topicPartitionKey } from './topic-partition.ts';
export type { RecordMetadata, TopicPartition, TopicPartitionOffset } from './topic-partition.ts';
export { Connector } from './connector.ts';
export type { ConnectorContext, MaybePromise, Versioned } from './connector.ts';
export { SourceConnector, SourceTask } from './source.ts';
export type { ExactlyOnceSupport, OffsetStorageReader, SourceConnectorContext, SourceTaskContext } from './source.ts';
export { SinkConnector, SinkTask, TOPICS_CONFIG, TOPICS_REGEX_CONFIG } from './sink.ts';
export type { ErrantRecordReporter, SinkConnectorContext, SinkTaskContext } from './sink.ts';
export type { Converter, HeaderConverter } from './converter.ts';
export type { Predicate, Transformation } from './transformation.ts';
export { groupPartitions } from './connector-utils.ts';
