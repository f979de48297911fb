import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import type { Random } from '../../util/random.ts';
import type {
  AppendEffect,
  DeletableGroupResult,
  DeferredResponse,
  DescribedGroup,
  Effect,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupMemberResponse,
  LeaveGroupRequest,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponseGroup,
  OffsetFetchResponsePartition,
  RequestContext,
  RequestId,
  SyncGroupRequest,
  SyncGroupResponse,
} from './api-types.ts';
import { ClassicGroup, ClassicGroupMember, EMPTY_BYTES, GroupState } from './classic-group.ts';
import { resolveGroupCoordinatorConfig } from './config.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import type { CoordinatorRecord, UnknownCoordinatorRecord } from './coordinator-record.ts';
import { DeadlineTimers } from './deadline-timers.ts';
import type { GroupMetadataValue } from './group-metadata-record.ts';
import { ErrorCode, appendErrorToResponseError } from './error-codes.ts';
import { foldCoordinatorRecords } from './load.ts';
import type { CommittedOffset } from './offset-store.ts';
import { OffsetStore } from './offset-store.ts';
import { offsetsPartitionFor } from './offsets-partition.ts';
import { groupMetadataRecord, groupTombstone, offsetCommitRecord, offsetTombstone } from './records-of.ts';
import { randomUuid } from './uuid.ts';

/**
 * Kafka's classic group coordinator (GroupMetadataManager + OffsetMetadataManager for classic
 * groups) as a pure state machine. Each call returns the effects the driver must carry out:
 * responses for parked requests and appends to __consumer_offsets. Time comes from the Clock;
 * the driver calls tick() at nextDeadline(). State that is only true once written (committed
 * offsets, deletions, a leader's assignment) changes when appendCompleted() reports the write.
 */

export interface GroupCoordinatorOptions {
  clock: Clock;
  /** Source of member id UUIDs (seeded in simulations). */
  random: Random;
  config?: Partial<GroupCoordinatorConfig>;
  logger?: Logger;
}

/** A read-only view of a group for tools, tests and simulations. */
export interface GroupSnapshot {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | undefined;
  protocolName: string | undefined;
  leaderId: string | undefined;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    assignment: Uint8Array;
    awaitingJoin: boolean;
    awaitingSync: boolean;
  }[];
}

type TimerAction =
  | { kind: 'heartbeat'; groupId: string; memberId: string }
  | { kind: 'join'; groupId: string }
  | { kind: 'initial-rebalance'; groupId: string; delayMs: number; remainingMs: number }
  | { kind: 'sync'; groupId: string; generationId: number }
  | { kind: 'offsets-expiration' };

const EXPIRATION_TIMER = 'offsets-expiration';
const joinKey = (groupId: string): string => `join\u0000${groupId}`;
const syncKey = (groupId: string): string => `sync\u0000${groupId}`;
const heartbeatKey = (groupId: string, memberId: string): string => `heartbeat\u0000${groupId}\u0000${memberId}`;
const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function joinResponse(fields: Partial<JoinGroupResponse> & { memberId: string }): JoinGroupResponse {
  return {
    errorCode: ErrorCode.NONE,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    members: [],
    ...fields,
  };
}

function syncError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}

export class GroupCoordinator {
  readonly #config: GroupCoordinatorConfig;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #log: Logger | undefined;
  readonly #groups = new Map<string, ClassicGroup>();
  readonly #offsets = new OffsetStore();
  /** Partitions with an offset commit written but not yet acknowledged, per group (count per partition). */
  readonly #inflightCommits = new Map<string, Map<string, { topic: string; partition: number; count: number }>>();
  readonly #timers = new DeadlineTimers<TimerAction>();
  readonly #pendingAppends = new Map<number, (errorCode: number) => void>();
  #nextAppendId = 1;
  #out: Effect[] = [];

  constructor(options: GroupCoordinatorOptions) {
    this.#config = resolveGroupCoordinatorConfig(options.config);
    this.#clock = options.clock;
    this.#random = options.random;
    this.#log = options.logger;
    this.#timers.schedule(EXPIRATION_TIMER, this.#now() + this.#config.offsetsRetentionCheckIntervalMs, { kind: 'offsets-expiration' });
  }

  get config(): Readonly<GroupCoordinatorConfig> {
    return this.#config;
  }

  /** The __consumer_offsets partition that stores this group. */
  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.#config.offsetsTopicNumPartitions);
  }

  // ---------------------------------------------------------------- loading

  /**
   * Rebuilds groups and committed offsets from __consumer_offsets records in log order (all
   * partitions), then starts every loaded member's session timer. Call once, before any request.
   */
  load(records: Iterable<CoordinatorRecord | UnknownCoordinatorRecord>): Effect[] {
    if (this.#groups.size > 0) throw new Error('GroupCoordinator.load must run before any group exists');
    const state = foldCoordinatorRecords(records);
    for (const [groupId, value] of state.groups) {
      const group = value === null ? new ClassicGroup({ groupId, state: GroupState.Empty, now: this.#now() }) : this.#groupFromRecord(groupId, value);
      this.#groups.set(groupId, group);
    }
    for (const [groupId, topics] of state.offsets) {
      for (const [topic, partitions] of topics) {
        for (const [partition, v] of partitions) {
          this.#offsets.put(groupId, topic, partition, {
            offset: v.offset,
            leaderEpoch: v.leaderEpoch,
            metadata: v.metadata,
            commitTimestamp: Number(v.commitTimestamp),
            expireTimestamp: v.expireTimestamp === -1n ? undefined : Number(v.expireTimestamp),
          });
        }
      }
    }
    return this.#run(() => {
      for (const group of this.#groups.values()) {
        for (const member of group.members.values()) this.#scheduleHeartbeat(group, member);
        // group.max.size may have shrunk since the group was written.
        if (group.size > this.#config.maxSize) this.#prepareRebalance(group, 'loaded group is over group.max.size');
      }
    });
  }

  #groupFromRecord(groupId: string, value: GroupMetadataValue): ClassicGroup {
    const protocol = value.protocol;
    if (value.members.length > 0 && protocol === null) {
      throw new Error(`group metadata record of group ${groupId} has members but no protocol`);
    }
    const group = new ClassicGroup({
      groupId,
      state: value.members.length === 0 ? GroupState.Empty : GroupState.Stable,
      now: value.currentStateTimestamp === -1n ? undefined : Number(value.currentStateTimestamp),
      generationId: value.generation,
      protocolType: value.protocolType === '' ? undefined : value.protocolType,
      protocolName: protocol ?? undefined,
      leaderId: value.leader ?? undefined,
    });
    for (const m of value.members) {
      group.add(
        new ClassicGroupMember({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          protocolType: value.protocolType,
          protocols: [{ name: protocol as string, metadata: m.subscription }],
          assignment: m.assignment,
        }),
        undefined,
      );
    }
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  // ---------------------------------------------------------------- driver inputs

  /** When tick() next has something to do; undefined when no timer is armed. */
  nextDeadline(): number | undefined {
    return this.#timers.nextDeadline();
  }

  /** Fires every timer due at the clock's current time. */
  tick(): Effect[] {
    return this.#run(() => {
      const now = this.#now();
      for (let due = this.#timers.popDue(now); due !== undefined; due = this.#timers.popDue(now)) this.#fire(due.payload);
    });
  }

  /** Reports the outcome of an AppendEffect: errorCode 0 when durable, else the append's Kafka error. */
  appendCompleted(appendId: number, errorCode: number = ErrorCode.NONE): Effect[] {
    const done = this.#pendingAppends.get(appendId);
    if (done === undefined) throw new Error(`appendCompleted: unknown or already completed append id ${appendId}`);
    this.#pendingAppends.delete(appendId);
    return this.#run(() => done(errorCode));
  }

  /** The broker is stopping: answer every parked JoinGroup/SyncGroup with NOT_COORDINATOR (Kafka's onUnloaded). */
  shutdown(): Effect[] {
    return this.#run(() => {
      for (const group of this.#groups.values()) {
        for (const member of group.members.values()) {
          this.#completeJoin(group, member, joinResponse({ memberId: member.memberId, errorCode: ErrorCode.NOT_COORDINATOR }));
          this.#completeSync(member, syncError(ErrorCode.NOT_COORDINATOR));
        }
      }
    });
  }

  // ---------------------------------------------------------------- JoinGroup

  joinGroup(requestId: RequestId, request: JoinGroupRequest, context: RequestContext): Effect[] {
    return this.#run(() => this.#joinGroup(requestId, request, context));
  }

  #joinGroup(requestId: RequestId, request: JoinGroupRequest, context: RequestContext): void {
    const respond = (fields: Partial<JoinGroupResponse> & { memberId: string }): void =>
      this.#respond(requestId, { api: 'JoinGroup', body: joinResponse(fields) });
    if (request.groupId === '') return respond({ memberId: request.memberId, errorCode: ErrorCode.INVALID_GROUP_ID });
    if (request.sessionTimeoutMs < this.#config.minSessionTimeoutMs || request.sessionTimeoutMs > this.#config.maxSessionTimeoutMs) {
      return respond({ memberId: request.memberId, errorCode: ErrorCode.INVALID_SESSION_TIMEOUT });
    }
    const isUnknownMember = request.memberId === '';
    let group = this.#groups.get(request.groupId);
    if (group === undefined) {
      // Only a first join creates a group; a member id for a group that does not exist is stale.
      if (!isUnknownMember) return respond({ memberId: request.memberId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
      group = new ClassicGroup({ groupId: request.groupId, state: GroupState.Empty, now: this.#now() });
      this.#groups.set(request.groupId, group);
    }
    if (!this.#acceptJoiningMember(group, request.memberId)) {
      group.remove(request.memberId);
      return respond({ memberId: '', errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED });
    }
    if (isUnknownMember) this.#joinNewMember(group, requestId, request, context);
    else this.#joinExistingMember(group, requestId, request, context);
  }

  #acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    switch (group.state) {
      case GroupState.Empty:
      case GroupState.Dead:
        return true;
      case GroupState.PreparingRebalance:
        // Counting parked joins (not members) lets a shrunk group.max.size push out the last rejoiners.
        return group.member(memberId)?.awaitingJoin !== undefined || group.numAwaitingJoin < this.#config.maxSize;
      default:
        return group.hasMember(memberId) || group.size < this.#config.maxSize;
    }
  }

  #joinNewMember(group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest, context: RequestContext): void {
    const respondError = (errorCode: number): void =>
      this.#respond(requestId, { api: 'JoinGroup', body: joinResponse({ memberId: '', errorCode }) });
    if (group.is(GroupState.Dead)) return respondError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return respondError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const newMemberId = `${request.groupInstanceId ?? context.clientId}-${randomUuid(this.#random)}`;
    if (request.groupInstanceId !== null) {
      const existing = group.staticMemberId(request.groupInstanceId);
      if (existing !== undefined) {
        this.#replaceStaticMember(group, requestId, request, context, existing, newMemberId);
      } else {
        this.#addMemberThenRebalanceOrCompleteJoin(group, requestId, request, context, newMemberId);
      }
    } else if (context.apiVersion >= 4) {
      // KIP-394: hand out the id first so a client that times out and retries does not leave a
      // phantom member behind; the pending id expires after the session timeout.
      group.addPendingMember(newMemberId);
      this.#timers.schedule(heartbeatKey(group.groupId, newMemberId), this.#now() + request.sessionTimeoutMs, {
        kind: 'heartbeat',
        groupId: group.groupId,
        memberId: newMemberId,
      });
      this.#respond(requestId, { api: 'JoinGroup', body: joinResponse({ memberId: newMemberId, errorCode: ErrorCode.MEMBER_ID_REQUIRED }) });
    } else {
      this.#addMemberThenRebalanceOrCompleteJoin(group, requestId, request, context, newMemberId);
    }
  }

  #joinExistingMember(group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest, context: RequestContext): void {
    const memberId = request.memberId;
    const respond = (fields: Partial<JoinGroupResponse>): void =>
      this.#respond(requestId, { api: 'JoinGroup', body: joinResponse({ memberId, ...fields }) });
    if (group.is(GroupState.Dead)) return respond({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return respond({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
    if (group.isPendingMember(memberId)) {
      // Pending ids are only handed to dynamic members; Kafka fails such a request as a server error.
      if (request.groupInstanceId !== null) return respond({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
      return this.#addMemberThenRebalanceOrCompleteJoin(group, requestId, request, context, memberId);
    }
    const invalid = group.validateMember(memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return respond({ errorCode: invalid });
    const member = group.member(memberId) as ClassicGroupMember;
    const currentGeneration = (): void =>
      respond({
        members: group.isLeader(memberId) && group.is(GroupState.CompletingRebalance) ? group.joinResponseMembers() : [],
        generationId: group.generationId,
        protocolName: group.protocolName ?? null,
        protocolType: group.protocolType ?? null,
        leader: group.leaderId ?? '',
      });
    switch (group.state) {
      case GroupState.PreparingRebalance:
        return this.#updateMemberThenRebalanceOrCompleteJoin(group, member, requestId, request);
      case GroupState.CompletingRebalance:
        // Same metadata: the member most likely lost the JoinGroup response; send it again.
        if (member.matches(request.protocols)) return currentGeneration();
        return this.#updateMemberThenRebalanceOrCompleteJoin(group, member, requestId, request);
      case GroupState.Stable:
        // A leader's join always rebalances: it is how a leader reacts to topic metadata changes.
        if (group.isLeader(memberId) || !member.matches(request.protocols)) {
          return this.#updateMemberThenRebalanceOrCompleteJoin(group, member, requestId, request);
        }
        return currentGeneration();
      default:
        // Empty with a known member id: the member must reset and join anew.
        return respond({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
    }
  }

  #addMemberThenRebalanceOrCompleteJoin(
    group: ClassicGroup,
    requestId: RequestId,
    request: JoinGroupRequest,
    context: RequestContext,
    memberId: string,
  ): void {
    const member = new ClassicGroupMember({
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: context.clientId,
      clientHost: context.clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      sessionTimeoutMs: request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
    });
    member.isNew = true;
    if (group.is(GroupState.PreparingRebalance) && group.previousState === GroupState.Empty) group.newMemberAdded = true;
    group.add(member, requestId);
    // A parked join cannot heartbeat and its socket is muted, so a client that gave up would stay
    // forever; new members therefore expire after the new-member join timeout.
    this.#scheduleHeartbeat(group, member, this.#config.newMemberJoinTimeoutMs);
    this.#maybePrepareRebalanceOrCompleteJoin(group, `adding new member ${memberId}`);
  }

  #updateMemberThenRebalanceOrCompleteJoin(group: ClassicGroup, member: ClassicGroupMember, requestId: RequestId, request: JoinGroupRequest): void {
    group.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs);
    this.#parkJoin(group, member, requestId);
    this.#maybePrepareRebalanceOrCompleteJoin(group, `member ${member.memberId} rejoining in state ${group.state}`);
  }

  /**
   * A static member came back with an unknown member id (restart): the new id takes over the old
   * one, which is fenced. In a Stable group whose protocol choice does not change this needs no
   * rebalance, only a write of the group with the new id (KIP-345).
   */
  #replaceStaticMember(
    group: ClassicGroup,
    requestId: RequestId,
    request: JoinGroupRequest,
    context: RequestContext,
    oldMemberId: string,
    newMemberId: string,
  ): void {
    const instanceId = request.groupInstanceId as string;
    const currentLeader = group.leaderId ?? '';
    const oldMember = group.member(oldMemberId) as ClassicGroupMember;
    this.#completeJoin(group, oldMember, joinResponse({ memberId: oldMemberId, errorCode: ErrorCode.FENCED_INSTANCE_ID }));
    this.#completeSync(oldMember, syncError(ErrorCode.FENCED_INSTANCE_ID));
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.#timers.cancel(heartbeatKey(group.groupId, oldMemberId));
    this.#scheduleHeartbeat(group, member);
    const previous = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs);
    this.#parkJoin(group, member, requestId);

    if (group.is(GroupState.Stable)) {
      if (group.protocolName !== group.selectProtocol()) {
        return this.#maybePrepareRebalanceOrCompleteJoin(group, `static member ${instanceId} rejoined with other protocols`);
      }
      const record = groupMetadataRecord(group, group.assignments());
      this.#append(group.groupId, [record], (appendError) => {
        if (appendError !== ErrorCode.NONE) {
          if (group.member(newMemberId) !== member) return;
          // The new id is not durable: go back to the old one and tell the client to retry.
          group.updateMember(member, previous.protocols, previous.rebalanceTimeoutMs, previous.sessionTimeoutMs);
          const parked = group.setAwaitingJoin(member, undefined);
          const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.#timers.cancel(heartbeatKey(group.groupId, newMemberId));
          this.#scheduleHeartbeat(group, restored);
          if (parked === undefined) return;
          return this.#respond(parked, {
            api: 'JoinGroup',
            body: joinResponse({
              memberId: '',
              errorCode: appendErrorToResponseError(appendError),
              generationId: group.generationId,
              protocolName: group.protocolName ?? null,
              protocolType: group.protocolType ?? null,
              leader: currentLeader,
            }),
          });
        }
        const common = {
          memberId: newMemberId,
          generationId: group.generationId,
          protocolName: group.protocolName ?? null,
          protocolType: group.protocolType ?? null,
        };
        if (context.apiVersion >= 9) {
          // JoinGroup v9+: the leader learns it leads, but may skip running the assignor.
          const isLeader = group.isLeader(newMemberId);
          this.#completeJoin(
            group,
            member,
            joinResponse({ ...common, members: isLeader ? group.joinResponseMembers() : [], leader: group.leaderId ?? '', skipAssignment: isLeader }),
          );
        } else {
          // Older clients would re-run the assignment if told they lead, so they hear the old leader.
          this.#completeJoin(group, member, joinResponse({ ...common, leader: currentLeader }));
        }
      });
      return;
    }
    if (group.is(GroupState.CompletingRebalance)) {
      // The leader may already be assigning to the old id; a new round gives the new id its share.
      return this.#prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
    }
    this.#maybeCompleteJoinPhase(group);
  }

  #maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.#prepareRebalance(group, reason);
    else this.#maybeCompleteJoinPhase(group);
  }

  #prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is(GroupState.CompletingRebalance)) this.#resetAndPropagateAssignmentWithError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.#removeSyncExpiration(group);
    const isInitialRebalance = group.is(GroupState.Empty);
    if (isInitialRebalance) {
      // A new group waits group.initial.rebalance.delay.ms so that consumers starting together
      // land in one generation instead of one rebalance each.
      const delayMs = this.#config.initialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
      this.#timers.schedule(joinKey(group.groupId), this.#now() + delayMs, {
        kind: 'initial-rebalance',
        groupId: group.groupId,
        delayMs,
        remainingMs,
      });
    }
    group.transitionTo(GroupState.PreparingRebalance, this.#now());
    this.#log?.info({ group: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance group');
    if (!isInitialRebalance) this.#maybeCompleteJoinElseSchedule(group);
  }

  #maybeCompleteJoinElseSchedule(group: ClassicGroup): void {
    if (group.hasAllMembersJoined()) return this.#completeJoinPhase(group);
    this.#timers.schedule(joinKey(group.groupId), this.#now() + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId });
  }

  #maybeCompleteJoinPhase(group: ClassicGroup): void {
    // The initial rebalance only ends by its timer, however quickly everybody joined.
    if (!group.is(GroupState.PreparingRebalance) || group.previousState === GroupState.Empty || !group.hasAllMembersJoined()) return;
    this.#completeJoinPhase(group);
  }

  #tryCompleteInitialRebalance(groupId: string, delayMs: number, remainingMs: number): void {
    const group = this.#groups.get(groupId);
    if (group === undefined || !group.is(GroupState.PreparingRebalance)) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      // Someone joined during the delay: wait another delay, within the rebalance timeout.
      group.newMemberAdded = false;
      const nextDelayMs = Math.min(this.#config.initialRebalanceDelayMs, remainingMs);
      const nextRemainingMs = Math.max(remainingMs - delayMs, 0);
      this.#timers.schedule(joinKey(groupId), this.#now() + nextDelayMs, {
        kind: 'initial-rebalance',
        groupId,
        delayMs: nextDelayMs,
        remainingMs: nextRemainingMs,
      });
      return;
    }
    this.#completeJoinPhase(group);
  }

  /**
   * Ends the join phase: dynamic members that did not rejoin are dropped, the generation advances
   * and every parked JoinGroup is answered (the leader gets all members' metadata).
   */
  #completeJoinPhase(group: ClassicGroup): void {
    this.#timers.cancel(joinKey(group.groupId));
    for (const member of group.notYetRejoinedMembers()) {
      if (!member.isStatic) this.#dropMember(group, member.memberId);
    }
    if (group.is(GroupState.Dead)) return;
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Nobody rejoined: wait another rebalance timeout for sessions to expire the silent members.
      this.#timers.schedule(joinKey(group.groupId), this.#now() + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId });
      return;
    }
    group.initNextGeneration(this.#now());
    if (group.is(GroupState.Empty)) {
      this.#log?.info({ group: group.groupId, generation: group.generationId }, 'group is now empty');
      this.#append(group.groupId, [groupMetadataRecord(group, new Map())], (appendError) => {
        // Losing this record only means a restart sees the previous generation, whose members
        // then time out: harmless, as in Kafka.
        if (appendError !== ErrorCode.NONE) this.#log?.warn({ group: group.groupId, appendError }, 'could not write empty group metadata');
      });
      return;
    }
    this.#log?.info({ group: group.groupId, generation: group.generationId, members: group.size }, 'group completed join phase');
    for (const member of group.members.values()) {
      this.#completeJoin(
        group,
        member,
        joinResponse({
          members: group.isLeader(member.memberId) ? group.joinResponseMembers() : [],
          memberId: member.memberId,
          generationId: group.generationId,
          protocolName: group.protocolName ?? null,
          protocolType: group.protocolType ?? null,
          leader: group.leaderId ?? '',
        }),
      );
      this.#scheduleHeartbeat(group, member);
      member.isNew = false;
      group.addPendingSyncMember(member.memberId);
    }
    this.#timers.schedule(syncKey(group.groupId), this.#now() + group.rebalanceTimeoutMs(), {
      kind: 'sync',
      groupId: group.groupId,
      generationId: group.generationId,
    });
  }

  // ---------------------------------------------------------------- SyncGroup

  syncGroup(requestId: RequestId, request: SyncGroupRequest): Effect[] {
    return this.#run(() => this.#syncGroup(requestId, request));
  }

  #syncGroup(requestId: RequestId, request: SyncGroupRequest): void {
    const respondError = (errorCode: number): void => this.#respond(requestId, { api: 'SyncGroup', body: syncError(errorCode) });
    if (request.groupId === '') return respondError(ErrorCode.INVALID_GROUP_ID);
    const group = this.#groups.get(request.groupId);
    if (group === undefined || group.is(GroupState.Empty)) return respondError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is(GroupState.Dead)) return respondError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const invalid = group.validateMember(request.memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return respondError(invalid);
    if (request.generationId !== group.generationId) return respondError(ErrorCode.ILLEGAL_GENERATION);
    if (
      (request.protocolType !== null && group.protocolType !== undefined && request.protocolType !== group.protocolType) ||
      (request.protocolName !== null && group.protocolName !== undefined && request.protocolName !== group.protocolName)
    ) {
      return respondError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (group.is(GroupState.PreparingRebalance)) return respondError(ErrorCode.REBALANCE_IN_PROGRESS);
    const member = group.member(request.memberId) as ClassicGroupMember;
    if (group.is(GroupState.Stable)) {
      this.#removePendingSyncMember(group, request.memberId);
      return this.#respond(requestId, {
        api: 'SyncGroup',
        body: { errorCode: ErrorCode.NONE, protocolType: group.protocolType ?? null, protocolName: group.protocolName ?? null, assignment: member.assignment },
      });
    }
    // CompletingRebalance: park until the leader's assignment is written.
    this.#parkSync(member, requestId);
    this.#removePendingSyncMember(group, request.memberId);
    if (!group.isLeader(request.memberId)) return;
    const assignment = new Map(request.assignments.map((a) => [a.memberId, a.assignment]));
    for (const memberId of group.members.keys()) if (!assignment.has(memberId)) assignment.set(memberId, EMPTY_BYTES);
    const generationId = request.generationId;
    this.#append(group.groupId, [groupMetadataRecord(group, assignment)], (appendError) => {
      // The group may have moved on while the write was in flight; then this assignment is moot.
      if (this.#groups.get(group.groupId) !== group || !group.is(GroupState.CompletingRebalance) || group.generationId !== generationId) return;
      if (appendError !== ErrorCode.NONE) {
        const error = appendErrorToResponseError(appendError);
        this.#resetAndPropagateAssignmentWithError(group, error);
        return this.#maybePrepareRebalanceOrCompleteJoin(group, `error ${error} when storing the group assignment`);
      }
      for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_BYTES;
      this.#propagateAssignment(group, ErrorCode.NONE);
      group.transitionTo(GroupState.Stable, this.#now());
      this.#log?.info({ group: group.groupId, generation: group.generationId }, 'group is stable');
    });
  }

  #removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.removePendingSyncMember(memberId);
    if (group.hasReceivedSyncFromAllMembers()) this.#timers.cancel(syncKey(group.groupId));
  }

  #removeSyncExpiration(group: ClassicGroup): void {
    group.clearPendingSyncMembers();
    this.#timers.cancel(syncKey(group.groupId));
  }

  #expirePendingSync(groupId: string, generationId: number): void {
    const group = this.#groups.get(groupId);
    if (group === undefined || group.generationId !== generationId) return;
    if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return;
    if (group.hasReceivedSyncFromAllMembers()) return;
    const missing = group.pendingSyncMembers();
    for (const memberId of missing) this.#dropMember(group, memberId);
    this.#prepareRebalance(group, `members ${missing.join(', ')} did not send SyncGroup in time`);
  }

  #resetAndPropagateAssignmentWithError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_BYTES;
    this.#propagateAssignment(group, errorCode);
  }

  #propagateAssignment(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const member of group.members.values()) {
      const delivered = this.#completeSync(member, {
        errorCode,
        protocolType: ok ? (group.protocolType ?? null) : null,
        protocolName: ok ? (group.protocolName ?? null) : null,
        assignment: member.assignment,
      });
      // A member whose session ran out while it waited here was spared; it starts a fresh one now.
      if (delivered) this.#scheduleHeartbeat(group, member);
    }
  }

  // ---------------------------------------------------------------- Heartbeat

  heartbeat(request: HeartbeatRequest): HeartbeatResponse {
    if (request.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID };
    const group = this.#groups.get(request.groupId);
    if (group === undefined) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    if (group.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    const invalid = group.validateMember(request.memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return { errorCode: invalid };
    if (request.generationId !== group.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
    const member = group.member(request.memberId) as ClassicGroupMember;
    switch (group.state) {
      case GroupState.Empty:
        return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      case GroupState.PreparingRebalance:
        this.#scheduleHeartbeat(group, member);
        return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
      default:
        // Consumers heartbeat between their JoinGroup and SyncGroup too: a normal heartbeat.
        this.#scheduleHeartbeat(group, member);
        return { errorCode: ErrorCode.NONE };
    }
  }

  #scheduleHeartbeat(group: ClassicGroup, member: ClassicGroupMember, timeoutMs = member.sessionTimeoutMs): void {
    this.#timers.schedule(heartbeatKey(group.groupId, member.memberId), this.#now() + timeoutMs, {
      kind: 'heartbeat',
      groupId: group.groupId,
      memberId: member.memberId,
    });
  }

  #expireHeartbeat(groupId: string, memberId: string): void {
    const group = this.#groups.get(groupId);
    if (group === undefined || group.is(GroupState.Dead)) return;
    if (group.isPendingMember(memberId)) {
      group.remove(memberId);
      if (group.is(GroupState.PreparingRebalance) && group.hasAllMembersJoined()) this.#completeJoinPhase(group);
      return;
    }
    const member = group.member(memberId);
    if (member === undefined || member.hasSatisfiedHeartbeat()) return;
    this.#log?.info({ group: groupId, member: memberId }, 'member session expired; removing it from the group');
    this.#removeMemberAndUpdateGroup(group, member, `member ${memberId} session expired`);
  }

  #removeMemberAndUpdateGroup(group: ClassicGroup, member: ClassicGroupMember, reason: string): void {
    // A new member can time out while its JoinGroup is parked; answering it lets a live client retry.
    this.#completeJoin(group, member, joinResponse({ memberId: '', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }));
    this.#dropMember(group, member.memberId);
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) {
      this.#maybePrepareRebalanceOrCompleteJoin(group, reason);
    } else if (group.is(GroupState.PreparingRebalance) && group.hasAllMembersJoined()) {
      this.#completeJoinPhase(group);
    }
  }

  // ---------------------------------------------------------------- LeaveGroup

  leaveGroup(requestId: RequestId, request: LeaveGroupRequest): Effect[] {
    return this.#run(() => this.#leaveGroup(requestId, request));
  }

  #leaveGroup(requestId: RequestId, request: LeaveGroupRequest): void {
    const respond = (errorCode: number, members: LeaveGroupMemberResponse[]): void =>
      this.#respond(requestId, { api: 'LeaveGroup', body: { errorCode, members } });
    if (request.groupId === '') return respond(ErrorCode.INVALID_GROUP_ID, []);
    const group = this.#groups.get(request.groupId);
    if (group === undefined) {
      return respond(
        ErrorCode.NONE,
        request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })),
      );
    }
    if (group.is(GroupState.Dead)) return respond(ErrorCode.COORDINATOR_NOT_AVAILABLE, []);
    const results: LeaveGroupMemberResponse[] = [];
    for (const m of request.members) {
      const result = (errorCode: number): void => {
        results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
      };
      if (m.memberId === '') {
        // Administrative removal names the static member by instance id only.
        const staticId = m.groupInstanceId === null ? undefined : group.staticMemberId(m.groupInstanceId);
        if (staticId === undefined) {
          result(ErrorCode.UNKNOWN_MEMBER_ID);
        } else {
          this.#removeLeavingMember(group, staticId);
          result(ErrorCode.NONE);
        }
      } else if (group.isPendingMember(m.memberId)) {
        group.remove(m.memberId);
        this.#timers.cancel(heartbeatKey(group.groupId, m.memberId));
        result(ErrorCode.NONE);
      } else {
        const invalid = group.validateMember(m.memberId, m.groupInstanceId);
        if (invalid === ErrorCode.NONE) this.#removeLeavingMember(group, m.memberId);
        result(invalid);
      }
    }
    const firstAppend = this.#nextAppendId;
    if (results.some((r) => r.errorCode === ErrorCode.NONE)) {
      if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) {
        this.#maybePrepareRebalanceOrCompleteJoin(group, 'members left the group');
      } else if (group.is(GroupState.PreparingRebalance)) {
        this.#maybeCompleteJoinPhase(group);
      }
    }
    // Kafka answers once what the leave wrote (an emptied group's metadata) is durable.
    const lastAppend = this.#nextAppendId - 1;
    if (lastAppend < firstAppend) return respond(ErrorCode.NONE, results);
    this.#afterAppend(lastAppend, (appendError) => {
      if (appendError === ErrorCode.NONE) respond(ErrorCode.NONE, results);
      else respond(appendErrorToResponseError(appendError), []);
    });
  }

  #removeLeavingMember(group: ClassicGroup, memberId: string): void {
    const member = group.member(memberId) as ClassicGroupMember;
    this.#completeJoin(group, member, joinResponse({ memberId: '', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }));
    this.#dropMember(group, memberId);
  }

  // ---------------------------------------------------------------- OffsetCommit

  offsetCommit(requestId: RequestId, request: OffsetCommitRequest, context: RequestContext): Effect[] {
    return this.#run(() => this.#offsetCommit(requestId, request, context));
  }

  #offsetCommit(requestId: RequestId, request: OffsetCommitRequest, context: RequestContext): void {
    const allPartitions = (errorCode: number): OffsetCommitResponse => ({
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    const respond = (body: OffsetCommitResponse): void => this.#respond(requestId, { api: 'OffsetCommit', body });
    if (request.groupId === null) return respond(allPartitions(ErrorCode.INVALID_GROUP_ID));
    const groupId = request.groupId;
    let group = this.#groups.get(groupId);
    if (group === undefined) {
      if (request.generationIdOrMemberEpoch >= 0) {
        return respond(allPartitions(context.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION));
      }
      // A consumer that assigns partitions itself (or an admin tool) commits into a "simple" group.
      group = new ClassicGroup({ groupId, state: GroupState.Empty, now: this.#now() });
      this.#groups.set(groupId, group);
    }
    const invalid = this.#validateOffsetCommit(group, request);
    if (invalid !== ErrorCode.NONE) return respond(allPartitions(invalid));
    if (group.is(GroupState.Stable) || group.is(GroupState.PreparingRebalance)) {
      // Commits keep a classic member's session alive.
      this.#scheduleHeartbeat(group, group.member(request.memberId) as ClassicGroupMember);
    }
    const now = this.#now();
    const expireTimestamp = request.retentionTimeMs === -1n ? undefined : now + Number(request.retentionTimeMs);
    const response: OffsetCommitResponse = { topics: [] };
    const records: CoordinatorRecord[] = [];
    const committed: { topic: string; partition: number; offset: CommittedOffset }[] = [];
    for (const topic of request.topics) {
      const partitions: { partitionIndex: number; errorCode: number }[] = [];
      response.topics.push({ name: topic.name, partitions });
      for (const p of topic.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.#config.offsetMetadataMaxSize) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
          continue;
        }
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE });
        const offset: CommittedOffset = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: p.commitTimestamp === -1n ? now : Number(p.commitTimestamp),
          expireTimestamp,
        };
        committed.push({ topic: topic.name, partition: p.partitionIndex, offset });
        records.push(offsetCommitRecord(groupId, topic.name, p.partitionIndex, offset));
      }
    }
    if (records.length === 0) return respond(response);
    for (const c of committed) this.#trackInflight(groupId, c.topic, c.partition, 1);
    this.#append(groupId, records, (appendError) => {
      for (const c of committed) this.#trackInflight(groupId, c.topic, c.partition, -1);
      if (appendError !== ErrorCode.NONE) return respond(allPartitions(appendErrorToResponseError(appendError)));
      for (const c of committed) this.#offsets.put(groupId, c.topic, c.partition, c.offset);
      respond(response);
    });
  }

  #validateOffsetCommit(group: ClassicGroup, request: OffsetCommitRequest): number {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const generationId = request.generationIdOrMemberEpoch;
    // Generation -1 into an Empty group: an admin tool or a consumer managing its own partitions.
    if (generationId < 0 && group.is(GroupState.Empty)) return ErrorCode.NONE;
    if (generationId >= 0 || request.memberId !== '' || request.groupInstanceId !== null) {
      const invalid = group.validateMember(request.memberId, request.groupInstanceId);
      if (invalid !== ErrorCode.NONE) return invalid;
      if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!group.is(GroupState.Empty)) {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    // A member of the new generation that has not synced yet must not commit for partitions it may lose.
    if (group.is(GroupState.CompletingRebalance)) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  #trackInflight(groupId: string, topic: string, partition: number, delta: number): void {
    let partitions = this.#inflightCommits.get(groupId);
    if (partitions === undefined) this.#inflightCommits.set(groupId, (partitions = new Map()));
    const key = partitionKey(topic, partition);
    const entry = partitions.get(key) ?? { topic, partition, count: 0 };
    entry.count += delta;
    if (entry.count > 0) partitions.set(key, entry);
    else partitions.delete(key);
    if (partitions.size === 0) this.#inflightCommits.delete(groupId);
  }

  /** Whether an offset exists for the partition, counting commits still being written. */
  #hasOffset(groupId: string, topic: string, partition: number): boolean {
    return this.#offsets.get(groupId, topic, partition) !== undefined || this.#inflightCommits.get(groupId)?.has(partitionKey(topic, partition)) === true;
  }

  /** Every partition with an offset, counting commits still being written. */
  #partitionsWithOffsets(groupId: string): { topic: string; partition: number }[] {
    const out = this.#offsets.partitionsOf(groupId).map(({ topic, partition }) => ({ topic, partition }));
    for (const entry of this.#inflightCommits.get(groupId)?.values() ?? []) {
      if (this.#offsets.get(groupId, entry.topic, entry.partition) === undefined) out.push({ topic: entry.topic, partition: entry.partition });
    }
    return out;
  }

  // ---------------------------------------------------------------- OffsetFetch

  /** One group of an OffsetFetch. Offsets are those whose commit has been acknowledged. */
  offsetFetch(request: OffsetFetchRequest): OffsetFetchResponseGroup {
    if (request.groupId === null) return { groupId: null, errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const groupId = request.groupId;
    const group = this.#groups.get(groupId);
    const known = group !== undefined && !group.is(GroupState.Dead);
    const partition = (partitionIndex: number, offset: CommittedOffset | undefined): OffsetFetchResponsePartition =>
      offset === undefined
        ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }
        : { partitionIndex, committedOffset: offset.offset, committedLeaderEpoch: offset.leaderEpoch, metadata: offset.metadata, errorCode: ErrorCode.NONE };
    if (request.topics === null) {
      if (!known) return { groupId, errorCode: ErrorCode.NONE, topics: [] };
      const topics = [...this.#offsets.topicsOf(groupId)].map(([name, partitions]) => ({
        name,
        partitions: [...partitions].map(([index, offset]) => partition(index, offset)),
      }));
      return { groupId, errorCode: ErrorCode.NONE, topics };
    }
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((index) => partition(index, known ? this.#offsets.get(groupId, t.name, index) : undefined)),
      })),
    };
  }

  // ---------------------------------------------------------------- DescribeGroups / ListGroups

  describeGroups(groupIds: (string | null)[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      if (groupId === null) {
        return { errorCode: ErrorCode.INVALID_GROUP_ID, groupId: null, groupState: '', protocolType: '', protocolData: '', members: [] };
      }
      const group = this.#groups.get(groupId);
      if (group === undefined) {
        return { errorCode: ErrorCode.NONE, groupId, groupState: GroupState.Dead, protocolType: '', protocolData: '', members: [] };
      }
      // Member metadata is only meaningful once a protocol has been chosen and settled.
      const protocol = group.is(GroupState.Stable) ? group.protocolName : undefined;
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: protocol ?? '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: protocol === undefined ? EMPTY_BYTES : m.metadata(protocol),
          memberAssignment: m.assignment,
        })),
      };
    });
  }

  listGroups(request: ListGroupsRequest): ListGroupsResponse {
    const states = new Set(request.statesFilter.map((s) => s.trim().toLowerCase()));
    const types = new Set(request.typesFilter.map((t) => t.trim().toLowerCase()));
    const groups = [];
    for (const group of this.#groups.values()) {
      // A Dead group is being deleted; Kafka no longer lists it either.
      if (group.is(GroupState.Dead)) continue;
      if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  // ---------------------------------------------------------------- DeleteGroups / OffsetDelete

  deleteGroups(requestId: RequestId, groupIds: (string | null)[]): Effect[] {
    return this.#run(() => {
      const results: DeletableGroupResult[] = groupIds.map((groupId) => ({ groupId, errorCode: ErrorCode.NONE }));
      const byPartition = new Map<number, { groups: ClassicGroup[]; results: DeletableGroupResult[] }>();
      for (const result of results) {
        const error = this.#validateDeleteGroup(result.groupId);
        if (error !== ErrorCode.NONE) {
          result.errorCode = error;
          continue;
        }
        const group = this.#groups.get(result.groupId as string) as ClassicGroup;
        const partition = this.partitionFor(group.groupId);
        const batch = byPartition.get(partition) ?? { groups: [], results: [] };
        byPartition.set(partition, batch);
        batch.groups.push(group);
        batch.results.push(result);
      }
      if (byPartition.size === 0) return this.#respond(requestId, { api: 'DeleteGroups', body: results });
      let outstanding = byPartition.size;
      for (const batch of byPartition.values()) {
        this.#deleteGroupsInPartition(batch.groups, (appendError) => {
          if (appendError !== ErrorCode.NONE) for (const r of batch.results) r.errorCode = appendErrorToResponseError(appendError);
          if (--outstanding === 0) this.#respond(requestId, { api: 'DeleteGroups', body: results });
        });
      }
    });
  }

  #validateDeleteGroup(groupId: string | null): number {
    if (groupId === null) return ErrorCode.INVALID_GROUP_ID;
    const group = this.#groups.get(groupId);
    if (group === undefined || group.is(GroupState.Dead)) return ErrorCode.GROUP_ID_NOT_FOUND;
    return group.is(GroupState.Empty) ? ErrorCode.NONE : ErrorCode.NON_EMPTY_GROUP;
  }

  /**
   * Writes tombstones for the groups' offsets and metadata. The groups turn Dead at once, so no
   * member can join them while the tombstones are in flight; they are removed when the write is
   * acknowledged, or come back as Empty if it failed.
   */
  #deleteGroupsInPartition(groups: ClassicGroup[], done: (appendError: number) => void): void {
    const records: CoordinatorRecord[] = [];
    for (const group of groups) {
      for (const { topic, partition } of this.#partitionsWithOffsets(group.groupId)) records.push(offsetTombstone(group.groupId, topic, partition));
      records.push(groupTombstone(group.groupId));
      group.transitionTo(GroupState.Dead, this.#now());
    }
    this.#append(groups[0].groupId, records, (appendError) => {
      if (appendError === ErrorCode.NONE) this.#replayTombstones(records);
      else for (const group of groups) if (this.#groups.get(group.groupId) === group) group.revive(GroupState.Empty);
      done(appendError);
    });
  }

  #replayTombstones(records: CoordinatorRecord[]): void {
    for (const record of records) {
      if (record.value !== null) continue;
      if (record.type === 'offset-commit') {
        this.#offsets.delete(record.key.group, record.key.topic, record.key.partition);
      } else if (this.#groups.get(record.key.group)?.is(GroupState.Dead)) {
        this.#groups.delete(record.key.group);
        this.#log?.info({ group: record.key.group }, 'group deleted');
      }
    }
  }

  offsetDelete(requestId: RequestId, request: OffsetDeleteRequest): Effect[] {
    return this.#run(() => {
      const respond = (body: OffsetDeleteResponse): void => this.#respond(requestId, { api: 'OffsetDelete', body });
      const group = this.#groups.get(request.groupId);
      if (group === undefined || group.is(GroupState.Dead)) return respond({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] });
      if (!group.is(GroupState.Empty) && !group.usesConsumerProtocol) return respond({ errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] });
      const records: CoordinatorRecord[] = [];
      const response: OffsetDeleteResponse = { errorCode: ErrorCode.NONE, topics: [] };
      for (const topic of request.topics) {
        // Offsets a live consumer may commit again right away cannot be deleted from under it.
        const subscribed = group.isSubscribedToTopic(topic.name);
        response.topics.push({
          name: topic.name,
          partitions: topic.partitions.map((p) => {
            if (subscribed) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
            if (this.#hasOffset(group.groupId, topic.name, p.partitionIndex)) {
              records.push(offsetTombstone(group.groupId, topic.name, p.partitionIndex));
            }
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
          }),
        });
      }
      if (records.length === 0) return respond(response);
      this.#append(group.groupId, records, (appendError) => {
        if (appendError !== ErrorCode.NONE) return respond({ errorCode: appendErrorToResponseError(appendError), topics: [] });
        this.#replayTombstones(records);
        respond(response);
      });
    });
  }

  // ---------------------------------------------------------------- offset retention

  /**
   * Kafka's periodic cleanup: tombstones for expired offsets of topics the group no longer
   * consumes, and for Empty groups left without offsets, the group itself.
   */
  #expireOffsets(): void {
    const now = this.#now();
    for (const group of [...this.#groups.values()]) {
      if (group.is(GroupState.Dead)) continue;
      const baseTimestamp = this.#expirationBase(group);
      const records: CoordinatorRecord[] = [];
      let allExpired = !this.#inflightCommits.has(group.groupId);
      if (baseTimestamp === undefined) {
        allExpired = allExpired && !this.#offsets.hasOffsets(group.groupId);
      } else {
        for (const { topic, partition, offset } of this.#offsets.partitionsOf(group.groupId)) {
          const expired =
            !group.isSubscribedToTopic(topic) &&
            (offset.expireTimestamp !== undefined
              ? now >= offset.expireTimestamp
              : now - baseTimestamp(offset) >= this.#config.offsetsRetentionMs);
          if (expired) records.push(offsetTombstone(group.groupId, topic, partition));
          else allExpired = false;
        }
      }
      const deleteGroup = allExpired && group.is(GroupState.Empty);
      if (deleteGroup) {
        records.push(groupTombstone(group.groupId));
        group.transitionTo(GroupState.Dead, now);
      }
      if (records.length === 0) continue;
      this.#append(group.groupId, records, (appendError) => {
        if (appendError === ErrorCode.NONE) this.#replayTombstones(records);
        else if (deleteGroup && this.#groups.get(group.groupId) === group) group.revive(GroupState.Empty);
      });
    }
    this.#timers.schedule(EXPIRATION_TIMER, now + this.#config.offsetsRetentionCheckIntervalMs, { kind: 'offsets-expiration' });
  }

  /**
   * From when an offset's retention counts (Kafka's offsetExpirationCondition): an Empty group's
   * offsets from when it emptied, a Stable consumer group's unsubscribed offsets and a simple
   * group's offsets from their commit; otherwise offsets do not expire (undefined).
   */
  #expirationBase(group: ClassicGroup): ((offset: CommittedOffset) => number) | undefined {
    if (group.protocolType === undefined) return (o) => o.commitTimestamp;
    if (group.is(GroupState.Empty)) return (o) => group.currentStateTimestamp ?? o.commitTimestamp;
    if (group.usesConsumerProtocol && group.subscribedTopics !== undefined && group.is(GroupState.Stable)) return (o) => o.commitTimestamp;
    return undefined;
  }

  // ---------------------------------------------------------------- introspection

  groupIds(): string[] {
    return [...this.#groups.keys()];
  }

  group(groupId: string): GroupSnapshot | undefined {
    const group = this.#groups.get(groupId);
    if (group === undefined) return undefined;
    return {
      groupId,
      state: group.state,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        assignment: m.assignment,
        awaitingJoin: m.awaitingJoin !== undefined,
        awaitingSync: m.awaitingSync !== undefined,
      })),
    };
  }

  // ---------------------------------------------------------------- plumbing

  #now(): number {
    return this.#clock.now();
  }

  #run(body: () => void): Effect[] {
    const saved = this.#out;
    this.#out = [];
    try {
      body();
      return this.#out;
    } finally {
      this.#out = saved;
    }
  }

  #fire(action: TimerAction): void {
    switch (action.kind) {
      case 'heartbeat':
        return this.#expireHeartbeat(action.groupId, action.memberId);
      case 'join': {
        const group = this.#groups.get(action.groupId);
        if (group?.is(GroupState.PreparingRebalance)) this.#completeJoinPhase(group);
        return;
      }
      case 'initial-rebalance':
        return this.#tryCompleteInitialRebalance(action.groupId, action.delayMs, action.remainingMs);
      case 'sync':
        return this.#expirePendingSync(action.groupId, action.generationId);
      case 'offsets-expiration':
        return this.#expireOffsets();
    }
  }

  #respond(requestId: RequestId, response: DeferredResponse): void {
    this.#out.push({ kind: 'respond', requestId, ...response } as Effect);
  }

  #append(groupId: string, records: CoordinatorRecord[], done: (appendError: number) => void): number {
    const appendId = this.#nextAppendId++;
    const effect: AppendEffect = { kind: 'append', appendId, partition: this.partitionFor(groupId), records };
    this.#out.push(effect);
    this.#pendingAppends.set(appendId, done);
    return appendId;
  }

  /** Runs `then` after append `appendId` completes, after what was already waiting for it. */
  #afterAppend(appendId: number, then: (appendError: number) => void): void {
    const first = this.#pendingAppends.get(appendId) as (appendError: number) => void;
    this.#pendingAppends.set(appendId, (appendError) => {
      first(appendError);
      then(appendError);
    });
  }

  /** Parks a member's JoinGroup; a request it replaces is told to retry rather than left hanging. */
  #parkJoin(group: ClassicGroup, member: ClassicGroupMember, requestId: RequestId): void {
    const replaced = group.setAwaitingJoin(member, requestId);
    if (replaced !== undefined && replaced !== requestId) {
      this.#respond(replaced, { api: 'JoinGroup', body: joinResponse({ memberId: member.memberId, errorCode: ErrorCode.REBALANCE_IN_PROGRESS }) });
    }
  }

  #parkSync(member: ClassicGroupMember, requestId: RequestId): void {
    const replaced = member.awaitingSync;
    member.awaitingSync = requestId;
    if (replaced !== undefined && replaced !== requestId) this.#respond(replaced, { api: 'SyncGroup', body: syncError(ErrorCode.REBALANCE_IN_PROGRESS) });
  }

  #completeJoin(group: ClassicGroup, member: ClassicGroupMember, response: JoinGroupResponse): boolean {
    const parked = group.setAwaitingJoin(member, undefined);
    if (parked === undefined) return false;
    this.#respond(parked, { api: 'JoinGroup', body: response });
    return true;
  }

  #completeSync(member: ClassicGroupMember, response: SyncGroupResponse): boolean {
    const parked = member.awaitingSync;
    if (parked === undefined) return false;
    member.awaitingSync = undefined;
    this.#respond(parked, { api: 'SyncGroup', body: response });
    return true;
  }

  /**
   * Removes a member and its session timer. A SyncGroup it still has parked is answered
   * UNKNOWN_MEMBER_ID so that no request is left without a response.
   */
  #dropMember(group: ClassicGroup, memberId: string): void {
    const member = group.member(memberId);
    if (member !== undefined) this.#completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(memberId);
    this.#timers.cancel(heartbeatKey(group.groupId, memberId));
  }
}
