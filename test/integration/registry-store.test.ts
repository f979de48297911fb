// @services kafka
// The registry on a Kafka cluster: state in the `_schemas` topic (Confluent's record format),
// rebuilt on restart, start-up checks of the topic, and bad input answered without harm.
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaConsumer } from '../../runtime/client/index.ts';
import type { RunningRegistry } from '../../schema-registry/http/index.ts';
import { brokerNames, useBroker } from './client-targets.ts';
import { call, spawnRegistry, startTestRegistry, uniqueNames } from './registry-harness.ts';

const running: RunningRegistry[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((r) => r.close()));
});

async function start(bootstrap: string, names = uniqueNames()) {
  const registry = await startTestRegistry(bootstrap, names);
  running.push(registry);
  return { registry, names };
}

async function readTopic(bootstrap: string, topic: string): Promise<{ key: string; value: string | null }[]> {
  const consumer = new KafkaConsumer({ 'bootstrap.servers': bootstrap, 'auto.offset.reset': 'earliest' });
  try {
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek(topic, 0, 0n);
    const out: { key: string; value: string | null }[] = [];
    for (let i = 0; i < 20 && out.length === 0; i++) {
      for (const r of await consumer.poll(500)) out.push({ key: r.key?.toString() ?? '', value: r.value?.toString() ?? null });
    }
    for (let more = await consumer.poll(500); more.length > 0; more = await consumer.poll(500)) {
      for (const r of more) out.push({ key: r.key?.toString() ?? '', value: r.value?.toString() ?? null });
    }
    return out;
  } finally {
    await consumer.close();
  }
}

const ORDER = JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }] });
const ORDER_V2 = JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: 'string', default: '' }] });

describe.each(brokerNames())('schema registry store on %s', (broker) => {
  const bootstrap = useBroker(broker);

  it('writes Confluent-format records to a compacted single-partition _schemas topic', async () => {
    const { registry, names } = await start(bootstrap());
    expect((await call(registry.url, 'POST', '/subjects/orders-value/versions', { schema: ORDER })).body).toMatchObject({ id: 1, version: 1 });
    expect((await call(registry.url, 'PUT', '/config/orders-value', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });

    const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap() });
    try {
      const [topic] = await admin.describeTopics([names.topic]);
      expect(topic.partitions).toHaveLength(1);
      const policy = (await admin.describeTopicConfigs(names.topic)).find((c) => c.name === 'cleanup.policy');
      expect(policy?.value).toBe('compact');
    } finally {
      await admin.close();
    }
    const records = await readTopic(bootstrap(), names.topic);
    expect(records.map((r) => r.key)).toEqual(['{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}', '{"keytype":"CONFIG","subject":"orders-value","magic":0}']);
    expect(JSON.parse(records[0].value!)).toEqual({ subject: 'orders-value', version: 1, id: 1, schemaType: 'AVRO', schema: JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }] }), deleted: false });
    expect(JSON.parse(records[1].value!)).toEqual({ subject: 'orders-value', compatibilityLevel: 'FULL' });
  });

  it('loses nothing over a restart: schemas, ids, versions, configs, modes and deletes come back from the topic', async () => {
    const names = uniqueNames();
    const first = await start(bootstrap(), names);
    const url = first.registry.url;
    await call(url, 'POST', '/subjects/a/versions', { schema: ORDER });
    await call(url, 'POST', '/subjects/a/versions', { schema: ORDER_V2 });
    await call(url, 'POST', '/subjects/b/versions', { schema: '"string"' });
    await call(url, 'DELETE', '/subjects/b');
    await call(url, 'PUT', '/config/a', { compatibility: 'NONE' });
    await call(url, 'PUT', '/mode/c', { mode: 'READONLY' });
    const before = {
      subjects: (await call(url, 'GET', '/subjects?deleted=true')).body,
      versions: (await call(url, 'GET', '/subjects/a/versions')).body,
      latest: (await call(url, 'GET', '/subjects/a/versions/latest')).body,
      byId: (await call(url, 'GET', '/schemas/ids/3')).body,
    };
    await first.registry.close();

    const second = await start(bootstrap(), names);
    const url2 = second.registry.url;
    expect((await call(url2, 'GET', '/subjects?deleted=true')).body).toEqual(before.subjects);
    expect((await call(url2, 'GET', '/subjects')).body).toEqual(['a']);
    expect((await call(url2, 'GET', '/subjects/a/versions')).body).toEqual(before.versions);
    expect((await call(url2, 'GET', '/subjects/a/versions/latest')).body).toEqual(before.latest);
    expect((await call(url2, 'GET', '/schemas/ids/3')).body).toEqual(before.byId);
    expect((await call(url2, 'GET', '/config/a')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await call(url2, 'GET', '/mode/c')).body).toEqual({ mode: 'READONLY' });
    // Ids continue after the highest one in the topic.
    expect((await call(url2, 'POST', '/subjects/d/versions', { schema: '"int"' })).body).toMatchObject({ id: 4 });
  });

  it('refuses to start on a _schemas topic with more than one partition, naming the topic', async () => {
    const names = uniqueNames();
    const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap() });
    try {
      await admin.createTopics([{ name: names.topic, partitions: 2, configs: { 'cleanup.policy': 'compact' } }]);
    } finally {
      await admin.close();
    }
    await expect(startTestRegistry(bootstrap(), names)).rejects.toThrow(`The schema topic ${names.topic} should have only 1 partition but has 2`);
  });

  it('answers a schema too large for a _schemas record with 422/42209 and keeps serving', async () => {
    const { registry } = await start(bootstrap());
    const huge = JSON.stringify({ type: 'record', name: 'Big', doc: 'x'.repeat(10 * 1024 * 1024), fields: [{ name: 'a', type: 'int' }] });
    const r = await call(registry.url, 'POST', '/subjects/big/versions', { schema: huge });
    expect(r).toMatchObject({ status: 422, body: { error_code: 42209, message: 'Register operation failed because schema is too large' } });
    expect((await call(registry.url, 'POST', '/subjects/small/versions', { schema: '"int"' })).status).toBe(200);
    expect((await call(registry.url, 'GET', '/subjects')).body).toEqual(['small']);
  });

  it('closes while its first join of the leader group is still pending', async () => {
    // A new group's first JoinGroup waits group.initial.rebalance.delay.ms; close must not wait for it.
    const registry = await startTestRegistry(bootstrap(), uniqueNames());
    await registry.close();
    await expect(call(registry.url, 'GET', '/subjects')).rejects.toThrow();
  });

  it('sluice registry: listens only after catching up, and a busy port is an error naming the key', async () => {
    const names = uniqueNames();
    const seed = await start(bootstrap(), names);
    await call(seed.registry.url, 'POST', '/subjects/seeded/versions', { schema: '"string"' });
    await seed.registry.close();

    const cli = await spawnRegistry(bootstrap(), names);
    try {
      // The first answer already has the seeded subject: the process caught up before listening.
      expect((await call(cli.url, 'GET', '/subjects')).body).toEqual(['seeded']);
      const second = await spawnRegistry(bootstrap(), uniqueNames(), { port: cli.port }).catch((err: Error) => err);
      expect(second).toBeInstanceOf(Error);
      expect((second as Error).message).toContain(`listeners: cannot listen on http://127.0.0.1:${cli.port} (EADDRINUSE: the port is already in use)`);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
