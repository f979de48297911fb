import type { Logger } from '../../observability/logger.ts';
import { CorruptDataError } from '../../util/errors.ts';
import type { Random } from '../../util/random.ts';
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupMemberResponse,
  LeaveGroupRequest,
  RequestContext,
  RequestId,
  SyncGroupRequest,
  SyncGroupResponse,
} from './api-types.ts';
import { ClassicGroup, ClassicGroupMember, EMPTY_BYTES, GroupState } from './classic-group.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import type { CoordinatorRuntime, TimerAction } from './coordinator-runtime.ts';
import { ErrorCode, appendErrorToResponseError } from './error-codes.ts';
import type { GroupMetadataValue } from './group-metadata-record.ts';
import { groupMetadataRecord } from './records-of.ts';
import { randomUuid } from './uuid.ts';

/**
 * Membership of classic groups (Kafka's GroupMetadataManager for classic groups): JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, and the timers that end join phases, wait for SyncGroups and
 * expire sessions. Parked requests are answered through the runtime's effects.
 */

const joinKey = (groupId: string): string => `join\u0000${groupId}`;
const syncKey = (groupId: string): string => `sync\u0000${groupId}`;
const heartbeatKey = (groupId: string, memberId: string): string => `heartbeat\u0000${groupId}\u0000${memberId}`;

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

export class GroupMembership {
  readonly #rt: CoordinatorRuntime;
  readonly #groups: Map<string, ClassicGroup>;
  readonly #config: GroupCoordinatorConfig;
  readonly #random: Random;
  readonly #log: Logger | undefined;

  constructor(rt: CoordinatorRuntime, groups: Map<string, ClassicGroup>, config: GroupCoordinatorConfig, random: Random, log: Logger | undefined) {
    this.#rt = rt;
    this.#groups = groups;
    this.#config = config;
    this.#random = random;
    this.#log = log;
  }

  /** After loading: every member starts a session; a group over group.max.size rebalances. */
  startLoadedGroups(): void {
    for (const group of this.#groups.values()) {
      for (const member of group.members.values()) this.scheduleHeartbeat(group, member);
      // group.max.size may have shrunk since the group was written.
      if (group.size > this.#config.maxSize) this.#prepareRebalance(group, 'loaded group is over group.max.size');
    }
  }

  /** The broker is stopping: answer every parked JoinGroup/SyncGroup with NOT_COORDINATOR (Kafka's onUnloaded). */
  shutdown(): void {
    for (const group of this.#groups.values()) {
      for (const member of group.members.values()) {
        this.#completeJoin(group, member, joinResponse({ memberId: member.memberId, errorCode: ErrorCode.NOT_COORDINATOR }));
        this.#completeSync(member, syncError(ErrorCode.NOT_COORDINATOR));
      }
    }
  }

  onTimer(action: Exclude<TimerAction, { kind: 'offsets-expiration' }>): void {
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
    }
  }

  /** A group as its metadata record describes it: Stable with its members, or Empty. */
  groupFromRecord(groupId: string, value: GroupMetadataValue): ClassicGroup {
    const protocol = value.protocol;
    if (value.members.length > 0 && protocol === null) {
      throw new CorruptDataError(`__consumer_offsets: group metadata record of group ${groupId} has members but no protocol`, {
        context: { topic: '__consumer_offsets', group: groupId, generation: value.generation },
      });
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

  // ---------------------------------------------------------------- JoinGroup

  joinGroup(requestId: RequestId, request: JoinGroupRequest, context: RequestContext): void {
    const respond = (fields: Partial<JoinGroupResponse> & { memberId: string }): void =>
      this.#rt.respond(requestId, { api: 'JoinGroup', body: joinResponse(fields) });
    if (request.groupId === '') return respond({ memberId: request.memberId, errorCode: ErrorCode.INVALID_GROUP_ID });
    if (request.sessionTimeoutMs < this.#config.minSessionTimeoutMs || request.sessionTimeoutMs > this.#config.maxSessionTimeoutMs) {
      return respond({ memberId: request.memberId, errorCode: ErrorCode.INVALID_SESSION_TIMEOUT });
    }
    const isUnknownMember = request.memberId === '';
    let group = this.#groups.get(request.groupId);
    if (group === undefined) {
      // Only a first join creates a group; a member id for a group that does not exist is stale.
      if (!isUnknownMember) return respond({ memberId: request.memberId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
      group = new ClassicGroup({ groupId: request.groupId, state: GroupState.Empty, now: this.#rt.now() });
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
      this.#rt.respond(requestId, { api: 'JoinGroup', body: joinResponse({ memberId: '', errorCode }) });
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
      this.#rt.timers.schedule(heartbeatKey(group.groupId, newMemberId), this.#rt.now() + request.sessionTimeoutMs, {
        kind: 'heartbeat',
        groupId: group.groupId,
        memberId: newMemberId,
      });
      this.#rt.respond(requestId, { api: 'JoinGroup', body: joinResponse({ memberId: newMemberId, errorCode: ErrorCode.MEMBER_ID_REQUIRED }) });
    } else {
      this.#addMemberThenRebalanceOrCompleteJoin(group, requestId, request, context, newMemberId);
    }
  }

  #joinExistingMember(group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest, context: RequestContext): void {
    const memberId = request.memberId;
    const respond = (fields: Partial<JoinGroupResponse>): void =>
      this.#rt.respond(requestId, { api: 'JoinGroup', body: joinResponse({ memberId, ...fields }) });
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
    this.scheduleHeartbeat(group, member, this.#config.newMemberJoinTimeoutMs);
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
    this.#rt.timers.cancel(heartbeatKey(group.groupId, oldMemberId));
    this.scheduleHeartbeat(group, member);
    const previous = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs);
    this.#parkJoin(group, member, requestId);

    if (group.is(GroupState.Stable)) {
      if (group.protocolName !== group.selectProtocol()) {
        return this.#maybePrepareRebalanceOrCompleteJoin(group, `static member ${instanceId} rejoined with other protocols`);
      }
      const record = groupMetadataRecord(group, group.assignments());
      this.#rt.append(group.groupId, [record], (appendError) => {
        if (appendError !== ErrorCode.NONE) {
          if (group.member(newMemberId) !== member) return;
          // The new id is not durable: go back to the old one and tell the client to retry.
          group.updateMember(member, previous.protocols, previous.rebalanceTimeoutMs, previous.sessionTimeoutMs);
          const parked = group.setAwaitingJoin(member, undefined);
          const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.#rt.timers.cancel(heartbeatKey(group.groupId, newMemberId));
          this.scheduleHeartbeat(group, restored);
          if (parked === undefined) return;
          return this.#rt.respond(parked, {
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
      this.#rt.timers.schedule(joinKey(group.groupId), this.#rt.now() + delayMs, {
        kind: 'initial-rebalance',
        groupId: group.groupId,
        delayMs,
        remainingMs,
      });
    }
    group.transitionTo(GroupState.PreparingRebalance, this.#rt.now());
    this.#log?.info({ group: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance group');
    if (!isInitialRebalance) this.#maybeCompleteJoinElseSchedule(group);
  }

  #maybeCompleteJoinElseSchedule(group: ClassicGroup): void {
    if (group.hasAllMembersJoined()) return this.#completeJoinPhase(group);
    this.#rt.timers.schedule(joinKey(group.groupId), this.#rt.now() + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId });
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
      this.#rt.timers.schedule(joinKey(groupId), this.#rt.now() + nextDelayMs, {
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
    this.#rt.timers.cancel(joinKey(group.groupId));
    for (const member of group.notYetRejoinedMembers()) {
      if (!member.isStatic) this.#dropMember(group, member.memberId);
    }
    if (group.is(GroupState.Dead)) return;
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Nobody rejoined: wait another rebalance timeout for sessions to expire the silent members.
      this.#rt.timers.schedule(joinKey(group.groupId), this.#rt.now() + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId });
      return;
    }
    group.initNextGeneration(this.#rt.now());
    if (group.is(GroupState.Empty)) {
      this.#log?.info({ group: group.groupId, generation: group.generationId }, 'group is now empty');
      this.#rt.append(group.groupId, [groupMetadataRecord(group, new Map())], (appendError) => {
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
      this.scheduleHeartbeat(group, member);
      member.isNew = false;
      group.addPendingSyncMember(member.memberId);
    }
    this.#rt.timers.schedule(syncKey(group.groupId), this.#rt.now() + group.rebalanceTimeoutMs(), {
      kind: 'sync',
      groupId: group.groupId,
      generationId: group.generationId,
    });
  }

  // ---------------------------------------------------------------- SyncGroup

  syncGroup(requestId: RequestId, request: SyncGroupRequest): void {
    const respondError = (errorCode: number): void => this.#rt.respond(requestId, { api: 'SyncGroup', body: syncError(errorCode) });
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
      return this.#rt.respond(requestId, {
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
    this.#rt.append(group.groupId, [groupMetadataRecord(group, assignment)], (appendError) => {
      // The group may have moved on while the write was in flight; then this assignment is moot.
      if (this.#groups.get(group.groupId) !== group || !group.is(GroupState.CompletingRebalance) || group.generationId !== generationId) return;
      if (appendError !== ErrorCode.NONE) {
        const error = appendErrorToResponseError(appendError);
        this.#resetAndPropagateAssignmentWithError(group, error);
        return this.#maybePrepareRebalanceOrCompleteJoin(group, `error ${error} when storing the group assignment`);
      }
      for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_BYTES;
      this.#propagateAssignment(group, ErrorCode.NONE);
      group.transitionTo(GroupState.Stable, this.#rt.now());
      this.#log?.info({ group: group.groupId, generation: group.generationId }, 'group is stable');
    });
  }

  #removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.removePendingSyncMember(memberId);
    if (group.hasReceivedSyncFromAllMembers()) this.#rt.timers.cancel(syncKey(group.groupId));
  }

  #removeSyncExpiration(group: ClassicGroup): void {
    group.clearPendingSyncMembers();
    this.#rt.timers.cancel(syncKey(group.groupId));
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
      if (delivered) this.scheduleHeartbeat(group, member);
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
        this.scheduleHeartbeat(group, member);
        return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
      default:
        // Consumers heartbeat between their JoinGroup and SyncGroup too: a normal heartbeat.
        this.scheduleHeartbeat(group, member);
        return { errorCode: ErrorCode.NONE };
    }
  }

  scheduleHeartbeat(group: ClassicGroup, member: ClassicGroupMember, timeoutMs = member.sessionTimeoutMs): void {
    this.#rt.timers.schedule(heartbeatKey(group.groupId, member.memberId), this.#rt.now() + timeoutMs, {
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

  leaveGroup(requestId: RequestId, request: LeaveGroupRequest): void {
    const respond = (errorCode: number, members: LeaveGroupMemberResponse[]): void =>
      this.#rt.respond(requestId, { api: 'LeaveGroup', body: { errorCode, members } });
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
        this.#rt.timers.cancel(heartbeatKey(group.groupId, m.memberId));
        result(ErrorCode.NONE);
      } else {
        const invalid = group.validateMember(m.memberId, m.groupInstanceId);
        if (invalid === ErrorCode.NONE) this.#removeLeavingMember(group, m.memberId);
        result(invalid);
      }
    }
    const firstAppend = this.#rt.nextAppendId;
    if (results.some((r) => r.errorCode === ErrorCode.NONE)) {
      if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) {
        this.#maybePrepareRebalanceOrCompleteJoin(group, 'members left the group');
      } else if (group.is(GroupState.PreparingRebalance)) {
        this.#maybeCompleteJoinPhase(group);
      }
    }
    // Kafka answers once what the leave wrote (an emptied group's metadata) is durable.
    const lastAppend = this.#rt.nextAppendId - 1;
    if (lastAppend < firstAppend) return respond(ErrorCode.NONE, results);
    this.#rt.afterAppend(lastAppend, (appendError) => {
      if (appendError === ErrorCode.NONE) respond(ErrorCode.NONE, results);
      else respond(appendErrorToResponseError(appendError), []);
    });
  }

  #removeLeavingMember(group: ClassicGroup, memberId: string): void {
    const member = group.member(memberId) as ClassicGroupMember;
    this.#completeJoin(group, member, joinResponse({ memberId: '', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }));
    this.#dropMember(group, memberId);
  }

  /** Parks a member's JoinGroup; a request it replaces is told to retry rather than left hanging. */
  #parkJoin(group: ClassicGroup, member: ClassicGroupMember, requestId: RequestId): void {
    const replaced = group.setAwaitingJoin(member, requestId);
    if (replaced !== undefined && replaced !== requestId) {
      this.#rt.respond(replaced, { api: 'JoinGroup', body: joinResponse({ memberId: member.memberId, errorCode: ErrorCode.REBALANCE_IN_PROGRESS }) });
    }
  }

  #parkSync(member: ClassicGroupMember, requestId: RequestId): void {
    const replaced = member.awaitingSync;
    member.awaitingSync = requestId;
    if (replaced !== undefined && replaced !== requestId) this.#rt.respond(replaced, { api: 'SyncGroup', body: syncError(ErrorCode.REBALANCE_IN_PROGRESS) });
  }

  #completeJoin(group: ClassicGroup, member: ClassicGroupMember, response: JoinGroupResponse): boolean {
    const parked = group.setAwaitingJoin(member, undefined);
    if (parked === undefined) return false;
    this.#rt.respond(parked, { api: 'JoinGroup', body: response });
    return true;
  }

  #completeSync(member: ClassicGroupMember, response: SyncGroupResponse): boolean {
    const parked = member.awaitingSync;
    if (parked === undefined) return false;
    member.awaitingSync = undefined;
    this.#rt.respond(parked, { api: 'SyncGroup', body: response });
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
    this.#rt.timers.cancel(heartbeatKey(group.groupId, memberId));
  }
}
