// Shared builders for the schema-registry unit tests.
import { parseAvro } from '../../../schema-registry/core/avro/avro-parser.ts';
import type { AvroSchema } from '../../../schema-registry/core/avro/avro-types.ts';

/** A record schema `name` with the given field JSON fragments. */
export function record(fields: object[], name = 'User', extra: object = {}): string {
  return JSON.stringify({ type: 'record', name, namespace: 'com.example', ...extra, fields });
}

export function avro(text: string): AvroSchema {
  return parseAvro(text, [], { validateDefaults: true }).schema;
}
