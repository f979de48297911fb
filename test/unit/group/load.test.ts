import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from '../../../runtime/broker/group/coordinator-record.ts';
import type { CoordinatorRecord, UnknownCoordinatorRecord } from '../../../runtime/broker/group/coordinator-record.ts';
import { foldCoordinatorRecords } from '../../../runtime/broker/group/load.ts';
import { CTX, Harness } from './harness.ts';

const offset = (group: string, topic: string, partition: number, value: bigint | null): CoordinatorRecord => ({
  type: 'offset-commit',
  key: { group, topic, partition },
  value: value === null ? null : { offset: value, leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n },
});

/** The log as bytes and back, as the broker reads __consumer_offsets at start. */
function throughBytes(records: CoordinatorRecord[]): (CoordinatorRecord | UnknownCoordinatorRecord)[] {
  return records.map((r) => {
    const { key, value } = encodeCoordinatorRecord(r);
    return decodeCoordinatorRecord(key, value);
  });
}

describe('foldCoordinatorRecords', () => {
  it('keeps the last record per key; a tombstone removes it', () => {
    const state = foldCoordinatorRecords([
      offset('g', 't', 0, 1n),
      offset('g', 't', 0, 5n),
      offset('g', 't', 1, 2n),
      offset('g', 't', 1, null),
      offset('h', 'u', 0, 3n),
      offset('h', 'u', 0, null),
      { type: 'unknown', keyVersion: 3 },
    ]);
    expect([...state.offsets.keys()]).toEqual(['g']);
    expect(state.offsets.get('g')?.get('t')?.get(0)?.offset).toBe(5n);
    expect(state.offsets.get('g')?.get('t')?.has(1)).toBe(false);
    // Offsets create simple groups (null metadata); the unknown record is counted, not applied.
    expect(state.groups).toEqual(new Map([['g', null], ['h', null]]));
    expect(state.skipped).toBe(1);
  });

  it('a group tombstone removes the group; offsets written after it bring a simple group back', () => {
    const meta: CoordinatorRecord = {
      type: 'group-metadata',
      key: { group: 'g' },
      value: { protocolType: 'consumer', generation: 3, protocol: null, leader: null, currentStateTimestamp: 5n, members: [] },
    };
    const tomb: CoordinatorRecord = { type: 'group-metadata', key: { group: 'g' }, value: null };
    expect(foldCoordinatorRecords([offset('g', 't', 0, 1n), meta]).groups.get('g')).toMatchObject({ generation: 3 });
    expect(foldCoordinatorRecords([meta, tomb]).groups.has('g')).toBe(false);
    expect(foldCoordinatorRecords([meta, tomb, offset('g', 't', 0, 1n)]).groups.get('g')).toBeNull();
  });
});

describe('GroupCoordinator.load', () => {
  it('restores a Stable group, its members, assignments and offsets from the log', () => {
    const before = new Harness();
    const { members, generationId, leader } = before.stableGroup(2, { sessionTimeoutMs: 10_000 });
    before.apply(
      before.coordinator.offsetCommit(
        before.nextRequestId(),
        {
          groupId: 'g',
          generationIdOrMemberEpoch: generationId,
          memberId: members[1],
          groupInstanceId: null,
          retentionTimeMs: -1n,
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 1, commitTimestamp: -1n, committedMetadata: 'm' }] }],
        },
        CTX,
      ),
    );
    const after = new Harness({}, 2_000_000, throughBytes(before.log) as CoordinatorRecord[]);
    expect(after.coordinator.group('g')).toEqual({
      groupId: 'g',
      state: 'Stable',
      generationId,
      protocolType: 'consumer',
      protocolName: 'range',
      leaderId: leader,
      members: members.map((memberId, k) => ({ memberId, groupInstanceId: null, assignment: Uint8Array.of(k), awaitingJoin: false, awaitingSync: false })),
    });
    expect(after.coordinator.offsetFetch({ groupId: 'g', topics: null }).topics[0].partitions[0]).toMatchObject({ committedOffset: 42n, metadata: 'm' });
    // Members carry on with their generation; those that stay silent expire after their session.
    const heartbeat = () => after.coordinator.heartbeat({ groupId: 'g', memberId: members[0], generationId, groupInstanceId: null }).errorCode;
    for (let i = 0; i < 3; i++) {
      after.advance(3000);
      expect(heartbeat()).toBe(0);
    }
    after.advance(1000);
    expect(after.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual([members[0]]);
    expect(heartbeat()).toBe(27);
  });

  it('a restarted static member takes its place after a reload without a rebalance', () => {
    const before = new Harness();
    before.join({ groupInstanceId: 'i-1' });
    before.advance(0);
    const old = before.coordinator.group('g')?.members[0].memberId as string;
    before.sync({ memberId: old, groupInstanceId: 'i-1', generationId: 1, assignments: [{ memberId: old, assignment: Uint8Array.of(7) }] });
    const after = new Harness({}, 2_000_000, before.log);
    const r = after.joinResponse(after.join({ groupInstanceId: 'i-1' }));
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, skipAssignment: true });
    expect(after.syncResponse(after.sync({ memberId: r?.memberId as string, groupInstanceId: 'i-1', generationId: 1 }))?.assignment).toEqual(
      Uint8Array.of(7),
    );
  });

  it('an emptied group comes back Empty with its generation; a deleted one does not come back', () => {
    const before = new Harness();
    const { members } = before.stableGroup(1);
    before.apply(before.coordinator.leaveGroup(before.nextRequestId(), { groupId: 'g', members: [{ memberId: members[0], groupInstanceId: null }] }));
    const after = new Harness({}, 2_000_000, before.log);
    expect(after.coordinator.group('g')).toMatchObject({ state: 'Empty', generationId: 2, protocolType: 'consumer', members: [] });
    before.apply(before.coordinator.deleteGroups(before.nextRequestId(), ['g']));
    expect(new Harness({}, 2_000_000, before.log).coordinator.group('g')).toBeUndefined();
  });

  it('a group over group.max.size after a config change rebalances at load', () => {
    const before = new Harness();
    before.stableGroup(3);
    const after = new Harness({ maxSize: 2 }, 2_000_000, before.log);
    expect(after.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('refuses a second load and a record with members but no protocol', () => {
    const h = new Harness({}, 0, []);
    h.stableGroup(1);
    expect(() => h.coordinator.load([])).toThrow(/before any group exists/);
    const bad: CoordinatorRecord = {
      type: 'group-metadata',
      key: { group: 'x' },
      value: {
        protocolType: 'consumer',
        generation: 1,
        protocol: null,
        leader: 'm',
        currentStateTimestamp: -1n,
        members: [{ memberId: 'm', groupInstanceId: null, clientId: 'c', clientHost: 'h', rebalanceTimeout: -1, sessionTimeout: 10_000, subscription: new Uint8Array(0), assignment: new Uint8Array(0) }],
      },
    };
    expect(() => new Harness({}, 0, [bad])).toThrow(/group x has members but no protocol/);
  });
});
