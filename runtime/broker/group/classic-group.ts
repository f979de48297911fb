import type { JoinGroupProtocol, JoinGroupResponseMember, RequestId } from './api-types.ts';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from './consumer-protocol.ts';
import { ErrorCode } from './error-codes.ts';

/**
 * A classic consumer group's membership state, after Kafka's ClassicGroup: members, the protocol
 * vote, the leader, and which members still owe a JoinGroup or SyncGroup in the current rebalance.
 * Parked requests are held as request ids; the coordinator turns completions into effects.
 */

export const GroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const;
export type GroupState = (typeof GroupState)[keyof typeof GroupState];

const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export const EMPTY_BYTES = new Uint8Array(0);

export class ClassicGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocols: JoinGroupProtocol[];
  assignment: Uint8Array;
  /** The parked JoinGroup of this member, if any. */
  awaitingJoin: RequestId | undefined;
  /** The parked SyncGroup of this member, if any. */
  awaitingSync: RequestId | undefined;
  /** Joined during the current rebalance and not yet through it: may expire while its join is parked. */
  isNew = false;

  constructor(init: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    protocolType: string;
    protocols: JoinGroupProtocol[];
    assignment?: Uint8Array;
  }) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
    this.assignment = init.assignment ?? EMPTY_BYTES;
    this.awaitingJoin = undefined;
    this.awaitingSync = undefined;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** A member with a parked join or sync is alive by definition, unless it is new. */
  hasSatisfiedHeartbeat(): boolean {
    return this.isNew ? false : this.awaitingJoin !== undefined || this.awaitingSync !== undefined;
  }

  metadata(protocolName: string): Uint8Array {
    const p = this.protocols.find((x) => x.name === protocolName);
    if (p === undefined) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return p.metadata;
  }

  /** Same protocols, same order, same metadata bytes. */
  matches(protocols: JoinGroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && bytesEqual(p.metadata, this.protocols[i].metadata))
    );
  }

  /** The member's first choice among the candidates. */
  vote(candidates: Set<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    if (choice === undefined) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ClassicGroup {
  readonly groupId: string;
  state: GroupState;
  previousState: GroupState = GroupState.Dead;
  /** When the group entered its current state; undefined if loaded from a record without it. */
  currentStateTimestamp: number | undefined;
  protocolType: string | undefined;
  protocolName: string | undefined;
  generationId: number;
  leaderId: string | undefined;
  /** Insertion order is join order: it decides the next leader and the order members are listed. */
  readonly members = new Map<string, ClassicGroupMember>();
  readonly #staticMembers = new Map<string, string>();
  /** Dynamic members told MEMBER_ID_REQUIRED who have not come back yet. */
  readonly #pendingJoinMembers = new Set<string>();
  readonly #pendingSyncMembers = new Set<string>();
  readonly #supportedProtocols = new Map<string, number>();
  #numAwaitingJoin = 0;
  subscribedTopics: Set<string> | undefined;
  /** Set when a member joins during the initial rebalance, which then waits one more delay. */
  newMemberAdded = false;

  constructor(init: {
    groupId: string;
    state: GroupState;
    now: number | undefined;
    generationId?: number;
    protocolType?: string;
    protocolName?: string;
    leaderId?: string;
  }) {
    this.groupId = init.groupId;
    this.state = init.state;
    this.currentStateTimestamp = init.now;
    this.generationId = init.generationId ?? 0;
    this.protocolType = init.protocolType;
    this.protocolName = init.protocolName;
    this.leaderId = init.leaderId;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  get size(): number {
    return this.members.size;
  }

  get numAwaitingJoin(): number {
    return this.#numAwaitingJoin;
  }

  get usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.members.get(memberId);
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.#staticMembers.get(groupInstanceId);
  }

  transitionTo(target: GroupState, now: number): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this.state} to ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.currentStateTimestamp = now;
  }

  /** Undoes a transition to Dead (a deletion whose tombstones could not be written). */
  revive(state: GroupState): void {
    this.state = state;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  add(member: ClassicGroupMember, awaitingJoin: RequestId | undefined): void {
    if (member.groupInstanceId !== null) {
      if (this.#staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.#staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === undefined) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.#countProtocols(member, 1);
    member.awaitingJoin = awaitingJoin;
    if (awaitingJoin !== undefined) this.#numAwaitingJoin++;
    this.#pendingJoinMembers.delete(member.memberId);
  }

  remove(memberId: string): ClassicGroupMember | undefined {
    const removed = this.members.get(memberId);
    if (removed !== undefined) {
      this.members.delete(memberId);
      this.#countProtocols(removed, -1);
      if (removed.awaitingJoin !== undefined) this.#numAwaitingJoin--;
      if (removed.groupInstanceId !== null) this.#staticMembers.delete(removed.groupInstanceId);
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value;
    this.#pendingJoinMembers.delete(memberId);
    this.#pendingSyncMembers.delete(memberId);
    return removed;
  }

  /** Parks (or clears) a member's JoinGroup; returns the request it replaces, if any. */
  setAwaitingJoin(member: ClassicGroupMember, requestId: RequestId | undefined): RequestId | undefined {
    const previous = member.awaitingJoin;
    if (previous === undefined && requestId !== undefined) this.#numAwaitingJoin++;
    if (previous !== undefined && requestId === undefined) this.#numAwaitingJoin--;
    member.awaitingJoin = requestId;
    return previous;
  }

  updateMember(member: ClassicGroupMember, protocols: JoinGroupProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number): void {
    this.#countProtocols(member, -1);
    member.protocols = protocols;
    this.#countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
  }

  /**
   * Static member rejoining with a new member id: the old id leaves, the new one takes over its
   * place, settings and assignment (Kafka's replaceStaticMember). The caller fences the old id's
   * parked requests first.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId);
    if (old === undefined) throw new Error(`cannot replace unknown member ${oldMemberId} of group ${this.groupId}`);
    this.members.delete(oldMemberId);
    this.#countProtocols(old, -1);
    if (old.awaitingJoin !== undefined) this.#numAwaitingJoin--;
    const replacement = new ClassicGroupMember({
      memberId: newMemberId,
      groupInstanceId: old.groupInstanceId,
      clientId: old.clientId,
      clientHost: old.clientHost,
      rebalanceTimeoutMs: old.rebalanceTimeoutMs,
      sessionTimeoutMs: old.sessionTimeoutMs,
      protocolType: old.protocolType,
      protocols: old.protocols,
      assignment: old.assignment,
    });
    this.members.set(newMemberId, replacement);
    this.#countProtocols(replacement, 1);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.#staticMembers.set(groupInstanceId, newMemberId);
    return replacement;
  }

  isPendingMember(memberId: string): boolean {
    return this.#pendingJoinMembers.has(memberId);
  }

  addPendingMember(memberId: string): void {
    if (this.hasMember(memberId)) throw new Error(`pending member ${memberId} is already a member of ${this.groupId}`);
    this.#pendingJoinMembers.add(memberId);
  }

  addPendingSyncMember(memberId: string): void {
    this.#pendingSyncMembers.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.#pendingSyncMembers.delete(memberId);
  }

  hasReceivedSyncFromAllMembers(): boolean {
    return this.#pendingSyncMembers.size === 0;
  }

  pendingSyncMembers(): string[] {
    return [...this.#pendingSyncMembers];
  }

  clearPendingSyncMembers(): void {
    this.#pendingSyncMembers.clear();
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.#numAwaitingJoin && this.#pendingJoinMembers.size === 0;
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.members.values()].filter((m) => m.awaitingJoin === undefined);
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * If the leader has not rejoined, hands leadership to a member that has. False when the group
   * has no leader or nobody rejoined.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === undefined) return false;
    const leader = this.members.get(this.leaderId);
    if (leader !== undefined && leader.awaitingJoin !== undefined) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin !== undefined) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID when the (member id, instance id) pair does not name a
   * current member, else NONE.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.#staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.hasMember(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Whether a member with these protocols could join: same type and at least one protocol everyone supports. */
  supportsProtocols(protocolType: string, protocols: JoinGroupProtocol[]): boolean {
    if (this.is(GroupState.Empty)) return protocolType !== '' && protocols.length > 0;
    return (
      this.protocolType === protocolType && protocols.some((p) => (this.#supportedProtocols.get(p.name) ?? 0) === this.members.size)
    );
  }

  /**
   * The protocol every member supports that gets the most first-choice votes. Ties go to the
   * protocol that received its first vote earliest in join order (Kafka leaves ties to hash order).
   */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.#supportedProtocols) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = 0;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  /** Moves to the next generation: CompletingRebalance with the chosen protocol, or Empty. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.CompletingRebalance, now);
    } else {
      this.protocolName = undefined;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.Empty, now);
    }
    this.clearPendingSyncMembers();
  }

  /** Members with their metadata for the chosen protocol, as the leader's JoinGroup response lists them. */
  joinResponseMembers(): JoinGroupResponseMember[] {
    const protocol = this.protocolName;
    if (protocol === undefined) throw new Error(`group ${this.groupId} has no protocol in state ${this.state}`);
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  assignments(): Map<string, Uint8Array> {
    return new Map([...this.members.values()].map((m) => [m.memberId, m.assignment]));
  }

  /** Union of consumer subscriptions; undefined when not a consumer group or unparseable. */
  computeSubscribedTopics(): Set<string> | undefined {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return undefined;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === undefined) return undefined;
    const all = new Set<string>();
    for (const m of this.members.values()) {
      const topics = subscribedTopicsOf(m.metadata(this.protocolName));
      if (topics === undefined) return undefined;
      for (const t of topics) all.add(t);
    }
    return all;
  }

  /** Subscribed when the subscription says so; when unknown, every consumer group counts as subscribed. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics !== undefined ? this.subscribedTopics.has(topic) : this.usesConsumerProtocol;
  }

  #countProtocols(member: ClassicGroupMember, delta: number): void {
    for (const p of member.protocols) this.#supportedProtocols.set(p.name, (this.#supportedProtocols.get(p.name) ?? 0) + delta);
  }
}
