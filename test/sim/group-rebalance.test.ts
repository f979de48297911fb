import { describe, expect, it } from 'vitest';
import type { DeferredResponse, Effect, JoinGroupResponse, SyncGroupResponse } from '../../runtime/broker/group/api-types.ts';
import { ByteWriter } from '../../runtime/broker/group/binary.ts';
import { GroupCoordinator } from '../../runtime/broker/group/group-coordinator.ts';
import { ManualClock } from '../../runtime/util/clock.ts';
import { seededRandom } from '../../runtime/util/random.ts';
import type { Random } from '../../runtime/util/random.ts';

/**
 * Seeded simulation of one consumer group under churn: members join (dynamic and static, several
 * JoinGroup versions), leave, crash (stop heartbeating) and restart, with random network delays in
 * both directions and __consumer_offsets appends acknowledged late (and sometimes failing). The
 * simulated clients follow the eager classic protocol: revoke everything on rejoin, the leader
 * assigns partitions round-robin. Invariants are checked after every step; a failure names the seed
 * (replay one with SIM_SEED=<seed>).
 */

const GROUP = 'g';
const PARTITIONS = 6;
const MAX_LIVE = 6;
const STATIC_INSTANCES = ['s-1', 's-2', 's-3'];
const CHAOS_MS = 180_000;
const QUIET_MS = 120_000;
const HEARTBEAT_MS = 1000;

/** Assignment bytes: the generation it was made for, then one byte per partition. */
function encodeAssignment(generation: number, partitions: number[]): Uint8Array {
  const w = new ByteWriter().int32(generation);
  for (const p of partitions) w.int8(p);
  return w.toBytes();
}

function decodeAssignment(bytes: Uint8Array): { generation: number; partitions: number[] } | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { generation: view.getInt32(0), partitions: [...bytes.subarray(4)] };
}

type ClientState = 'joining' | 'syncing' | 'stable' | 'stopped';

interface Client {
  name: string;
  instanceId: string | null;
  apiVersion: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  state: ClientState;
  memberId: string;
  generation: number;
  /** Request id of the JoinGroup or SyncGroup in flight, if any. */
  outstanding: number | undefined;
  holding: { generation: number; partitions: number[] } | undefined;
  heartbeatDue: number | undefined;
  /** Why it stopped: crash, leave, fenced. */
  stopReason?: string;
}

interface SimEvent {
  time: number;
  seq: number;
  run: () => void;
}

class Simulation {
  readonly clock = new ManualClock(0);
  readonly random: Random;
  readonly coordinator: GroupCoordinator;
  readonly clients: Client[] = [];
  readonly #events: SimEvent[] = [];
  #seq = 0;
  #nextRequestId = 1;
  /** Which client a request came from and what it was. */
  readonly requests = new Map<number, { client: Client; api: string; generation: number }>();
  readonly answered = new Set<number>();
  /** When the last append is acknowledged: one group writes one partition, acknowledged in order. */
  #lastAckAt = 0;
  /** Identity (instance id, or member id for dynamic members) of every member id ever seen. */
  readonly identity = new Map<string, string>();
  /** Leader identity per generation, from JoinGroup responses and Stable snapshots. */
  readonly leaders = new Map<number, string>();
  /** What the leader asked to assign, per generation (the last SyncGroup it sent). */
  readonly leaderAssignments = new Map<number, Map<string, Uint8Array>>();
  lastGeneration = 0;
  step = 0;
  /** How often each (api, error code) was seen by clients, and other paths taken: proves the run covered them. */
  readonly seen = new Map<string, number>();
  #clientCount = 0;

  constructor(seed: number) {
    this.random = seededRandom(seed);
    this.coordinator = new GroupCoordinator({
      clock: this.clock,
      random: seededRandom(seed ^ 0x5eed),
      config: { initialRebalanceDelayMs: this.random.int(2) === 0 ? 0 : 3000, minSessionTimeoutMs: 6000 },
    });
  }

  at(time: number, run: () => void): void {
    this.#events.push({ time, seq: this.#seq++, run });
  }

  #delay(): number {
    return this.random.int(40);
  }

  // ------------------------------------------------------------ the run loop

  run(): void {
    this.at(0, () => this.#chaos());
    const end = CHAOS_MS + QUIET_MS;
    while (this.clock.now() <= end) {
      this.#events.sort((a, b) => a.time - b.time || a.seq - b.seq);
      const next = this.#events[0];
      const deadline = this.coordinator.nextDeadline();
      if (deadline !== undefined && (next === undefined || deadline < next.time)) {
        this.clock.set(Math.max(deadline, this.clock.now()));
        this.#route(this.coordinator.tick());
      } else if (next !== undefined) {
        this.#events.shift();
        this.clock.set(Math.max(next.time, this.clock.now()));
        next.run();
      } else {
        break;
      }
      this.step++;
      this.checkInvariants();
    }
    this.checkConverged();
    this.#route(this.coordinator.shutdown());
    this.checkEveryRequestAnswered();
  }

  // ------------------------------------------------------------ churn

  #live(): Client[] {
    return this.clients.filter((c) => c.state !== 'stopped');
  }

  #chaos(): void {
    if (this.clock.now() >= CHAOS_MS) return;
    const live = this.#live();
    const roll = this.random.int(10);
    if (roll < 4 && live.length < MAX_LIVE) this.#startClient();
    else if (roll < 6 && live.length > 0) this.#stop(live[this.random.int(live.length)], 'crash');
    else if (roll < 7 && live.length > 0) this.#leave(live[this.random.int(live.length)]);
    this.at(this.clock.now() + 500 + this.random.int(6000), () => this.#chaos());
  }

  #startClient(): void {
    const liveInstances = new Set(this.#live().map((c) => c.instanceId));
    // Now and then a static instance starts while its previous incarnation still runs (a zombie
    // that has not noticed it was replaced): the coordinator must fence the old one.
    const zombie = this.random.int(8) === 0;
    const candidates = zombie ? STATIC_INSTANCES : STATIC_INSTANCES.filter((i) => !liveInstances.has(i));
    const isStatic = candidates.length > 0 && this.random.int(2) === 0;
    const versions = isStatic ? [5, 8, 9] : [3, 4, 5, 8, 9];
    const client: Client = {
      name: `c${++this.#clientCount}`,
      instanceId: isStatic ? candidates[this.random.int(candidates.length)] : null,
      apiVersion: versions[this.random.int(versions.length)],
      sessionTimeoutMs: 6000 + this.random.int(6000),
      rebalanceTimeoutMs: 8000 + this.random.int(8000),
      state: 'joining',
      memberId: '',
      generation: -1,
      outstanding: undefined,
      holding: undefined,
      heartbeatDue: undefined,
    };
    this.clients.push(client);
    this.#sendJoin(client);
  }

  #stop(client: Client, reason: string): void {
    client.state = 'stopped';
    client.stopReason = reason;
    client.holding = undefined;
    client.outstanding = undefined;
    client.heartbeatDue = undefined;
  }

  #leave(client: Client): void {
    const memberId = client.memberId;
    const instanceId = client.instanceId;
    this.#stop(client, 'leave');
    if (memberId === '') return;
    const requestId = this.#request(client, 'LeaveGroup');
    this.at(this.clock.now() + this.#delay(), () =>
      this.#route(this.coordinator.leaveGroup(requestId, { groupId: GROUP, members: [{ memberId, groupInstanceId: instanceId }] })),
    );
  }

  // ------------------------------------------------------------ client protocol

  #request(client: Client, api: string): number {
    const requestId = this.#nextRequestId++;
    this.requests.set(requestId, { client, api, generation: client.generation });
    return requestId;
  }

  #sendJoin(client: Client): void {
    // Eager protocol: everything is revoked before rejoining.
    client.holding = undefined;
    client.state = 'joining';
    client.heartbeatDue = undefined;
    const requestId = this.#request(client, 'JoinGroup');
    client.outstanding = requestId;
    const request = {
      groupId: GROUP,
      sessionTimeoutMs: client.sessionTimeoutMs,
      rebalanceTimeoutMs: client.rebalanceTimeoutMs,
      memberId: client.memberId,
      groupInstanceId: client.instanceId,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: new ByteWriter().int16(0).int32(1).string('t').int32(-1).toBytes() }],
    };
    const context = { clientId: client.name, clientHost: '/10.0.0.1', apiVersion: client.apiVersion };
    this.at(this.clock.now() + this.#delay(), () => this.#route(this.coordinator.joinGroup(requestId, request, context)));
  }

  #rejoinLater(client: Client, resetMemberId: boolean): void {
    if (resetMemberId) client.memberId = '';
    client.state = 'joining';
    client.outstanding = undefined;
    client.holding = undefined;
    client.heartbeatDue = undefined;
    this.at(this.clock.now() + 100, () => {
      if (client.state === 'joining' && client.outstanding === undefined) this.#sendJoin(client);
    });
  }

  count(what: string): void {
    this.seen.set(what, (this.seen.get(what) ?? 0) + 1);
  }

  #onJoin(client: Client, requestId: number, r: JoinGroupResponse): void {
    this.count(`JoinGroup ${r.errorCode}`);
    if (r.skipAssignment) this.count('skipAssignment');
    if (client.state === 'stopped' || client.outstanding !== requestId) return;
    client.outstanding = undefined;
    switch (r.errorCode) {
      case 0:
        break;
      case 79:
        client.memberId = r.memberId;
        return this.#sendJoin(client);
      case 25:
        return this.#rejoinLater(client, true);
      case 27:
      case 15:
      case 16:
        return this.#rejoinLater(client, false);
      case 82:
        return this.#stop(client, 'fenced');
      default:
        throw new Error(`${client.name}: unexpected JoinGroup error ${r.errorCode}`);
    }
    this.#recordLeader(r.generationId, r.leader, `JoinGroup response to ${client.name}`);
    for (const m of r.members) this.identity.set(m.memberId, m.groupInstanceId ?? m.memberId);
    client.memberId = r.memberId;
    client.generation = r.generationId;
    client.state = 'syncing';
    client.heartbeatDue = this.clock.now() + HEARTBEAT_MS;
    this.at(client.heartbeatDue, () => this.#heartbeat(client));
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    if (r.leader === r.memberId && !r.skipAssignment) {
      const ids = r.members.map((m) => m.memberId).sort();
      assignments = ids.map((memberId, k) => ({
        memberId,
        assignment: encodeAssignment(
          r.generationId,
          Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % ids.length === k),
        ),
      }));
      this.leaderAssignments.set(r.generationId, new Map(assignments.map((a) => [a.memberId, a.assignment])));
    }
    const syncId = this.#request(client, 'SyncGroup');
    client.outstanding = syncId;
    const request = {
      groupId: GROUP,
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: client.instanceId,
      protocolType: client.apiVersion >= 5 ? r.protocolType : null,
      protocolName: client.apiVersion >= 5 ? r.protocolName : null,
      assignments,
    };
    this.at(this.clock.now() + this.#delay(), () => this.#route(this.coordinator.syncGroup(syncId, request)));
  }

  #onSync(client: Client, requestId: number, r: SyncGroupResponse): void {
    this.count(`SyncGroup ${r.errorCode}`);
    const sent = this.requests.get(requestId);
    if (r.errorCode === 0 && sent !== undefined) this.#checkDelivered(client, sent.generation, r.assignment);
    if (client.state === 'stopped' || client.outstanding !== requestId) return;
    client.outstanding = undefined;
    switch (r.errorCode) {
      case 0: {
        const holding = decodeAssignment(r.assignment);
        if (holding === undefined) throw new Error(`${client.name}: empty assignment in generation ${client.generation}`);
        client.holding = holding;
        client.state = 'stable';
        return;
      }
      case 25:
        return this.#rejoinLater(client, true);
      case 22:
      case 27:
      case 15:
      case 16:
        return this.#rejoinLater(client, false);
      case 82:
        return this.#stop(client, 'fenced');
      default:
        throw new Error(`${client.name}: unexpected SyncGroup error ${r.errorCode}`);
    }
  }

  #heartbeat(client: Client): void {
    if (client.state === 'stopped' || client.heartbeatDue !== this.clock.now()) return;
    const generation = client.generation;
    const memberId = client.memberId;
    this.at(this.clock.now() + this.#delay(), () => {
      const { errorCode } = this.coordinator.heartbeat({ groupId: GROUP, memberId, generationId: generation, groupInstanceId: client.instanceId });
      this.count(`Heartbeat ${errorCode}`);
      this.at(this.clock.now() + this.#delay(), () => {
        // An answer about an older generation or state is stale.
        if (client.state === 'stopped' || client.state === 'joining' || client.generation !== generation) return;
        switch (errorCode) {
          case 0:
            return;
          case 27:
          case 22:
            return this.#rejoinLater(client, false);
          case 25:
            return this.#rejoinLater(client, true);
          case 82:
            return this.#stop(client, 'fenced');
          default:
            throw new Error(`${client.name}: unexpected Heartbeat error ${errorCode}`);
        }
      });
    });
    client.heartbeatDue = this.clock.now() + HEARTBEAT_MS;
    this.at(client.heartbeatDue, () => this.#heartbeat(client));
  }

  // ------------------------------------------------------------ routing effects

  #route(effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'append') {
        // Acknowledged in append order, mostly quickly, sometimes slowly (so that the group moves on
        // while a write is in flight); a few fail.
        const latency = this.random.int(4) === 0 ? this.random.int(400) : this.random.int(30);
        this.#lastAckAt = Math.max(this.#lastAckAt, this.clock.now()) + latency;
        const error = this.random.int(25) === 0 ? 6 : 0;
        if (error !== 0) this.count('append failed');
        this.at(this.#lastAckAt, () => this.#route(this.coordinator.appendCompleted(effect.appendId, error)));
        continue;
      }
      if (this.answered.has(effect.requestId)) throw new Error(`request ${effect.requestId} answered twice`);
      this.answered.add(effect.requestId);
      const sent = this.requests.get(effect.requestId);
      if (sent === undefined) throw new Error(`response to unknown request ${effect.requestId}`);
      if (sent.api !== effect.api) throw new Error(`${sent.api} request ${effect.requestId} answered as ${effect.api}`);
      const response: DeferredResponse = effect;
      this.at(this.clock.now() + this.#delay(), () => {
        if (response.api === 'JoinGroup') this.#onJoin(sent.client, effect.requestId, response.body);
        else if (response.api === 'SyncGroup') this.#onSync(sent.client, effect.requestId, response.body);
        else if (response.api === 'LeaveGroup') {
          // 16: writing the emptied group failed; the member is gone either way.
          if (response.body.errorCode !== 0 && response.body.errorCode !== 16) throw new Error(`LeaveGroup failed: ${response.body.errorCode}`);
          this.count(`LeaveGroup ${response.body.errorCode}`);
        }
      });
    }
  }

  // ------------------------------------------------------------ invariants

  #recordLeader(generation: number, leaderId: string, where: string): void {
    const identity = this.identity.get(leaderId) ?? leaderId;
    const known = this.leaders.get(generation);
    if (known === undefined) this.leaders.set(generation, identity);
    else if (known !== identity) throw new Error(`two leaders in generation ${generation}: ${known} and ${identity} (${where})`);
  }

  /** A member's SyncGroup answer carries what the leader assigned it for that generation. */
  #checkDelivered(client: Client, generation: number, bytes: Uint8Array): void {
    const decoded = decodeAssignment(bytes);
    if (decoded === undefined || decoded.generation !== generation) {
      throw new Error(`${client.name} got an assignment for generation ${decoded?.generation} in generation ${generation}`);
    }
    const planned = this.leaderAssignments.get(generation);
    const mine = [...(planned?.entries() ?? [])].find(([, a]) => Buffer.from(a).equals(Buffer.from(bytes)));
    if (mine === undefined) throw new Error(`${client.name} got an assignment the leader of generation ${generation} did not make`);
  }

  checkInvariants(): void {
    const group = this.coordinator.group(GROUP);
    if (group === undefined) return;
    for (const m of group.members) this.identity.set(m.memberId, m.groupInstanceId ?? m.memberId);

    if (group.generationId < this.lastGeneration) {
      throw new Error(`generation went back from ${this.lastGeneration} to ${group.generationId}`);
    }
    this.lastGeneration = group.generationId;

    if ((group.state === 'Stable' || group.state === 'CompletingRebalance') && group.leaderId !== undefined) {
      this.#recordLeader(group.generationId, group.leaderId, `coordinator in ${group.state}`);
    }

    if (group.state === 'Stable') {
      const owners = new Map<number, string>();
      for (const m of group.members) {
        // Everyone who asked has been answered, with an assignment of this generation.
        if (m.awaitingSync) throw new Error(`Stable generation ${group.generationId} still owes ${m.memberId} its assignment`);
        const a = decodeAssignment(m.assignment);
        if (a === undefined || a.generation !== group.generationId) {
          throw new Error(`Stable generation ${group.generationId}: ${m.memberId} holds an assignment of generation ${a?.generation}`);
        }
        for (const p of a.partitions) {
          const other = owners.get(p);
          if (other !== undefined) throw new Error(`partition ${p} assigned to ${other} and ${m.memberId} in generation ${group.generationId}`);
          owners.set(p, m.memberId);
        }
      }
    }

    // Clients: one assignment each, never newer than the group. Among clients the coordinator
    // counts as members (a fenced zombie is not one), a member id belongs to one client and
    // assignments of one generation do not overlap.
    const held = new Map<string, string>();
    const memberIds = new Set<string>();
    const current = new Set(group.members.map((m) => m.memberId));
    for (const c of this.clients) {
      if (c.state === 'stopped' || c.holding === undefined) continue;
      if (c.holding.generation > group.generationId) throw new Error(`${c.name} holds generation ${c.holding.generation} > ${group.generationId}`);
      if (!current.has(c.memberId)) continue;
      if (memberIds.has(c.memberId)) throw new Error(`member id ${c.memberId} held by two clients`);
      memberIds.add(c.memberId);
      for (const p of c.holding.partitions) {
        const key = `${c.holding.generation}/${p}`;
        const other = held.get(key);
        if (other !== undefined) throw new Error(`partition ${p} owned by ${other} and ${c.name} in generation ${c.holding.generation}`);
        held.set(key, c.name);
      }
    }
  }

  /** After the churn stops, every live client ends up in one Stable generation covering all partitions. */
  checkConverged(): void {
    const group = this.coordinator.group(GROUP);
    const live = this.#live();
    if (live.length === 0) return;
    if (group?.state !== 'Stable') throw new Error(`group is ${group?.state} after ${QUIET_MS} ms without churn`);
    expect(group.members.map((m) => m.memberId).sort()).toEqual(live.map((c) => c.memberId).sort());
    const partitions: number[] = [];
    for (const c of live) {
      if (c.state !== 'stable' || c.holding?.generation !== group.generationId) {
        throw new Error(`${c.name} is ${c.state} with generation ${c.holding?.generation}, group is at ${group.generationId}`);
      }
      partitions.push(...c.holding.partitions);
    }
    expect(partitions.sort()).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
  }

  /** No request is left hanging: each JoinGroup, SyncGroup and LeaveGroup got exactly one answer. */
  checkEveryRequestAnswered(): void {
    const unanswered = [...this.requests.keys()].filter((id) => !this.answered.has(id));
    if (unanswered.length > 0) throw new Error(`requests never answered: ${unanswered.map((id) => `${id} (${this.requests.get(id)?.api})`).join(', ')}`);
  }
}

function runSeed(seed: number): Simulation {
  const sim = new Simulation(seed);
  try {
    sim.run();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`group simulation failed with seed ${seed} at step ${sim.step} (t=${sim.clock.now()} ms): ${message}\nreplay: SIM_SEED=${seed} npx vitest run test/sim/group-rebalance.test.ts`, { cause: err });
  }
  return sim;
}

describe('group rebalance simulation', () => {
  const only = process.env.SIM_SEED;
  const seeds = only !== undefined ? [Number(only)] : Array.from({ length: 60 }, (_, i) => i + 1);

  it(`keeps its invariants under churn (seeds ${seeds[0]}..${seeds[seeds.length - 1]})`, () => {
    let generations = 0;
    const seen = new Map<string, number>();
    for (const seed of seeds) {
      const sim = runSeed(seed);
      generations += sim.lastGeneration;
      for (const [what, n] of sim.seen) seen.set(what, (seen.get(what) ?? 0) + n);
    }
    if (process.env.SIM_VERBOSE) console.log(Object.fromEntries([...seen].sort()));
    if (only !== undefined) return;
    // The churn really happened and went through the paths that matter.
    expect(generations).toBeGreaterThan(seeds.length * 5);
    for (const path of ['JoinGroup 79', 'JoinGroup 25', 'JoinGroup 82', 'SyncGroup 27', 'SyncGroup 16', 'Heartbeat 27', 'Heartbeat 25', 'Heartbeat 82', 'skipAssignment', 'append failed']) {
      expect(seen.get(path) ?? 0, path).toBeGreaterThan(0);
    }
  });
});
