import type { Logger } from '../../observability/logger.ts';
import type {
  DeletableGroupResult,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponseGroup,
  OffsetFetchResponsePartition,
  RequestContext,
  RequestId,
} from './api-types.ts';
import { ClassicGroup, GroupState } from './classic-group.ts';
import type { ClassicGroupMember } from './classic-group.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import type { CoordinatorRecord } from './coordinator-record.ts';
import type { CoordinatorRuntime } from './coordinator-runtime.ts';
import { ErrorCode, appendErrorToResponseError } from './error-codes.ts';
import type { GroupMembership } from './membership.ts';
import type { CommittedOffset, OffsetStore } from './offset-store.ts';
import { groupTombstone, offsetCommitRecord, offsetTombstone } from './records-of.ts';

/**
 * Committed offsets of classic and simple groups (Kafka's OffsetMetadataManager): OffsetCommit,
 * OffsetFetch, OffsetDelete, DeleteGroups and the periodic expiry of old offsets and empty groups.
 * Offsets change when their records are acknowledged, in the order they were written.
 */

const EXPIRATION_TIMER = 'offsets-expiration';

export class OffsetManager {
  readonly #rt: CoordinatorRuntime;
  readonly #groups: Map<string, ClassicGroup>;
  readonly #offsets: OffsetStore;
  readonly #membership: GroupMembership;
  readonly #config: GroupCoordinatorConfig;
  readonly #log: Logger | undefined;

  constructor(
    rt: CoordinatorRuntime,
    groups: Map<string, ClassicGroup>,
    offsets: OffsetStore,
    membership: GroupMembership,
    config: GroupCoordinatorConfig,
    log: Logger | undefined,
  ) {
    this.#rt = rt;
    this.#groups = groups;
    this.#offsets = offsets;
    this.#membership = membership;
    this.#config = config;
    this.#log = log;
  }

  scheduleExpiration(): void {
    this.#rt.timers.schedule(EXPIRATION_TIMER, this.#rt.now() + this.#config.offsetsRetentionCheckIntervalMs, { kind: 'offsets-expiration' });
  }

  // ---------------------------------------------------------------- OffsetCommit

  offsetCommit(requestId: RequestId, request: OffsetCommitRequest, context: RequestContext): void {
    const allPartitions = (errorCode: number): OffsetCommitResponse => ({
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    const respond = (body: OffsetCommitResponse): void => this.#rt.respond(requestId, { api: 'OffsetCommit', body });
    if (request.groupId === null) return respond(allPartitions(ErrorCode.INVALID_GROUP_ID));
    const groupId = request.groupId;
    let group = this.#groups.get(groupId);
    if (group === undefined) {
      if (request.generationIdOrMemberEpoch >= 0) {
        return respond(allPartitions(context.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION));
      }
      // A consumer that assigns partitions itself (or an admin tool) commits into a "simple" group.
      group = new ClassicGroup({ groupId, state: GroupState.Empty, now: this.#rt.now() });
      this.#groups.set(groupId, group);
    }
    const invalid = this.#validateOffsetCommit(group, request);
    if (invalid !== ErrorCode.NONE) return respond(allPartitions(invalid));
    if (group.is(GroupState.Stable) || group.is(GroupState.PreparingRebalance)) {
      // Commits keep a classic member's session alive.
      this.#membership.scheduleHeartbeat(group, group.member(request.memberId) as ClassicGroupMember);
    }
    const now = this.#rt.now();
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
    for (const c of committed) this.#offsets.trackPending(groupId, c.topic, c.partition, 1);
    this.#rt.append(groupId, records, (appendError) => {
      for (const c of committed) this.#offsets.trackPending(groupId, c.topic, c.partition, -1);
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

  // ---------------------------------------------------------------- DeleteGroups / OffsetDelete

  deleteGroups(requestId: RequestId, groupIds: (string | null)[]): void {
    const results: DeletableGroupResult[] = groupIds.map((groupId) => ({ groupId, errorCode: ErrorCode.NONE }));
    const byPartition = new Map<number, { groups: ClassicGroup[]; results: DeletableGroupResult[] }>();
    for (const result of results) {
      const error = this.#validateDeleteGroup(result.groupId);
      if (error !== ErrorCode.NONE) {
        result.errorCode = error;
        continue;
      }
      const group = this.#groups.get(result.groupId as string) as ClassicGroup;
      const partition = this.#rt.partitionFor(group.groupId);
      const batch = byPartition.get(partition) ?? { groups: [], results: [] };
      byPartition.set(partition, batch);
      batch.groups.push(group);
      batch.results.push(result);
    }
    if (byPartition.size === 0) return this.#rt.respond(requestId, { api: 'DeleteGroups', body: results });
    let outstanding = byPartition.size;
    for (const batch of byPartition.values()) {
      this.#deleteGroupsInPartition(batch.groups, (appendError) => {
        if (appendError !== ErrorCode.NONE) for (const r of batch.results) r.errorCode = appendErrorToResponseError(appendError);
        if (--outstanding === 0) this.#rt.respond(requestId, { api: 'DeleteGroups', body: results });
      });
    }
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
      for (const { topic, partition } of this.#offsets.partitionsWithOffsetsOrPending(group.groupId)) records.push(offsetTombstone(group.groupId, topic, partition));
      records.push(groupTombstone(group.groupId));
      group.transitionTo(GroupState.Dead, this.#rt.now());
    }
    this.#rt.append(groups[0].groupId, records, (appendError) => {
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

  offsetDelete(requestId: RequestId, request: OffsetDeleteRequest): void {
    const respond = (body: OffsetDeleteResponse): void => this.#rt.respond(requestId, { api: 'OffsetDelete', body });
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
          if (this.#offsets.hasOffsetOrPending(group.groupId, topic.name, p.partitionIndex)) {
            records.push(offsetTombstone(group.groupId, topic.name, p.partitionIndex));
          }
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        }),
      });
    }
    if (records.length === 0) return respond(response);
    this.#rt.append(group.groupId, records, (appendError) => {
      if (appendError !== ErrorCode.NONE) return respond({ errorCode: appendErrorToResponseError(appendError), topics: [] });
      this.#replayTombstones(records);
      respond(response);
    });
  }

  // ---------------------------------------------------------------- offset retention

  /**
   * Kafka's periodic cleanup: tombstones for expired offsets of topics the group no longer
   * consumes, and for Empty groups left without offsets, the group itself.
   */
  expireOffsets(): void {
    const now = this.#rt.now();
    for (const group of [...this.#groups.values()]) {
      if (group.is(GroupState.Dead)) continue;
      const baseTimestamp = this.#expirationBase(group);
      const records: CoordinatorRecord[] = [];
      let allExpired = !this.#offsets.hasPending(group.groupId);
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
      this.#rt.append(group.groupId, records, (appendError) => {
        if (appendError === ErrorCode.NONE) this.#replayTombstones(records);
        else if (deleteGroup && this.#groups.get(group.groupId) === group) group.revive(GroupState.Empty);
      });
    }
    this.#rt.timers.schedule(EXPIRATION_TIMER, now + this.#config.offsetsRetentionCheckIntervalMs, { kind: 'offsets-expiration' });
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
}
