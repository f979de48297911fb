import { describe, expect, it } from 'vitest';
import type { DeletableGroupResult } from '../../../runtime/broker/group/api-types.ts';
import { CTX, Harness, subscription } from './harness.ts';

function deleteGroups(h: Harness, groupIds: (string | null)[]): number {
  const id = h.nextRequestId();
  h.apply(h.coordinator.deleteGroups(id, groupIds));
  return id;
}

function deleteResult(h: Harness, id: number): DeletableGroupResult[] | undefined {
  const r = h.responses.get(id);
  if (r !== undefined && r.api !== 'DeleteGroups') throw new Error(`got ${r.api}`);
  return r?.body;
}

function simpleCommit(h: Harness, groupId: string): void {
  h.apply(
    h.coordinator.offsetCommit(
      h.nextRequestId(),
      {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
      },
      CTX,
    ),
  );
}

describe('DescribeGroups', () => {
  it('a Stable group shows its protocol and each member with metadata and assignment', () => {
    const h = new Harness();
    const { members } = h.stableGroup(2);
    const [described] = h.coordinator.describeGroups(['g']);
    expect(described).toEqual({
      errorCode: 0,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: members.map((memberId, k) => ({
        memberId,
        groupInstanceId: null,
        clientId: 'client',
        clientHost: '/127.0.0.1',
        memberMetadata: subscription(['t']),
        memberAssignment: Uint8Array.of(k),
      })),
    });
  });

  it('outside Stable no protocol or metadata; unknown groups are Dead; a null id is INVALID_GROUP_ID', () => {
    const h = new Harness();
    const { members } = h.stableGroup(2);
    h.join({ memberId: members[0] });
    const [preparing, unknown, nullId] = h.coordinator.describeGroups(['g', 'nope', null]);
    expect(preparing).toMatchObject({ groupState: 'PreparingRebalance', protocolType: 'consumer', protocolData: '' });
    expect(preparing.members[0].memberMetadata).toEqual(new Uint8Array(0));
    expect(unknown).toEqual({ errorCode: 0, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [] });
    expect(nullId.errorCode).toBe(24);
  });
});

describe('ListGroups', () => {
  it('lists every group, filtered by state (case-insensitive) and type', () => {
    const h = new Harness();
    h.stableGroup(1);
    simpleCommit(h, 'simple');
    expect(h.coordinator.listGroups({ statesFilter: [], typesFilter: [] })).toEqual({
      errorCode: 0,
      groups: [
        { groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
        { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
      ],
    });
    expect(h.coordinator.listGroups({ statesFilter: ['empty'], typesFilter: [] }).groups.map((g) => g.groupId)).toEqual(['simple']);
    expect(h.coordinator.listGroups({ statesFilter: ['Stable', 'Empty'], typesFilter: ['Classic'] }).groups).toHaveLength(2);
    expect(h.coordinator.listGroups({ statesFilter: [], typesFilter: ['consumer'] }).groups).toEqual([]);
  });
});

describe('DeleteGroups', () => {
  it('refuses non-empty and unknown groups, deletes an Empty one with its offsets after the write', () => {
    const h = new Harness();
    h.stableGroup(1);
    simpleCommit(h, 'simple');
    h.autoAck = false;
    const id = deleteGroups(h, ['g', 'nope', 'simple', null]);
    expect(deleteResult(h, id)).toBeUndefined();
    // A group being deleted takes no new members.
    expect(h.coordinator.group('simple')?.state).toBe('Dead');
    expect(h.joinResponse(h.join({ groupId: 'simple' }))?.errorCode).toBe(15);
    expect(h.pendingAppends[0].records).toEqual([
      { type: 'offset-commit', key: { group: 'simple', topic: 't', partition: 0 }, value: null },
      { type: 'group-metadata', key: { group: 'simple' }, value: null },
    ]);
    h.ack();
    expect(deleteResult(h, id)).toEqual([
      { groupId: 'g', errorCode: 68 },
      { groupId: 'nope', errorCode: 69 },
      { groupId: 'simple', errorCode: 0 },
      { groupId: null, errorCode: 24 },
    ]);
    expect(h.coordinator.groupIds()).toEqual(['g']);
    expect(h.coordinator.offsetFetch({ groupId: 'simple', topics: null }).topics).toEqual([]);
  });

  it('groups on different __consumer_offsets partitions are written separately; a failure comes back per group', () => {
    const h = new Harness();
    for (const g of ['a', 'b']) simpleCommit(h, g);
    expect(h.coordinator.partitionFor('a')).not.toBe(h.coordinator.partitionFor('b'));
    h.autoAck = false;
    const id = deleteGroups(h, ['a', 'b']);
    expect(h.pendingAppends).toHaveLength(2);
    h.ack(6);
    expect(deleteResult(h, id)).toBeUndefined();
    h.ack();
    expect(deleteResult(h, id)).toEqual([
      { groupId: 'a', errorCode: 16 },
      { groupId: 'b', errorCode: 0 },
    ]);
    // The group whose tombstones were not written is back, with its offsets.
    expect(h.coordinator.group('a')?.state).toBe('Empty');
    expect(h.coordinator.offsetFetch({ groupId: 'a', topics: null }).topics).toHaveLength(1);
    expect(h.coordinator.group('b')).toBeUndefined();
  });

  it('a deleted group can be created again afterwards', () => {
    const h = new Harness();
    simpleCommit(h, 'g');
    deleteGroups(h, ['g']);
    expect(h.coordinator.group('g')).toBeUndefined();
    h.stableGroup(1);
    expect(h.coordinator.group('g')?.generationId).toBe(1);
  });
});
