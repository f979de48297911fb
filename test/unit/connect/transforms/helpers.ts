/** Shared helpers for the SMT tests: configured transforms and quick records. */
import type { ConnectRecord, Predicate, Schema, Transformation } from '../../../../runtime/connect/api/index.ts';
import { SinkRecord, SourceRecord, Struct } from '../../../../runtime/connect/api/index.ts';

export function configured<T extends Transformation<R> | Predicate<R>, R extends ConnectRecord<R>>(plugin: T, props: Record<string, unknown>): T {
  plugin.configure(props);
  return plugin;
}

/** A schemaless map from an object literal. */
export function map(entries: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(entries));
}

/** A struct of `schema` with the given field values. */
export function struct(schema: Schema, values: Record<string, unknown>): Struct {
  const s = new Struct(schema);
  for (const [k, v] of Object.entries(values)) s.put(k, v);
  return s;
}

export function valueRecord(valueSchema: Schema | null, value: unknown, extra: Partial<ConstructorParameters<typeof SourceRecord>[0]> = {}): SourceRecord {
  return new SourceRecord({ topic: 'test', kafkaPartition: 0, valueSchema, value, ...extra });
}

export function keyRecord(keySchema: Schema | null, key: unknown, extra: Partial<ConstructorParameters<typeof SourceRecord>[0]> = {}): SourceRecord {
  return new SourceRecord({ topic: 'test', kafkaPartition: 0, keySchema, key, ...extra });
}

export function sinkRecord(init: Partial<ConstructorParameters<typeof SinkRecord>[0]> = {}): SinkRecord {
  return new SinkRecord({ topic: 'test', kafkaPartition: 0, kafkaOffset: 0, ...init });
}
