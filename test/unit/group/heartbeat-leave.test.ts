import { describe, expect, it } from 'vitest';
import type { LeaveGroupResponse } from '../../../runtime/broker/group/api-types.ts';
import { Harness } from './harness.ts';

const hb = (h: Harness, memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = 'g') =>
  h.coordinator.heartbeat({ groupId, memberId, generationId, groupInstanceId }).errorCode;

function leave(h: Harness, members: { memberId: string; groupInstanceId?: string | null }[], groupId = 'g'): number {
  const id = h.nextRequestId();
  h.apply(h.coordinator.leaveGroup(id, { groupId, members: members.map((m) => ({ groupInstanceId: null, ...m })) }));
  return id;
}

function leaveResponse(h: Harness, id: number): LeaveGroupResponse | undefined {
  const r = h.responses.get(id);
  if (r !== undefined && r.api !== 'LeaveGroup') throw new Error(`got ${r.api}`);
  return r?.body;
}

describe('Heartbeat', () => {
  it('answers by group state, member and generation', () => {
    const h = new Harness();
    expect(hb(h, 'm', 1, null, '')).toBe(24);
    expect(hb(h, 'm', 1)).toBe(25);
    const { members, generationId } = h.stableGroup(2);
    expect(hb(h, members[0], generationId)).toBe(0);
    expect(hb(h, 'ghost', generationId)).toBe(25);
    expect(hb(h, members[0], generationId - 1)).toBe(22);
    h.join({ memberId: members[0] });
    expect(hb(h, members[1], generationId)).toBe(27);
  });

  it('is normal between JoinGroup and SyncGroup (CompletingRebalance)', () => {
    const h = new Harness();
    const a = h.joinNew();
    h.advance(0);
    expect(h.coordinator.group('g')?.state).toBe('CompletingRebalance');
    expect(hb(h, a.memberId, 1)).toBe(0);
  });

  it('heartbeats keep a member; silence for session.timeout.ms removes it and rebalances the group', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(2, { sessionTimeoutMs: 10_000 });
    for (let t = 0; t < 10; t++) {
      h.advance(3000);
      expect(hb(h, members[0], generationId)).toBe(0);
      expect(hb(h, members[1], generationId)).toBe(0);
    }
    h.advance(3000);
    expect(hb(h, members[0], generationId)).toBe(0);
    h.advance(7000); // members[1] silent for 10 s
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual([members[0]]);
    expect(hb(h, members[0], generationId)).toBe(27);
    expect(hb(h, members[1], generationId)).toBe(25);
  });

  it('the last member expiring empties the group and writes its metadata', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(1, { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 });
    h.advance(10_000);
    expect(h.coordinator.group('g')).toMatchObject({ state: 'Empty', generationId: generationId + 1, members: [] });
    const last = h.log[h.log.length - 1];
    expect(last).toMatchObject({ type: 'group-metadata', value: { generation: generationId + 1, protocol: null, leader: null, members: [] } });
    expect(members).toHaveLength(1);
  });
});

describe('LeaveGroup', () => {
  it('answers a missing group id, and UNKNOWN_MEMBER_ID per member of an unknown group', () => {
    const h = new Harness();
    expect(leaveResponse(h, leave(h, [{ memberId: 'a' }], ''))?.errorCode).toBe(24);
    expect(leaveResponse(h, leave(h, [{ memberId: 'a' }, { memberId: 'b' }]))).toEqual({
      errorCode: 0,
      members: [
        { memberId: 'a', groupInstanceId: null, errorCode: 25 },
        { memberId: 'b', groupInstanceId: null, errorCode: 25 },
      ],
    });
  });

  it('v3+ batch: several members leave at once; an unknown one gets its own error', () => {
    const h = new Harness();
    const { members } = h.stableGroup(3);
    const r = leaveResponse(h, leave(h, [{ memberId: members[1] }, { memberId: 'ghost' }, { memberId: members[2] }]));
    expect(r?.members.map((m) => m.errorCode)).toEqual([0, 25, 0]);
    expect(h.coordinator.group('g')?.members.map((m) => m.memberId)).toEqual([members[0]]);
    expect(h.coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  it('the last member leaving empties the group; the response waits for that write', () => {
    const h = new Harness();
    const { members } = h.stableGroup(1);
    h.autoAck = false;
    const id = leave(h, [{ memberId: members[0] }]);
    expect(h.coordinator.group('g')?.state).toBe('Empty');
    expect(leaveResponse(h, id)).toBeUndefined();
    h.ack();
    expect(leaveResponse(h, id)?.members[0].errorCode).toBe(0);
  });

  it('a failed write of the emptied group is reported as the coordinator error', () => {
    const h = new Harness();
    const { members } = h.stableGroup(1);
    h.autoAck = false;
    const id = leave(h, [{ memberId: members[0] }]);
    h.ack(7); // REQUEST_TIMED_OUT
    expect(leaveResponse(h, id)).toEqual({ errorCode: 15, members: [] });
  });

  it('a member leaving during the join phase lets it complete for those who rejoined', () => {
    const h = new Harness();
    const { members, generationId } = h.stableGroup(2);
    const rejoin = h.join({ memberId: members[0] });
    leave(h, [{ memberId: members[1] }]);
    expect(h.joinResponse(rejoin)).toMatchObject({ errorCode: 0, generationId: generationId + 1 });
  });

  it('a parked join of a leaving member is answered UNKNOWN_MEMBER_ID', () => {
    const h = new Harness();
    const { members } = h.stableGroup(2);
    const rejoin = h.join({ memberId: members[1], protocols: [{ name: 'range', metadata: Uint8Array.of(1) }] });
    leave(h, [{ memberId: members[1] }]);
    expect(h.joinResponse(rejoin)).toMatchObject({ errorCode: 25, memberId: '' });
  });

  it('a pending member (MEMBER_ID_REQUIRED) can leave', () => {
    const h = new Harness();
    h.stableGroup(1);
    const pending = h.joinResponse(h.join())?.memberId as string;
    expect(leaveResponse(h, leave(h, [{ memberId: pending }]))?.members[0].errorCode).toBe(0);
    expect(h.joinResponse(h.join({ memberId: pending }))?.errorCode).toBe(25);
  });

  it('static members leave by instance id alone; a wrong member id for an instance is fenced', () => {
    const h = new Harness();
    const a = h.joinResponse(h.join({ groupInstanceId: 'i-1' }));
    h.advance(0);
    expect(a).toBeUndefined();
    const memberId = h.coordinator.group('g')?.members[0].memberId as string;
    const fenced = leaveResponse(h, leave(h, [{ memberId: 'someone-else', groupInstanceId: 'i-1' }]));
    expect(fenced?.members[0]).toEqual({ memberId: 'someone-else', groupInstanceId: 'i-1', errorCode: 82 });
    const unknown = leaveResponse(h, leave(h, [{ memberId: '', groupInstanceId: 'i-2' }]));
    expect(unknown?.members[0].errorCode).toBe(25);
    const ok = leaveResponse(h, leave(h, [{ memberId: '', groupInstanceId: 'i-1' }]));
    expect(ok?.members[0].errorCode).toBe(0);
    expect(h.coordinator.group('g')?.members).toEqual([]);
    expect(memberId).toMatch(/^i-1-/);
  });
});
