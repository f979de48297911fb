import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TopicStore } from '../../../runtime/broker/storage/topic-store.ts';
import { ManualClock } from '../../../runtime/util/clock.ts';
import { SluiceError } from '../../../runtime/util/errors.ts';
import { batchOf, readAll, tempDir } from './log-fixtures.ts';

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<SluiceError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('TopicStore', () => {
  it('creates topics with partition directories and a topic file, and reopens them', async () => {
    const dataDir = tempDir();
    const store = await TopicStore.open({ dataDir });
    const created = await store.createTopic('orders', 3, { 'cleanup.policy': 'compact', 'retention.ms': 1000 });
    expect(created).toMatchObject({ name: 'orders', partitions: 3, configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000' } });
    expect(created.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['orders-0', 'orders-1', 'orders-2', 'topics']);
    await store.partition('orders', 1).append(batchOf([{ key: 'k', value: 'v' }]), 0);
    await store.close();

    const again = await TopicStore.open({ dataDir });
    expect(again.topicNames()).toEqual(['orders']);
    expect(again.describeTopic('orders')).toEqual(created);
    expect(again.topicConfig('orders')['cleanup.policy']).toEqual(['compact']);
    expect((await readAll(again.partition('orders', 1))).map((r) => r.key)).toEqual(['k']);
    await again.close();
  });

  it('refuses bad names, duplicates, bad partition counts and bad configs', async () => {
    const store = await TopicStore.open({ dataDir: tempDir() });
    await store.createTopic('a', 1);
    expect((await failure(store.createTopic('a', 1))).code).toBe('TOPIC_ALREADY_EXISTS');
    expect((await failure(store.createTopic('bad/name', 1))).code).toBe('INVALID_TOPIC_EXCEPTION');
    expect((await failure(store.createTopic('x'.repeat(250), 1))).code).toBe('INVALID_TOPIC_EXCEPTION');
    expect((await failure(store.createTopic('b', 0))).code).toBe('INVALID_PARTITIONS');
    const bad = await failure(store.createTopic('c', 1, { 'retention.msec': '5' }));
    expect(bad.code).toBe('INVALID_CONFIG');
    expect(bad.message).toContain('retention.ms');
    expect(store.topicNames()).toEqual(['a']);
    expect((await failure(() => store.partition('a', 1))).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await failure(() => store.partition('zzz', 0))).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await store.createTopic('d', 2, {}, { validateOnly: true })).partitions).toBe(2);
    expect(store.topicNames()).toEqual(['a']);
    await store.close();
  });

  it('reports where each config value comes from', async () => {
    const store = await TopicStore.open({ dataDir: tempDir(), brokerConfig: { 'log.retention.hours': '2', 'log.segment.bytes': '5000000' } });
    await store.createTopic('t', 1, { 'segment.bytes': '1000000' });
    const configs = new Map(store.describeConfigs('t').map((c) => [c.name, c]));
    expect(configs.get('segment.bytes')).toEqual({ name: 'segment.bytes', value: '1000000', source: 'DYNAMIC_TOPIC_CONFIG' });
    expect(configs.get('retention.ms')).toEqual({ name: 'retention.ms', value: '7200000', source: 'STATIC_BROKER_CONFIG', synonym: 'log.retention.hours' });
    expect(configs.get('flush.ms')).toEqual({ name: 'flush.ms', value: '9223372036854775807', source: 'DEFAULT_CONFIG' });
    await store.close();
  });

  it('alters overrides incrementally and applies them to open partitions', async () => {
    const dataDir = tempDir();
    const store = await TopicStore.open({ dataDir });
    await store.createTopic('t', 2, { 'retention.ms': '1000' });
    await store.alterTopicConfig('t', { set: { 'segment.bytes': '2048' }, delete: ['retention.ms'] });
    expect(store.describeTopic('t')?.configs).toEqual({ 'segment.bytes': '2048' });
    expect(store.partition('t', 1).config['segment.bytes']).toBe(2048);
    expect(store.partition('t', 1).config['retention.ms']).toBe(604800000);
    expect((await failure(store.alterTopicConfig('t', { set: { 'segment.bytes': 'x' } }))).code).toBe('INVALID_CONFIG');
    expect(store.partition('t', 0).config['segment.bytes']).toBe(2048);
    await store.close();
    const again = await TopicStore.open({ dataDir });
    expect(again.topicConfig('t')['segment.bytes']).toBe(2048);
    await again.close();
  });

  it('adds partitions and deletes topics with their files', async () => {
    const dataDir = tempDir();
    const store = await TopicStore.open({ dataDir });
    await store.createTopic('t', 1);
    await store.createPartitions('t', 3);
    expect((await failure(store.createPartitions('t', 2))).code).toBe('INVALID_PARTITIONS');
    await store.partition('t', 2).append(batchOf([{ key: 'k', value: 'v' }]), 0);
    await store.deleteTopic('t');
    expect(store.topicNames()).toEqual([]);
    expect(fs.readdirSync(dataDir)).toEqual(['topics']);
    expect(fs.readdirSync(path.join(dataDir, 'topics'))).toEqual([]);
    await store.createTopic('t', 1);
    expect(store.partition('t', 0).logEndOffset).toBe(0n);
    await store.close();
  });

  it('finishes a deletion that a crash interrupted', async () => {
    const dataDir = tempDir();
    const store = await TopicStore.open({ dataDir });
    await store.createTopic('gone', 2);
    await store.close();
    fs.writeFileSync(path.join(dataDir, 'topics', 'gone.json.deleting'), '2\n');
    const again = await TopicStore.open({ dataDir });
    expect(again.topicNames()).toEqual([]);
    expect(fs.readdirSync(dataDir)).toEqual(['topics']);
    await again.close();
  });

  it('runs retention, flush-by-time, checkpoints and the cleaner over all partitions', async () => {
    const clock = new ManualClock(1_000_000);
    const store = await TopicStore.open({ dataDir: tempDir(), clock, brokerConfig: { 'log.cleaner.dedupe.buffer.size': String(1 << 20) } });
    await store.createTopic('logs', 2, { 'retention.ms': '1000', 'segment.bytes': '200', 'file.delete.delay.ms': '0' });
    await store.createTopic('audit', 2, { 'flush.ms': '500' });
    await store.createTopic('state', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '300' });
    for (let i = 0; i < 10; i++) {
      await store.partition('logs', i % 2).append(batchOf([{ key: 'k', value: 'x'.repeat(60), timestamp: clock.now() }]), 0);
      await store.partition('state', 0).append(batchOf([{ key: `k${i % 2}`, value: `v${i}`, timestamp: clock.now() }]), 0);
      await store.partition('audit', i % 2).append(batchOf([{ key: 'k', value: 'v', timestamp: clock.now() }]), 0);
    }
    clock.advance(600);
    expect(await store.flushDue()).toBe(2);
    clock.advance(2000);
    const retention = await store.runRetention();
    expect(retention.length).toBe(2);
    expect(store.partition('logs', 0).logStartOffset).toBeGreaterThan(0n);
    const cleaned = await store.runCleaner();
    expect(cleaned).toMatchObject({ topic: 'state', partition: 0 });
    await store.checkpointAll();
    const text = fs.readFileSync(path.join(store.partition('state', 0).dir, 'partition.checkpoint'), 'utf8');
    expect(text).toContain(`cleaner-offset ${cleaned?.endOffset}`);
    await store.close();
  });

  it('runs its jobs on timers after start() and stops them on close()', async () => {
    const store = await TopicStore.open({
      dataDir: tempDir(),
      brokerConfig: { 'log.retention.check.interval.ms': '20', 'log.cleaner.backoff.ms': '20', 'log.flush.scheduler.interval.ms': '20', 'log.flush.offset.checkpoint.interval.ms': '20' },
    });
    await store.createTopic('old', 1, { 'retention.ms': '1000', 'segment.bytes': '150', 'file.delete.delay.ms': '0' });
    await store.createTopic('kv', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '200', 'flush.ms': '10' });
    const longAgo = Date.now() - 60_000;
    for (let i = 0; i < 6; i++) {
      await store.partition('old', 0).append(batchOf([{ key: 'k', value: 'x'.repeat(80), timestamp: longAgo }]), 0);
      await store.partition('kv', 0).append(batchOf([{ key: `k${i % 2}`, value: `v${i}`, timestamp: Date.now() }]), 0);
    }
    store.start();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (store.partition('old', 0).logStartOffset === 0n || store.partition('kv', 0).cleanerOffset === 0n || store.partition('kv', 0).recoveryPoint < store.partition('kv', 0).logEndOffset)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(store.partition('old', 0).logStartOffset).toBeGreaterThan(0n);
    expect(store.partition('kv', 0).cleanerOffset).toBeGreaterThan(0n);
    expect(store.partition('kv', 0).recoveryPoint).toBe(store.partition('kv', 0).logEndOffset);
    await store.close();
  });
});
