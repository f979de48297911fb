/**
 * The schema registry converters (Confluent's AvroConverter and JsonSchemaConverter), registered
 * in the converter registry under Confluent's class names when this module is imported.
 */
import { availableConverters, registerConverter } from '../converter-registry.ts';
import { AvroConverter } from './avro-converter.ts';
import { JsonSchemaConverter } from './json-schema-converter.ts';

export { AvroConverter, AvroFormat } from './avro-converter.ts';
export { JsonSchemaConverter, JsonSchemaFormat } from './json-schema-converter.ts';
export { RegistryClient, RegistryClientError, type RegisteredSchema, type SubjectVersion } from './registry-client.ts';
export { frame, unframe, MAGIC_BYTE } from './wire-format.ts';
export { subjectNameStrategy, DEFAULT_SUBJECT_NAME_STRATEGY, type SubjectNameStrategy } from './subject-name-strategy.ts';
export * from './registry-converter-config.ts';

export const AVRO_CONVERTER_CLASS = 'io.confluent.connect.avro.AvroConverter';
export const JSON_SCHEMA_CONVERTER_CLASS = 'io.confluent.connect.json.JsonSchemaConverter';

/** Adds both converters to the registry (once; later calls do nothing). */
export function registerSchemaRegistryConverters(): void {
  const known = availableConverters();
  if (!known.includes(AVRO_CONVERTER_CLASS)) registerConverter({ className: AVRO_CONVERTER_CLASS, createConverter: () => new AvroConverter() });
  if (!known.includes(JSON_SCHEMA_CONVERTER_CLASS)) registerConverter({ className: JSON_SCHEMA_CONVERTER_CLASS, createConverter: () => new JsonSchemaConverter() });
}

registerSchemaRegistryConverters();
