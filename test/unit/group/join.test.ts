import { describe, expect, it } from 'vitest';
import { Harness, subscription } from './harness.ts';

const p = (name: string, topics = ['t']) => ({ name, metadata: subscription(topics) });

describe('JoinGroup', () => {
  it('rejects an empty group id and session timeouts outside the broker bounds', () => {
    const h = new Harness({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 60_000 });
    expect(h.joinResponse(h.join({ groupId: '' }))?.errorCode).toBe(24);
    const low = h.joinResponse(h.join({ sessionTimeoutMs: 5999, memberId: 'x' }));
    expect(low).toMatchObject({ errorCode: 26, memberId: 'x' });
    expect(h.joinResponse(h.join({ sessionTimeoutMs: 60_001 }))?.errorCode).toBe(26);
    expect(h.coordinator.groupIds()).toEqual([]);
  });

  it('v4+: a first join gets MEMBER_ID_REQUIRED with a new id, the rejoin enters the group', () => {
    const h = new Harness();
    const first = h.joinResponse(h.join({}, { clientId: 'consumer-1' }));
    expect(first?.errorCode).toBe(79);
    expect(first?.memberId).toMatch(/^consumer-1-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(h.coordinator.group('g')).toMatchObject({ state: 'Empty', members: [] });
    const joinId = h.join({ memberId: first?.memberId });
    h.advance(0);
    expect(h.joinResponse(joinId)).toEqual({
      errorCode: 0,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: first?.memberId,
      skipAssignment: false,
      memberId: first?.memberId,
      members: [{ memberId: first?.memberId, groupInstanceId: null, metadata: subscription(['t']) }],
    });
    expect(h.coordinator.group('g')?.state).toBe('CompletingRebalance');
  });

  it('before v4 a member is added directly', () => {
    const h = new Harness();
    const id = h.join({}, { apiVersion: 3 });
    expect(h.joinResponse(id)).toBeUndefined();
    h.advance(0);
    expect(h.joinResponse(id)).toMatchObject({ errorCode: 0, generationId: 1 });
  });

  it('a member id for a group that does not exist, or that the group does not know, is UNKNOWN_MEMBER_ID', () => {
    const h = new Harness();
    expect(h.joinResponse(h.join({ memberId: 'ghost' }))).toMatchObject({ errorCode: 25, memberId: 'ghost' });
    expect(h.coordinator.groupIds()).toEqual([]);
    h.stableGroup(1);
    expect(h.joinResponse(h.join({ memberId: 'ghost' }))).toMatchObject({ errorCode: 25, memberId: 'ghost' });
  });

  it('only the leader receives the members; followers get the leader id and generation', () => {
    const h = new Harness();
    const a = h.joinNew();
    const b = h.joinNew();
    h.advance(0);
    const ra = h.joinResponse(a.joinId);
    const rb = h.joinResponse(b.joinId);
    expect(ra?.leader).toBe(a.memberId);
    expect(rb?.leader).toBe(a.memberId);
    expect(ra?.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(rb?.members).toEqual([]);
    expect(rb?.generationId).toBe(1);
  });

  it('refuses a different protocol type or protocols the group cannot share', () => {
    const h = new Harness();
    h.stableGroup(1);
    expect(h.joinResponse(h.join({ protocolType: 'connect' }))).toMatchObject({ errorCode: 23, memberId: '' });
    expect(h.joinResponse(h.join({ protocols: [p('sticky')] }))).toMatchObject({ errorCode: 23 });
    // An Empty group accepts any non-empty protocol type, but not an empty one.
    const h2 = new Harness();
    expect(h2.joinResponse(h2.join({ protocolType: '' }))?.errorCode).toBe(23);
    expect(h2.joinResponse(h2.join({ protocols: [] }))?.errorCode).toBe(23);
  });

  it('picks the protocol every member supports with the most first-choice votes', () => {
    const h = new Harness();
    const a = h.joinNew({ protocols: [p('range'), p('roundrobin')] });
    const b = h.joinNew({ protocols: [p('range'), p('roundrobin')] });
    h.joinNew({ protocols: [p('roundrobin'), p('range')] });
    h.advance(0);
    expect(h.joinResponse(a.joinId)?.protocolName).toBe('range');
    expect(h.joinResponse(b.joinId)?.protocolName).toBe('range');

    const h2 = new Harness();
    const c = h2.joinNew({ protocols: [p('range'), p('roundrobin')] });
    h2.joinNew({ protocols: [p('roundrobin')] });
    h2.advance(0);
    // range is not supported by everybody, so it is not a candidate.
    expect(h2.joinResponse(c.joinId)?.protocolName).toBe('roundrobin');
    expect(h2.joinResponse(c.joinId)?.members[0].metadata).toEqual(subscription(['t']));
  });

  it('waits group.initial.rebalance.delay.ms, longer while members keep joining, within the rebalance timeout', () => {
    const h = new Harness({ initialRebalanceDelayMs: 3000 });
    const a = h.joinNew({ rebalanceTimeoutMs: 10_000 });
    h.advance(2000);
    const b = h.joinNew({ rebalanceTimeoutMs: 10_000 });
    h.advance(1000); // first delay over, but b arrived during it: wait another 3 s
    expect(h.joinResponse(a.joinId)).toBeUndefined();
    h.advance(2999);
    expect(h.joinResponse(a.joinId)).toBeUndefined();
    h.advance(1);
    expect(h.joinResponse(a.joinId)?.generationId).toBe(1);
    expect(h.joinResponse(b.joinId)?.generationId).toBe(1);
  });

  it('the initial delay ends even if members keep coming, once the rebalance timeout is used up', () => {
    const h = new Harness({ initialRebalanceDelayMs: 3000 });
    const a = h.joinNew({ rebalanceTimeoutMs: 5000 });
    for (let t = 0; t < 5; t++) {
      h.advance(1000);
      h.joinNew({ rebalanceTimeoutMs: 5000 });
    }
    // remaining 2000 after the first 3 s delay, then 2000 more: done at 5 s.
    expect(h.joinResponse(a.joinId)?.generationId).toBe(1);
  });

  it('a rebalance completes as soon as every known member has rejoined', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(2);
    const [leader, follower] = members;
    const leaderJoin = h.join({ memberId: leader });
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
    expect(h.coordinator.heartbeat({ groupId: 'g', memberId: follower, generationId, groupInstanceId: null }).errorCode).toBe(27);
    expect(h.joinResponse(leaderJoin)).toBeUndefined();
    const followerJoin = h.join({ memberId: follower });
    expect(h.joinResponse(leaderJoin)?.generationId).toBe(generationId + 1);
    expect(h.joinResponse(followerJoin)?.generationId).toBe(generationId + 1);
  });

  it('members that do not rejoin within the rebalance timeout are dropped from the next generation', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(2, { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 });
    const [leader, follower] = members;
    const leaderJoin = h.join({ memberId: leader, rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 });
    h.advance(19_999);
    expect(h.joinResponse(leaderJoin)).toBeUndefined();
    h.advance(1);
    expect(h.joinResponse(leaderJoin)).toMatchObject({ generationId: generationId + 1, leader });
    expect(h.joinResponse(leaderJoin)?.members.map((m) => m.memberId)).toEqual([leader]);
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).not.toContain(follower);
  });

  it('a new leader is chosen when the leader does not rejoin', () => {
    const h = new Harness();
    const { members } = h.stableGroup(2, { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 });
    const [leader, follower] = members;
    const followerJoin = h.join({ memberId: follower, rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000, protocols: [p('range', ['t', 'u'])] });
    h.advance(20_000);
    expect(h.joinResponse(followerJoin)).toMatchObject({ errorCode: 0, leader: follower });
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual([follower]);
    expect(leader).not.toBe(follower);
  });

  it('group.max.size: new members beyond the limit get GROUP_MAX_SIZE_REACHED', () => {
    const h = new Harness({ maxSize: 2 });
    h.stableGroup(2);
    // The size check comes before member ids are handed out.
    expect(h.joinResponse(h.join())).toMatchObject({ errorCode: 81, memberId: '' });
    expect(h.coordinator.group('g')?.members).toHaveLength(2);
    // During a rebalance the limit counts parked joins.
    const small = new Harness({ maxSize: 1, initialRebalanceDelayMs: 3000 });
    const a = small.joinNew();
    expect(small.joinResponse(small.join())).toMatchObject({ errorCode: 81 });
    small.advance(3000);
    expect(small.joinResponse(a.joinId)?.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('a follower rejoining a Stable group with unchanged metadata gets the current generation without a rebalance', () => {
    const h = new Harness();
    const { members, generationId, leader } = h.stableGroup(2);
    const r = h.joinResponse(h.join({ memberId: members[1] }));
    expect(r).toMatchObject({ errorCode: 0, generationId, leader, members: [], protocolName: 'range' });
    expect(h.coordinator.group('g')?.state).toBe('Stable');
  });

  it('a follower with changed metadata, or the leader, triggers a rebalance', () => {
    const h = new Harness();
    const { members } = h.stableGroup(2);
    h.join({ memberId: members[1], protocols: [p('range', ['t', 'other'])] });
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('a member re-sending its join during CompletingRebalance gets the same generation again', () => {
    const h = new Harness();
    const a = h.joinNew();
    h.advance(0);
    const first = h.joinResponse(a.joinId);
    const again = h.joinResponse(h.join({ memberId: a.memberId }));
    expect(again).toEqual(first);
    expect(h.coordinator.group('g')?.state).toBe('CompletingRebalance');
  });

  it('a second JoinGroup from a parked member answers the first with REBALANCE_IN_PROGRESS', () => {
    const h = new Harness();
    const { members } = h.stableGroup(2);
    const first = h.join({ memberId: members[0] });
    const second = h.join({ memberId: members[0] });
    expect(h.joinResponse(first)?.errorCode).toBe(27);
    h.join({ memberId: members[1] });
    expect(h.joinResponse(second)?.errorCode).toBe(0);
  });

  it('a pending member id that is never used expires after the session timeout', () => {
    const h = new Harness();
    h.stableGroup(1, { sessionTimeoutMs: 60_000 });
    const pending = h.joinResponse(h.join({ sessionTimeoutMs: 10_000 }));
    expect(pending?.errorCode).toBe(79);
    h.advance(10_000);
    expect(h.joinResponse(h.join({ memberId: pending?.memberId }))?.errorCode).toBe(25);
  });

  it('a new member whose parked join outlives the new-member join timeout is answered UNKNOWN_MEMBER_ID', () => {
    const h = new Harness({ newMemberJoinTimeoutMs: 5000 });
    const { members } = h.stableGroup(1, { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 100_000 });
    // The existing member does not rejoin, so the rebalance would wait 100 s for it; the new
    // member's parked join is dropped after the new-member join timeout first.
    const b = h.joinNew({ sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 100_000 });
    h.advance(4999);
    expect(h.joinResponse(b.joinId)).toBeUndefined();
    h.advance(1);
    expect(h.joinResponse(b.joinId)).toMatchObject({ errorCode: 25, memberId: '' });
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual(members);
  });

  it('shutdown answers every parked JoinGroup with NOT_COORDINATOR', () => {
    const h = new Harness({ initialRebalanceDelayMs: 3000 });
    const a = h.joinNew();
    h.apply(h.coordinator.shutdown());
    expect(h.joinResponse(a.joinId)).toMatchObject({ errorCode: 16, memberId: a.memberId });
  });
});
