/** Built-in converters and the converter registry. */
export { ByteArrayConverter } from './byte-array-converter.ts';
export { StringConverter, ENCODING_CONFIG } from './string-converter.ts';
export {
  DECIMAL_FORMAT_CONFIG,
  JsonConverter,
  REPLACE_NULL_WITH_DEFAULT_CONFIG,
  SCHEMAS_CACHE_SIZE_CONFIG,
  SCHEMAS_ENABLE_CONFIG,
} from './json-converter.ts';
export { SimpleHeaderConverter } from './simple-header-converter.ts';
export { NUMBER_FORMATS, NumberConverter } from './number-converters.ts';
export { CONVERTER_TYPE_CONFIG, converterConfigDef, withConverterType } from './converter-config.ts';
export type { ConverterType } from './converter-config.ts';
export { SUPPORTED_CHARSETS, charsetFor } from './charsets.ts';
export type { Charset } from './charsets.ts';
export { LruCache } from '../../util/lru-cache.ts';
export {
  availableConverters,
  availableHeaderConverters,
  createConverter,
  createHeaderConverter,
  registerConverter,
} from './converter-registry.ts';
export type { ConverterPlugin } from './converter-registry.ts';
// Confluent's AvroConverter and JsonSchemaConverter are built in: importing the module registers them.
export { AVRO_CONVERTER_CLASS, JSON_SCHEMA_CONVERTER_CLASS, registerSchemaRegistryConverters } from './schema-registry/index.ts';
