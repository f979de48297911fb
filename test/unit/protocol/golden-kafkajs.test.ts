import { createRequire } from 'node:module';
import * as pk from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../../runtime/broker/log/batch-header.ts';
import { decodeRequest, encodeResponse } from '../../../runtime/broker/protocol/messages.ts';
import { ApiKey, getApi } from '../../../runtime/broker/protocol/registry.ts';
import type { ApiDescriptor, ApiName } from '../../../runtime/broker/protocol/registry.ts';
import { frameOf, project } from './helpers.ts';

// kafkajs 2.2.4 speaks only non-flexible versions; its per-version request encoders and response
// decoders (node_modules/kafkajs/src/protocol/requests/<api>/v<N>) are a second, independent
// implementation of those encodings.

type Obj = Record<string, unknown>;
interface KafkajsRequest {
  encode(): Promise<{ buffer: Buffer }>;
}
interface KafkajsResponse {
  decode(payload: Buffer): Promise<Obj>;
}

const require = createRequire(import.meta.url);
const dirOf: Record<string, string> = {
  ApiVersions: 'apiVersions',
  Metadata: 'metadata',
  Produce: 'produce',
  Fetch: 'fetch',
  ListOffsets: 'listOffsets',
  FindCoordinator: 'findCoordinator',
  JoinGroup: 'joinGroup',
  SyncGroup: 'syncGroup',
  Heartbeat: 'heartbeat',
  LeaveGroup: 'leaveGroup',
  OffsetCommit: 'offsetCommit',
  OffsetFetch: 'offsetFetch',
  DescribeGroups: 'describeGroups',
  ListGroups: 'listGroups',
  SaslHandshake: 'saslHandshake',
  CreateTopics: 'createTopics',
  DeleteTopics: 'deleteTopics',
  DeleteRecords: 'deleteRecords',
  InitProducerId: 'initProducerId',
  DescribeConfigs: 'describeConfigs',
  AlterConfigs: 'alterConfigs',
  CreatePartitions: 'createPartitions',
  DeleteGroups: 'deleteGroups',
};

function kafkajs<T>(name: ApiName, v: number, side: 'request' | 'response'): T | undefined {
  try {
    return require(`kafkajs/src/protocol/requests/${dirOf[name]}/v${v}/${side}.js`) as T;
  } catch {
    return undefined;
  }
}

/** Versions in our advertised range that kafkajs implements. */
function versions(api: ApiDescriptor, side: 'request' | 'response'): number[] {
  const out: number[] = [];
  for (let v = api.minVersion; v <= api.maxVersion; v++) if (kafkajs(api.name, v, side)) out.push(v);
  return out;
}

function header(api: ApiDescriptor, v: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeInt16BE(api.apiKey, 0);
  h.writeInt16BE(v, 2);
  h.writeInt32BE(11, 4);
  h.writeInt16BE(2, 8);
  h.write('kj', 10);
  return h;
}

const meta = Buffer.from('member-metadata');

interface RequestCase {
  args: (v: number) => unknown;
  body: Obj;
  check?: (body: Obj, v: number) => void;
}

const requests: Partial<Record<ApiName, RequestCase>> = {
  ApiVersions: { args: () => ({}), body: {} },
  Metadata: {
    args: () => ({ topics: ['orders', 'payments'], allowAutoTopicCreation: false }),
    body: { topics: [{ name: 'orders' }, { name: 'payments' }], allowAutoTopicCreation: false },
  },
  Produce: {
    args: () => ({ acks: -1, timeout: 1500, topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v' }, { key: null, value: 'w' }] }] }] }),
    body: { transactionalId: null, acks: -1, timeoutMs: 1500, topicData: [{ name: 'orders', partitionData: [{ index: 2 }] }] },
    check(body, v) {
      const records = (body.topicData as { partitionData: { records: Buffer }[] }[])[0].partitionData[0].records;
      // v3+ carries record batch v2; v0-2 the old message sets, kept as opaque bytes.
      if (v >= 3) expect(validateBatch(records, 0, { source: 'kafkajs produce', position: 0 })).toBe(records.length);
      else expect(records.length).toBeGreaterThan(0);
    },
  },
  Fetch: {
    args: () => ({
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 65536 }] }],
      rackId: 'rack-a',
    }),
    body: {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 42n, logStartOffset: -1n, partitionMaxBytes: 65536 }] }],
      forgottenTopicsData: [],
      rackId: 'rack-a',
    },
  },
  ListOffsets: {
    args: () => ({ replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 1, timestamp: -2 }] }] }),
    body: { replicaId: -1, isolationLevel: 1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, timestamp: -2n }] }] },
  },
  FindCoordinator: {
    args: (v) => (v === 0 ? { groupId: 'group-1' } : { coordinatorKey: 'group-1', coordinatorType: 1 }),
    body: { key: 'group-1' },
    check: (body, v) => expect(body.keyType).toBe(v === 0 ? 0 : 1),
  },
  JoinGroup: {
    args: () => ({
      groupId: 'group-1',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: meta }],
    }),
    body: {
      groupId: 'group-1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: meta }],
    },
  },
  SyncGroup: {
    args: () => ({ groupId: 'group-1', generationId: 2, memberId: 'm', groupInstanceId: 'instance-1', groupAssignment: [{ memberId: 'm', memberAssignment: meta }] }),
    body: { groupId: 'group-1', generationId: 2, memberId: 'm', groupInstanceId: 'instance-1', assignments: [{ memberId: 'm', assignment: meta }] },
  },
  Heartbeat: {
    args: () => ({ groupId: 'group-1', groupGenerationId: 2, memberId: 'm', groupInstanceId: 'instance-1' }),
    body: { groupId: 'group-1', generationId: 2, memberId: 'm', groupInstanceId: 'instance-1' },
  },
  LeaveGroup: {
    args: () => ({ groupId: 'group-1', memberId: 'm', members: [{ memberId: 'm', groupInstanceId: 'instance-1' }] }),
    body: { groupId: 'group-1', memberId: 'm', members: [{ memberId: 'm', groupInstanceId: 'instance-1' }] },
  },
  OffsetCommit: {
    args: () => ({
      groupId: 'group-1',
      groupGenerationId: 2,
      memberId: 'm',
      retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '100', metadata: 'md' }] }],
    }),
    body: {
      groupId: 'group-1',
      generationIdOrMemberEpoch: 2,
      memberId: 'm',
      retentionTimeMs: -1n,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 100n, committedMetadata: 'md' }] }],
    },
  },
  OffsetFetch: {
    args: () => ({ groupId: 'group-1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 3 }] }] }),
    body: { groupId: 'group-1', topics: [{ name: 'orders', partitionIndexes: [0, 3] }] },
  },
  DescribeGroups: { args: () => ({ groupIds: ['group-1', 'group-2'] }), body: { groups: ['group-1', 'group-2'] } },
  ListGroups: { args: () => ({}), body: {} },
  SaslHandshake: { args: () => ({ mechanism: 'PLAIN' }), body: { mechanism: 'PLAIN' } },
  CreateTopics: {
    args: () => ({
      topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 1, replicaAssignment: [{ partition: 0, replicas: [1] }], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      validateOnly: false,
      timeout: 5000,
    }),
    body: {
      topics: [{ name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeoutMs: 5000,
      validateOnly: false,
    },
  },
  DeleteTopics: { args: () => ({ topics: ['orders', 'payments'], timeout: 5000 }), body: { topicNames: ['orders', 'payments'], timeoutMs: 5000 } },
  DeleteRecords: {
    args: () => ({ topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '10' }] }], timeout: 5000 }),
    body: { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 10n }] }], timeoutMs: 5000 },
  },
  InitProducerId: { args: () => ({ transactionalId: null, transactionTimeout: 60000 }), body: { transactionalId: null, transactionTimeoutMs: 60000 } },
  DescribeConfigs: {
    args: () => ({ resources: [{ type: 2, name: 'orders', configNames: ['cleanup.policy'] }], includeSynonyms: true }),
    body: { resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['cleanup.policy'] }], includeSynonyms: true },
  },
  AlterConfigs: {
    args: () => ({ resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: true }),
    body: { resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: true },
  },
  CreatePartitions: {
    args: () => ({ topicPartitions: [{ topic: 'orders', count: 6, assignments: [[1]] }], validateOnly: false, timeout: 5000 }),
    body: { topics: [{ name: 'orders', count: 6, assignments: [{ brokerIds: [1] }] }], timeoutMs: 5000, validateOnly: false },
  },
  DeleteGroups: { args: () => ['group-1', 'group-2'], body: { groupsNames: ['group-1', 'group-2'] } },
};

describe('requests encoded by kafkajs', () => {
  for (const [name, c] of Object.entries(requests) as [ApiName, RequestCase][]) {
    const api = getApi(ApiKey[name]) as ApiDescriptor;
    it.each(versions(api, 'request'))(`${name} v%i`, async (v) => {
      const make = kafkajs<(args: unknown) => KafkajsRequest>(name, v, 'request') as (args: unknown) => KafkajsRequest;
      const encoded = (await make(c.args(v)).encode()).buffer;
      const req = decodeRequest(Buffer.concat([header(api, v), encoded]));
      expect(req.header).toEqual({ apiKey: api.apiKey, apiVersion: v, correlationId: 11, clientId: 'kj' });
      expect(req.trailingBytes).toBe(0);
      expect(req.body).toMatchObject(project(api.request.fields, v, c.body));
      c.check?.(req.body, v);
    });
  }
});

interface ResponseCase {
  body: Obj;
  expected: (v: number) => Obj;
}

const batch = pk.createRecordsBatch([{ key: Buffer.from('k'), value: Buffer.from('value'), timestamp: 1700000000000n } as never]).buffer;

const responses: Partial<Record<ApiName, ResponseCase>> = {
  ApiVersions: {
    body: { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }], throttleTimeMs: 7 },
    expected: (v) => ({
      errorCode: 0,
      apiVersions: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }],
      ...(v === 1 ? { throttleTime: 7 } : v === 2 ? { clientSideThrottleTime: 7 } : {}),
    }),
  },
  Metadata: {
    body: {
      brokers: [{ nodeId: 1, host: 'broker-1', port: 9092, rack: 'r1' }],
      clusterId: 'cluster-x',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    },
    expected: (v) => ({
      brokers: [{ nodeId: 1, host: 'broker-1', port: 9092, ...(v >= 1 ? { rack: 'r1' } : {}) }],
      ...(v >= 1 ? { controllerId: 1 } : {}),
      ...(v >= 2 ? { clusterId: 'cluster-x' } : {}),
      topicMetadata: [
        {
          topicErrorCode: 0,
          topic: 'orders',
          partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], ...(v >= 5 ? { offlineReplicas: [] } : {}) }],
        },
      ],
    }),
  },
  Produce: {
    body: { responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n, logStartOffset: 0n }] }], throttleTimeMs: 0 },
    expected: (v) => ({
      topics: [
        {
          topicName: 'orders',
          partitions: [
            {
              partition: 2,
              errorCode: 0,
              // kafkajs names the base offset `offset` before v3.
              ...(v < 3 ? { offset: '5' } : { baseOffset: '5' }),
              ...(v === 2 ? { timestamp: '-1' } : v >= 3 ? { logAppendTime: '-1' } : {}),
              ...(v >= 5 ? { logStartOffset: '0' } : {}),
            },
          ],
        },
      ],
    }),
  },
  Fetch: {
    body: {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, records: batch }],
        },
      ],
    },
    expected: () => ({
      responses: [{ topicName: 'orders', partitions: [{ partition: 0, errorCode: 0, highWatermark: '1', lastStableOffset: '1', messages: [{ value: Buffer.from('value') }] }] }],
    }),
  },
  FindCoordinator: {
    body: { errorCode: 0, errorMessage: null, nodeId: 1, host: 'localhost', port: 9092 },
    expected: () => ({ errorCode: 0, coordinator: { nodeId: 1, host: 'localhost', port: 9092 } }),
  },
  JoinGroup: {
    body: { errorCode: 0, generationId: 3, protocolName: 'range', leader: 'm1', memberId: 'm1', members: [{ memberId: 'm1', groupInstanceId: null, metadata: meta }] },
    expected: () => ({ errorCode: 0, generationId: 3, groupProtocol: 'range', leaderId: 'm1', memberId: 'm1', members: [{ memberId: 'm1', memberMetadata: meta }] }),
  },
  SyncGroup: { body: { errorCode: 0, assignment: meta }, expected: () => ({ errorCode: 0, memberAssignment: meta }) },
  Heartbeat: { body: { errorCode: 0 }, expected: () => ({ errorCode: 0 }) },
  OffsetFetch: {
    body: { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 100n, metadata: 'md', errorCode: 0 }] }], errorCode: 0 },
    expected: () => ({ responses: [{ topic: 'orders', partitions: [{ partition: 0, offset: '100', metadata: 'md', errorCode: 0 }] }] }),
  },
};

describe('responses decoded by kafkajs', () => {
  for (const [name, c] of Object.entries(responses) as [ApiName, ResponseCase][]) {
    const api = getApi(ApiKey[name]) as ApiDescriptor;
    it.each(versions(api, 'response'))(`${name} v%i`, async (v) => {
      const frame = frameOf(encodeResponse({ correlationId: 11 }, api.apiKey, v, c.body, { zeroCopyThreshold: 16 }));
      expect(frame.readInt32BE(0)).toBe(11);
      const decoder = kafkajs<KafkajsResponse>(name, v, 'response') as KafkajsResponse;
      expect(await decoder.decode(frame.subarray(4))).toMatchObject(c.expected(v));
    });
  }
});
