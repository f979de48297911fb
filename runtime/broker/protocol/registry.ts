import { alterConfigsRequest, alterConfigsResponse } from './apis/alter-configs.ts';
import { apiVersionsRequest, apiVersionsResponse } from './apis/api-versions.ts';
import { createPartitionsRequest, createPartitionsResponse } from './apis/create-partitions.ts';
import { createTopicsRequest, createTopicsResponse } from './apis/create-topics.ts';
import { deleteGroupsRequest, deleteGroupsResponse } from './apis/delete-groups.ts';
import { deleteRecordsRequest, deleteRecordsResponse } from './apis/delete-records.ts';
import { deleteTopicsRequest, deleteTopicsResponse } from './apis/delete-topics.ts';
import { describeClusterRequest, describeClusterResponse } from './apis/describe-cluster.ts';
import { describeConfigsRequest, describeConfigsResponse } from './apis/describe-configs.ts';
import { describeGroupsRequest, describeGroupsResponse } from './apis/describe-groups.ts';
import { fetchRequest, fetchResponse } from './apis/fetch.ts';
import { findCoordinatorRequest, findCoordinatorResponse } from './apis/find-coordinator.ts';
import { heartbeatRequest, heartbeatResponse } from './apis/heartbeat.ts';
import { incrementalAlterConfigsRequest, incrementalAlterConfigsResponse } from './apis/incremental-alter-configs.ts';
import { initProducerIdRequest, initProducerIdResponse } from './apis/init-producer-id.ts';
import { joinGroupRequest, joinGroupResponse } from './apis/join-group.ts';
import { leaveGroupRequest, leaveGroupResponse } from './apis/leave-group.ts';
import { listGroupsRequest, listGroupsResponse } from './apis/list-groups.ts';
import { listOffsetsRequest, listOffsetsResponse } from './apis/list-offsets.ts';
import { metadataRequest, metadataResponse } from './apis/metadata.ts';
import { offsetCommitRequest, offsetCommitResponse } from './apis/offset-commit.ts';
import { offsetDeleteRequest, offsetDeleteResponse } from './apis/offset-delete.ts';
import { offsetFetchRequest, offsetFetchResponse } from './apis/offset-fetch.ts';
import { produceRequest, produceResponse } from './apis/produce.ts';
import { saslHandshakeRequest, saslHandshakeResponse } from './apis/sasl-handshake.ts';
import { syncGroupRequest, syncGroupResponse } from './apis/sync-group.ts';
import { compileMessage, isFlexible, validVersions } from './codec.ts';
import type { MessageCodec } from './codec.ts';
import type { MessageSpec } from './schema.ts';
import { SchemaError } from './wire-errors.ts';

/** Api keys by Kafka's names. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
  DescribeCluster: 60,
} as const;
export type ApiName = keyof typeof ApiKey;

export interface ApiDescriptor {
  readonly apiKey: number;
  readonly name: ApiName;
  /** Advertised in ApiVersions; decodeRequest accepts exactly this range. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version, or null when no version is flexible. */
  readonly flexibleFrom: number | null;
  readonly request: MessageSpec;
  readonly response: MessageSpec;
  /** Precompiled codecs for every version the tables define (a superset of the advertised range). */
  requestCodec(version: number): MessageCodec | undefined;
  responseCodec(version: number): MessageCodec | undefined;
  isFlexible(version: number): boolean;
}

/**
 * Advertised ranges (shared/reference/broker.md §0, §1.3): old librdkafka (kcat 2.0.2) enables a
 * feature only when the advertised range contains specific versions, so some minimums stay low
 * (Produce 0, the group APIs 0, OffsetFetch 1, ListOffsets 1) while clients use
 * min(client max, broker max). Produce v0-2 (message format v0/v1) are listed, as Kafka 4 does,
 * but the Produce handler rejects them. Fetch stops at 12 (13+ needs topic ids).
 */
const ADVERTISED: readonly (readonly [ApiName, number, number, MessageSpec, MessageSpec])[] = [
  ['Produce', 0, 11, produceRequest, produceResponse],
  ['Fetch', 4, 12, fetchRequest, fetchResponse],
  ['ListOffsets', 1, 7, listOffsetsRequest, listOffsetsResponse],
  ['Metadata', 0, 12, metadataRequest, metadataResponse],
  ['OffsetCommit', 2, 9, offsetCommitRequest, offsetCommitResponse],
  ['OffsetFetch', 1, 9, offsetFetchRequest, offsetFetchResponse],
  ['FindCoordinator', 0, 6, findCoordinatorRequest, findCoordinatorResponse],
  ['JoinGroup', 0, 9, joinGroupRequest, joinGroupResponse],
  ['Heartbeat', 0, 4, heartbeatRequest, heartbeatResponse],
  ['LeaveGroup', 0, 5, leaveGroupRequest, leaveGroupResponse],
  ['SyncGroup', 0, 5, syncGroupRequest, syncGroupResponse],
  ['DescribeGroups', 0, 5, describeGroupsRequest, describeGroupsResponse],
  ['ListGroups', 0, 5, listGroupsRequest, listGroupsResponse],
  ['SaslHandshake', 0, 1, saslHandshakeRequest, saslHandshakeResponse],
  ['ApiVersions', 0, 4, apiVersionsRequest, apiVersionsResponse],
  ['CreateTopics', 2, 7, createTopicsRequest, createTopicsResponse],
  ['DeleteTopics', 1, 6, deleteTopicsRequest, deleteTopicsResponse],
  ['DeleteRecords', 0, 2, deleteRecordsRequest, deleteRecordsResponse],
  ['InitProducerId', 0, 5, initProducerIdRequest, initProducerIdResponse],
  ['DescribeConfigs', 1, 4, describeConfigsRequest, describeConfigsResponse],
  ['AlterConfigs', 0, 2, alterConfigsRequest, alterConfigsResponse],
  ['CreatePartitions', 0, 3, createPartitionsRequest, createPartitionsResponse],
  ['DeleteGroups', 0, 2, deleteGroupsRequest, deleteGroupsResponse],
  ['IncrementalAlterConfigs', 0, 1, incrementalAlterConfigsRequest, incrementalAlterConfigsResponse],
  ['OffsetDelete', 0, 0, offsetDeleteRequest, offsetDeleteResponse],
  ['DescribeCluster', 0, 1, describeClusterRequest, describeClusterResponse],
];

function compileAll(spec: MessageSpec): MessageCodec[] {
  const range = validVersions(spec);
  const out: MessageCodec[] = [];
  for (let v = range.min; v <= range.max; v++) out[v] = compileMessage(spec, v);
  return out;
}

function describeApi(name: ApiName, minVersion: number, maxVersion: number, request: MessageSpec, response: MessageSpec): ApiDescriptor {
  const apiKey = ApiKey[name];
  for (const spec of [request, response]) {
    const range = validVersions(spec);
    if (spec.apiKey !== apiKey) throw new SchemaError(spec.name, '', `api key ${spec.apiKey} does not match ${name} (${apiKey})`);
    if (minVersion < range.min || maxVersion > range.max) {
      throw new SchemaError(spec.name, '', `advertised v${minVersion}-v${maxVersion} outside validVersions ${spec.validVersions}`);
    }
  }
  const requests = compileAll(request);
  const responses = compileAll(response);
  let flexibleFrom: number | null = null;
  for (let v = validVersions(request).min; v <= validVersions(request).max; v++) {
    if (isFlexible(request, v)) {
      flexibleFrom = v;
      break;
    }
  }
  return {
    apiKey,
    name,
    minVersion,
    maxVersion,
    flexibleFrom,
    request,
    response,
    requestCodec: (v) => requests[v],
    responseCodec: (v) => responses[v],
    isFlexible: (v) => flexibleFrom !== null && v >= flexibleFrom,
  };
}

/** apiKey → descriptor; every table is compiled here, once, when the module loads. */
export const API_REGISTRY: ReadonlyMap<number, ApiDescriptor> = new Map(
  ADVERTISED.map(([name, min, max, request, response]) => [ApiKey[name], describeApi(name, min, max, request, response)]),
);

export function getApi(apiKey: number): ApiDescriptor | undefined {
  return API_REGISTRY.get(apiKey);
}

export interface AdvertisedVersion {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** The ApiVersions response's apiKeys list, ascending by key. */
export function advertisedApiVersions(): AdvertisedVersion[] {
  return [...API_REGISTRY.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
}
