/**
 * SimpleHeaderConverter (org.apache.kafka.connect.storage.SimpleHeaderConverter), Kafka
 * Connect's default header converter: writes a header value as its string form in UTF-8 and
 * reads it back inferring the type (numbers, booleans, dates, arrays, maps; else a string).
 * Bytes that are not valid UTF-8 come back as BYTES.
 */
import type { HeaderConverter, Schema, SchemaAndValue } from '../api/index.ts';
import { ConfigDef, NULL_SCHEMA_AND_VALUE, Schemas, parseValueString, valueToString } from '../api/index.ts';

const CONFIG = new ConfigDef();
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class SimpleHeaderConverter implements HeaderConverter {
  config(): ConfigDef<object> {
    return CONFIG;
  }

  configure(): void {}

  toConnectHeader(_topic: string, _headerKey: string, value: Uint8Array | null): SchemaAndValue {
    if (value === null) return NULL_SCHEMA_AND_VALUE;
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return { schema: Schemas.BYTES, value };
    }
    return parseValueString(text);
  }

  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(valueToString(schema, value) ?? '', 'utf8');
  }
}
