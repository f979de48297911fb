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

/** String header values whose bytes are kept for reuse; the set starts over when full. */
const RECENT_STRINGS = 64;

export class SimpleHeaderConverter implements HeaderConverter {
  readonly #recentStrings = new Map<string, Uint8Array>();

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
    if (typeof value === 'string') return this.#stringBytes(value);
    // Integers (line numbers, positions, counts) print as themselves; floats need Java's format.
    if ((typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'FLOAT32' && schema?.type !== 'FLOAT64') || typeof value === 'bigint') {
      return Buffer.from(String(value), 'latin1');
    }
    return Buffer.from(valueToString(schema, value) ?? '', 'utf8');
  }

  /**
   * String headers often carry the same text on every record (a file name, a source id): their
   * bytes are kept and shared (the producer only reads them) instead of encoded per record.
   */
  #stringBytes(text: string): Uint8Array {
    let bytes = this.#recentStrings.get(text);
    if (bytes === undefined) {
      if (this.#recentStrings.size >= RECENT_STRINGS) this.#recentStrings.clear();
      bytes = Buffer.from(text, 'utf8');
      this.#recentStrings.set(text, bytes);
    }
    return bytes;
  }
}
