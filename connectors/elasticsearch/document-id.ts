/**
 * Document ids and external versions. Ids are deterministic (the record key, or
 * topic+partition+offset), so a replayed record rewrites the same document instead of adding
 * one; the external version (the Kafka offset, or a header) makes Elasticsearch refuse a replayed
 * older record outright.
 */
import type { SinkRecord } from '../../runtime/connect/api/index.ts';
import { DataException, valueToString } from '../../runtime/connect/api/index.ts';

/** Where a record came from, for error messages. */
export function describeRecord(record: SinkRecord): string {
  return describeCoordinates(record.topic, record.kafkaPartition, record.kafkaOffset);
}

export function describeCoordinates(topic: string, partition: number | null, offset: number): string {
  return `record from topic=${topic} partition=${partition} offset=${offset}`;
}

/**
 * The part that all records of one topic partition share of the id of a record whose key is
 * ignored: `topic+partition+offset` (one document per record).
 */
export function coordinatesIdPrefix(topic: string, partition: number | null): string {
  return `${topic}+${partition}+`;
}

/** The id from the record key: strings and integers only (Connect INT8..INT64, STRING). */
export function keyId(record: SinkRecord): string {
  const key = record.key;
  const where = describeRecord(record);
  if (key === null || key === undefined) {
    throw new DataException(`Key is used as document id and can not be null (${where}); set key.ignore=true to use topic+partition+offset ids`);
  }
  const type = record.keySchema?.type ?? inferredKeyType(key);
  switch (type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'STRING': {
      const id = typeof key === 'string' ? key : String(key);
      if (id === '') throw new DataException(`Key is used as document id and can not be empty (${where})`);
      return id;
    }
    default:
      throw new DataException(`${type} is not supported as the document id (${where}); use a string or integer key, or set key.ignore=true`);
  }
}

function inferredKeyType(key: unknown): string {
  if (typeof key === 'string') return 'STRING';
  if (typeof key === 'bigint') return 'INT64';
  if (typeof key === 'number') return Number.isInteger(key) ? 'INT64' : 'FLOAT64';
  if (typeof key === 'boolean') return 'BOOLEAN';
  if (key instanceof Uint8Array) return 'BYTES';
  if (Array.isArray(key)) return 'ARRAY';
  if (key instanceof Map) return 'MAP';
  return 'STRUCT';
}

const MAX_VERSION = (1n << 63n) - 1n;

/**
 * The external version from header `name`: its last value, as a whole number in 0..2^63-1,
 * returned as decimal text (versions can exceed 2^53).
 */
export function headerVersion(record: SinkRecord, name: string): string {
  const header = record.headers.lastWithName(name);
  if (header === null) {
    throw new DataException(`External version header '${name}' is missing (${describeRecord(record)})`);
  }
  // The value itself is left out of the message: it comes from the record and may be sensitive.
  const text = valueToString(header.schema, header.value)?.trim() ?? '';
  if (!/^\+?\d+$/.test(text) || BigInt(text) > MAX_VERSION) {
    throw new DataException(`External version header '${name}' is not a whole number from 0 to 2^63-1 (${describeRecord(record)})`);
  }
  return BigInt(text).toString();
}
