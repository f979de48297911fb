/** What a schema format (Avro, JSON Schema) gives the registry converter. */
import type { Schema } from '../../api/index.ts';
import type { RegisteredSchema } from './registry-client.ts';

/** A schema as the format works with it, plus its registry text. */
export interface FormatSchema<Native> {
  text: string;
  native: Native;
}

export interface SchemaFormat<Native> {
  /** "AVRO" or "JSON", as the registry names it. */
  readonly schemaType: 'AVRO' | 'JSON';
  /** "Avro" / "JSON Schema", for messages. */
  readonly displayName: string;
  fromConnectSchema(schema: Schema): FormatSchema<Native>;
  /** The record name subject strategies use (RecordNameStrategy), null when the schema has none. */
  recordName(native: Native): string | null;
  /** A registered schema, its references' schemas given dependencies first. */
  parse(registered: RegisteredSchema, referenced: readonly RegisteredSchema[]): Native;
  toConnectSchema(native: Native): Schema;
  serialize(schema: Schema, native: Native, value: unknown): Uint8Array;
  deserialize(schema: Schema, native: Native, payload: Buffer): unknown;
}
