import { ByteReader, ByteWriter } from './binary.ts';

/**
 * The committed-offset record of __consumer_offsets, as Kafka writes it
 * (group-coordinator OffsetCommitKey.json / OffsetCommitValue.json). Key and value each start with
 * an int16 version; key versions 0 and 1 are this record type.
 */

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetCommitValue {
  offset: bigint;
  /** -1 when unknown (and in versions before 3). */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Only version 1 carries it; -1 means "no per-offset expiry". */
  expireTimestamp: bigint;
}

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const OFFSET_COMMIT_VALUE_MAX_VERSION = 4;

/** Kafka writes version 1 when the commit carries an explicit expiry, else version 3. */
export function offsetCommitValueVersion(value: OffsetCommitValue): number {
  return value.expireTimestamp !== -1n ? 1 : 3;
}

export function writeOffsetCommitKey(w: ByteWriter, key: OffsetCommitKey): void {
  w.string(key.group).string(key.topic).int32(key.partition);
}

export function readOffsetCommitKey(r: ByteReader): OffsetCommitKey {
  return { group: r.string('group'), topic: r.string('topic'), partition: r.int32('partition') };
}

export function encodeOffsetCommitValue(value: OffsetCommitValue, version = offsetCommitValueVersion(value)): Uint8Array {
  const w = new ByteWriter().int16(version);
  w.int64(value.offset);
  if (version >= 3) w.int32(value.leaderEpoch);
  if (version >= 4) w.compactString(value.metadata);
  else w.string(value.metadata);
  w.int64(value.commitTimestamp);
  if (version === 1) w.int64(value.expireTimestamp);
  if (version >= 4) w.emptyTaggedFields();
  return w.toBytes();
}

export function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const r = new ByteReader(bytes, 'OffsetCommitValue');
  const version = r.int16('version');
  if (version < 0 || version > OFFSET_COMMIT_VALUE_MAX_VERSION) {
    r.fail('version', `unsupported version ${version} (known: 0-${OFFSET_COMMIT_VALUE_MAX_VERSION})`);
  }
  const offset = r.int64('offset');
  const leaderEpoch = version >= 3 ? r.int32('leaderEpoch') : -1;
  const metadata = version >= 4 ? r.compactString('metadata') : r.string('metadata');
  const commitTimestamp = r.int64('commitTimestamp');
  const expireTimestamp = version === 1 ? r.int64('expireTimestamp') : -1n;
  if (version >= 4) r.skipTaggedFields('tagged fields');
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}
