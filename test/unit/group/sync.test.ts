import { describe, expect, it } from 'vitest';
import { Harness } from './harness.ts';

function completingGroup(h: Harness): { leader: string; follower: string; generationId: number } {
  const a = h.joinNew();
  const b = h.joinNew();
  h.advance(0);
  const r = h.joinResponse(a.joinId);
  expect(r?.errorCode).toBe(0);
  return { leader: a.memberId, follower: b.memberId, generationId: r?.generationId as number };
}

describe('SyncGroup', () => {
  it('answers basic errors: group id, unknown group or member, generation, protocol', () => {
    const h = new Harness();
    expect(h.syncResponse(h.sync({ groupId: '', memberId: 'm', generationId: 1 }))?.errorCode).toBe(24);
    expect(h.syncResponse(h.sync({ memberId: 'm', generationId: 1 }))?.errorCode).toBe(25);
    const { leader, generationId } = completingGroup(h);
    expect(h.syncResponse(h.sync({ memberId: 'ghost', generationId }))?.errorCode).toBe(25);
    expect(h.syncResponse(h.sync({ memberId: leader, generationId: generationId + 1 }))?.errorCode).toBe(22);
    expect(h.syncResponse(h.sync({ memberId: leader, generationId, protocolName: 'roundrobin' }))?.errorCode).toBe(23);
    expect(h.syncResponse(h.sync({ memberId: leader, generationId, protocolType: 'connect' }))?.errorCode).toBe(23);
  });

  it('followers wait for the leader; everyone gets its assignment once it is written', () => {
    const h = new Harness();
    h.autoAck = false;
    const { leader, follower, generationId } = completingGroup(h);
    const followerSync = h.sync({ memberId: follower, generationId, protocolType: 'consumer', protocolName: 'range' });
    expect(h.syncResponse(followerSync)).toBeUndefined();
    const leaderSync = h.sync({
      memberId: leader,
      generationId,
      assignments: [
        { memberId: leader, assignment: Uint8Array.of(1) },
        { memberId: follower, assignment: Uint8Array.of(2) },
      ],
    });
    // Nothing is handed out before the assignment is durable.
    expect(h.syncResponse(leaderSync)).toBeUndefined();
    expect(h.pendingAppends).toHaveLength(1);
    const append = h.ack();
    expect(append.partition).toBe(h.coordinator.partitionFor('g'));
    expect(append.records[0]).toMatchObject({
      type: 'group-metadata',
      key: { group: 'g' },
      value: { generation: generationId, protocol: 'range', leader, protocolType: 'consumer' },
    });
    expect(h.syncResponse(leaderSync)).toEqual({ errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Uint8Array.of(1) });
    expect(h.syncResponse(followerSync)).toEqual({ errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Uint8Array.of(2) });
    expect(h.coordinator.group('g')?.state).toBe('Stable');
  });

  it('a member the leader did not assign gets empty bytes; a late follower gets its assignment at once', () => {
    const h = new Harness();
    const { leader, follower, generationId } = completingGroup(h);
    h.sync({ memberId: leader, generationId, assignments: [{ memberId: leader, assignment: Uint8Array.of(9) }] });
    expect(h.coordinator.group('g')?.state).toBe('Stable');
    expect(h.syncResponse(h.sync({ memberId: follower, generationId }))).toMatchObject({ errorCode: 0, assignment: new Uint8Array(0) });
    expect(h.syncResponse(h.sync({ memberId: leader, generationId }))?.assignment).toEqual(Uint8Array.of(9));
  });

  it('REBALANCE_IN_PROGRESS while preparing a rebalance, and for parked syncs when a new member joins', () => {
    const h = new Harness();
    const { leader, follower, generationId } = completingGroup(h);
    const followerSync = h.sync({ memberId: follower, generationId });
    h.joinNew();
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
    expect(h.syncResponse(followerSync)?.errorCode).toBe(27);
    expect(h.syncResponse(h.sync({ memberId: leader, generationId }))?.errorCode).toBe(27);
  });

  it('a failed write of the assignment is passed to every waiting member and starts a new rebalance', () => {
    const h = new Harness();
    h.autoAck = false;
    const { leader, follower, generationId } = completingGroup(h);
    const followerSync = h.sync({ memberId: follower, generationId });
    const leaderSync = h.sync({ memberId: leader, generationId, assignments: [{ memberId: follower, assignment: Uint8Array.of(1) }] });
    h.ack(6); // NOT_LEADER_OR_FOLLOWER
    expect(h.syncResponse(leaderSync)).toEqual({ errorCode: 16, protocolType: null, protocolName: null, assignment: new Uint8Array(0) });
    expect(h.syncResponse(followerSync)?.errorCode).toBe(16);
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('an assignment written after the group moved on is ignored', () => {
    const h = new Harness();
    h.autoAck = false;
    const { leader, generationId } = completingGroup(h);
    const leaderSync = h.sync({ memberId: leader, generationId, assignments: [] });
    h.autoAck = true;
    h.joinNew(); // new member: rebalance; the parked leader sync is answered 27
    expect(h.syncResponse(leaderSync)?.errorCode).toBe(27);
    h.autoAck = false;
    h.ack();
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('members that never send SyncGroup are removed after the rebalance timeout', () => {
    const h = new Harness();
    const { leader, follower, generationId } = completingGroup(h);
    h.sync({ memberId: leader, generationId, assignments: [] });
    expect(h.coordinator.group('g')?.state).toBe('Stable');
    for (let t = 0; t < 9; t++) {
      h.advance(3000);
      // Both stay alive; the follower just never syncs.
      for (const memberId of [leader, follower]) {
        expect(h.coordinator.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId: null }).errorCode).toBe(0);
      }
    }
    expect(h.coordinator.group('g')?.members).toHaveLength(2);
    h.advance(2999);
    expect(h.coordinator.group('g')?.members).toHaveLength(2);
    h.advance(1);
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual([leader]);
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('a second SyncGroup from a parked member answers the first with REBALANCE_IN_PROGRESS', () => {
    const h = new Harness();
    const { leader, follower, generationId } = completingGroup(h);
    const first = h.sync({ memberId: follower, generationId });
    const second = h.sync({ memberId: follower, generationId });
    expect(h.syncResponse(first)?.errorCode).toBe(27);
    h.sync({ memberId: leader, generationId, assignments: [{ memberId: follower, assignment: Uint8Array.of(5) }] });
    expect(h.syncResponse(second)?.assignment).toEqual(Uint8Array.of(5));
  });
});
