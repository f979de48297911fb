// @services kafka
// kcat (librdkafka 2.0.2, Debian) against the Sluice broker: keys, headers and every compression
// codec, and a three-member consumer group (-G) rebalancing while members join and leave.
// (The kafka service is declared so that test/services provisions kcat.)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESSION_MASK } from '../../runtime/broker/log/batch-header.ts';
import { decodeBatches } from '../../runtime/broker/log/records.ts';
import { compressionName } from '../../runtime/broker/log/compression.ts';
import { ApiKey } from '../../runtime/broker/protocol/index.ts';
import type { FetchResponse } from '../../runtime/broker/protocol/index.ts';
import { RawKafkaConnection, startInProcessBroker } from './broker-harness.ts';
import type { InProcessBroker } from './broker-harness.ts';

function kcat(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('kcat against the Sluice broker', () => {
  let b: InProcessBroker;
  beforeAll(async () => {
    b = await startInProcessBroker();
  });
  afterAll(async () => {
    await b?.destroy();
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('produces and consumes keys and headers with compression %s', async (codec) => {
    const topic = `kcat-${codec}-${randomUUID()}`;
    const lines = Array.from({ length: 200 }, (_, i) => `key-${i}:value-${i}-${'x'.repeat(i % 50)}`);
    const produced = await kcat(['-b', b.bootstrap, '-P', '-t', topic, '-K:', '-z', codec, '-H', `codec=${codec}`, '-H', 'second=2'], `${lines.join('\n')}\n`);
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await kcat(['-b', b.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    const got = consumed.stdout.trim().split('\n');
    expect(got).toEqual(lines.map((l) => `${l.replace(':', '|')}|codec=${codec},second=2`));
    // librdkafka 2.0.2 compresses only when ApiVersions advertises what its feature map needs: the stored batch says it did.
    const raw = await RawKafkaConnection.connect(b.bootstrap);
    const fetched = await raw.request(ApiKey.Fetch, 4, {
      maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    raw.close();
    const records = (fetched.body as unknown as FetchResponse).responses[0].partitions[0].records as Buffer;
    // librdkafka sends a batch uncompressed when compressing does not make it smaller (a first, lone record).
    const codecs = [...decodeBatches(records)].map((batch) => compressionName(batch.header.attributes & COMPRESSION_MASK));
    expect(codecs).toContain(codec);
  });

  it('produces idempotently (InitProducerId, sequence numbers) with enable.idempotence=true', async () => {
    const topic = `kcat-idem-${randomUUID()}`;
    const lines = Array.from({ length: 50 }, (_, i) => `k${i}:v${i}`);
    const produced = await kcat(['-b', b.bootstrap, '-P', '-t', topic, '-K:', '-X', 'enable.idempotence=true', '-X', 'acks=all'], `${lines.join('\n')}\n`);
    expect(produced.code, produced.stderr).toBe(0);
    const raw = await RawKafkaConnection.connect(b.bootstrap);
    const fetched = await raw.request(ApiKey.Fetch, 4, {
      maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    raw.close();
    const batches = [...decodeBatches((fetched.body as unknown as FetchResponse).responses[0].partitions[0].records as Buffer)];
    expect(batches.flatMap((batch) => batch.records.map((r) => Buffer.from(r.value ?? []).toString()))).toEqual(lines.map((l) => l.split(':')[1]));
    expect(batches.every((batch) => batch.header.producerId >= 0n && batch.header.baseSequence >= 0)).toBe(true);
  });

  it('a 3-member group (-G) rebalancing as members join and leave consumes every record exactly once', async () => {
    const topic = `kcat-group-${randomUUID()}`;
    const group = `kcat-group-${randomUUID()}`;
    const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    await admin.disconnect();
    const total = 1200;
    const memberArgs = [
      '-b', b.bootstrap, '-G', group, '-u', '-q',
      '-X', 'auto.offset.reset=earliest', '-X', 'heartbeat.interval.ms=300', '-X', 'session.timeout.ms=6000',
      '-X', 'auto.commit.interval.ms=200', '-f', '%p %o %s\n', topic,
    ];
    const outputs = new Map<string, string>();
    const members = new Map<string, ChildProcess>();
    const startMember = (name: string): void => {
      const child = spawn('kcat', memberArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
      outputs.set(name, '');
      child.stdout?.on('data', (c: Buffer) => outputs.set(name, (outputs.get(name) ?? '') + c.toString()));
      members.set(name, child);
    };
    const stopMember = async (name: string): Promise<void> => {
      const child = members.get(name);
      if (child === undefined || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    };
    const producer = spawn('kcat', ['-b', b.bootstrap, '-P', '-t', topic, '-K:'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const produceDone = new Promise((resolve) => producer.once('exit', resolve));
    const produce = async (): Promise<void> => {
      for (let i = 0; i < total; i++) {
        producer.stdin?.write(`k${i % 97}:r${i}\n`);
        if (i % 20 === 19) await sleep(80);
      }
      producer.stdin?.end();
      await produceDone;
    };
    try {
      startMember('a');
      const producing = produce();
      await sleep(1200);
      startMember('b');
      await sleep(1200);
      startMember('c');
      await sleep(1200);
      await stopMember('a');
      await sleep(800);
      startMember('a2');
      await producing;
      const seen = (): string[] => [...outputs.values()].flatMap((o) => o.split('\n').filter((l) => l !== ''));
      const deadline = Date.now() + 60_000;
      while (new Set(seen().map((l) => l.split(' ')[2])).size < total && Date.now() < deadline) await sleep(200);
      const values = seen().map((l) => l.split(' ')[2]);
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      const missing = Array.from({ length: total }, (_, i) => `r${i}`).filter((v) => !counts.has(v));
      const duplicates = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
      expect({ missing: missing.length, duplicates: duplicates.length }).toEqual({ missing: 0, duplicates: 0 });
      // Every member that ran long enough got a share of the partitions at some point.
      expect(outputs.get('b')?.length).toBeGreaterThan(0);
    } finally {
      for (const name of members.keys()) await stopMember(name);
      if (producer.exitCode === null) producer.kill('SIGKILL');
    }
  });

  it('evicts a kill -9ed group member after its session timeout and hands its partitions to the survivor', async () => {
    const topic = `kcat-expiry-${randomUUID()}`;
    const group = `kcat-expiry-${randomUUID()}`;
    const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const args = ['-b', b.bootstrap, '-G', group, '-u', '-q', '-X', 'auto.offset.reset=earliest', '-X', 'heartbeat.interval.ms=300', '-X', 'session.timeout.ms=6000', '-f', '%p %s\n', topic];
    const outputs = ['', ''];
    const members = [0, 1].map((i) => {
      const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.on('data', (c: Buffer) => (outputs[i] += c.toString()));
      return child;
    });
    try {
      // Wait until both members hold partitions: a round of keyed records reaches both.
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
      const deadline = Date.now() + 60_000;
      let round = 0;
      while ((outputs[0] === '' || outputs[1] === '') && Date.now() < deadline) {
        await kcat(['-b', b.bootstrap, '-P', '-t', topic, '-K:', '-X', 'partitioner=murmur2_random'], `${keys.map((k) => `${k}:warmup-${round}`).join('\n')}\n`);
        round++;
        await sleep(500);
      }
      expect(outputs[0] !== '' && outputs[1] !== '').toBe(true);
      const killed = new Promise((resolve) => members[1].once('exit', resolve));
      members[1].kill('SIGKILL');
      await killed;
      const after = keys.map((k) => `${k}:after`);
      await kcat(['-b', b.bootstrap, '-P', '-t', topic, '-K:', '-X', 'partitioner=murmur2_random'], `${after.join('\n')}\n`);
      // The session expires (6 s), the group rebalances, and the survivor reads all four partitions.
      const end = Date.now() + 60_000;
      const survivorSaw = (): Set<string> => new Set(outputs[0].split('\n').filter((l) => l.endsWith(' after')).map((l) => l.split(' ')[0]));
      while (survivorSaw().size < 4 && Date.now() < end) await sleep(200);
      expect([...survivorSaw()].sort()).toEqual(['0', '1', '2', '3']);
      expect(outputs[0].split('\n').filter((l) => l.endsWith(' after'))).toHaveLength(keys.length);
    } finally {
      for (const m of members) if (m.exitCode === null && m.signalCode === null) m.kill('SIGKILL');
    }
  });
});
