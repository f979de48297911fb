import { formatConfigValue } from '../../log/config-def.ts';
import { TOPIC_CONFIG } from '../../log/topic-config.ts';
import type { TopicConfig } from '../../log/topic-config.ts';
import { ErrorCode } from '../../protocol/index.ts';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  InputOf,
} from '../../protocol/index.ts';
import { errorCodeOf } from '../error-mapping.ts';
import { ZERO_UUID } from '../kafka-uuid.ts';
import type { TopicsService } from '../topics.ts';
import { ConfigSource } from './configs.ts';
import type { RequestScope } from './scope.ts';

/** CreateTopics, DeleteTopics, CreatePartitions and DeleteRecords. */

type CreatedResult = NonNullable<InputOf<CreateTopicsResponse>['topics']>[number];

function createdConfigs(config: TopicConfig, overrides: ReadonlySet<string>): CreatedResult['configs'] {
  return [...TOPIC_CONFIG.keys.values()].map((def) => ({
    name: def.name,
    value: formatConfigValue(def.type, config[def.name as keyof TopicConfig] as never),
    readOnly: false,
    configSource: overrides.has(def.name) ? ConfigSource.DYNAMIC_TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
  }));
}

export async function handleCreateTopics(scope: RequestScope, topics: TopicsService, body: CreateTopicsRequest): Promise<InputOf<CreateTopicsResponse>> {
  const results: CreatedResult[] = [];
  const seen = new Set<string>();
  for (const t of body.topics) {
    const fail = (errorCode: number, errorMessage: string): void => {
      results.push({ name: t.name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null });
    };
    if (seen.has(t.name)) {
      fail(ErrorCode.INVALID_REQUEST, `topic ${t.name} appears more than once in the request`);
      continue;
    }
    seen.add(t.name);
    if (t.assignments.length > 0) {
      // Manual assignments can only name this broker; accept them when they do, as one replica each.
      const bad = t.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== scope.nodeId);
      if (bad !== undefined) {
        fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `partition ${bad.partitionIndex} is assigned to brokers [${bad.brokerIds.join(', ')}]; the only broker is ${scope.nodeId}`);
        continue;
      }
    }
    const configs: Record<string, string | null> = {};
    for (const c of t.configs) configs[c.name] = c.value;
    const created = await topics.create({
      name: t.name,
      partitions: t.assignments.length > 0 ? t.assignments.length : t.numPartitions,
      replicationFactor: t.assignments.length > 0 ? 1 : t.replicationFactor,
      configs,
      validateOnly: body.validateOnly,
    });
    if ('errorCode' in created) {
      fail(created.errorCode, created.message);
      continue;
    }
    results.push({
      name: t.name,
      topicId: created.description.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: created.description.partitions,
      replicationFactor: 1,
      configs: createdConfigs(created.config, created.overrides),
    });
  }
  return { throttleTimeMs: 0, topics: results };
}

export async function handleDeleteTopics(scope: RequestScope, topics: TopicsService, body: DeleteTopicsRequest): Promise<InputOf<DeleteTopicsResponse>> {
  const requested: { name: string | null; topicId: string }[] =
    scope.apiVersion >= 6 ? body.topics : body.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
  const responses = [];
  for (const r of requested) {
    const description = r.name !== null ? topics.describe(r.name) : topics.byId(r.topicId);
    if (description === undefined) {
      responses.push({
        name: r.name,
        topicId: r.topicId,
        errorCode: r.name !== null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID,
        errorMessage: `topic ${r.name ?? r.topicId} does not exist`,
      });
      continue;
    }
    const failure = await topics.delete(description.name);
    responses.push({
      name: description.name,
      topicId: description.topicId,
      errorCode: failure?.errorCode ?? ErrorCode.NONE,
      errorMessage: failure?.message ?? null,
    });
  }
  return { throttleTimeMs: 0, responses };
}

export async function handleCreatePartitions(topics: TopicsService, body: CreatePartitionsRequest): Promise<InputOf<CreatePartitionsResponse>> {
  const results = [];
  for (const t of body.topics) {
    const failure = await topics.addPartitions(t.name, t.count, body.validateOnly);
    results.push({ name: t.name, errorCode: failure?.errorCode ?? ErrorCode.NONE, errorMessage: failure?.message ?? null });
  }
  return { throttleTimeMs: 0, results };
}

/** DeleteRecords: -1 means "up to the high watermark". */
export async function handleDeleteRecords(topics: TopicsService, body: DeleteRecordsRequest): Promise<InputOf<DeleteRecordsResponse>> {
  const out = [];
  for (const t of body.topics) {
    const partitions = [];
    for (const p of t.partitions) {
      const handle = topics.partition(t.name, p.partitionIndex);
      if (handle === undefined) {
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      try {
        const target = p.offset === -1n ? handle.log.highWatermark : p.offset;
        const lowWatermark = await handle.log.advanceLogStartOffset(target);
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE });
      } catch (err) {
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: errorCodeOf(err) });
      }
    }
    out.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics: out };
}
