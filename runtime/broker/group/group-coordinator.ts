import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import type { Random } from '../../util/random.ts';
import type {
  DescribedGroup,
  Effect,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  LeaveGroupRequest,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetFetchRequest,
  OffsetFetchResponseGroup,
  RequestContext,
  RequestId,
  SyncGroupRequest,
} from './api-types.ts';
import { ClassicGroup, EMPTY_BYTES, GroupState } from './classic-group.ts';
import { resolveGroupCoordinatorConfig } from './config.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import type { CoordinatorRecord, UnknownCoordinatorRecord } from './coordinator-record.ts';
import { CoordinatorRuntime } from './coordinator-runtime.ts';
import { ErrorCode } from './error-codes.ts';
import { foldCoordinatorRecords } from './load.ts';
import { GroupMembership } from './membership.ts';
import { OffsetManager } from './offset-manager.ts';
import { OffsetStore } from './offset-store.ts';

/**
 * Kafka's classic group coordinator as a pure state machine. Each call returns the effects the
 * driver must carry out: responses for parked requests and appends to __consumer_offsets. Time
 * comes from the Clock; the driver calls tick() at nextDeadline(). State that is only true once
 * written (committed offsets, deletions, a leader's assignment) changes when appendCompleted()
 * reports the write.
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

export class GroupCoordinator {
  readonly #config: GroupCoordinatorConfig;
  readonly #rt: CoordinatorRuntime;
  readonly #groups = new Map<string, ClassicGroup>();
  readonly #offsetStore = new OffsetStore();
  readonly #membership: GroupMembership;
  readonly #offsets: OffsetManager;

  constructor(options: GroupCoordinatorOptions) {
    this.#config = resolveGroupCoordinatorConfig(options.config);
    this.#rt = new CoordinatorRuntime(options.clock, this.#config.offsetsTopicNumPartitions);
    this.#membership = new GroupMembership(this.#rt, this.#groups, this.#config, options.random, options.logger);
    this.#offsets = new OffsetManager(this.#rt, this.#groups, this.#offsetStore, this.#membership, this.#config, options.logger);
    this.#offsets.scheduleExpiration();
  }

  get config(): Readonly<GroupCoordinatorConfig> {
    return this.#config;
  }

  /** The __consumer_offsets partition that stores this group. */
  partitionFor(groupId: string): number {
    return this.#rt.partitionFor(groupId);
  }

  /**
   * Rebuilds groups and committed offsets from __consumer_offsets records in log order (all
   * partitions), then starts every loaded member's session timer. Call once, before any request.
   */
  load(records: Iterable<CoordinatorRecord | UnknownCoordinatorRecord>): Effect[] {
    if (this.#groups.size > 0) throw new Error('GroupCoordinator.load must run before any group exists');
    const state = foldCoordinatorRecords(records);
    for (const [groupId, value] of state.groups) {
      const group =
        value === null ? new ClassicGroup({ groupId, state: GroupState.Empty, now: this.#rt.now() }) : this.#membership.groupFromRecord(groupId, value);
      this.#groups.set(groupId, group);
    }
    for (const [groupId, topics] of state.offsets) {
      for (const [topic, partitions] of topics) {
        for (const [partition, v] of partitions) {
          this.#offsetStore.put(groupId, topic, partition, {
            offset: v.offset,
            leaderEpoch: v.leaderEpoch,
            metadata: v.metadata,
            commitTimestamp: Number(v.commitTimestamp),
            expireTimestamp: v.expireTimestamp === -1n ? undefined : Number(v.expireTimestamp),
          });
        }
      }
    }
    return this.#rt.run(() => this.#membership.startLoadedGroups());
  }

  // ---------------------------------------------------------------- driver inputs

  /** When tick() next has something to do; undefined when no timer is armed. */
  nextDeadline(): number | undefined {
    return this.#rt.timers.nextDeadline();
  }

  /** Fires every timer due at the clock's current time. */
  tick(): Effect[] {
    return this.#rt.run(() => {
      const now = this.#rt.now();
      for (let due = this.#rt.timers.popDue(now); due !== undefined; due = this.#rt.timers.popDue(now)) {
        const action = due.payload;
        if (action.kind === 'offsets-expiration') this.#offsets.expireOffsets();
        else this.#membership.onTimer(action);
      }
    });
  }

  /** Reports the outcome of an AppendEffect: errorCode 0 when durable, else the append's Kafka error. */
  appendCompleted(appendId: number, errorCode: number = ErrorCode.NONE): Effect[] {
    return this.#rt.appendCompleted(appendId, errorCode);
  }

  /** The broker is stopping: answer every parked JoinGroup/SyncGroup with NOT_COORDINATOR (Kafka's onUnloaded). */
  shutdown(): Effect[] {
    return this.#rt.run(() => this.#membership.shutdown());
  }

  // ---------------------------------------------------------------- group membership

  joinGroup(requestId: RequestId, request: JoinGroupRequest, context: RequestContext): Effect[] {
    return this.#rt.run(() => this.#membership.joinGroup(requestId, request, context));
  }

  syncGroup(requestId: RequestId, request: SyncGroupRequest): Effect[] {
    return this.#rt.run(() => this.#membership.syncGroup(requestId, request));
  }

  /** Answered at once; it only restarts the member's session timer. */
  heartbeat(request: HeartbeatRequest): HeartbeatResponse {
    return this.#membership.heartbeat(request);
  }

  leaveGroup(requestId: RequestId, request: LeaveGroupRequest): Effect[] {
    return this.#rt.run(() => this.#membership.leaveGroup(requestId, request));
  }

  // ---------------------------------------------------------------- offsets

  offsetCommit(requestId: RequestId, request: OffsetCommitRequest, context: RequestContext): Effect[] {
    return this.#rt.run(() => this.#offsets.offsetCommit(requestId, request, context));
  }

  /** One group of an OffsetFetch. Offsets are those whose commit has been acknowledged. */
  offsetFetch(request: OffsetFetchRequest): OffsetFetchResponseGroup {
    return this.#offsets.offsetFetch(request);
  }

  offsetDelete(requestId: RequestId, request: OffsetDeleteRequest): Effect[] {
    return this.#rt.run(() => this.#offsets.offsetDelete(requestId, request));
  }

  deleteGroups(requestId: RequestId, groupIds: (string | null)[]): Effect[] {
    return this.#rt.run(() => this.#offsets.deleteGroups(requestId, groupIds));
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
}
