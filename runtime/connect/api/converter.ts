/**
 * Converters between Connect data and bytes (Kafka's Converter and HeaderConverter). Methods may
 * return promises (schema-registry converters look schemas up over HTTP); the built-in ones
 * answer synchronously, so callers should only await a result that is a Promise.
 */
import type { ConfigDef } from '../config/index.ts';
import type { MaybePromise } from './connector.ts';
import type { ConnectHeaders } from './headers.ts';
import type { Schema, SchemaAndValue } from './schema.ts';

export interface Converter {
  /** `configs` are the converter's own settings (e.g. the `value.converter.` keys, prefix removed). */
  configure(configs: Readonly<Record<string, unknown>>, isKey: boolean): void;
  /** Connect data to bytes; null stays null (a tombstone). */
  fromConnectData(topic: string, headers: ConnectHeaders | null, schema: Schema | null, value: unknown): MaybePromise<Uint8Array | null>;
  /** Bytes to Connect data. */
  toConnectData(topic: string, headers: ConnectHeaders | null, value: Uint8Array | null): MaybePromise<SchemaAndValue>;
  config(): ConfigDef<object>;
  close?(): MaybePromise<void>;
}

export interface HeaderConverter {
  configure(configs: Readonly<Record<string, unknown>>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): MaybePromise<Uint8Array | null>;
  toConnectHeader(topic: string, headerKey: string, value: Uint8Array | null): MaybePromise<SchemaAndValue>;
  config(): ConfigDef<object>;
  close?(): MaybePromise<void>;
}
