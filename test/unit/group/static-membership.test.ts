import { describe, expect, it } from 'vitest';
import type { JoinGroupRequest } from '../../../runtime/broker/group/api-types.ts';
import { Harness, subscription } from './harness.ts';

const hb = (h: Harness, memberId: string, generationId: number, groupInstanceId: string | null) =>
  h.coordinator.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId }).errorCode;

/** Static members i-1..i-n (i-1 leads) in a Stable group; member i-k is assigned byte k. */
function staticGroup(h: Harness, fields: Partial<JoinGroupRequest> = {}, n = 2): { ids: Record<string, string>; generationId: number } {
  const instances = Array.from({ length: n }, (_, k) => `i-${k + 1}`);
  const joins = instances.map((groupInstanceId) => h.join({ groupInstanceId, ...fields }));
  h.advance(0);
  const responses = joins.map((j) => h.joinResponse(j));
  expect(responses[0]?.errorCode).toBe(0);
  const ids = Object.fromEntries(instances.map((instance, k) => [instance, responses[k]?.memberId as string]));
  const generationId = responses[0]?.generationId as number;
  h.sync({
    memberId: ids['i-1'],
    groupInstanceId: 'i-1',
    generationId,
    assignments: instances.map((instance, k) => ({ memberId: ids[instance], assignment: Uint8Array.of(k + 1) })),
  });
  expect(h.coordinator.group('g')?.state).toBe('Stable');
  return { ids, generationId };
}

describe('static membership (group.instance.id)', () => {
  it('a static member needs no MEMBER_ID_REQUIRED round and its id starts with the instance id', () => {
    const h = new Harness();
    const id = h.join({ groupInstanceId: 'i-1' });
    h.advance(0);
    expect(h.joinResponse(id)).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(h.joinResponse(id)?.memberId).toMatch(/^i-1-/);
    expect(h.joinResponse(id)?.members[0].groupInstanceId).toBe('i-1');
  });

  it('a restarted follower with unchanged protocols takes its place without a rebalance; the old id is fenced', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h);
    h.autoAck = false;
    const rejoin = h.join({ groupInstanceId: 'i-2' }, { apiVersion: 8 });
    // The new id is only handed out once it is written.
    expect(h.joinResponse(rejoin)).toBeUndefined();
    expect(h.pendingAppends[0].records[0]).toMatchObject({ type: 'group-metadata', value: { generation: generationId } });
    h.ack();
    const r = h.joinResponse(rejoin);
    expect(r).toMatchObject({ errorCode: 0, generationId, leader: ids['i-1'], members: [], skipAssignment: false });
    expect(r?.memberId).not.toBe(ids['i-2']);
    expect(h.coordinator.group('g')?.state).toBe('Stable');
    // The new id keeps the old assignment.
    expect(h.syncResponse(h.sync({ memberId: r?.memberId as string, groupInstanceId: 'i-2', generationId }))?.assignment).toEqual(Uint8Array.of(2));
    expect(hb(h, ids['i-2'], generationId, 'i-2')).toBe(82);
    expect(hb(h, ids['i-2'], generationId, null)).toBe(25);
    expect(hb(h, r?.memberId as string, generationId, 'i-2')).toBe(0);
  });

  it('JoinGroup v9: a restarted leader learns it leads but may skip the assignment', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h);
    const r = h.joinResponse(h.join({ groupInstanceId: 'i-1' }, { apiVersion: 9 }));
    expect(r).toMatchObject({ errorCode: 0, generationId, skipAssignment: true });
    expect(r?.leader).toBe(r?.memberId);
    expect(r?.members.map((m) => m.groupInstanceId).sort()).toEqual(['i-1', 'i-2']);
    expect(r?.memberId).not.toBe(ids['i-1']);
  });

  it('before v9 a restarted leader is told the old leader id, so it does not reassign', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h);
    const r = h.joinResponse(h.join({ groupInstanceId: 'i-1' }, { apiVersion: 8 }));
    expect(r).toMatchObject({ errorCode: 0, generationId, leader: ids['i-1'], members: [], skipAssignment: false });
  });

  it('a static restart rebalances only when it changes the selected protocol', () => {
    const h = new Harness();
    staticGroup(h);
    const both = [{ name: 'roundrobin', metadata: subscription(['t']) }, { name: 'range', metadata: subscription(['t']) }];
    // i-2 now prefers roundrobin, but it is not a candidate (i-1 only has range): still range, no rebalance.
    h.join({ groupInstanceId: 'i-2', protocols: both });
    expect(h.coordinator.group('g')?.state).toBe('Stable');

    const fields = { protocols: both };
    const h2 = new Harness();
    staticGroup(h2, fields);
    expect(h2.coordinator.group('g')?.protocolName).toBe('roundrobin');
    // Restarted with range only: roundrobin is no longer a candidate, so the choice changes.
    h2.join({ groupInstanceId: 'i-2', protocols: [both[1]] });
    expect(h2.coordinator.group('g')?.state).toBe('PreparingRebalance');
    const rangeFirst = [both[1], both[0]];
    const h3 = new Harness();
    staticGroup(h3, fields, 2);
    expect(h3.coordinator.group('g')?.protocolName).toBe('roundrobin');
    h3.join({ groupInstanceId: 'i-2', protocols: rangeFirst });
    // range and roundrobin tie 1:1; the first vote in join order (i-1: roundrobin) keeps roundrobin.
    expect(h3.coordinator.group('g')).toMatchObject({ state: 'Stable', protocolName: 'roundrobin' });
  });

  it('a failed write of the new static id restores the old one and tells the client to retry', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h);
    h.autoAck = false;
    const rejoin = h.join({ groupInstanceId: 'i-2' });
    h.ack(56); // KAFKA_STORAGE_ERROR
    expect(h.joinResponse(rejoin)).toMatchObject({ errorCode: 16, memberId: '', generationId, leader: ids['i-1'] });
    expect(hb(h, ids['i-2'], generationId, 'i-2')).toBe(0);
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual([ids['i-1'], ids['i-2']]);
  });

  it('during CompletingRebalance a restarted static member triggers a new rebalance; its old parked sync is fenced', () => {
    const h = new Harness();
    const j1 = h.join({ groupInstanceId: 'i-1' });
    const j2 = h.join({ groupInstanceId: 'i-2' });
    h.advance(0);
    const old2 = h.joinResponse(j2)?.memberId as string;
    const generationId = h.joinResponse(j1)?.generationId as number;
    const parkedSync = h.sync({ memberId: old2, groupInstanceId: 'i-2', generationId });
    h.join({ groupInstanceId: 'i-2' });
    expect(h.syncResponse(parkedSync)?.errorCode).toBe(82);
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('during PreparingRebalance the old parked join is fenced and the new id takes its place', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h, {}, 3);
    const leaderJoin = h.join({ memberId: ids['i-1'], groupInstanceId: 'i-1' });
    const oldJoin = h.join({ memberId: ids['i-2'], groupInstanceId: 'i-2' });
    const restarted = h.join({ groupInstanceId: 'i-2' });
    expect(h.joinResponse(oldJoin)).toMatchObject({ errorCode: 82, memberId: ids['i-2'] });
    expect(h.joinResponse(restarted)).toBeUndefined();
    h.join({ memberId: ids['i-3'], groupInstanceId: 'i-3' });
    const r = h.joinResponse(restarted);
    expect(r).toMatchObject({ errorCode: 0, generationId: generationId + 1, leader: ids['i-1'] });
    expect(h.joinResponse(leaderJoin)?.members.map((m) => m.memberId)).toContain(r?.memberId);
    expect(h.joinResponse(leaderJoin)?.members.map((m) => m.memberId)).not.toContain(ids['i-2']);
  });

  it('static members that do not rejoin stay in the group through the join phase', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h, { rebalanceTimeoutMs: 5000, sessionTimeoutMs: 60_000 });
    const j = h.join({ memberId: ids['i-1'], groupInstanceId: 'i-1', rebalanceTimeoutMs: 5000, sessionTimeoutMs: 60_000 });
    h.advance(5000);
    const r = h.joinResponse(j);
    expect(r?.generationId).toBe(generationId + 1);
    expect(r?.members.map((m) => m.memberId)).toEqual([ids['i-1'], ids['i-2']]);
  });

  it('a known member id with a mismatched instance id is fenced on JoinGroup and SyncGroup', () => {
    const h = new Harness();
    const { ids, generationId } = staticGroup(h);
    expect(h.joinResponse(h.join({ memberId: ids['i-1'], groupInstanceId: 'i-2' }))?.errorCode).toBe(82);
    expect(h.syncResponse(h.sync({ memberId: ids['i-1'], groupInstanceId: 'i-2', generationId }))?.errorCode).toBe(82);
    expect(h.joinResponse(h.join({ memberId: ids['i-1'], groupInstanceId: 'i-9' }))?.errorCode).toBe(25);
  });
});
