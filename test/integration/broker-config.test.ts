// `sluice broker` configuration and start-up: a stock Kafka server.properties starts (keys that do
// not apply are reported), typos and bad values are refused naming the key and the closest known
// keys, a taken port is a clear error, node and cluster ids persist, and group offsets and topics
// survive a restart.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ApiKey } from '../../runtime/broker/protocol/index.ts';
import type { MetadataResponse } from '../../runtime/broker/protocol/index.ts';
import { resolveBrokerConfig } from '../../runtime/broker/server/broker-config.ts';
import { ConfigError } from '../../runtime/util/errors.ts';
import { RawKafkaConnection, SLUICE_CLI, freePort, removeDir, spawnBroker, startInProcessBroker, tempDataDir } from '../compat/broker-harness.ts';

/** config/server.properties of the Apache Kafka 4 distribution (KRaft, combined mode), comments left out. */
const STOCK_SERVER_PROPERTIES = `
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`;

function parse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function configError(properties: Record<string, string>): ConfigError {
  try {
    resolveBrokerConfig({ properties });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SLUICE_CLI, 'broker', ...args], { env: { ...process.env, VITEST: '', SLUICE_LOG_LEVEL: 'info' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('broker configuration', () => {
  it('accepts a stock Kafka server.properties and reports the keys that do not apply', () => {
    const resolved = resolveBrokerConfig({ properties: parse(STOCK_SERVER_PROPERTIES) });
    expect(resolved.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9092 }]);
    expect(resolved.advertised.get('PLAINTEXT')).toEqual({ host: 'localhost', port: 9092 });
    expect(resolved.dataDir).toBe('/tmp/kraft-combined-logs');
    expect(resolved.nodeId).toBe(1);
    expect(resolved.topicDefaults['retention.ms']).toBe(168 * 3_600_000);
    expect(resolved.topicDefaults['segment.bytes']).toBe(1073741824);
    const ignored = resolved.warnings.map((w) => /^ignoring (\S+):/.exec(w)?.[1]).filter((k) => k !== undefined);
    expect(ignored).toEqual(
      expect.arrayContaining(['process.roles', 'controller.quorum.bootstrap.servers', 'inter.broker.listener.name', 'num.network.threads', 'num.io.threads', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.min.isr']),
    );
    expect(resolved.warnings.some((w) => w.includes('controller listener CONTROLLER://:9093'))).toBe(true);
  });

  it('refuses unknown keys naming the closest known ones', () => {
    const typo = configError({ 'log.retention.hour': '1' });
    expect(typo.message).toContain('log.retention.hour');
    expect(typo.context.closest).toContain('log.retention.hours');
    expect(configError({ 'auto.create.topic.enable': 'true' }).message).toContain('did you mean auto.create.topics.enable');
    expect(configError({ 'group.initial.rebalance.delay': '0' }).message).toContain('group.initial.rebalance.delay.ms');
  });

  it('refuses invalid values naming the key', () => {
    expect(configError({ 'num.partitions': 'many' }).message).toMatch(/num\.partitions.*Not a number of type INT/);
    expect(configError({ 'num.partitions': '0' }).message).toMatch(/num\.partitions.*at least 1/);
    expect(configError({ 'auto.create.topics.enable': 'maybe' }).message).toContain('auto.create.topics.enable');
    expect(configError({ 'log.retention.hours': '-x' }).message).toContain('log.retention.hours');
    expect(configError({ 'log.cleanup.policy': 'shred' }).message).toContain('log.cleanup.policy');
    expect(configError({ listeners: 'PLAINTEXT://127.0.0.1' }).message).toContain('NAME://host:port');
    expect(configError({ listeners: 'SSL://127.0.0.1:9093' }).message).toContain('only PLAINTEXT listeners are supported');
    expect(configError({ 'advertised.listeners': 'OTHER://h:1' }).message).toContain('not in listeners');
  });
});

describe('sluice broker as a process', () => {
  it('starts from a stock server.properties, serves clients and stops cleanly on SIGTERM', async () => {
    const dataDir = await tempDataDir();
    const port = await freePort();
    const file = path.join(dataDir, 'server.properties');
    await writeFile(file, STOCK_SERVER_PROPERTIES.replace('log.dirs=/tmp/kraft-combined-logs', `log.dirs=${dataDir}/logs`));
    const broker = await spawnBroker({ dataDir: path.join(dataDir, 'logs'), port, args: ['--config', file, '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`] });
    try {
      expect(broker.output()).toContain('ignoring process.roles');
      const conn = await RawKafkaConnection.connect(broker.bootstrap);
      const md = await conn.request(ApiKey.Metadata, 9, { topics: null });
      const body = md.body as unknown as MetadataResponse;
      expect(body.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port, rack: null }]);
      conn.close();
      expect(await broker.stop()).toBe(0);
      expect(broker.output()).toContain('"msg":"broker stopped"');
      const meta = await readFile(path.join(dataDir, 'logs', 'meta.properties'), 'utf8');
      expect(meta).toMatch(/^node\.id=1$/m);
      expect(meta).toMatch(/^cluster\.id=[A-Za-z0-9_-]{22}$/m);
    } finally {
      await broker.kill9();
      await removeDir(dataDir);
    }
  });

  it('fails with a clear message when the port is taken, and on unknown keys', async () => {
    const dataDir = await tempDataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const taken = await runCli(['--data-dir', dataDir, '--listeners', `PLAINTEXT://127.0.0.1:${port}`]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port} (listener PLAINTEXT): the port is already in use`);
      const typo = await runCli(['--data-dir', dataDir, '--listeners', 'PLAINTEXT://127.0.0.1:0', '--override', 'num.partition=3']);
      expect(typo.code).toBe(1);
      expect(typo.stderr).toContain('Unknown broker configuration num.partition; did you mean num.partitions');
    } finally {
      blocker.close();
      await removeDir(dataDir);
    }
  });
});

describe('state across restarts', () => {
  it('keeps node id, cluster id, topics, records and committed group offsets', async () => {
    let b = await startInProcessBroker();
    try {
      const { nodeId, clusterId } = b.broker;
      const topic = `restart-${randomUUID()}`;
      const groupId = `restart-group-${randomUUID()}`;
      const kafka = (): Kafka => new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka().producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
      await producer.disconnect();
      const admin = kafka().admin();
      await admin.connect();
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '7' }] });
      await admin.disconnect();

      b = await b.restart();
      expect(b.broker.nodeId).toBe(nodeId);
      expect(b.broker.clusterId).toBe(clusterId);
      const admin2 = kafka().admin();
      await admin2.connect();
      const [offsets] = await admin2.fetchOffsets({ groupId, topics: [topic] });
      expect(offsets.partitions).toEqual([{ partition: 0, offset: '7', metadata: null }]);
      const topicOffsets = await admin2.fetchTopicOffsets(topic);
      expect(topicOffsets[0]).toMatchObject({ partition: 0, high: '10', low: '0' });
      const groups = await admin2.listGroups();
      expect(groups.groups.map((g) => g.groupId)).toContain(groupId);
      await admin2.disconnect();
    } finally {
      await b.destroy();
    }
  });

  it('refuses a node.id that differs from the one stored in the data directory', async () => {
    const b = await startInProcessBroker();
    const { dataDir, broker } = b;
    await b.stop();
    try {
      await expect(startInProcessBroker({ dataDir, properties: { 'node.id': String(broker.nodeId + 1) } })).rejects.toThrow(/Stored node id \d+ .* does not match node.id=/);
    } finally {
      await removeDir(dataDir);
    }
  });
});
