import { describe, expect, it } from 'vitest';
import type { DeferredResponse } from '../../../runtime/broker/group/api-types.ts';
import { resolveGroupCoordinatorConfig } from '../../../runtime/broker/group/config.ts';
import { subscribedTopicsOf } from '../../../runtime/broker/group/consumer-protocol.ts';
import { ConfigError } from '../../../runtime/util/errors.ts';
import { CTX, Harness, subscription } from './harness.ts';

const body = (r: DeferredResponse | undefined): unknown => r?.body;

describe('a group being deleted (Dead)', () => {
  it('answers COORDINATOR_NOT_AVAILABLE to every membership and commit request', () => {
    const h = new Harness();
    h.apply(
      h.coordinator.offsetCommit(
        h.nextRequestId(),
        { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [] },
        CTX,
      ),
    );
    expect(h.coordinator.group('g')?.state).toBe('Empty');
    h.autoAck = false;
    h.apply(h.coordinator.deleteGroups(h.nextRequestId(), ['g']));
    expect(h.coordinator.group('g')?.state).toBe('Dead');

    expect(h.coordinator.heartbeat({ groupId: 'g', memberId: 'm', generationId: 0, groupInstanceId: null }).errorCode).toBe(15);
    expect(h.syncResponse(h.sync({ memberId: 'm', generationId: 0 }))?.errorCode).toBe(15);
    expect(h.joinResponse(h.join({ memberId: 'm' }))?.errorCode).toBe(15);
    const leaveId = h.nextRequestId();
    h.apply(h.coordinator.leaveGroup(leaveId, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] }));
    expect(body(h.responses.get(leaveId))).toEqual({ errorCode: 15, members: [] });
    const commitId = h.nextRequestId();
    h.apply(
      h.coordinator.offsetCommit(
        commitId,
        {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1n,
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
        },
        CTX,
      ),
    );
    expect(body(h.responses.get(commitId))).toEqual({ topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 15 }] }] });
    // Neither listed nor deletable a second time.
    expect(h.coordinator.listGroups({ statesFilter: [], typesFilter: [] }).groups).toEqual([]);
    const again = h.nextRequestId();
    h.apply(h.coordinator.deleteGroups(again, ['g']));
    expect(body(h.responses.get(again))).toEqual([{ groupId: 'g', errorCode: 69 }]);
  });
});

describe('odd requests', () => {
  it('a pending (dynamic) member id sent with an instance id fails like in Kafka (UNKNOWN_SERVER_ERROR)', () => {
    const h = new Harness();
    h.stableGroup(1);
    const pending = h.joinResponse(h.join())?.memberId as string;
    expect(h.joinResponse(h.join({ memberId: pending, groupInstanceId: 'i-1' }))?.errorCode).toBe(-1);
  });

  it('a known member id in an Empty group is UNKNOWN_MEMBER_ID', () => {
    const h = new Harness();
    const { members } = h.stableGroup(1);
    h.apply(h.coordinator.leaveGroup(h.nextRequestId(), { groupId: 'g', members: [{ memberId: members[0], groupInstanceId: null }] }));
    expect(h.coordinator.group('g')?.state).toBe('Empty');
    expect(h.joinResponse(h.join({ memberId: members[0] }))?.errorCode).toBe(25);
  });

  it('a consumer group whose subscriptions cannot be read counts as subscribed to every topic', () => {
    expect(subscribedTopicsOf(subscription(['a', 'b'], 3))).toEqual(['a', 'b']);
    expect(subscribedTopicsOf(Uint8Array.of(0, 0, 0, 0, 0, 9))).toBeUndefined();
    const h = new Harness();
    h.stableGroup(1, { protocols: [{ name: 'range', metadata: Uint8Array.of(1, 2, 3) }] });
    const id = h.nextRequestId();
    h.apply(h.coordinator.offsetDelete(id, { groupId: 'g', topics: [{ name: 'anything', partitions: [{ partitionIndex: 0 }] }] }));
    expect(body(h.responses.get(id))).toEqual({ errorCode: 0, topics: [{ name: 'anything', partitions: [{ partitionIndex: 0, errorCode: 86 }] }] });
  });

  it('appendCompleted refuses an append id it does not know', () => {
    const h = new Harness();
    expect(() => h.coordinator.appendCompleted(42)).toThrow(/unknown or already completed append id 42/);
  });
});

describe('coordinator config', () => {
  it("takes Kafka's defaults and refuses bad values naming the Kafka key", () => {
    expect(resolveGroupCoordinatorConfig()).toMatchObject({
      minSessionTimeoutMs: 6000,
      maxSessionTimeoutMs: 1_800_000,
      initialRebalanceDelayMs: 3000,
      offsetsTopicNumPartitions: 50,
      offsetsRetentionMs: 604_800_000,
    });
    expect(() => resolveGroupCoordinatorConfig({ offsetsTopicNumPartitions: 0 })).toThrow(ConfigError);
    expect(() => resolveGroupCoordinatorConfig({ offsetsTopicNumPartitions: 0 })).toThrow(/offsets.topic.num.partitions/);
    expect(() => resolveGroupCoordinatorConfig({ minSessionTimeoutMs: 10, maxSessionTimeoutMs: 5 })).toThrow(/group.min.session.timeout.ms \(10\)/);
    expect(() => resolveGroupCoordinatorConfig({ maxSize: 1.5 })).toThrow(/group.max.size/);
  });
});
