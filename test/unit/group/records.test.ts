import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from '../../../runtime/broker/group/coordinator-record.ts';
import type { CoordinatorRecord } from '../../../runtime/broker/group/coordinator-record.ts';
import { decodeGroupMetadataValue, encodeGroupMetadataValue } from '../../../runtime/broker/group/group-metadata-record.ts';
import type { GroupMetadataValue } from '../../../runtime/broker/group/group-metadata-record.ts';
import { decodeOffsetCommitValue, encodeOffsetCommitValue } from '../../../runtime/broker/group/offset-commit-record.ts';
import type { OffsetCommitValue } from '../../../runtime/broker/group/offset-commit-record.ts';
import { CorruptDataError } from '../../../runtime/util/errors.ts';

// Expected bytes are derived by hand from group-coordinator/src/main/resources/common/message/
// OffsetCommitKey.json, OffsetCommitValue.json, GroupMetadataKey.json, GroupMetadataValue.json:
// an int16 version, then the fields of that version; non-flexible strings are int16 length + UTF-8,
// bytes and arrays int32 length; flexible (v4) ones unsigned varint length+1, and each struct ends
// with a tagged-field count.
const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array | null): string => (b === null ? 'null' : Buffer.from(b).toString('hex'));

const offsetValue: OffsetCommitValue = { offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: 1000n, expireTimestamp: -1n };

const member = {
  memberId: 'm',
  groupInstanceId: null,
  clientId: 'c',
  clientHost: '/h',
  rebalanceTimeout: 300_000,
  sessionTimeout: 45_000,
  subscription: Uint8Array.of(1, 2),
  assignment: Uint8Array.of(3),
};
const groupValue: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 1,
  protocol: 'range',
  leader: 'm',
  currentStateTimestamp: 1000n,
  members: [member],
};

describe('OffsetCommitKey (key version 1)', () => {
  it('encodes group, topic, partition after the version', () => {
    const record: CoordinatorRecord = { type: 'offset-commit', key: { group: 'g', topic: 't', partition: 7 }, value: null };
    // version 1 | "g" | "t" | partition 7; null value = tombstone
    expect(toHex(encodeCoordinatorRecord(record).key)).toBe('0001' + '000167' + '000174' + '00000007');
    expect(encodeCoordinatorRecord(record).value).toBeNull();
  });

  it('decodes key versions 0 and 1 as offset commits', () => {
    for (const v of ['0000', '0001']) {
      const decoded = decodeCoordinatorRecord(hex(v + '000167 000174 00000007'), null);
      expect(decoded).toEqual({ type: 'offset-commit', key: { group: 'g', topic: 't', partition: 7 }, value: null });
    }
  });
});

describe('OffsetCommitValue', () => {
  it('v3 (what Kafka writes without expiry): offset, leaderEpoch, metadata, commitTimestamp', () => {
    const bytes = encodeOffsetCommitValue(offsetValue);
    expect(toHex(bytes)).toBe('0003' + '0000000000000005' + 'ffffffff' + '0000' + '00000000000003e8');
    expect(decodeOffsetCommitValue(bytes)).toEqual(offsetValue);
  });

  it('v1 (what Kafka writes with an explicit expiry) adds expireTimestamp and drops leaderEpoch', () => {
    const value = { ...offsetValue, leaderEpoch: 4, metadata: 'x', expireTimestamp: 2000n };
    const bytes = encodeOffsetCommitValue(value);
    expect(toHex(bytes)).toBe('0001' + '0000000000000005' + '000178' + '00000000000003e8' + '00000000000007d0');
    // v1 has no leader epoch: it reads back as -1
    expect(decodeOffsetCommitValue(bytes)).toEqual({ ...value, leaderEpoch: -1 });
  });

  it('v0 and v2: offset, metadata, commitTimestamp', () => {
    for (const version of [0, 2]) {
      const bytes = encodeOffsetCommitValue({ ...offsetValue, leaderEpoch: 9 }, version);
      expect(toHex(bytes)).toBe(`000${version}` + '0000000000000005' + '0000' + '00000000000003e8');
      expect(decodeOffsetCommitValue(bytes)).toEqual(offsetValue);
    }
  });

  it('v4 (flexible): compact metadata and an empty tagged-field section', () => {
    const value = { ...offsetValue, leaderEpoch: 2, metadata: 'ab' };
    const bytes = encodeOffsetCommitValue(value, 4);
    expect(toHex(bytes)).toBe('0004' + '0000000000000005' + '00000002' + '036162' + '00000000000003e8' + '00');
    expect(decodeOffsetCommitValue(bytes)).toEqual(value);
  });

  it('v4 with an unknown tagged field still decodes (the tag is skipped)', () => {
    const bytes = hex('0004 0000000000000005 00000002 01 00000000000003e8 01 05 02 abcd');
    expect(decodeOffsetCommitValue(bytes)).toEqual({ ...offsetValue, leaderEpoch: 2 });
  });

  it('refuses truncated bytes and unknown versions with the field and position', () => {
    expect(() => decodeOffsetCommitValue(hex('0003 00000000000000'))).toThrow(CorruptDataError);
    expect(() => decodeOffsetCommitValue(hex('0003 00000000000000'))).toThrow(/OffsetCommitValue: offset at byte 2/);
    expect(() => decodeOffsetCommitValue(hex('0009 0000000000000005'))).toThrow(/unsupported version 9/);
    try {
      decodeOffsetCommitValue(hex('0003 0000000000000005 ffffffff 0005 61'));
      expect.unreachable();
    } catch (err) {
      expect((err as CorruptDataError).context).toMatchObject({ field: 'metadata', record: 'OffsetCommitValue' });
    }
  });
});

describe('GroupMetadataKey (key version 2)', () => {
  it('encodes the group id after the version', () => {
    const record: CoordinatorRecord = { type: 'group-metadata', key: { group: 'g' }, value: null };
    expect(toHex(encodeCoordinatorRecord(record).key)).toBe('0002000167');
    expect(decodeCoordinatorRecord(hex('0002000167'), null)).toEqual(record);
  });

  it('key versions of the new protocols are reported as unknown, not misread', () => {
    expect(decodeCoordinatorRecord(hex('0003000167'), hex('0000'))).toEqual({ type: 'unknown', keyVersion: 3 });
    expect(() => decodeCoordinatorRecord(hex('ffff'), null)).toThrow(/negative record type/);
    expect(() => decodeCoordinatorRecord(hex('00'), null)).toThrow(CorruptDataError);
  });
});

describe('GroupMetadataValue', () => {
  const memberV3 =
    '00016d' + // memberId "m"
    'ffff' + // groupInstanceId null
    '000163' + // clientId "c"
    '00022f68' + // clientHost "/h"
    '000493e0' + // rebalanceTimeout 300000
    '0000afc8' + // sessionTimeout 45000
    '000000020102' + // subscription
    '0000000103'; // assignment
  const headerV3 =
    '0003' +
    '0008' + '636f6e73756d6572' + // protocolType "consumer"
    '00000001' + // generation
    '000572616e6765' + // protocol "range"
    '00016d' + // leader "m"
    '00000000000003e8' + // currentStateTimestamp
    '00000001'; // one member

  it('v3 (what Kafka writes): members with instance id and rebalance timeout', () => {
    const bytes = encodeGroupMetadataValue(groupValue);
    expect(toHex(bytes)).toBe(headerV3 + memberV3);
    expect(decodeGroupMetadataValue(bytes)).toEqual(groupValue);
  });

  it('v3 with a static member', () => {
    const value = { ...groupValue, members: [{ ...member, groupInstanceId: 'i' }] };
    const bytes = encodeGroupMetadataValue(value);
    expect(toHex(bytes)).toBe(headerV3 + memberV3.replace('ffff', '000169'));
    expect(decodeGroupMetadataValue(bytes)).toEqual(value);
  });

  it('v0: no state timestamp, no instance id, no rebalance timeout', () => {
    const bytes = encodeGroupMetadataValue(groupValue, 0);
    expect(toHex(bytes)).toBe(
      '0000' + '0008636f6e73756d6572' + '00000001' + '000572616e6765' + '00016d' + '00000001' +
        '00016d' + '000163' + '00022f68' + '0000afc8' + '000000020102' + '0000000103',
    );
    expect(decodeGroupMetadataValue(bytes)).toEqual({
      ...groupValue,
      currentStateTimestamp: -1n,
      members: [{ ...member, rebalanceTimeout: -1 }],
    });
  });

  it('v1 adds the rebalance timeout, v2 the state timestamp', () => {
    const v1 = encodeGroupMetadataValue(groupValue, 1);
    expect(toHex(v1)).toBe(
      '0001' + '0008636f6e73756d6572' + '00000001' + '000572616e6765' + '00016d' + '00000001' +
        '00016d' + '000163' + '00022f68' + '000493e0' + '0000afc8' + '000000020102' + '0000000103',
    );
    expect(decodeGroupMetadataValue(v1)).toEqual({ ...groupValue, currentStateTimestamp: -1n });
    const v2 = encodeGroupMetadataValue(groupValue, 2);
    expect(toHex(v2)).toBe(
      '0002' + '0008636f6e73756d6572' + '00000001' + '000572616e6765' + '00016d' + '00000000000003e8' + '00000001' +
        '00016d' + '000163' + '00022f68' + '000493e0' + '0000afc8' + '000000020102' + '0000000103',
    );
    expect(decodeGroupMetadataValue(v2)).toEqual(groupValue);
  });

  it('v4 (flexible): compact strings, bytes and arrays, tagged fields per struct', () => {
    const bytes = encodeGroupMetadataValue(groupValue, 4);
    expect(toHex(bytes)).toBe(
      '0004' + '09636f6e73756d6572' + '00000001' + '0672616e6765' + '026d' + '00000000000003e8' + '02' +
        '026d' + '00' + '0263' + '032f68' + '000493e0' + '0000afc8' + '030102' + '0203' + '00' + '00',
    );
    expect(decodeGroupMetadataValue(bytes)).toEqual(groupValue);
  });

  it('an emptied group: null protocol and leader, no members', () => {
    const value: GroupMetadataValue = { protocolType: 'consumer', generation: 2, protocol: null, leader: null, currentStateTimestamp: 1000n, members: [] };
    const bytes = encodeGroupMetadataValue(value);
    expect(toHex(bytes)).toBe('0003' + '0008636f6e73756d6572' + '00000002' + 'ffff' + 'ffff' + '00000000000003e8' + '00000000');
    expect(decodeGroupMetadataValue(bytes)).toEqual(value);
  });

  it('refuses a negative member count and truncated members', () => {
    expect(() => decodeGroupMetadataValue(hex('0003 0000 00000001 ffff ffff 0000000000000000 ffffffff'))).toThrow(/members at byte \d+: null or negative/);
    expect(() => decodeGroupMetadataValue(hex(headerV3 + '00016d'))).toThrow(/members\[0\]\.groupInstanceId/);
  });

  it('round-trips through the record codec with key and value', () => {
    const record: CoordinatorRecord = { type: 'group-metadata', key: { group: 'grp' }, value: groupValue };
    const encoded = encodeCoordinatorRecord(record);
    expect(decodeCoordinatorRecord(encoded.key, encoded.value)).toEqual(record);
  });
});
