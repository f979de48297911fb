// @services kafka
// The Sluice consumer reading transactional records written to Apache Kafka by
// @platformatic/kafka's transactional producer: read_committed drops aborted transactions, both
// isolation levels skip the transaction markers and move the position past them.
import { Producer } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaConsumer } from '../../runtime/client/index.ts';
import { uniqueTopic, useBroker } from './client-targets.ts';

describe('KafkaConsumer isolation levels against kafka', () => {
  const bootstrap = useBroker('kafka');
  let admin: KafkaAdmin;
  const topic = uniqueTopic('consumer-txn');

  beforeAll(async () => {
    admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap() });
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    const producer = new Producer({ clientId: 'consumer-txn-test', bootstrapBrokers: [bootstrap()], idempotent: true, transactionalId: uniqueTopic('txn') });
    try {
      const transaction = async (values: string[], commit: boolean): Promise<void> => {
        const tx = await producer.beginTransaction();
        await tx.send({ messages: values.map((v) => ({ topic, partition: 0, value: Buffer.from(v) })) });
        await (commit ? tx.commit() : tx.abort());
      };
      // Offsets: c0 0, c1 1, marker 2, a0 3, a1 4, marker 5, c2 6, marker 7.
      await transaction(['c0', 'c1'], true);
      await transaction(['a0', 'a1'], false);
      await transaction(['c2'], true);
    } finally {
      await producer.close();
    }
  });
  afterAll(async () => {
    await admin?.close();
  });

  const readAll = async (isolation: string, count: number): Promise<{ records: string[]; position: bigint | undefined }> => {
    const consumer = new KafkaConsumer({ 'bootstrap.servers': bootstrap(), 'isolation.level': isolation });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seekToBeginning([{ topic, partition: 0 }]);
      const records: string[] = [];
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (records.length < count || consumer.position(topic, 0) !== 8n)) {
        for (const r of await consumer.poll(500)) records.push(`${r.offset}:${r.value?.toString()}`);
      }
      return { records, position: consumer.position(topic, 0) };
    } finally {
      await consumer.close();
    }
  };

  it('read_committed returns committed records only and moves past aborted ones and the markers', async () => {
    expect(await readAll('read_committed', 3)).toEqual({ records: ['0:c0', '1:c1', '6:c2'], position: 8n });
  });

  it('read_uncommitted returns aborted records too, never the markers', async () => {
    expect(await readAll('read_uncommitted', 5)).toEqual({ records: ['0:c0', '1:c1', '3:a0', '4:a1', '6:c2'], position: 8n });
  });
});
