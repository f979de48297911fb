/**
 * Kafka's `$Key` / `$Value` SMT variants differ only in which half of the record they read and
 * replace. A RecordSide names that half; the helpers read it and derive the changed record.
 */
import type { ConnectRecord, Header, Schema } from '../../api/index.ts';

export type RecordSide = 'key' | 'value';

export function operatingSchema<R extends ConnectRecord<R>>(side: RecordSide, record: R): Schema | null {
  return side === 'key' ? record.keySchema : record.valueSchema;
}

export function operatingValue<R extends ConnectRecord<R>>(side: RecordSide, record: R): unknown {
  return side === 'key' ? record.key : record.value;
}

/** A copy of `record` with the operated half replaced (and the headers, when given). */
export function withOperated<R extends ConnectRecord<R>>(
  side: RecordSide,
  record: R,
  schema: Schema | null,
  value: unknown,
  headers?: Iterable<Header>,
): R {
  const changes = side === 'key' ? { keySchema: schema, key: value } : { valueSchema: schema, value };
  return record.newRecord(headers === undefined ? changes : { ...changes, headers });
}

/** Kafka's `$Key` / `$Value` class-name suffix for a side. */
export function sideSuffix(side: RecordSide): string {
  return side === 'key' ? '$Key' : '$Value';
}
