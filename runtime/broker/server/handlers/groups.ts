import { ErrorCode } from '../../protocol/index.ts';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  InputOf,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/index.ts';
import type { OffsetFetchResponseGroup, RequestContext } from '../../group/index.ts';
import type { GroupDriver } from '../group-driver.ts';
import type { RequestScope } from './scope.ts';

/**
 * The classic group APIs: map each wire version onto the coordinator's newest-version request
 * shape and back. The coordinator decides; this file only translates.
 */

const KEY_TYPE_GROUP = 0;

function context(scope: RequestScope): RequestContext {
  return { clientId: scope.clientId, clientHost: scope.connection.clientHost, apiVersion: scope.apiVersion };
}

export function handleFindCoordinator(scope: RequestScope, body: FindCoordinatorRequest): InputOf<FindCoordinatorResponse> {
  const self = scope.endpoint();
  const answer = (key: string): { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number } =>
    body.keyType === KEY_TYPE_GROUP
      ? { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: scope.nodeId, host: self.host, port: self.port }
      : {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `transactions are not supported by this broker (transactional id ${key})`,
          nodeId: -1,
          host: '',
          port: -1,
        };
  if (scope.apiVersion >= 4) {
    return { throttleTimeMs: 0, coordinators: body.coordinatorKeys.map((key) => ({ key, ...answer(key) })) };
  }
  return { throttleTimeMs: 0, ...answer(body.key) };
}

export async function handleJoinGroup(scope: RequestScope, groups: GroupDriver, body: JoinGroupRequest): Promise<InputOf<JoinGroupResponse>> {
  const response = await groups.call('JoinGroup', (id) =>
    groups.coordinator.joinGroup(
      id,
      {
        groupId: body.groupId,
        sessionTimeoutMs: body.sessionTimeoutMs,
        // v0 has no rebalance timeout: Kafka uses the session timeout.
        rebalanceTimeoutMs: scope.apiVersion === 0 ? body.sessionTimeoutMs : body.rebalanceTimeoutMs,
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId,
        protocolType: body.protocolType,
        protocols: body.protocols,
        reason: body.reason,
      },
      context(scope),
    ),
  );
  return {
    throttleTimeMs: 0,
    errorCode: response.errorCode,
    generationId: response.generationId,
    protocolType: response.protocolType,
    // Before v7 the protocol name is not nullable: Kafka sends "" on errors.
    protocolName: response.protocolName ?? (scope.apiVersion >= 7 ? null : ''),
    leader: response.leader,
    skipAssignment: response.skipAssignment,
    memberId: response.memberId,
    members: response.members,
  };
}

export async function handleSyncGroup(groups: GroupDriver, body: SyncGroupRequest): Promise<InputOf<SyncGroupResponse>> {
  const response = await groups.call('SyncGroup', (id) =>
    groups.coordinator.syncGroup(id, {
      groupId: body.groupId,
      generationId: body.generationId,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId,
      protocolType: body.protocolType,
      protocolName: body.protocolName,
      assignments: body.assignments,
    }),
  );
  return { throttleTimeMs: 0, ...response };
}

export function handleHeartbeat(groups: GroupDriver, body: HeartbeatRequest): InputOf<HeartbeatResponse> {
  const response = groups.now((c) =>
    c.heartbeat({ groupId: body.groupId, generationId: body.generationId, memberId: body.memberId, groupInstanceId: body.groupInstanceId }),
  );
  return { throttleTimeMs: 0, errorCode: response.errorCode };
}

export async function handleLeaveGroup(scope: RequestScope, groups: GroupDriver, body: LeaveGroupRequest): Promise<InputOf<LeaveGroupResponse>> {
  const members = scope.apiVersion >= 3 ? body.members : [{ memberId: body.memberId, groupInstanceId: null, reason: null }];
  const response = await groups.call('LeaveGroup', (id) => groups.coordinator.leaveGroup(id, { groupId: body.groupId, members }));
  // v0-2 carry one member and no member list: its error is the response's error.
  const errorCode = scope.apiVersion < 3 && response.errorCode === ErrorCode.NONE ? (response.members[0]?.errorCode ?? ErrorCode.NONE) : response.errorCode;
  return { throttleTimeMs: 0, errorCode, members: response.members };
}

export async function handleOffsetCommit(scope: RequestScope, groups: GroupDriver, body: OffsetCommitRequest): Promise<InputOf<OffsetCommitResponse>> {
  const response = await groups.call('OffsetCommit', (id) =>
    groups.coordinator.offsetCommit(
      id,
      {
        groupId: body.groupId,
        generationIdOrMemberEpoch: body.generationIdOrMemberEpoch,
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId,
        retentionTimeMs: body.retentionTimeMs,
        topics: body.topics,
      },
      context(scope),
    ),
  );
  return { throttleTimeMs: 0, topics: response.topics };
}

export function handleOffsetFetch(scope: RequestScope, groups: GroupDriver, body: OffsetFetchRequest): InputOf<OffsetFetchResponse> {
  if (scope.apiVersion >= 8) {
    const results = body.groups.map((g) => groups.now((c) => c.offsetFetch({ groupId: g.groupId, topics: g.topics })));
    return { throttleTimeMs: 0, groups: results.map((g) => ({ groupId: g.groupId ?? '', topics: g.topics, errorCode: g.errorCode })) };
  }
  const result: OffsetFetchResponseGroup = groups.now((c) => c.offsetFetch({ groupId: body.groupId, topics: body.topics }));
  return { throttleTimeMs: 0, topics: result.topics, errorCode: result.errorCode };
}

export function handleDescribeGroups(groups: GroupDriver, body: DescribeGroupsRequest): InputOf<DescribeGroupsResponse> {
  const described = groups.now((c) => c.describeGroups(body.groups));
  return { throttleTimeMs: 0, groups: described.map((g) => ({ ...g, groupId: g.groupId ?? '' })) };
}

export function handleListGroups(groups: GroupDriver, body: ListGroupsRequest): InputOf<ListGroupsResponse> {
  const listed = groups.now((c) => c.listGroups({ statesFilter: body.statesFilter, typesFilter: body.typesFilter }));
  return { throttleTimeMs: 0, errorCode: listed.errorCode, groups: listed.groups };
}

export async function handleDeleteGroups(groups: GroupDriver, body: DeleteGroupsRequest): Promise<InputOf<DeleteGroupsResponse>> {
  const results = await groups.call('DeleteGroups', (id) => groups.coordinator.deleteGroups(id, body.groupsNames));
  return { throttleTimeMs: 0, results: results.map((r) => ({ groupId: r.groupId ?? '', errorCode: r.errorCode })) };
}

export async function handleOffsetDelete(groups: GroupDriver, body: OffsetDeleteRequest): Promise<InputOf<OffsetDeleteResponse>> {
  const response = await groups.call('OffsetDelete', (id) => groups.coordinator.offsetDelete(id, { groupId: body.groupId, topics: body.topics }));
  return { throttleTimeMs: 0, errorCode: response.errorCode, topics: response.topics };
}
