// The Sluice broker (in-process) with the npm Kafka clients nobody here wrote: kafkajs
// (non-flexible protocol versions) and @platformatic/kafka (flexible versions only). Producers,
// consumer groups, committed offsets, and keys landing where the Java partitioner puts them.
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Producer, compatibilityPartitioner, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaPartition } from '../../runtime/client/partitioner.ts';
import { startInProcessBroker } from '../compat/broker-harness.ts';
import type { InProcessBroker } from '../compat/broker-harness.ts';

const PARTITIONS = 3;

function kafkajs(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'broker-clients-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
}

describe('Sluice broker with kafkajs and @platformatic/kafka', () => {
  let b: InProcessBroker;
  beforeAll(async () => {
    b = await startInProcessBroker();
  });
  afterAll(async () => {
    await b?.destroy();
  });

  it('kafkajs: idempotent producer, keys on the Java partition, consumer group with committed offsets', async () => {
    const topic = `kjs-${randomUUID()}`;
    const groupId = `kjs-group-${randomUUID()}`;
    const kafka = kafkajs(b.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }));
    const acks = await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();
    expect(acks.every((a) => a.errorCode === 0)).toBe(true);

    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Map<string, { value: string; partition: number }>();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.set(message.key!.toString(), { value: message.value!.toString(), partition });
          if (received.size === sent.length) resolve();
        },
      });
    });
    await consumer.disconnect();

    for (const m of sent) {
      const got = received.get(m.key);
      expect(got?.value).toBe(m.value);
      expect(got?.partition).toBe(javaPartition(Buffer.from(m.key), PARTITIONS));
    }
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(sent.length);
    await admin.disconnect();
  });

  it('@platformatic/kafka: producer with the Java-compatible partitioner and a consumer group', async () => {
    const topic = `plt-${randomUUID()}`;
    const admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers: [b.bootstrap] });
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
    await admin.close();

    const producer = new Producer({
      clientId: 'plt-producer',
      bootstrapBrokers: [b.bootstrap],
      serializers: stringSerializers,
      partitioner: compatibilityPartitioner,
      idempotent: true,
      acks: -1,
    });
    const sent = Array.from({ length: 45 }, (_, i) => ({ topic, key: `pk-${i}`, value: `pv-${i}`, headers: new Map([['h', `${i}`]]) }));
    await producer.send({ messages: sent });
    await producer.close();

    const consumer = new Consumer({
      clientId: 'plt-consumer',
      groupId: `plt-group-${randomUUID()}`,
      bootstrapBrokers: [b.bootstrap],
      deserializers: stringDeserializers,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const received = new Map<string, { value: string; partition: number; header: string | undefined }>();
    for await (const message of stream) {
      received.set(message.key, { value: message.value, partition: message.partition, header: message.headers.get('h') });
      await message.commit();
      if (received.size === sent.length) break;
    }
    await stream.close();
    await consumer.close();

    for (const [i, m] of sent.entries()) {
      const got = received.get(m.key);
      expect(got?.value).toBe(m.value);
      expect(got?.header).toBe(`${i}`);
      expect(got?.partition).toBe(javaPartition(Buffer.from(m.key), PARTITIONS));
    }
  });

  it('kafkajs and platformatic produce the same key to the same partition', async () => {
    const topic = `both-${randomUUID()}`;
    const kafka = kafkajs(b.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 7 }], waitForLeaders: true });
    await admin.disconnect();
    const keys = Array.from({ length: 30 }, (_, i) => `same-${i * 7919}`);

    const kp = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await kp.connect();
    const fromKafkajs = await Promise.all(keys.map(async (key) => (await kp.send({ topic, messages: [{ key, value: 'kafkajs' }] }))[0].partition));
    await kp.disconnect();

    const pp = new Producer({ clientId: 'plt-both', bootstrapBrokers: [b.bootstrap], serializers: stringSerializers, partitioner: compatibilityPartitioner });
    const fromPlatformatic = [];
    for (const key of keys) {
      const result = await pp.send({ messages: [{ topic, key, value: 'platformatic' }] });
      fromPlatformatic.push(result.offsets?.[0]?.partition);
    }
    await pp.close();
    expect(fromPlatformatic).toEqual(fromKafkajs);
    expect(fromKafkajs).toEqual(keys.map((k) => javaPartition(Buffer.from(k), 7)));
  });
});
