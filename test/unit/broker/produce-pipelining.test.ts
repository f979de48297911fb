// Produce requests on one connection while an fsync runs (flush.messages=1): the broker appends
// the requests behind the one waiting, so they share the next fsync, and still answers each only
// after the fsync covering it and strictly in request order (other requests' answers included).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatches, encodeBatch } from '../../../runtime/broker/log/records.ts';
import { ApiKey, ErrorCode, FrameSplitter, decodeResponse } from '../../../runtime/broker/protocol/index.ts';
import type * as Api from '../../../runtime/broker/protocol/index.ts';
import { startBroker } from '../../../runtime/broker/server/broker.ts';
import type { RunningBroker } from '../../../runtime/broker/server/broker.ts';
import { RawKafkaConnection, removeDir, tempDataDir } from '../../compat/broker-harness.ts';
import { HeldSyncs, until } from './sync-driver.ts';

const PRODUCE_VERSION = 9;

function produceBody(topic: string, value: string, acks: number): object {
  const records = encodeBatch({ records: [{ key: null, value: Buffer.from(value), timestamp: 1_700_000_000_000n }] });
  return { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

describe('Produce pipelining with group commit', () => {
  const syncs = new HeldSyncs();
  let broker: RunningBroker;
  let dataDir: string;
  let admin: RawKafkaConnection;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    broker = await startBroker({
      config: { properties: { 'group.initial.rebalance.delay.ms': '0' }, dataDir, listeners: 'PLAINTEXT://127.0.0.1:0' },
      logger: pino({ level: 'silent' }),
      syncData: syncs.sync,
    });
    admin = await RawKafkaConnection.connect(broker.bootstrap);
  });
  afterAll(async () => {
    syncs.resume();
    while (syncs.waiting > 0) syncs.release();
    admin?.close();
    await broker?.close();
    await removeDir(dataDir);
  });

  /** One partition, fsynced after every append (flush.messages=1). */
  async function createFsyncPerAppendTopic(topic: string): Promise<void> {
    const created = await admin.request(ApiKey.CreateTopics, 7, {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [{ name: 'flush.messages', value: '1' }] }],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    expect((created.body as unknown as Api.CreateTopicsResponse).topics[0].errorCode).toBe(ErrorCode.NONE);
  }

  async function latestOffset(topic: string): Promise<bigint> {
    const answer = await admin.request(ApiKey.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1 }] }] });
    return (answer.body as unknown as Api.ListOffsetsResponse).topics[0].partitions[0].offset;
  }

  it('appends requests behind one waiting for its fsync, shares the next fsync between them, and answers in order after each fsync', async () => {
    const topic = 'durable';
    await createFsyncPerAppendTopic(topic);

    const conn = await RawKafkaConnection.connect(broker.bootstrap);
    // Every response frame as it arrives, with what had happened to the fsyncs by then.
    const answers: { correlationId: number; baseOffset?: bigint; syncEvents: string[] }[] = [];
    const versionsRequests = new Set<number>();
    const splitter = new FrameSplitter();
    conn.socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        const correlationId = frame.readInt32BE(0);
        if (versionsRequests.has(correlationId)) {
          answers.push({ correlationId, syncEvents: [...syncs.events] });
          continue;
        }
        const body = decodeResponse(frame, ApiKey.Produce, PRODUCE_VERSION);
        const partition = (body.body as unknown as Api.ProduceResponse).responses[0].partitionResponses[0];
        expect(partition.errorCode).toBe(ErrorCode.NONE);
        answers.push({ correlationId, baseOffset: partition.baseOffset, syncEvents: [...syncs.events] });
      }
    });

    syncs.hold();
    const first = conn.send(ApiKey.Produce, PRODUCE_VERSION, produceBody(topic, 'a', -1));
    await until(() => syncs.waiting === 1, 'the fsync of the first append');
    const second = conn.send(ApiKey.Produce, PRODUCE_VERSION, produceBody(topic, 'b', -1));
    // Answered at once by its handler, but only after the answers ahead of it.
    const versions = conn.send(ApiKey.ApiVersions, 2, {});
    versionsRequests.add(versions);
    const third = conn.send(ApiKey.Produce, PRODUCE_VERSION, produceBody(topic, 'c', 1));
    // Appended while the first request still waits for its fsync.
    await until(async () => (await latestOffset(topic)) === 3n, 'the requests behind it to be appended');
    expect(syncs.started).toBe(1);

    syncs.release();
    await until(() => answers.length === 1 && syncs.waiting === 1, 'the first answer and the shared second fsync');
    expect(answers[0]).toMatchObject({ correlationId: first, baseOffset: 0n });
    expect(answers[0].syncEvents).toContain('sync 1 done');
    expect(syncs.started).toBe(2);

    syncs.release();
    await until(() => answers.length === 4, 'the answers to the requests behind the first');
    expect(answers.map((a) => [a.correlationId, a.baseOffset])).toEqual([
      [first, 0n],
      [second, 1n],
      [versions, undefined],
      [third, 2n],
    ]);
    for (const a of answers.slice(1)) expect(a.syncEvents).toContain('sync 2 done');
    expect(syncs.started).toBe(2);
    conn.close();
  });

  it('stores large requests sent back to back byte for byte (frames spanning socket chunks, queued behind one waiting for its fsync)', async () => {
    const topic = 'large-requests';
    await createFsyncPerAppendTopic(topic);
    // Distinct contents per request, each larger than one socket read (64 KiB).
    const values = Array.from({ length: 6 }, (_, i) => Buffer.alloc(150_000 + i * 1000, 0x41 + i).toString());

    const conn = await RawKafkaConnection.connect(broker.bootstrap);
    syncs.hold();
    // acks=0 waiting for its fsync holds up the requests behind it: they queue in the connection.
    conn.send(ApiKey.Produce, PRODUCE_VERSION, produceBody(topic, values[0], 0));
    await until(() => syncs.waiting === 1, 'the fsync of the first request');
    const acked = values.slice(1).map((v) => conn.send(ApiKey.Produce, PRODUCE_VERSION, produceBody(topic, v, 1)));
    syncs.resume();
    while (syncs.waiting > 0) syncs.release();
    for (const correlationId of acked) {
      const frame = await conn.nextFrame();
      const answer = decodeResponse(frame as Buffer, ApiKey.Produce, PRODUCE_VERSION);
      expect(answer.correlationId).toBe(correlationId);
      expect((answer.body as unknown as Api.ProduceResponse).responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
    }
    conn.close();

    const fetched = await admin.request(ApiKey.Fetch, 4, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 4 << 20,
      isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 4 << 20 }] }],
    });
    const records = (fetched.body as unknown as Api.FetchResponse).responses[0].partitions[0].records as Buffer;
    const stored = [...decodeBatches(records)].flatMap((batch) => batch.records.map((r) => Buffer.from(r.value ?? []).toString()));
    expect(stored.length).toBe(values.length);
    stored.forEach((v, i) => expect(v === values[i], `record ${i}`).toBe(true));
  });
});
