/**
 * ByteArrayConverter (org.apache.kafka.connect.converters.ByteArrayConverter): bytes pass through
 * unchanged, with an optional BYTES schema. Also a header converter.
 */
import type { Converter, HeaderConverter, Schema, SchemaAndValue } from '../api/index.ts';
import { DataException, Schemas } from '../api/index.ts';
import type { ConfigDef } from '../config/index.ts';
import { converterConfigDef, withConverterType } from './converter-config.ts';

const CONFIG = converterConfigDef();

export class ByteArrayConverter implements Converter, HeaderConverter {
  config(): ConfigDef<object> {
    return CONFIG;
  }

  configure(configs: Readonly<Record<string, unknown>>, isKey?: boolean): void {
    CONFIG.parse(withConverterType(configs, isKey));
  }

  fromConnectData(topic: string, _headers: unknown, schema: Schema | null, value: unknown): Uint8Array | null {
    if (schema !== null && schema.type !== 'BYTES') {
      throw new DataException(`Invalid schema type for ByteArrayConverter: ${schema.type} (topic "${topic}")`, { context: { topic } });
    }
    if (value === null || value === undefined) return null;
    if (!(value instanceof Uint8Array)) {
      const kind = typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
      throw new DataException(`ByteArrayConverter is not compatible with objects of type ${kind} (topic "${topic}")`, { context: { topic } });
    }
    return value;
  }

  toConnectData(_topic: string, _headers: unknown, value: Uint8Array | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_BYTES, value };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, null, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, null, value);
  }
}
