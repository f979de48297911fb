// Protocol semantics of the Sluice broker, checked at the wire with our own codec: ordering and
// acks=0, idempotent sequences (duplicates answered with their first offset, gaps refused, state
// surviving kill -9), long-polling fetches, offsets, limits and the admin APIs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compression } from '../../runtime/broker/log/batch-header.ts';
import { decodeBatches, encodeBatch } from '../../runtime/broker/log/records.ts';
import type { BatchInput } from '../../runtime/broker/log/records.ts';
import { ApiKey, ErrorCode, decodeResponse } from '../../runtime/broker/protocol/index.ts';
import type * as Api from '../../runtime/broker/protocol/index.ts';
import { RawKafkaConnection, freePort, removeDir, spawnBroker, startInProcessBroker, tempDataDir } from '../compat/broker-harness.ts';
import type { InProcessBroker } from '../compat/broker-harness.ts';

const enc = (s: string): Buffer => Buffer.from(s);

function batch(values: string[], extra: Partial<BatchInput> = {}, keys = true): Buffer {
  return encodeBatch({ records: values.map((v, i) => ({ key: keys ? enc(`k${i}`) : null, value: enc(v), timestamp: BigInt(Date.now()) })), ...extra });
}

function produceBody(topic: string, records: Buffer, acks = -1, partition = 0): object {
  return { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

type PartitionAnswer = Api.ProduceResponse['responses'][number]['partitionResponses'][number];

async function produce(conn: RawKafkaConnection, topic: string, records: Buffer, version = 9): Promise<PartitionAnswer> {
  const answer = await conn.request(ApiKey.Produce, version, produceBody(topic, records));
  return (answer.body as unknown as Api.ProduceResponse).responses[0].partitionResponses[0];
}

function fetchBody(topic: string, offset: bigint, options: { maxWaitMs?: number; minBytes?: number; sessionId?: number; sessionEpoch?: number } = {}): object {
  return {
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: options.sessionId ?? 0,
    sessionEpoch: options.sessionEpoch ?? -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20, logStartOffset: -1n, currentLeaderEpoch: -1 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

type FetchPartition = Api.FetchResponse['responses'][number]['partitions'][number];

async function fetchPartition(conn: RawKafkaConnection, topic: string, offset: bigint, options = {}): Promise<{ top: Api.FetchResponse; p: FetchPartition }> {
  const answer = await conn.request(ApiKey.Fetch, 11, fetchBody(topic, offset, options));
  const top = answer.body as unknown as Api.FetchResponse;
  return { top, p: top.responses[0]?.partitions[0] };
}

function values(records: Buffer): string[] {
  return [...decodeBatches(records)].flatMap((b) => b.records.map((r) => Buffer.from(r.value ?? []).toString()));
}

async function createTopic(conn: RawKafkaConnection, name: string, configs: Record<string, string> = {}, partitions = 1): Promise<Api.CreateTopicsResponse['topics'][number]> {
  const answer = await conn.request(ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  return (answer.body as unknown as Api.CreateTopicsResponse).topics[0];
}

async function initProducerId(conn: RawKafkaConnection): Promise<bigint> {
  const answer = await conn.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  expect(answer.body.errorCode).toBe(ErrorCode.NONE);
  return answer.body.producerId as bigint;
}

describe('Sluice broker protocol semantics', () => {
  let b: InProcessBroker;
  let conn: RawKafkaConnection;
  beforeAll(async () => {
    b = await startInProcessBroker();
    conn = await RawKafkaConnection.connect(b.bootstrap);
  });
  afterAll(async () => {
    conn?.close();
    await b?.destroy();
  });

  it('answers pipelined requests in request order and sends nothing for acks=0', async () => {
    const topic = `order-${randomUUID()}`;
    expect((await createTopic(conn, topic)).errorCode).toBe(ErrorCode.NONE);
    const sent: { id: number; apiKey: number; version: number }[] = [];
    for (let i = 0; i < 30; i++) {
      const kind = i % 5;
      if (kind === 0) sent.push({ id: conn.send(ApiKey.Metadata, 9, { topics: null }), apiKey: ApiKey.Metadata, version: 9 });
      else if (kind === 1) sent.push({ id: conn.send(ApiKey.Produce, 7, produceBody(topic, batch([`v${i}`]), 1)), apiKey: ApiKey.Produce, version: 7 });
      else if (kind === 2) conn.send(ApiKey.Produce, 7, produceBody(topic, batch([`zero${i}`]), 0)); // acks=0: no answer
      else if (kind === 3) sent.push({ id: conn.send(ApiKey.Fetch, 11, fetchBody(topic, 0n, { maxWaitMs: 50, minBytes: 1 << 20 })), apiKey: ApiKey.Fetch, version: 11 });
      else sent.push({ id: conn.send(ApiKey.ApiVersions, 2, {}), apiKey: ApiKey.ApiVersions, version: 2 });
    }
    for (const s of sent) {
      const frame = await conn.nextFrame();
      expect(frame).toBeDefined();
      expect(decodeResponse(frame as Buffer, s.apiKey, s.version).correlationId).toBe(s.id);
    }
    // Every produce landed, the acks=0 ones included.
    const { p } = await fetchPartition(conn, topic, 0n);
    expect(values(p.records as Buffer)).toHaveLength(12);
  });

  it('closes an acks=0 producer connection when its produce fails, as Kafka does', async () => {
    const topic = `zero-${randomUUID()}`;
    await createTopic(conn, topic, { 'max.message.bytes': '100' });
    const zero = await RawKafkaConnection.connect(b.bootstrap);
    zero.send(ApiKey.Produce, 7, produceBody(topic, batch(['fits']), 0));
    zero.send(ApiKey.Produce, 7, produceBody(topic, batch(['w'.repeat(500)]), 0));
    await zero.waitClosed();
    const { p } = await fetchPartition(conn, topic, 0n);
    expect(values(p.records as Buffer)).toEqual(['fits']);
  });

  it('answers a duplicate idempotent batch with its original offset and refuses a sequence gap', async () => {
    const topic = `idem-${randomUUID()}`;
    await createTopic(conn, topic);
    const producerId = await initProducerId(conn);
    expect(await initProducerId(conn)).not.toBe(producerId);
    const idem = (seq: number, vals: string[]): Buffer => batch(vals, { producerId, producerEpoch: 0, baseSequence: seq });
    expect(await produce(conn, topic, idem(0, ['a', 'b', 'c']))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect(await produce(conn, topic, idem(3, ['d']))).toMatchObject({ errorCode: 0, baseOffset: 3n });
    // A retry of the first batch: same offset, nothing appended.
    expect(await produce(conn, topic, idem(0, ['a', 'b', 'c']))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect(await produce(conn, topic, idem(9, ['gap']))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(await produce(conn, topic, idem(4, ['old']))).toMatchObject({ errorCode: 0, baseOffset: 4n });
    const { p } = await fetchPartition(conn, topic, 0n);
    expect(values(p.records as Buffer)).toEqual(['a', 'b', 'c', 'd', 'old']);
  });

  it('long-polls a fetch at the log end until a record arrives', async () => {
    const topic = `poll-${randomUUID()}`;
    await createTopic(conn, topic);
    const waiter = await RawKafkaConnection.connect(b.bootstrap);
    const id = waiter.send(ApiKey.Fetch, 11, fetchBody(topic, 0n, { maxWaitMs: 60_000, minBytes: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await produce(conn, topic, batch(['wake']))).toMatchObject({ errorCode: 0 });
    // Long before the 60 s wait ends, the append wakes the fetch.
    const frame = await waiter.nextFrame(20_000);
    const answer = decodeResponse(frame as Buffer, ApiKey.Fetch, 11);
    expect(answer.correlationId).toBe(id);
    expect(values((answer.body as unknown as Api.FetchResponse).responses[0].partitions[0].records as Buffer)).toEqual(['wake']);
    waiter.close();
  });

  it('declines fetch sessions, and reports offsets out of range', async () => {
    const topic = `fetch-${randomUUID()}`;
    await createTopic(conn, topic);
    await produce(conn, topic, batch(['x', 'y']));
    const asked = await fetchPartition(conn, topic, 0n, { sessionId: 0, sessionEpoch: 0 });
    expect(asked.top.sessionId).toBe(0);
    expect(asked.top.errorCode).toBe(0);
    const unknown = await fetchPartition(conn, topic, 0n, { sessionId: 1234, sessionEpoch: 1 });
    expect(unknown.top.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const beyond = await fetchPartition(conn, topic, 99n);
    expect(beyond.p).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: 2n, logStartOffset: 0n });
    // An offset inside a batch returns the whole batch.
    expect(values((await fetchPartition(conn, topic, 1n)).p.records as Buffer)).toEqual(['x', 'y']);
  });

  it('honours maxBytes and partitionMaxBytes, always returning the first batch whole', async () => {
    const topic = `limits-${randomUUID()}`;
    await createTopic(conn, topic, {}, 2);
    const big = (tag: string): Buffer => batch([`${tag}-${'a'.repeat(3000)}`]);
    const size = big('x').length;
    await conn.request(ApiKey.Produce, 9, produceBody(topic, big('p0-first'), -1, 0));
    await conn.request(ApiKey.Produce, 9, produceBody(topic, big('p0-second'), -1, 0));
    await conn.request(ApiKey.Produce, 9, produceBody(topic, big('p1-first'), -1, 1));
    const fetchBoth = async (maxBytes: number, partitionMaxBytes: number): Promise<string[][]> => {
      const answer = await conn.request(ApiKey.Fetch, 11, {
        ...fetchBody(topic, 0n),
        maxBytes,
        topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes, logStartOffset: -1n, currentLeaderEpoch: -1 })) }],
      });
      return (answer.body as unknown as Api.FetchResponse).responses[0].partitions.map((p) => values(p.records as Buffer).map((v) => v.split('-a')[0]));
    };
    // Both limits below one batch: the response still carries one whole batch, then nothing more.
    expect(await fetchBoth(1000, 500)).toEqual([['p0-first'], []]);
    // Room for one batch per partition.
    expect(await fetchBoth(100_000, size + 10)).toEqual([['p0-first'], ['p1-first']]);
    expect(await fetchBoth(100_000, 100_000)).toEqual([['p0-first', 'p0-second'], ['p1-first']]);
  });

  it('lists earliest, latest, by-timestamp and max-timestamp offsets', async () => {
    const topic = `lo-${randomUUID()}`;
    await createTopic(conn, topic);
    const at = (ts: number, v: string): Buffer => encodeBatch({ records: [{ key: enc('k'), value: enc(v), timestamp: BigInt(ts) }] });
    const t0 = Date.now() - 60_000;
    await produce(conn, topic, at(t0, 'a'));
    await produce(conn, topic, at(t0 + 5_000, 'b'));
    await produce(conn, topic, at(t0 + 1_000, 'c'));
    const list = async (timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint; errorCode: number }> => {
      const answer = await conn.request(ApiKey.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, currentLeaderEpoch: -1 }] }] });
      return (answer.body as unknown as Api.ListOffsetsResponse).topics[0].partitions[0];
    };
    expect(await list(-2n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await list(-1n)).toMatchObject({ errorCode: 0, offset: 3n });
    expect(await list(BigInt(t0 + 500))).toMatchObject({ offset: 1n, timestamp: BigInt(t0 + 5_000) });
    expect(await list(BigInt(t0 + 10_000))).toMatchObject({ offset: -1n, timestamp: -1n });
    expect(await list(-3n)).toMatchObject({ offset: 1n, timestamp: BigInt(t0 + 5_000) });
  });

  it('refuses oversized batches, keyless records on compacted topics, bad CRCs and unknown partitions', async () => {
    const small = `small-${randomUUID()}`;
    await createTopic(conn, small, { 'max.message.bytes': '200' });
    expect(await produce(conn, small, batch(['y'.repeat(500)]))).toMatchObject({ errorCode: ErrorCode.MESSAGE_TOO_LARGE });
    const compacted = `compact-${randomUUID()}`;
    await createTopic(conn, compacted, { 'cleanup.policy': 'compact' });
    const keyless = await produce(conn, compacted, batch(['no key'], {}, false));
    expect(keyless.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(keyless.errorMessage).toContain('needs a key');
    expect(await produce(conn, compacted, batch(['keyed'], { compression: Compression.Gzip }))).toMatchObject({ errorCode: 0 });
    const corrupt = batch(['z']);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(await produce(conn, compacted, corrupt)).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE });
    const answer = await conn.request(ApiKey.Produce, 9, produceBody(compacted, batch(['p']), -1, 7));
    expect((answer.body as unknown as Api.ProduceResponse).responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await produce(conn, '__consumer_offsets', batch(['forged']))).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
  });

  it('auto-creates topics on Metadata only when allowed, and refuses invalid names', async () => {
    const topic = `auto-${randomUUID()}`;
    const no = await conn.request(ApiKey.Metadata, 9, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    expect((no.body as unknown as Api.MetadataResponse).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const yes = await conn.request(ApiKey.Metadata, 9, { topics: [{ name: topic }], allowAutoTopicCreation: true });
    const t = (yes.body as unknown as Api.MetadataResponse).topics[0];
    expect(t.errorCode).toBe(0);
    expect(t.partitions).toHaveLength(1);
    expect((yes.body as unknown as Api.MetadataResponse).clusterId).toBe(b.broker.clusterId);
    const bad = await conn.request(ApiKey.Metadata, 4, { topics: [{ name: 'bad name!' }], allowAutoTopicCreation: true });
    expect((bad.body as unknown as Api.MetadataResponse).topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('creates topics with validation, describes and alters their configs, deletes records and topics', async () => {
    const topic = `admin-${randomUUID()}`;
    const validate = await conn.request(ApiKey.CreateTopics, 7, {
      topics: [{ name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect((validate.body as unknown as Api.CreateTopicsResponse).topics[0].errorCode).toBe(0);
    const md = await conn.request(ApiKey.Metadata, 9, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    expect((md.body as unknown as Api.MetadataResponse).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const created = await createTopic(conn, topic, { 'retention.ms': '3600000' }, 2);
    expect(created).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 1 });
    expect(created.configs?.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '3600000', configSource: 1 });
    expect((await createTopic(conn, topic)).errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    const rf = await conn.request(ApiKey.CreateTopics, 7, { topics: [{ name: `rf-${randomUUID()}`, numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    expect((rf.body as unknown as Api.CreateTopicsResponse).topics[0].errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    const badConfig = await createTopic(conn, `cfg-${randomUUID()}`, { 'retention.msx': '1' });
    expect(badConfig.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(badConfig.errorMessage).toContain('retention.ms');

    const describe = async (): Promise<Api.DescribeConfigsResponse['results'][number]['configs']> => {
      const answer = await conn.request(ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }], includeSynonyms: true, includeDocumentation: true });
      return (answer.body as unknown as Api.DescribeConfigsResponse).results[0].configs;
    };
    const configs = await describe();
    expect(configs.length).toBeGreaterThanOrEqual(20);
    expect(configs.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '3600000', configSource: 1 });
    expect(configs.find((c) => c.name === 'segment.bytes')).toMatchObject({ value: '1073741824', configSource: 5 });
    expect(configs.every((c) => c.documentation !== null && c.documentation !== '')).toBe(true);

    const altered = await conn.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }, { name: 'retention.ms', configOperation: 1, value: null }] }],
      validateOnly: false,
    });
    expect((altered.body as unknown as Api.IncrementalAlterConfigsResponse).responses[0].errorCode).toBe(0);
    const after = await describe();
    expect(after.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'delete,compact', configSource: 1 });
    expect(after.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '604800000', configSource: 5 });

    await produce(conn, topic, batch(['1', '2', '3', '4']));
    const del = await conn.request(ApiKey.DeleteRecords, 2, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 2n }] }], timeoutMs: 1000 });
    expect((del.body as unknown as Api.DeleteRecordsResponse).topics[0].partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 2n });
    expect((await fetchPartition(conn, topic, 0n)).p.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);

    const parts = await conn.request(ApiKey.CreatePartitions, 3, { topics: [{ name: topic, count: 4, assignments: null }], timeoutMs: 1000, validateOnly: false });
    expect((parts.body as unknown as Api.CreatePartitionsResponse).results[0]).toMatchObject({ name: topic, errorCode: 0 });
    const fewer = await conn.request(ApiKey.CreatePartitions, 3, { topics: [{ name: topic, count: 1, assignments: null }], timeoutMs: 1000, validateOnly: false });
    expect((fewer.body as unknown as Api.CreatePartitionsResponse).results[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS);

    const deleted = await conn.request(ApiKey.DeleteTopics, 4, { topicNames: [topic], timeoutMs: 1000 });
    expect((deleted.body as unknown as Api.DeleteTopicsResponse).responses[0].errorCode).toBe(0);
    const gone = await conn.request(ApiKey.Metadata, 9, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    expect((gone.body as unknown as Api.MetadataResponse).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('describes the cluster and its broker configs', async () => {
    const cluster = await conn.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    expect(cluster.body).toMatchObject({ errorCode: 0, clusterId: b.broker.clusterId, controllerId: b.broker.nodeId });
    const configs = await conn.request(ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: 4, resourceName: String(b.broker.nodeId), configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    const entries = (configs.body as unknown as Api.DescribeConfigsResponse).results[0].configs;
    expect(entries.find((c) => c.name === 'group.initial.rebalance.delay.ms')).toMatchObject({ value: '0', configSource: 4 });
    expect(entries.find((c) => c.name === 'num.partitions')).toMatchObject({ value: '1', configSource: 5 });
  });
});

describe('idempotent producer state across kill -9', () => {
  it('answers a retried batch with its original offset after the broker was killed and restarted', async () => {
    const dataDir = await tempDataDir('sluice-idem-');
    const port = await freePort();
    let broker = await spawnBroker({ dataDir, port });
    try {
      const topic = `idem-kill-${randomUUID()}`;
      let conn = await RawKafkaConnection.connect(broker.bootstrap);
      await createTopic(conn, topic);
      const producerId = await initProducerId(conn);
      const idem = (seq: number, vals: string[]): Buffer => batch(vals, { producerId, producerEpoch: 0, baseSequence: seq });
      expect(await produce(conn, topic, idem(0, ['a', 'b']))).toMatchObject({ errorCode: 0, baseOffset: 0n });
      expect(await produce(conn, topic, idem(2, ['c']))).toMatchObject({ errorCode: 0, baseOffset: 2n });
      conn.close();
      await broker.kill9();

      broker = await spawnBroker({ dataDir, port });
      conn = await RawKafkaConnection.connect(broker.bootstrap);
      expect(await produce(conn, topic, idem(2, ['c']))).toMatchObject({ errorCode: 0, baseOffset: 2n });
      expect(await produce(conn, topic, idem(3, ['d']))).toMatchObject({ errorCode: 0, baseOffset: 3n });
      expect(await produce(conn, topic, idem(7, ['gap']))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
      // Producer ids handed out after the restart were never handed out before.
      expect(await initProducerId(conn)).toBeGreaterThan(producerId);
      const { p } = await fetchPartition(conn, topic, 0n);
      expect(values(p.records as Buffer)).toEqual(['a', 'b', 'c', 'd']);
      conn.close();
    } finally {
      await broker.kill9();
      await removeDir(dataDir);
    }
  });
});
