import type { CoordinatorRecord } from './coordinator-record.ts';

/**
 * Requests the coordinator takes and responses it gives, field for field as Kafka's message JSON
 * (clients/src/main/resources/common/message/*.json) at the newest version, so the protocol layer
 * only maps versions. Protocol metadata and assignments stay opaque bytes: assignors run in clients.
 */

/** Chosen by the driver; identifies a request whose response may come later, in an effect. */
export type RequestId = number;

export interface RequestContext {
  clientId: string;
  /** The client's address as Kafka prints it, e.g. "/127.0.0.1". */
  clientHost: string;
  /** The API version of this request (JoinGroup v4+ requires a known member id; OffsetCommit v9+ says GROUP_ID_NOT_FOUND). */
  apiVersion: number;
}

export interface JoinGroupProtocol {
  name: string;
  metadata: Uint8Array;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v0 has none: the driver passes the session timeout, as Kafka does. */
  rebalanceTimeoutMs: number;
  /** "" for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  reason?: string | null;
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Uint8Array;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  /** Filled for the leader only. */
  members: JoinGroupResponseMember[];
}

export interface SyncGroupAssignment {
  memberId: string;
  assignment: Uint8Array;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v5+; null when not sent. */
  protocolType: string | null;
  protocolName: string | null;
  /** Only the leader's request carries assignments. */
  assignments: SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Uint8Array;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export interface LeaveGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

/** v0–2 carry one MemberId: the driver passes it as a one-element `members` list. */
export interface LeaveGroupRequest {
  groupId: string;
  members: LeaveGroupMember[];
}

export interface LeaveGroupMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  errorCode: number;
  members: LeaveGroupMemberResponse[];
}

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  /** v6+; -1 when unknown. */
  committedLeaderEpoch: number;
  /** v1 only; -1 = now. */
  commitTimestamp: bigint;
  committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  /** null only from old clients' null group id (answered INVALID_GROUP_ID). */
  groupId: string | null;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2–4; -1 = broker retention. */
  retentionTimeMs: bigint;
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetCommitResponse {
  topics: { name: string; partitions: OffsetCommitResponsePartition[] }[];
}

/** One group of an OffsetFetch (v8+ batches groups; older versions are one group). */
export interface OffsetFetchRequest {
  groupId: string | null;
  /** null = all committed partitions of the group (v2+). */
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  /** -1 when the group has no committed offset for the partition. */
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResponseGroup {
  groupId: string | null;
  errorCode: number;
  topics: { name: string; partitions: OffsetFetchResponsePartition[] }[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Uint8Array;
  memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string | null;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface ListGroupsRequest {
  /** v4+; empty = all states. Compared case-insensitively. */
  statesFilter: string[];
  /** v5+; empty = all types. */
  typesFilter: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export interface ListGroupsResponse {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DeletableGroupResult {
  groupId: string | null;
  errorCode: number;
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: { name: string; partitions: { partitionIndex: number }[] }[];
}

export interface OffsetDeleteResponse {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

/** A response to a request the coordinator may have parked; delivered through an effect. */
export type DeferredResponse =
  | { api: 'JoinGroup'; body: JoinGroupResponse }
  | { api: 'SyncGroup'; body: SyncGroupResponse }
  | { api: 'LeaveGroup'; body: LeaveGroupResponse }
  | { api: 'OffsetCommit'; body: OffsetCommitResponse }
  | { api: 'DeleteGroups'; body: DeletableGroupResult[] }
  | { api: 'OffsetDelete'; body: OffsetDeleteResponse };

/** Send this response for that request now. */
export type RespondEffect = { kind: 'respond'; requestId: RequestId } & DeferredResponse;

/**
 * Append these records (in order, as one batch) to __consumer_offsets partition `partition`, then
 * call `appendCompleted(appendId, errorCode)` once the append is durable (or failed). Responses
 * that depend on it are held until then.
 */
export interface AppendEffect {
  kind: 'append';
  appendId: number;
  partition: number;
  records: CoordinatorRecord[];
}

export type Effect = RespondEffect | AppendEffect;
