import { ErrorCode } from '../../protocol/index.ts';
import type { InputOf, MetadataRequest, MetadataResponse } from '../../protocol/index.ts';
import { ZERO_UUID } from '../kafka-uuid.ts';
import type { TopicDescription, TopicsService } from '../topics.ts';
import type { RequestScope } from './scope.ts';

/**
 * Metadata: this broker is every partition's leader and the controller. v1+ null topics = all,
 * v0 empty = all. Unknown topics are auto-created when both the broker
 * (auto.create.topics.enable) and the request (v4+ allowAutoTopicCreation) allow it.
 */
type TopicEntry = NonNullable<InputOf<MetadataResponse>['topics']>[number];

const NO_OPERATIONS = -2147483648;

function topicEntry(scope: RequestScope, t: TopicDescription): TopicEntry {
  const partitions = [];
  for (let i = 0; i < t.partitions; i++) {
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: scope.nodeId,
      leaderEpoch: t.leaderEpoch,
      replicaNodes: [scope.nodeId],
      isrNodes: [scope.nodeId],
      offlineReplicas: [],
    });
  }
  return { errorCode: ErrorCode.NONE, name: t.name, topicId: t.topicId, isInternal: t.internal, partitions, topicAuthorizedOperations: NO_OPERATIONS };
}

function errorEntry(name: string | null, errorCode: number, topicId = ZERO_UUID): TopicEntry {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: NO_OPERATIONS };
}

export async function handleMetadata(
  scope: RequestScope,
  topics: TopicsService,
  body: MetadataRequest,
  options: { autoCreate: boolean; clusterId: string; rack: string | null },
): Promise<InputOf<MetadataResponse>> {
  const v = scope.apiVersion;
  const all = body.topics === null || (v === 0 && body.topics.length === 0);
  const allowAutoCreate = options.autoCreate && (v < 4 || body.allowAutoTopicCreation);
  const entries: TopicEntry[] = [];
  if (all) {
    for (const t of topics.all()) entries.push(topicEntry(scope, t));
  } else {
    for (const requested of body.topics ?? []) {
      if (requested.name === null) {
        const byId = topics.byId(requested.topicId);
        entries.push(byId === undefined ? errorEntry(null, ErrorCode.UNKNOWN_TOPIC_ID, requested.topicId) : topicEntry(scope, byId));
        continue;
      }
      const existing = topics.describe(requested.name);
      if (existing !== undefined) {
        entries.push(topicEntry(scope, existing));
        continue;
      }
      if (!allowAutoCreate) {
        entries.push(errorEntry(requested.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      const created = await topics.autoCreate(requested.name);
      entries.push(created.topic === undefined ? errorEntry(requested.name, created.errorCode) : topicEntry(scope, created.topic));
    }
  }
  const self = scope.endpoint();
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: scope.nodeId, host: self.host, port: self.port, rack: options.rack }],
    clusterId: options.clusterId,
    controllerId: scope.nodeId,
    topics: entries,
    clusterAuthorizedOperations: NO_OPERATIONS,
  };
}
