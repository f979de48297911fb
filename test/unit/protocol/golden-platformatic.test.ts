import * as pk from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../../runtime/broker/log/batch-header.ts';
import { decodeRequest, encodeResponse } from '../../../runtime/broker/protocol/messages.ts';
import { API_REGISTRY, ApiKey, getApi } from '../../../runtime/broker/protocol/registry.ts';
import type { ApiDescriptor, ApiName } from '../../../runtime/broker/protocol/registry.ts';
import { seededRandom } from '../../../runtime/util/random.ts';
import { frameOf, project, sample } from './helpers.ts';

// @platformatic/kafka ships its own encoder and parser for every API version (flexible and not).
// Requests: its encoder writes the bytes, our decoder must read back what it was given.
// Responses: our encoder writes, its parser must read back what we gave.

type Obj = Record<string, unknown>;
interface PkApi {
  createRequest(...args: unknown[]): { buffer: Buffer };
  parseResponse(correlationId: number, apiKey: number, apiVersion: number, reader: unknown): Obj;
}

function pkApi(name: ApiName, v: number): PkApi | undefined {
  return (pk as unknown as Record<string, PkApi | undefined>)[`${name[0].toLowerCase()}${name.slice(1)}V${v}`];
}

/** Request header v1/v2, written out here rather than by our encoder. */
function header(api: ApiDescriptor, v: number, correlationId: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeInt16BE(api.apiKey, 0);
  h.writeInt16BE(v, 2);
  h.writeInt32BE(correlationId, 4);
  const clientId = Buffer.from([0, 2, 0x70, 0x6b]); // "pk"
  return Buffer.concat([h, clientId, api.isFlexible(v) ? Buffer.from([0]) : Buffer.alloc(0)]);
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const TOPIC_ID = '1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0';
const meta = Buffer.from('subscription-bytes');

interface RequestCase {
  args: unknown[];
  /** Every field platformatic writes for some version; each version is checked against its own fields. */
  body: Obj;
  check?: (body: Obj, v: number) => void;
}

const requests: Partial<Record<ApiName, RequestCase>> = {
  ApiVersions: { args: ['sluice-test', '1.2.3'], body: { clientSoftwareName: 'sluice-test', clientSoftwareVersion: '1.2.3' } },
  Metadata: {
    args: [['orders', 'payments'], false, true, true],
    body: {
      topics: [
        { topicId: ZERO_UUID, name: 'orders' },
        { topicId: ZERO_UUID, name: 'payments' },
      ],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    },
  },
  Produce: {
    args: [
      -1,
      1500,
      [
        { topic: 'orders', partition: 0, key: Buffer.from('k1'), value: Buffer.from('v1') },
        { topic: 'orders', partition: 1, key: Buffer.from('k2'), value: Buffer.from('v2') },
        { topic: 'payments', partition: 0, key: null, value: Buffer.from('v3') },
      ],
      {},
    ],
    body: {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1500,
      topicData: [
        { name: 'orders', partitionData: [{ index: 0 }, { index: 1 }] },
        { name: 'payments', partitionData: [{ index: 0 }] },
      ],
    },
    check(body) {
      for (const t of body.topicData as { partitionData: { records: Buffer }[] }[]) {
        for (const p of t.partitionData) expect(validateBatch(p.records, 0, { source: 'produce', position: 0 })).toBe(p.records.length);
      }
    },
  },
  Fetch: {
    args: [
      500,
      1,
      1048576,
      1,
      7,
      2,
      [{ topicId: 'orders', partitions: [{ partition: 3, currentLeaderEpoch: 4, fetchOffset: 42n, lastFetchedEpoch: 2, partitionMaxBytes: 65536 }] }],
      [{ topic: 'old', partitions: [1, 2] }],
      'rack-a',
    ],
    body: {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 1,
      sessionId: 7,
      sessionEpoch: 2,
      topics: [{ topic: 'orders', partitions: [{ partition: 3, currentLeaderEpoch: 4, fetchOffset: 42n, lastFetchedEpoch: 2, logStartOffset: -1n, partitionMaxBytes: 65536 }] }],
      forgottenTopicsData: [{ topic: 'old', partitions: [1, 2] }],
      rackId: 'rack-a',
    },
  },
  ListOffsets: {
    args: [-1, 1, [{ name: 'orders', partitions: [{ partitionIndex: 2, currentLeaderEpoch: 5, timestamp: -2n }] }]],
    body: { replicaId: -1, isolationLevel: 1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, currentLeaderEpoch: 5, timestamp: -2n }] }] },
  },
  FindCoordinator: { args: [0, ['group-1']], body: { key: 'group-1', keyType: 0, coordinatorKeys: ['group-1'] } },
  JoinGroup: {
    args: ['group-1', 45000, 300000, 'member-1', 'instance-1', 'consumer', [{ name: 'range', metadata: meta }], 'joining'],
    body: {
      groupId: 'group-1',
      sessionTimeoutMs: 45000,
      rebalanceTimeoutMs: 300000,
      memberId: 'member-1',
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: meta }],
      reason: 'joining',
    },
  },
  SyncGroup: {
    args: ['group-1', 3, 'member-1', 'instance-1', 'consumer', 'range', [{ memberId: 'member-1', assignment: meta }]],
    body: {
      groupId: 'group-1',
      generationId: 3,
      memberId: 'member-1',
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: 'member-1', assignment: meta }],
    },
  },
  Heartbeat: { args: ['group-1', 3, 'member-1', 'instance-1'], body: { groupId: 'group-1', generationId: 3, memberId: 'member-1', groupInstanceId: 'instance-1' } },
  LeaveGroup: {
    args: ['group-1', [{ memberId: 'member-1', groupInstanceId: 'instance-1', reason: 'bye' }]],
    body: { groupId: 'group-1', memberId: 'member-1', members: [{ memberId: 'member-1', groupInstanceId: 'instance-1', reason: 'bye' }] },
  },
  OffsetCommit: {
    args: ['group-1', 3, 'member-1', 'instance-1', [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 100n, committedLeaderEpoch: 2, committedMetadata: 'm' }] }]],
    body: {
      groupId: 'group-1',
      generationIdOrMemberEpoch: 3,
      memberId: 'member-1',
      groupInstanceId: 'instance-1',
      retentionTimeMs: -1n,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 100n, committedLeaderEpoch: 2, commitTimestamp: -1n, committedMetadata: 'm' }] }],
    },
  },
  OffsetFetch: {
    args: [[{ groupId: 'group-1', memberId: 'member-1', memberEpoch: 4, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }], true],
    body: {
      groupId: 'group-1',
      topics: [{ name: 'orders', partitionIndexes: [0, 1] }],
      groups: [{ groupId: 'group-1', memberId: 'member-1', memberEpoch: 4, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }],
      requireStable: true,
    },
  },
  DescribeGroups: { args: [['group-1', 'group-2'], true], body: { groups: ['group-1', 'group-2'], includeAuthorizedOperations: true } },
  ListGroups: { args: [['STABLE'], ['classic']], body: { statesFilter: ['Stable'], typesFilter: ['classic'] } },
  SaslHandshake: { args: ['PLAIN'], body: { mechanism: 'PLAIN' } },
  CreateTopics: {
    args: [
      [{ name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      30000,
      true,
    ],
    body: {
      topics: [{ name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeoutMs: 30000,
      validateOnly: true,
    },
  },
  DeleteTopics: {
    args: [[{ name: 'orders', topicId: TOPIC_ID }], 30000],
    body: { topics: [{ name: 'orders', topicId: TOPIC_ID }], topicNames: ['orders'], timeoutMs: 30000 },
  },
  DeleteRecords: {
    args: [[{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 10n }] }], 5000],
    body: { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 10n }] }], timeoutMs: 5000 },
  },
  InitProducerId: { args: [null, 60000], body: { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 } },
  DescribeConfigs: {
    args: [[{ resourceType: 2, resourceName: 'orders', configurationKeys: ['cleanup.policy'] }], true, true],
    body: { resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['cleanup.policy'] }], includeSynonyms: true, includeDocumentation: true },
  },
  AlterConfigs: {
    args: [[{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '1000' }] }], true],
    body: { resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: true },
  },
  IncrementalAlterConfigs: {
    args: [[{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 1, value: null }] }], false],
    body: { resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 1, value: null }] }], validateOnly: false },
  },
  CreatePartitions: {
    args: [[{ name: 'orders', count: 6, assignments: [{ brokerIds: [1] }] }], 5000, false],
    body: { topics: [{ name: 'orders', count: 6, assignments: [{ brokerIds: [1] }] }], timeoutMs: 5000, validateOnly: false },
  },
  DeleteGroups: { args: [['group-1', 'group-2']], body: { groupsNames: ['group-1', 'group-2'] } },
  OffsetDelete: {
    args: ['group-1', [{ name: 'orders', partitions: [{ partitionIndex: 0 }, { partitionIndex: 4 }] }]],
    body: { groupId: 'group-1', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }, { partitionIndex: 4 }] }] },
  },
  DescribeCluster: { args: [true, 1], body: { includeClusterAuthorizedOperations: true, endpointType: 1 } },
};

/** Versions in our advertised range that platformatic implements. */
function versions(api: ApiDescriptor): number[] {
  const out: number[] = [];
  for (let v = api.minVersion; v <= api.maxVersion; v++) if (pkApi(api.name, v)) out.push(v);
  return out;
}

describe('requests encoded by @platformatic/kafka', () => {
  it('has a case for every API', () => {
    expect(Object.keys(requests).sort()).toEqual([...API_REGISTRY.values()].map((a) => a.name).sort());
  });

  for (const [name, c] of Object.entries(requests) as [ApiName, RequestCase][]) {
    const api = getApi(ApiKey[name]) as ApiDescriptor;
    it.each(versions(api))(`${name} v%i`, (v) => {
      const pkBody = (pkApi(name, v) as PkApi).createRequest(...c.args).buffer;
      const req = decodeRequest(Buffer.concat([header(api, v, 99), pkBody]));
      expect(req.header).toEqual({ apiKey: api.apiKey, apiVersion: v, correlationId: 99, clientId: 'pk' });
      expect(req.trailingBytes).toBe(0);
      expect(req.body).toMatchObject(project(api.request.fields, v, c.body));
      c.check?.(req.body, v);
    });
  }
});

/** Clears every error (platformatic throws on errors) and sets every records field to `records`. */
function normalise(o: unknown, records: Buffer | null): unknown {
  if (Array.isArray(o)) return o.map((e) => normalise(e, records));
  if (o === null || typeof o !== 'object' || Buffer.isBuffer(o)) return o;
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === 'errorCode' ? 0 : k === 'batchIndexErrorMessage' ? null : k === 'records' ? records : normalise(v, records);
  return out;
}

/** Where platformatic's parsed shape differs from Kafka's field names, bring ours to its shape. */
function asPlatformatic(name: ApiName, v: number, expected: Obj): Obj {
  if (name === 'Fetch') {
    // It keeps the topic name in `topicId` for versions before topic ids, and decodes records.
    for (const t of expected.responses as Obj[]) {
      t.topicId = t.topic;
      delete t.topic;
      for (const p of t.partitions as Obj[]) delete p.records;
    }
  }
  if (name === 'FindCoordinator' && v < 4) {
    const { errorCode, errorMessage = null, nodeId, host, port, ...rest } = expected;
    return { ...rest, coordinators: [{ key: '', errorCode, errorMessage, nodeId, host, port }] };
  }
  if (name === 'CreateTopics') {
    // It does not read the TopicConfigErrorCode tag (tag 0) back.
    for (const t of expected.topics as Obj[]) delete t.topicConfigErrorCode;
  }
  return expected;
}

describe('responses parsed by @platformatic/kafka', () => {
  const batch = pk.createRecordsBatch([{ key: Buffer.from('k'), value: Buffer.from('value'), timestamp: 1700000000000n } as never]).buffer;

  for (const api of API_REGISTRY.values()) {
    it.each(versions(api))(`${api.name} v%i`, (v) => {
      for (let seed = 1; seed <= 3; seed++) {
        const body = normalise(sample(api.response.fields, v, seededRandom(seed * 31 + v)), batch) as Obj;
        // A zero-copy threshold below the batch size puts the batch in its own chunk.
        const frame = frameOf(encodeResponse({ correlationId: 5 }, api.apiKey, v, body, { zeroCopyThreshold: 16 }));
        const headerSize = api.isFlexible(v) && api.name !== 'ApiVersions' ? 5 : 4;
        expect(frame.readInt32BE(0)).toBe(5);
        const parsed = (pkApi(api.name, v) as PkApi).parseResponse(5, api.apiKey, v, pk.Reader.from(frame.subarray(headerSize)));
        expect(parsed).toMatchObject(asPlatformatic(api.name, v, project(api.response.fields, v, body)));
        if (api.name === 'Fetch') {
          const partitions = (parsed.responses as { partitions: { records: { records: { value: Buffer }[] }[] }[] }[]).flatMap((t) => t.partitions);
          for (const p of partitions) expect(p.records[0].records[0].value.toString()).toBe('value');
        }
      }
    });
  }
});
