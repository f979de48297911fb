/**
 * StringConverter (org.apache.kafka.connect.storage.StringConverter): values become their string
 * form in `converter.encoding` (default UTF-8); bytes come back as an optional STRING. Also a
 * header converter.
 */
import type { Converter, HeaderConverter, Schema, SchemaAndValue } from '../api/index.ts';
import { ConfigDef, NULL_SCHEMA_AND_VALUE, Schemas, valueToString } from '../api/index.ts';
import type { Charset } from './charsets.ts';
import { charsetFor } from './charsets.ts';
import { converterConfigDef, withConverterType } from './converter-config.ts';

export const ENCODING_CONFIG = 'converter.encoding';

const CONFIG = converterConfigDef().extend(
  new ConfigDef().define({
    name: ENCODING_CONFIG,
    type: 'STRING',
    default: 'UTF-8',
    importance: 'HIGH',
    documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
    width: 'MEDIUM',
    displayName: 'Encoding',
  }),
);

/** A null (absent key, tombstone) converts to this shared value rather than to a new object per record. */
const NULL_STRING: SchemaAndValue = Object.freeze({ schema: Schemas.OPTIONAL_STRING, value: null });

export class StringConverter implements Converter, HeaderConverter {
  #charset: Charset = charsetFor('UTF-8', ENCODING_CONFIG);

  config(): ConfigDef<object> {
    return CONFIG;
  }

  configure(configs: Readonly<Record<string, unknown>>, isKey?: boolean): void {
    const parsed = CONFIG.parse(withConverterType(configs, isKey));
    this.#charset = charsetFor(parsed.get(ENCODING_CONFIG), ENCODING_CONFIG);
  }

  fromConnectData(_topic: string, _headers: unknown, schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return this.#charset.encode(typeof value === 'string' ? value : (valueToString(schema, value) ?? ''));
  }

  toConnectData(_topic: string, _headers: unknown, value: Uint8Array | null): SchemaAndValue {
    if (value === null) return NULL_STRING;
    return { schema: Schemas.OPTIONAL_STRING, value: this.#charset.decode(value) };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, null, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return value === null ? NULL_SCHEMA_AND_VALUE : this.toConnectData(topic, null, value);
  }
}
