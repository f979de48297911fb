import { describe, expect, it } from 'vitest';
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteResponse,
  OffsetFetchResponseGroup,
  RequestContext,
} from '../../../runtime/broker/group/api-types.ts';
import { CTX, Harness, subscription } from './harness.ts';

function commit(h: Harness, fields: Partial<OffsetCommitRequest> = {}, partitions: [string, number, bigint, string?][] = [['t', 0, 10n]], ctx: Partial<RequestContext> = {}): number {
  const id = h.nextRequestId();
  const byTopic = new Map<string, OffsetCommitRequest['topics'][number]>();
  for (const [topic, partition, offset, metadata] of partitions) {
    const t = byTopic.get(topic) ?? { name: topic, partitions: [] };
    byTopic.set(topic, t);
    t.partitions.push({ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: 3, commitTimestamp: -1n, committedMetadata: metadata ?? 'meta' });
  }
  const request: OffsetCommitRequest = {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [...byTopic.values()],
    ...fields,
  };
  h.apply(h.coordinator.offsetCommit(id, request, { ...CTX, ...ctx }));
  return id;
}

function commitResponse(h: Harness, id: number): OffsetCommitResponse | undefined {
  const r = h.responses.get(id);
  if (r !== undefined && r.api !== 'OffsetCommit') throw new Error(`got ${r.api}`);
  return r?.body;
}

const codes = (r: OffsetCommitResponse | undefined) => r?.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

function fetch(h: Harness, topics: { name: string; partitionIndexes: number[] }[] | null, groupId: string | null = 'g'): OffsetFetchResponseGroup {
  return h.coordinator.offsetFetch({ groupId, topics });
}

function offsetDelete(h: Harness, topics: [string, number[]][], groupId = 'g'): number {
  const id = h.nextRequestId();
  h.apply(h.coordinator.offsetDelete(id, { groupId, topics: topics.map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex })) })) }));
  return id;
}

function deleteResponse(h: Harness, id: number): OffsetDeleteResponse | undefined {
  const r = h.responses.get(id);
  if (r !== undefined && r.api !== 'OffsetDelete') throw new Error(`got ${r.api}`);
  return r?.body;
}

describe('OffsetCommit', () => {
  it('a simple commit (generation -1) creates an Empty group; the offset is visible once written', () => {
    const h = new Harness();
    h.autoAck = false;
    const id = commit(h, {}, [['t', 0, 10n], ['t', 1, 20n]]);
    expect(h.coordinator.group('g')).toMatchObject({ state: 'Empty', protocolType: undefined });
    expect(commitResponse(h, id)).toBeUndefined();
    expect(fetch(h, [{ name: 't', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset).toBe(-1n);
    const append = h.ack();
    expect(append.partition).toBe(h.coordinator.partitionFor('g'));
    expect(append.records).toEqual([
      { type: 'offset-commit', key: { group: 'g', topic: 't', partition: 0 }, value: { offset: 10n, leaderEpoch: 3, metadata: 'meta', commitTimestamp: 1_000_000n, expireTimestamp: -1n } },
      { type: 'offset-commit', key: { group: 'g', topic: 't', partition: 1 }, value: { offset: 20n, leaderEpoch: 3, metadata: 'meta', commitTimestamp: 1_000_000n, expireTimestamp: -1n } },
    ]);
    expect(commitResponse(h, id)).toEqual({ topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }] });
    expect(fetch(h, [{ name: 't', partitionIndexes: [0, 1, 2] }]).topics[0].partitions).toEqual([
      { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
      { partitionIndex: 1, committedOffset: 20n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
      { partitionIndex: 2, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
  });

  it('members of the current generation commit; stale or unknown ones are refused', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(2);
    expect(codes(commitResponse(h, commit(h, { memberId: members[1], generationIdOrMemberEpoch: generationId })))).toEqual([0]);
    expect(codes(commitResponse(h, commit(h, { memberId: members[1], generationIdOrMemberEpoch: generationId - 1 })))).toEqual([22]);
    expect(codes(commitResponse(h, commit(h, { memberId: 'ghost', generationIdOrMemberEpoch: generationId })))).toEqual([25]);
    // An admin commit is only allowed into an Empty group.
    expect(codes(commitResponse(h, commit(h)))).toEqual([25]);
    expect(codes(commitResponse(h, commit(h, { groupId: null })))).toEqual([24]);
  });

  it('a commit into a group that does not exist with a generation is ILLEGAL_GENERATION, or GROUP_ID_NOT_FOUND from v9', () => {
    const h = new Harness();
    expect(codes(commitResponse(h, commit(h, { generationIdOrMemberEpoch: 1, memberId: 'm' }, undefined, { apiVersion: 8 })))).toEqual([22]);
    expect(codes(commitResponse(h, commit(h, { generationIdOrMemberEpoch: 1, memberId: 'm' }, undefined, { apiVersion: 9 })))).toEqual([69]);
    expect(h.coordinator.groupIds()).toEqual([]);
  });

  it('is REBALANCE_IN_PROGRESS between JoinGroup and SyncGroup, allowed while preparing a rebalance', () => {
    const h = new Harness();
    const a = h.joinNew();
    h.advance(0);
    expect(codes(commitResponse(h, commit(h, { memberId: a.memberId, generationIdOrMemberEpoch: 1 })))).toEqual([27]);
    const h2 = new Harness();
    const { members, generationId } = h2.stableGroup(2);
    h2.join({ memberId: members[0] });
    expect(h2.coordinator.group('g')?.state).toBe('PreparingRebalance');
    expect(codes(commitResponse(h2, commit(h2, { memberId: members[1], generationIdOrMemberEpoch: generationId })))).toEqual([0]);
  });

  it('a commit keeps a member session alive like a heartbeat', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(1, { sessionTimeoutMs: 10_000 });
    for (let i = 0; i < 5; i++) {
      h.advance(6000);
      commit(h, { memberId: members[0], generationIdOrMemberEpoch: generationId });
    }
    expect(h.coordinator.group('g')?.members).toHaveLength(1);
  });

  it('metadata over offset.metadata.max.bytes fails only that partition', () => {
    const h = new Harness({ offsetMetadataMaxSize: 4 });
    const r = commitResponse(h, commit(h, {}, [['t', 0, 1n, 'abcd'], ['t', 1, 2n, 'abcde']]));
    expect(codes(r)).toEqual([0, 12]);
    expect(h.log).toHaveLength(1);
  });

  it('a failed write fails every partition with the coordinator error', () => {
    const h = new Harness();
    h.autoAck = false;
    const id = commit(h, {}, [['t', 0, 1n], ['u', 0, 2n]]);
    h.ack(19); // NOT_ENOUGH_REPLICAS
    expect(codes(commitResponse(h, id))).toEqual([15, 15]);
    expect(fetch(h, null).topics).toEqual([]);
  });

  it('retention time gives the offset an expiry (value version 1); a v1 commit timestamp is kept', () => {
    const h = new Harness();
    const id = h.nextRequestId();
    h.apply(
      h.coordinator.offsetCommit(
        id,
        {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: 5000n,
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, commitTimestamp: 123n, committedMetadata: null }] }],
        },
        CTX,
      ),
    );
    expect(h.log[0]).toEqual({
      type: 'offset-commit',
      key: { group: 'g', topic: 't', partition: 0 },
      value: { offset: 7n, leaderEpoch: -1, metadata: '', commitTimestamp: 123n, expireTimestamp: 1_005_000n },
    });
  });
});

describe('OffsetFetch', () => {
  it('all partitions (null topics), specific ones, unknown groups and a null group id', () => {
    const h = new Harness();
    commit(h, {}, [['t', 0, 1n], ['t', 2, 3n], ['u', 5, 8n]]);
    expect(fetch(h, null)).toEqual({
      groupId: 'g',
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
            { partitionIndex: 2, committedOffset: 3n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
          ],
        },
        { name: 'u', partitions: [{ partitionIndex: 5, committedOffset: 8n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 }] },
      ],
    });
    expect(fetch(h, null, 'other')).toEqual({ groupId: 'other', errorCode: 0, topics: [] });
    expect(fetch(h, [{ name: 't', partitionIndexes: [0] }], 'other').topics[0].partitions[0].committedOffset).toBe(-1n);
    expect(fetch(h, null, null).errorCode).toBe(24);
  });
});

describe('OffsetDelete', () => {
  it('GROUP_ID_NOT_FOUND for unknown groups', () => {
    const h = new Harness();
    expect(deleteResponse(h, offsetDelete(h, [['t', [0]]]))).toEqual({ errorCode: 69, topics: [] });
  });

  it('deletes offsets of an Empty group once the tombstones are written', () => {
    const h = new Harness();
    commit(h, {}, [['t', 0, 1n], ['t', 1, 2n]]);
    h.autoAck = false;
    const id = offsetDelete(h, [['t', [0, 9]]]);
    expect(h.pendingAppends[0].records).toEqual([{ type: 'offset-commit', key: { group: 'g', topic: 't', partition: 0 }, value: null }]);
    expect(deleteResponse(h, id)).toBeUndefined();
    h.ack();
    expect(deleteResponse(h, id)).toEqual({ errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 9, errorCode: 0 }] }] });
    expect(fetch(h, null).topics[0].partitions.map((p) => p.partitionIndex)).toEqual([1]);
  });

  it('a consumer group keeps offsets of topics it subscribes to; other topics can go', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(1, { protocols: [{ name: 'range', metadata: subscription(['t']) }] });
    commit(h, { memberId: members[0], generationIdOrMemberEpoch: generationId }, [['t', 0, 1n], ['old', 0, 2n]]);
    const r = deleteResponse(h, offsetDelete(h, [['t', [0]], ['old', [0]]]));
    expect(r).toEqual({
      errorCode: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, errorCode: 86 }] },
        { name: 'old', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
      ],
    });
    expect(fetch(h, null).topics.map((t) => t.name)).toEqual(['t']);
  });

  it('NON_EMPTY_GROUP for an active group of another protocol type', () => {
    const h = new Harness();
    h.stableGroup(1, { protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Uint8Array.of(1) }] });
    expect(deleteResponse(h, offsetDelete(h, [['t', [0]]]))?.errorCode).toBe(68);
  });

  it('tombstones cover a commit still being written', () => {
    const h = new Harness();
    h.autoAck = false;
    commit(h, {}, [['t', 0, 1n]]);
    const id = offsetDelete(h, [['t', [0]]]);
    expect(h.pendingAppends.map((a) => a.records[0].value === null)).toEqual([false, true]);
    h.ackAll();
    expect(deleteResponse(h, id)?.errorCode).toBe(0);
    expect(fetch(h, null).topics).toEqual([]);
  });
});

describe('offset retention', () => {
  const DAY = 24 * 3600 * 1000;

  it('an Empty group loses its offsets offsets.retention.minutes after it emptied, then the group itself', () => {
    const h = new Harness({ offsetsRetentionMs: DAY, offsetsRetentionCheckIntervalMs: 60_000 });
    const { members, generationId } = h.stableGroup(1);
    commit(h, { memberId: members[0], generationIdOrMemberEpoch: generationId }, [['t', 0, 5n]]);
    h.advance(DAY); // the member commits but never heartbeats: it expires after 10 s; the group empties
    expect(h.coordinator.group('g')?.state).toBe('Empty');
    expect(fetch(h, null).topics).toHaveLength(1);
    h.advance(60_000);
    expect(h.coordinator.group('g')).toBeUndefined();
    expect(h.log.slice(-2)).toEqual([
      { type: 'offset-commit', key: { group: 'g', topic: 't', partition: 0 }, value: null },
      { type: 'group-metadata', key: { group: 'g' }, value: null },
    ]);
  });

  it('a simple group expires offsets by commit time; an explicit expiry wins', () => {
    const h = new Harness({ offsetsRetentionMs: DAY, offsetsRetentionCheckIntervalMs: 60_000 });
    commit(h, {}, [['t', 0, 1n]]);
    const id = h.nextRequestId();
    h.apply(
      h.coordinator.offsetCommit(
        id,
        {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: 120_000n,
          topics: [{ name: 'short', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
        },
        CTX,
      ),
    );
    h.advance(180_000);
    expect(fetch(h, null).topics.map((t) => t.name)).toEqual(['t']);
    h.advance(DAY);
    expect(h.coordinator.group('g')).toBeUndefined();
  });

  it('a Stable consumer group keeps offsets of subscribed topics and expires the rest by commit time', () => {
    const h = new Harness({ offsetsRetentionMs: DAY, offsetsRetentionCheckIntervalMs: 60_000 });
    const { members, generationId } = h.stableGroup(1, { sessionTimeoutMs: 60_000 });
    commit(h, { memberId: members[0], generationIdOrMemberEpoch: generationId }, [['t', 0, 1n], ['gone', 0, 2n]]);
    for (let elapsed = 0; elapsed <= DAY; elapsed += 30_000) {
      h.advance(30_000);
      expect(h.coordinator.heartbeat({ groupId: 'g', memberId: members[0], generationId, groupInstanceId: null }).errorCode).toBe(0);
    }
    expect(fetch(h, null).topics.map((t) => t.name)).toEqual(['t']);
    expect(h.coordinator.group('g')?.state).toBe('Stable');
  });

  it('an Empty group without offsets is removed at the next check', () => {
    const h = new Harness({ offsetsRetentionCheckIntervalMs: 60_000 });
    h.stableGroup(1, { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 });
    h.advance(20_000);
    expect(h.coordinator.group('g')?.state).toBe('Empty');
    h.advance(40_000);
    expect(h.coordinator.group('g')).toBeUndefined();
  });
});
