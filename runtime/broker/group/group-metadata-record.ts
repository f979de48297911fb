import { ByteReader, ByteWriter } from './binary.ts';

/**
 * The classic group's metadata record of __consumer_offsets, as Kafka writes it
 * (group-coordinator GroupMetadataKey.json / GroupMetadataValue.json). Key version 2 is this record
 * type; the value is a snapshot of the group after a generation completed (or emptied).
 */

export interface GroupMetadataKey {
  group: string;
}

export interface GroupMetadataMember {
  memberId: string;
  /** Version 3+; null for dynamic members. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Version 1+; -1 in older records (readers then use the session timeout). */
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Uint8Array;
  assignment: Uint8Array;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** Version 2+; -1 when unknown. */
  currentStateTimestamp: bigint;
  members: GroupMetadataMember[];
}

export const GROUP_METADATA_KEY_VERSION = 2;
/** Kafka (metadata version ≥ 2.3) writes the highest non-flexible version. */
export const GROUP_METADATA_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_MAX_VERSION = 4;

export function writeGroupMetadataKey(w: ByteWriter, key: GroupMetadataKey): void {
  w.string(key.group);
}

export function readGroupMetadataKey(r: ByteReader): GroupMetadataKey {
  return { group: r.string('group') };
}

export function encodeGroupMetadataValue(value: GroupMetadataValue, version = GROUP_METADATA_VALUE_VERSION): Uint8Array {
  const flexible = version >= 4;
  const w = new ByteWriter().int16(version);
  const str = (s: string | null): void => {
    if (flexible) w.compactString(s);
    else w.string(s);
  };
  const bytes = (b: Uint8Array): void => {
    if (flexible) w.compactBytes(b);
    else w.bytes(b);
  };
  str(value.protocolType);
  w.int32(value.generation);
  str(value.protocol);
  str(value.leader);
  if (version >= 2) w.int64(value.currentStateTimestamp);
  if (flexible) w.uvarint(value.members.length + 1);
  else w.int32(value.members.length);
  for (const m of value.members) {
    str(m.memberId);
    if (version >= 3) str(m.groupInstanceId);
    str(m.clientId);
    str(m.clientHost);
    if (version >= 1) w.int32(m.rebalanceTimeout);
    w.int32(m.sessionTimeout);
    bytes(m.subscription);
    bytes(m.assignment);
    if (flexible) w.emptyTaggedFields();
  }
  if (flexible) w.emptyTaggedFields();
  return w.toBytes();
}

export function decodeGroupMetadataValue(buf: Uint8Array): GroupMetadataValue {
  const r = new ByteReader(buf, 'GroupMetadataValue');
  const version = r.int16('version');
  if (version < 0 || version > GROUP_METADATA_VALUE_MAX_VERSION) {
    r.fail('version', `unsupported version ${version} (known: 0-${GROUP_METADATA_VALUE_MAX_VERSION})`);
  }
  const flexible = version >= 4;
  const str = (field: string): string => (flexible ? r.compactString(field) : r.string(field));
  const nullableStr = (field: string): string | null => (flexible ? r.compactNullableString(field) : r.nullableString(field));
  const bytes = (field: string): Uint8Array => (flexible ? r.compactBytes(field) : r.bytes(field));

  const protocolType = str('protocolType');
  const generation = r.int32('generation');
  const protocol = nullableStr('protocol');
  const leader = nullableStr('leader');
  const currentStateTimestamp = version >= 2 ? r.int64('currentStateTimestamp') : -1n;
  const count = r.arrayLength('members', flexible);
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = str(`members[${i}].memberId`);
    const groupInstanceId = version >= 3 ? nullableStr(`members[${i}].groupInstanceId`) : null;
    const clientId = str(`members[${i}].clientId`);
    const clientHost = str(`members[${i}].clientHost`);
    const rebalanceTimeout = version >= 1 ? r.int32(`members[${i}].rebalanceTimeout`) : -1;
    const sessionTimeout = r.int32(`members[${i}].sessionTimeout`);
    const subscription = bytes(`members[${i}].subscription`);
    const assignment = bytes(`members[${i}].assignment`);
    if (flexible) r.skipTaggedFields(`members[${i}] tagged fields`);
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  if (flexible) r.skipTaggedFields('tagged fields');
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
