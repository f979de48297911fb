import type { Logger } from '../../observability/logger.ts';
import { SluiceError } from '../../util/errors.ts';
import { ApiKey, ErrorCode } from '../protocol/index.ts';
import type * as Api from '../protocol/index.ts';
import type { DecodedRequest } from '../protocol/index.ts';
import { LaterResponse } from './connection.ts';
import type { ConnectionInfo, HandlerResult, RequestHandler } from './connection.ts';
import type { GroupDriver } from './group-driver.ts';
import { handleApiVersions } from './handlers/api-versions.ts';
import { handleDescribeCluster, handleInitProducerId } from './handlers/cluster.ts';
import { handleAlterConfigs, handleDescribeConfigs, handleIncrementalAlterConfigs } from './handlers/configs.ts';
import type { BrokerConfigView } from './handlers/configs.ts';
import { handleFetch } from './handlers/fetch.ts';
import {
  handleDeleteGroups,
  handleDescribeGroups,
  handleFindCoordinator,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetCommit,
  handleOffsetDelete,
  handleOffsetFetch,
  handleSyncGroup,
} from './handlers/groups.ts';
import { handleListOffsets } from './handlers/list-offsets.ts';
import { handleMetadata } from './handlers/metadata.ts';
import { handleProduce } from './handlers/produce.ts';
import type { RequestScope } from './handlers/scope.ts';
import { handleCreatePartitions, handleCreateTopics, handleDeleteRecords, handleDeleteTopics } from './handlers/topic-admin.ts';
import type { ProducerIdAllocator } from './producer-ids.ts';
import type { TopicsService } from './topics.ts';

/** Everything the handlers need, wired once by the broker. */
export interface BrokerServices {
  nodeId: number;
  clusterId: string;
  rack: string | null;
  autoCreateTopics: boolean;
  topics: TopicsService;
  groups: GroupDriver;
  producerIds: ProducerIdAllocator;
  brokerConfig: BrokerConfigView;
  /** Advertised host and port for a connection (by the listener it reached). */
  endpointFor(connection: ConnectionInfo): { host: string; port: number };
  isClosed(connection: ConnectionInfo): boolean;
  logger: Logger;
}

/** Routes each decoded request to its handler; the body types come from the protocol tables. */
export class Dispatcher implements RequestHandler {
  readonly #s: BrokerServices;

  constructor(services: BrokerServices) {
    this.#s = services;
  }

  /** Produce writes its batches before handle() returns and answers with offsets and messages only. */
  doneWithBytesOnReturn(apiKey: number): boolean {
    return apiKey === ApiKey.Produce;
  }

  handle(request: DecodedRequest, connection: ConnectionInfo): HandlerResult | LaterResponse | Promise<HandlerResult> {
    const s = this.#s;
    const scope: RequestScope = {
      apiVersion: request.apiVersion,
      clientId: request.header.clientId ?? '',
      connection,
      nodeId: s.nodeId,
      endpoint: () => s.endpointFor(connection),
    };
    const body = request.body;
    switch (request.apiKey) {
      case ApiKey.ApiVersions:
        return handleApiVersions();
      case ApiKey.Metadata:
        return handleMetadata(scope, s.topics, body as Api.MetadataRequest, { autoCreate: s.autoCreateTopics, clusterId: s.clusterId, rack: s.rack });
      case ApiKey.Produce: {
        const produce = body as Api.ProduceRequest;
        const answer = handleProduce(scope, s.topics, produce, s.logger);
        // A promise means the batches are appended and only the answer waits (for an fsync under
        // flush.messages), so the connection goes on and later appends share that fsync. acks=0
        // stays in line: a failure there closes the connection before anything behind it is
        // handled, as in Kafka.
        return answer instanceof Promise && produce.acks !== 0 ? new LaterResponse(answer) : answer;
      }
      case ApiKey.Fetch:
        return handleFetch(s.topics, body as Api.FetchRequest, () => s.isClosed(connection));
      case ApiKey.ListOffsets:
        return handleListOffsets(s.topics, body as Api.ListOffsetsRequest);
      case ApiKey.FindCoordinator:
        return handleFindCoordinator(scope, body as Api.FindCoordinatorRequest);
      case ApiKey.JoinGroup:
        return handleJoinGroup(scope, s.groups, body as Api.JoinGroupRequest);
      case ApiKey.SyncGroup:
        return handleSyncGroup(s.groups, body as Api.SyncGroupRequest);
      case ApiKey.Heartbeat:
        return handleHeartbeat(s.groups, body as Api.HeartbeatRequest);
      case ApiKey.LeaveGroup:
        return handleLeaveGroup(scope, s.groups, body as Api.LeaveGroupRequest);
      case ApiKey.OffsetCommit:
        return handleOffsetCommit(scope, s.groups, body as Api.OffsetCommitRequest);
      case ApiKey.OffsetFetch:
        return handleOffsetFetch(scope, s.groups, body as Api.OffsetFetchRequest);
      case ApiKey.DescribeGroups:
        return handleDescribeGroups(s.groups, body as Api.DescribeGroupsRequest);
      case ApiKey.ListGroups:
        return handleListGroups(s.groups, body as Api.ListGroupsRequest);
      case ApiKey.DeleteGroups:
        return handleDeleteGroups(s.groups, body as Api.DeleteGroupsRequest);
      case ApiKey.OffsetDelete:
        return handleOffsetDelete(s.groups, body as Api.OffsetDeleteRequest);
      case ApiKey.CreateTopics:
        return handleCreateTopics(scope, s.topics, body as Api.CreateTopicsRequest);
      case ApiKey.DeleteTopics:
        return handleDeleteTopics(scope, s.topics, body as Api.DeleteTopicsRequest);
      case ApiKey.CreatePartitions:
        return handleCreatePartitions(s.topics, body as Api.CreatePartitionsRequest);
      case ApiKey.DeleteRecords:
        return handleDeleteRecords(s.topics, body as Api.DeleteRecordsRequest);
      case ApiKey.DescribeConfigs:
        return handleDescribeConfigs(scope, s.topics, s.brokerConfig, body as Api.DescribeConfigsRequest);
      case ApiKey.AlterConfigs:
        return handleAlterConfigs(s.topics, s.brokerConfig, body as Api.AlterConfigsRequest);
      case ApiKey.IncrementalAlterConfigs:
        return handleIncrementalAlterConfigs(s.topics, s.brokerConfig, body as Api.IncrementalAlterConfigsRequest);
      case ApiKey.DescribeCluster:
        return handleDescribeCluster(scope, body as Api.DescribeClusterRequest, s.clusterId, s.rack);
      case ApiKey.InitProducerId:
        return handleInitProducerId(body as Api.InitProducerIdRequest, s.producerIds);
      case ApiKey.SaslHandshake:
        // No SASL mechanism is enabled on a PLAINTEXT listener: Kafka answers UNSUPPORTED_SASL_MECHANISM with the (empty) list.
        return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [] };
      default:
        // The registry decodes only the keys above; a key added there needs a handler here.
        throw new SluiceError('BROKER_NO_HANDLER', `no handler for api key ${request.apiKey} (${request.api.name})`, { context: { apiKey: request.apiKey } });
    }
  }
}
