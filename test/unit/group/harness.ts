import { expect } from 'vitest';
import type {
  AppendEffect,
  DeferredResponse,
  Effect,
  JoinGroupRequest,
  JoinGroupResponse,
  RequestContext,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../../runtime/broker/group/api-types.ts';
import { ByteWriter } from '../../../runtime/broker/group/binary.ts';
import type { GroupCoordinatorConfig } from '../../../runtime/broker/group/config.ts';
import type { CoordinatorRecord } from '../../../runtime/broker/group/coordinator-record.ts';
import { GroupCoordinator } from '../../../runtime/broker/group/group-coordinator.ts';
import { ManualClock } from '../../../runtime/util/clock.ts';
import { seededRandom } from '../../../runtime/util/random.ts';

/** ConsumerProtocolSubscription v0 bytes naming `topics`. */
export function subscription(topics: string[], version = 0): Uint8Array {
  const w = new ByteWriter().int16(version).int32(topics.length);
  for (const t of topics) w.string(t);
  return w.int32(-1).toBytes();
}

export const CTX: RequestContext = { clientId: 'client', clientHost: '/127.0.0.1', apiVersion: 9 };

/**
 * A test driver: keeps the responses the coordinator emits (by request id) and either
 * acknowledges appends at once or holds them until told.
 */
export class Harness {
  readonly clock: ManualClock;
  readonly coordinator: GroupCoordinator;
  readonly responses = new Map<number, DeferredResponse>();
  /** Appends not yet acknowledged (when autoAck is off). */
  readonly pendingAppends: AppendEffect[] = [];
  /** Every record acknowledged, in order: the __consumer_offsets log. */
  readonly log: CoordinatorRecord[] = [];
  autoAck = true;
  #nextRequest = 1;

  constructor(config: Partial<GroupCoordinatorConfig> = {}, start = 1_000_000, records?: CoordinatorRecord[]) {
    this.clock = new ManualClock(start);
    this.coordinator = new GroupCoordinator({
      clock: this.clock,
      random: seededRandom(7),
      config: { initialRebalanceDelayMs: 0, ...config },
    });
    if (records !== undefined) this.apply(this.coordinator.load(records));
  }

  nextRequestId(): number {
    return this.#nextRequest++;
  }

  apply(effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'respond') {
        expect(this.responses.has(effect.requestId), `second response to request ${effect.requestId}`).toBe(false);
        const { kind: _kind, requestId: _id, ...response } = effect;
        this.responses.set(effect.requestId, response as DeferredResponse);
      } else if (this.autoAck) {
        this.log.push(...effect.records);
        this.apply(this.coordinator.appendCompleted(effect.appendId));
      } else {
        this.pendingAppends.push(effect);
      }
    }
  }

  /** Acknowledges (or fails) the oldest held append. */
  ack(errorCode = 0): AppendEffect {
    const effect = this.pendingAppends.shift();
    if (effect === undefined) throw new Error('no pending append');
    if (errorCode === 0) this.log.push(...effect.records);
    this.apply(this.coordinator.appendCompleted(effect.appendId, errorCode));
    return effect;
  }

  ackAll(): void {
    while (this.pendingAppends.length > 0) this.ack();
  }

  /** Moves time forward, firing timers at their own deadlines. */
  advance(ms: number): void {
    const target = this.clock.now() + ms;
    for (let next = this.coordinator.nextDeadline(); next !== undefined && next <= target; next = this.coordinator.nextDeadline()) {
      this.clock.set(Math.max(next, this.clock.now()));
      this.apply(this.coordinator.tick());
    }
    this.clock.set(target);
  }

  join(fields: Partial<JoinGroupRequest> & { groupId?: string } = {}, ctx: Partial<RequestContext> = {}): number {
    const id = this.nextRequestId();
    const request: JoinGroupRequest = {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['t']) }],
      ...fields,
    };
    this.apply(this.coordinator.joinGroup(id, request, { ...CTX, ...ctx }));
    return id;
  }

  sync(fields: Partial<SyncGroupRequest> & { memberId: string; generationId: number }): number {
    const id = this.nextRequestId();
    this.apply(
      this.coordinator.syncGroup(id, { groupId: 'g', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [], ...fields }),
    );
    return id;
  }

  joinResponse(id: number): JoinGroupResponse | undefined {
    const r = this.responses.get(id);
    if (r === undefined) return undefined;
    if (r.api !== 'JoinGroup') throw new Error(`request ${id} got a ${r.api} response`);
    return r.body;
  }

  syncResponse(id: number): SyncGroupResponse | undefined {
    const r = this.responses.get(id);
    if (r === undefined) return undefined;
    if (r.api !== 'SyncGroup') throw new Error(`request ${id} got a ${r.api} response`);
    return r.body;
  }

  /** Full first join of a dynamic member (v4+ two-step), returning its member id once in the group. */
  joinNew(fields: Partial<JoinGroupRequest> = {}, ctx: Partial<RequestContext> = {}): { memberId: string; joinId: number } {
    const first = this.joinResponse(this.join(fields, ctx));
    expect(first?.errorCode).toBe(79);
    const memberId = first?.memberId as string;
    return { memberId, joinId: this.join({ ...fields, memberId }, ctx) };
  }

  /**
   * Brings `count` dynamic members into a Stable group: they join, the leader assigns each member
   * its index as one byte, everyone syncs. Returns member ids (leader first) and the generation.
   */
  stableGroup(count: number, fields: Partial<JoinGroupRequest> = {}): { members: string[]; generationId: number; leader: string } {
    const joins = Array.from({ length: count }, () => this.joinNew(fields));
    this.advance(0);
    const responses = joins.map((j) => this.joinResponse(j.joinId) as JoinGroupResponse);
    for (const r of responses) expect(r.errorCode).toBe(0);
    const leader = responses[0].leader;
    const generationId = responses[0].generationId;
    const members = [leader, ...joins.map((j) => j.memberId).filter((m) => m !== leader)];
    const syncIds = members.map((memberId, i) =>
      this.sync({
        memberId,
        generationId,
        assignments: i === 0 ? members.map((m, k) => ({ memberId: m, assignment: Uint8Array.of(k) })) : [],
      }),
    );
    for (const id of syncIds) expect(this.syncResponse(id)?.errorCode).toBe(0);
    return { members, generationId, leader };
  }
}
