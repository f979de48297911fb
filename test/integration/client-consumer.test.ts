// @services kafka
// The Sluice consumer against a real broker: groups, commits and resumption, rebalance callbacks,
// pause/resume, seeks, offset reset policies, pattern subscriptions and manual assignment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaConsumer, KafkaProducer, topicPartitionKey } from '../../runtime/client/index.ts';
import type { ClientConfig, ConsumerRecord, TopicPartition } from '../../runtime/client/index.ts';
import { kafkaTool } from '../services/services.ts';
import { brokerNames, uniqueTopic, useBroker } from './client-targets.ts';

/** Polls until `count` records arrived or `timeoutMs` passed. */
async function pollRecords(consumer: KafkaConsumer, count: number, timeoutMs = 30_000): Promise<ConsumerRecord[]> {
  const records: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) records.push(...(await consumer.poll(500)));
  return records;
}

/** Polls until `check` holds or `timeoutMs` passed; returns what poll delivered meanwhile. */
async function pollUntil(consumers: KafkaConsumer[], check: () => boolean, timeoutMs = 60_000): Promise<ConsumerRecord[]> {
  const records: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) for (const results of await Promise.all(consumers.map((c) => c.poll(200)))) records.push(...results);
  return records;
}

const keysOf = (partitions: readonly TopicPartition[]): string[] => partitions.map((p) => topicPartitionKey(p.topic, p.partition)).sort();

describe.each(brokerNames())('KafkaConsumer against %s', (broker) => {
  const bootstrap = useBroker(broker);
  let admin: KafkaAdmin;
  let producer: KafkaProducer;
  const consumers: KafkaConsumer[] = [];
  const consumer = (config: ClientConfig): KafkaConsumer => {
    const created = new KafkaConsumer({ 'bootstrap.servers': bootstrap(), 'session.timeout.ms': '10000', 'heartbeat.interval.ms': '500', ...config });
    consumers.push(created);
    return created;
  };
  const produce = async (topic: string, count: number, partition?: number, prefix = 'v'): Promise<void> => {
    await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, partition, key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}${i}`) })));
  };

  beforeAll(() => {
    admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap() });
    producer = new KafkaProducer({ 'bootstrap.servers': bootstrap(), 'linger.ms': '0' });
  });
  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.close()));
    await producer?.close();
    await admin?.close();
  });

  it('resumes a group from its committed offsets without losing or repeating a record', async () => {
    const topic = uniqueTopic('consumer-resume');
    const group = uniqueTopic('group-resume');
    await admin.createTopics([{ name: topic, partitions: 3 }]);
    await produce(topic, 30);

    const first = consumer({ 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false', 'max.poll.records': '4' });
    await first.subscribe([topic]);
    const batch = await first.poll(20_000);
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.length).toBeLessThanOrEqual(4);
    // Commit exactly what was processed: the next offset after each record handed out.
    const processed = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const r of batch) processed.set(topicPartitionKey(r.topic, r.partition), { topic: r.topic, partition: r.partition, offset: r.offset + 1n });
    await first.commit([...processed.values()]);
    await first.close();

    const second = consumer({ 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false' });
    await second.subscribe([topic]);
    const rest = await pollRecords(second, 30 - batch.length);
    const seen = [...batch, ...rest].map((r) => r.value!.toString()).sort();
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
    await second.commit();
    const committed = await second.committed([0, 1, 2].map((partition) => ({ topic, partition })));
    const ends = await admin.listOffsets([0, 1, 2].map((partition) => ({ topic, partition })), 'latest');
    expect(Object.fromEntries(committed)).toEqual(Object.fromEntries(ends));

    // Kafka's own tool sees the same committed offsets while our member is in the group.
    const described = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', bootstrap(), '--describe', '--group', group], { timeoutMs: 60_000 });
    expect(described.exitCode, described.stderr).toBe(0);
    const rows = described.stdout.split('\n').filter((line) => line.startsWith(group)).map((line) => line.split(/\s+/));
    expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[5]]).sort()).toEqual(
      [0, 1, 2].map((p) => [topic, String(p), String(ends.get(`${topic}-${p}`)), String(ends.get(`${topic}-${p}`)), '0']).sort(),
    );
    // Our member and its assignment decode with Java's consumer protocol reader.
    expect(new Set(rows.map((r) => r[6]))).toEqual(new Set([second.membership()!.memberId]));
  });

  it('calls the rebalance listener as members join and leave, and every partition has one owner', async () => {
    const topic = uniqueTopic('consumer-rebalance');
    const group = uniqueTopic('group-rebalance');
    await admin.createTopics([{ name: topic, partitions: 4 }]);
    const events: string[] = [];
    // As in Java, revoked partitions are still assigned (with their positions) while the callback runs.
    const stillOwned: boolean[] = [];
    const listener = (name: string, self: () => KafkaConsumer) => ({
      onPartitionsAssigned: (ps: TopicPartition[]) => void events.push(`${name}+${keysOf(ps).join(',')}`),
      onPartitionsRevoked: (ps: TopicPartition[]) => {
        events.push(`${name}-${keysOf(ps).join(',')}`);
        stillOwned.push(keysOf(ps).every((k) => keysOf(self().assignment()).includes(k)));
      },
    });
    const a = consumer({ 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false' });
    await a.subscribe([topic], listener('a', () => a));
    await pollUntil([a], () => a.assignment().length === 4);
    expect(keysOf(a.assignment())).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`));

    const b = consumer({ 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false' });
    const joining = b.subscribe([topic], listener('b', () => b));
    await pollUntil([a], () => a.assignment().length === 2, 60_000);
    await joining;
    await pollUntil([a, b], () => b.assignment().length === 2);
    expect([...keysOf(a.assignment()), ...keysOf(b.assignment())].sort()).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`));
    // Range assignment: each member owns a contiguous pair.
    expect([keysOf(a.assignment()), keysOf(b.assignment())].map((k) => k.join(',')).sort()).toEqual([`${topic}-0,${topic}-1`, `${topic}-2,${topic}-3`]);

    await produce(topic, 20);
    const delivered = await pollUntil([a, b], () => false, 3000);
    expect(delivered.map((r) => r.value!.toString()).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());

    await b.close();
    await pollUntil([a], () => a.assignment().length === 4, 60_000);
    expect(events[0]).toBe(`a+${[0, 1, 2, 3].map((p) => `${topic}-${p}`).join(',')}`);
    expect(events).toContain(`b-${keysOf(b.assignment()).join(',')}`);
    expect(events.filter((e) => e.startsWith('a-'))).toHaveLength(1);
    expect(stillOwned).toEqual([true, true]);
  });

  it('holds back paused partitions and delivers them after resume', async () => {
    const topic = uniqueTopic('consumer-pause');
    await admin.createTopics([{ name: topic, partitions: 2 }]);
    await produce(topic, 5, 0, 'p0-');
    await produce(topic, 5, 1, 'p1-');
    const c = consumer({});
    c.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    c.seekToBeginning(c.assignment());
    c.pause([{ topic, partition: 0 }]);
    expect(c.paused()).toEqual([{ topic, partition: 0 }]);
    const whilePaused = await pollRecords(c, 5);
    await pollUntil([c], () => false, 1500);
    expect(whilePaused.every((r) => r.partition === 1)).toBe(true);
    expect(whilePaused).toHaveLength(5);
    c.resume([{ topic, partition: 0 }]);
    const afterResume = await pollRecords(c, 5);
    expect(afterResume.map((r) => r.value!.toString())).toEqual(['p0-0', 'p0-1', 'p0-2', 'p0-3', 'p0-4']);
    expect(c.position(topic, 0)).toBe(5n);
  });

  it('seeks, and resets positions by auto.offset.reset when an offset is out of range', async () => {
    const topic = uniqueTopic('consumer-seek');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    await produce(topic, 10, 0);
    const c = consumer({ 'auto.offset.reset': 'earliest' });
    c.assign([{ topic, partition: 0 }]);
    c.seek(topic, 0, 7n);
    expect((await pollRecords(c, 3)).map((r) => r.offset)).toEqual([7n, 8n, 9n]);
    c.seek(topic, 0, 1000n);
    expect((await pollRecords(c, 10)).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    c.seekToEnd([{ topic, partition: 0 }]);
    expect(await c.poll(500)).toEqual([]);
    expect(c.position(topic, 0)).toBe(10n);
    expect(await c.endOffsets([{ topic, partition: 0 }])).toEqual(new Map([[`${topic}-0`, 10n]]));
    expect(await c.beginningOffsets([{ topic, partition: 0 }])).toEqual(new Map([[`${topic}-0`, 0n]]));
  });

  it('starts at the log end with auto.offset.reset=latest and refuses to guess with none', async () => {
    const topic = uniqueTopic('consumer-latest');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    await produce(topic, 3, 0, 'old');
    const latest = consumer({ 'group.id': uniqueTopic('group-latest'), 'auto.offset.reset': 'latest' });
    await latest.subscribe([topic]);
    expect(await pollUntil([latest], () => latest.assignment().length === 1 && latest.position(topic, 0) !== undefined)).toEqual([]);
    await produce(topic, 2, 0, 'new');
    expect((await pollRecords(latest, 2)).map((r) => r.value!.toString())).toEqual(['new0', 'new1']);

    const none = consumer({ 'group.id': uniqueTopic('group-none'), 'auto.offset.reset': 'none' });
    await none.subscribe([topic]);
    await expect(pollRecords(none, 1)).rejects.toMatchObject({ code: 'NO_OFFSET_FOR_PARTITION', message: expect.stringContaining(`${topic}-0`) });
  });

  it('follows a pattern subscription as matching topics appear', async () => {
    const prefix = uniqueTopic('consumer-pattern');
    await admin.createTopics([{ name: `${prefix}-a`, partitions: 1 }]);
    await produce(`${prefix}-a`, 2, 0, 'a');
    const c = consumer({ 'group.id': uniqueTopic('group-pattern'), 'auto.offset.reset': 'earliest', 'metadata.max.age.ms': '1000' });
    await c.subscribe(new RegExp(`${prefix}-.*`));
    expect((await pollRecords(c, 2)).map((r) => r.value!.toString())).toEqual(['a0', 'a1']);
    await admin.createTopics([{ name: `${prefix}-b`, partitions: 1 }]);
    await produce(`${prefix}-b`, 2, 0, 'b');
    expect((await pollRecords(c, 2, 60_000)).map((r) => r.value!.toString())).toEqual(['b0', 'b1']);
    expect(keysOf(c.assignment())).toEqual([`${prefix}-a-0`, `${prefix}-b-0`]);
  });

  it('waits for a subscribed topic that does not exist yet', async () => {
    const topic = uniqueTopic('consumer-missing');
    const c = consumer({ 'group.id': uniqueTopic('group-missing'), 'auto.offset.reset': 'earliest', 'allow.auto.create.topics': 'false' });
    await c.subscribe([topic]);
    expect(c.assignment()).toEqual([]);
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.createTopics([{ name: topic, partitions: 2 }]);
    await produce(topic, 4);
    expect((await pollRecords(c, 4, 60_000)).map((r) => r.value!.toString()).sort()).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(keysOf(c.assignment())).toEqual([`${topic}-0`, `${topic}-1`]);
  });

  it('has the broker create a subscribed topic when allow.auto.create.topics (the default)', async () => {
    const topic = uniqueTopic('consumer-autocreate');
    const c = consumer({ 'group.id': uniqueTopic('group-autocreate'), 'auto.offset.reset': 'earliest' });
    await c.subscribe([topic]);
    await pollUntil([c], () => c.assignment().length > 0, 60_000);
    expect(c.assignment().map((p) => p.topic)).toContain(topic);
    expect(await admin.listTopics()).toContain(topic);
  });

  it('refuses misuse with precise errors', async () => {
    const noGroup = consumer({});
    await expect(noGroup.subscribe(['x'])).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('group.id') });
    expect(() => noGroup.pause([{ topic: 'x', partition: 0 }])).toThrow('cannot pause x-0: the partition is not assigned to this consumer');
    await noGroup.close();
    await expect(noGroup.poll(0)).rejects.toMatchObject({ code: 'CONSUMER_CLOSED' });
  });
});
