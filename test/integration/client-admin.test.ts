// @services kafka
// The Sluice admin client against a real broker: topics, configs, partitions, offsets and groups.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KafkaAdmin, KafkaConsumer, KafkaProducer } from '../../runtime/client/index.ts';
import { brokerNames, uniqueTopic, useBroker } from './client-targets.ts';

describe.each(brokerNames())('KafkaAdmin against %s', (broker) => {
  const bootstrap = useBroker(broker);
  let admin: KafkaAdmin;
  beforeAll(() => {
    admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap() });
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('creates topics with partitions and configs, once', async () => {
    const name = uniqueTopic('admin-create');
    expect(await admin.createTopics([{ name, partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '123456', 'cleanup.policy': 'compact' } }])).toEqual([name]);
    expect(await admin.createTopics([{ name, partitions: 3 }], { ifNotExists: true })).toEqual([]);
    await expect(admin.createTopics([{ name, partitions: 3 }])).rejects.toMatchObject({ code: 'TOPIC_ALREADY_EXISTS', retriable: false, context: { topic: name } });
    expect(await admin.listTopics()).toContain(name);

    const [described] = await admin.describeTopics([name]);
    expect(described).toMatchObject({ name, internal: false });
    expect(described.partitions.map((p) => [p.partition, p.replicas.length, p.isr.length, p.leader >= 0])).toEqual([
      [0, 1, 1, true],
      [1, 1, 1, true],
      [2, 1, 1, true],
    ]);
    const configs = Object.fromEntries((await admin.describeTopicConfigs(name)).map((c) => [c.name, [c.value, c.source]]));
    expect(configs['retention.ms']).toEqual(['123456', 'DYNAMIC_TOPIC_CONFIG']);
    expect(configs['cleanup.policy']).toEqual(['compact', 'DYNAMIC_TOPIC_CONFIG']);
    expect(configs['segment.bytes']?.[1]).not.toBe('DYNAMIC_TOPIC_CONFIG');
  });

  it('alters configs, grows partitions and deletes topics', async () => {
    const name = uniqueTopic('admin-alter');
    await admin.createTopics([{ name, partitions: 1, configs: { 'retention.ms': '1000000' } }]);
    await admin.alterTopicConfigs(name, { 'max.message.bytes': '20000' }, ['retention.ms']);
    const configs = Object.fromEntries((await admin.describeTopicConfigs(name)).map((c) => [c.name, c]));
    expect(configs['max.message.bytes']).toMatchObject({ value: '20000', source: 'DYNAMIC_TOPIC_CONFIG' });
    expect(configs['retention.ms'].source).not.toBe('DYNAMIC_TOPIC_CONFIG');
    await admin.createPartitions(name, 4);
    // As with deletion below, Kafka's metadata cache learns of the new partitions asynchronously.
    await vi.waitFor(async () => expect((await admin.describeTopics([name]))[0].partitions).toHaveLength(4), { timeout: 10_000, interval: 200 });
    await expect(admin.createPartitions(name, 2)).rejects.toMatchObject({ code: 'INVALID_PARTITIONS' });
    await admin.deleteTopics([name]);
    // Kafka propagates a deletion to its metadata cache asynchronously: wait for it to show.
    await vi.waitFor(() => expect(admin.describeTopics([name])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', context: { topic: name } }), { timeout: 10_000, interval: 200 });
  });

  it('describes internal topics too', async () => {
    // A group commit makes sure __consumer_offsets exists.
    const topic = uniqueTopic('admin-internal');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    await admin.alterGroupOffsets(uniqueTopic('admin-internal-group'), [{ topic, partition: 0, offset: 0n }]);
    expect(await admin.listTopics()).not.toContain('__consumer_offsets');
    expect(await admin.listTopics({ includeInternal: true })).toContain('__consumer_offsets');
    const [offsets] = await admin.describeTopics(['__consumer_offsets']);
    expect(offsets.internal).toBe(true);
    expect(offsets.partitions.length).toBeGreaterThan(0);
  });

  it('lists offsets at the log start, the log end and by timestamp', async () => {
    const topic = uniqueTopic('admin-offsets');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap() });
    for (const [i, timestamp] of [1_000_000, 2_000_000, 3_000_000].entries()) await producer.send({ topic, value: Buffer.from(`v${i}`), timestamp });
    await producer.close();
    const tp = [{ topic, partition: 0 }];
    const key = `${topic}-0`;
    expect((await admin.listOffsets(tp, 'earliest')).get(key)).toBe(0n);
    expect((await admin.listOffsets(tp, 'latest')).get(key)).toBe(3n);
    expect((await admin.listOffsets(tp, { timestamp: 1_500_000 })).get(key)).toBe(1n);
    expect((await admin.listOffsets(tp, { timestamp: 3_000_000 })).get(key)).toBe(2n);
    // Past the last record: the log end, as Kafka's tools report it.
    expect((await admin.listOffsets(tp, { timestamp: 9_000_000 })).get(key)).toBe(3n);
  });

  it('lists, describes, re-positions and deletes consumer groups', async () => {
    const topic = uniqueTopic('admin-groups');
    const group = uniqueTopic('admin-group');
    await admin.createTopics([{ name: topic, partitions: 2 }]);
    const consumer = new KafkaConsumer({ 'bootstrap.servers': bootstrap(), 'group.id': group, 'client.id': 'admin-test-client', 'session.timeout.ms': '10000', 'heartbeat.interval.ms': '500' });
    try {
      await consumer.subscribe([topic]);
      const deadline = Date.now() + 30_000;
      while (consumer.assignment().length < 2 && Date.now() < deadline) await consumer.poll(200);
      await consumer.commit([
        { topic, partition: 0, offset: 0n },
        { topic, partition: 1, offset: 0n },
      ]);
      expect((await admin.listGroups()).find((g) => g.groupId === group)).toMatchObject({ state: 'Stable', protocolType: 'consumer' });
      const [described] = await admin.describeGroups([group]);
      expect(described).toMatchObject({ groupId: group, state: 'Stable', protocol: 'range' });
      expect(described.members).toHaveLength(1);
      expect(described.members[0]).toMatchObject({ memberId: consumer.membership()!.memberId, clientId: 'admin-test-client' });
      expect(described.members[0].assignment.map((p) => p.partition).sort()).toEqual([0, 1]);
      // An active group refuses deletion and offset changes.
      expect((await admin.deleteGroups([group])).get(group)).toMatchObject({ code: 'NON_EMPTY_GROUP' });
    } finally {
      await consumer.close();
    }
    await admin.alterGroupOffsets(group, [{ topic, partition: 1, offset: 0n }]);
    expect(await admin.listGroupOffsets(group)).toEqual([
      { topic, partition: 0, offset: 0n },
      { topic, partition: 1, offset: 0n },
    ]);
    expect((await admin.describeGroups([group]))[0].state).toBe('Empty');
    expect((await admin.deleteGroups([group])).size).toBe(0);
    expect((await admin.describeGroups([group]))[0].state).toBe('Dead');
    expect((await admin.deleteGroups([group])).get(group)).toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
  });
});
