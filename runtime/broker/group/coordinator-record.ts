import { ByteReader, ByteWriter } from './binary.ts';
import {
  GROUP_METADATA_KEY_VERSION,
  decodeGroupMetadataValue,
  encodeGroupMetadataValue,
  readGroupMetadataKey,
  writeGroupMetadataKey,
} from './group-metadata-record.ts';
import type { GroupMetadataKey, GroupMetadataValue } from './group-metadata-record.ts';
import {
  OFFSET_COMMIT_KEY_VERSION,
  decodeOffsetCommitValue,
  encodeOffsetCommitValue,
  readOffsetCommitKey,
  writeOffsetCommitKey,
} from './offset-commit-record.ts';
import type { OffsetCommitKey, OffsetCommitValue } from './offset-commit-record.ts';

/**
 * One record of __consumer_offsets: the key's int16 version says what the record is (Kafka's
 * CoordinatorRecordSerde: 0/1 offset commit, 2 classic group metadata, 3+ records of the new
 * consumer/share group protocols, which Sluice does not write). A null value is a tombstone.
 */
export type CoordinatorRecord =
  | { type: 'offset-commit'; key: OffsetCommitKey; value: OffsetCommitValue | null }
  | { type: 'group-metadata'; key: GroupMetadataKey; value: GroupMetadataValue | null };

/** A record type this coordinator does not handle; loading skips it as Kafka skips unknown types. */
export interface UnknownCoordinatorRecord {
  type: 'unknown';
  keyVersion: number;
}

export interface EncodedCoordinatorRecord {
  key: Uint8Array;
  /** null = tombstone. */
  value: Uint8Array | null;
}

export function encodeCoordinatorRecord(record: CoordinatorRecord): EncodedCoordinatorRecord {
  const w = new ByteWriter();
  if (record.type === 'offset-commit') {
    writeOffsetCommitKey(w.int16(OFFSET_COMMIT_KEY_VERSION), record.key);
    return { key: w.toBytes(), value: record.value === null ? null : encodeOffsetCommitValue(record.value) };
  }
  writeGroupMetadataKey(w.int16(GROUP_METADATA_KEY_VERSION), record.key);
  return { key: w.toBytes(), value: record.value === null ? null : encodeGroupMetadataValue(record.value) };
}

export function decodeCoordinatorRecord(key: Uint8Array, value: Uint8Array | null): CoordinatorRecord | UnknownCoordinatorRecord {
  const r = new ByteReader(key, '__consumer_offsets record key');
  const keyVersion = r.int16('version');
  switch (keyVersion) {
    case 0:
    case 1:
      return { type: 'offset-commit', key: readOffsetCommitKey(r), value: value === null ? null : decodeOffsetCommitValue(value) };
    case 2:
      return { type: 'group-metadata', key: readGroupMetadataKey(r), value: value === null ? null : decodeGroupMetadataValue(value) };
    default:
      if (keyVersion < 0) r.fail('version', `negative record type ${keyVersion}`);
      return { type: 'unknown', keyVersion };
  }
}
