// @services kafka
// Smoke test of the Apache Kafka peer from test/services: real clients that nobody here wrote
// (kafkajs, kcat, Kafka's Java console tools, Kafka Connect standalone) against the real broker.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES_DIR } from '../services/scripts.ts';
import { kafkaTool, serviceUrl } from '../services/services.ts';
import { freePort } from '../services/free-port.ts';

const run = promisify(execFile);

describe('Apache Kafka from test/services', () => {
  // Asked for in each test (not in a hook), so that a missing broker fails every test by name.
  it('produces and consumes through a consumer group with kafkajs', async () => {
    const bootstrap = serviceUrl('kafka');
    const topic = `smoke-kafkajs-${randomUUID()}`;
    const groupId = `smoke-group-${randomUUID()}`;
    const kafka = new Kafka({ clientId: 'sluice-smoke', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    // Idempotent, so that a retried request under load cannot duplicate records.
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Map<string, string>();
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.set(message.key!.toString(), message.value!.toString());
          if (received.size === sent.length) resolve();
        },
      });
    });
    await all;
    await consumer.stop();
    await consumer.disconnect();
    expect(Object.fromEntries(received)).toEqual(Object.fromEntries(sent.map((m) => [m.key, m.value])));

    // The log holds exactly what was sent, and the group committed every partition's end offset.
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    expect([...ends.values()].reduce((sum, high) => sum + high, 0)).toBe(sent.length);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]))).toEqual(ends);
    await admin.disconnect();
  });

  it('lists its metadata with kcat', async () => {
    const bootstrap = serviceUrl('kafka');
    const topic = `smoke-kcat-${randomUUID()}`;
    await kafkaTool('kafka-topics', ['--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '2']);
    const { stdout } = await run('kcat', ['-b', bootstrap, '-L', '-J', '-t', topic], { timeout: 30_000 });
    const metadata = JSON.parse(stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: unknown[] }[] };
    expect(metadata.brokers).toEqual([expect.objectContaining({ id: 1, name: bootstrap })]);
    expect(metadata.topics).toEqual([expect.objectContaining({ topic, partitions: expect.any(Array) })]);
    expect(metadata.topics[0].partitions).toHaveLength(2);
  });

  it('round-trips messages through the Java console producer and consumer', async () => {
    const bootstrap = serviceUrl('kafka');
    const topic = `smoke-console-${randomUUID()}`;
    const produced = await kafkaTool('kafka-console-producer', ['--bootstrap-server', bootstrap, '--topic', topic], {
      input: 'first message\nsecond message\n',
      timeoutMs: 60_000,
    });
    expect(produced.exitCode, produced.stderr).toBe(0);
    const consumed = await kafkaTool(
      'kafka-console-consumer',
      ['--bootstrap-server', bootstrap, '--topic', topic, '--from-beginning', '--max-messages', '2', '--timeout-ms', '30000'],
      { timeoutMs: 60_000 },
    );
    expect(consumed.exitCode, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['first message', 'second message']);
  });

  describe('Kafka Connect standalone with the FileStream connectors', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'sluice-connect-smoke-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('copies a file through a topic into another file', async () => {
      const bootstrap = serviceUrl('kafka');
      const topic = `smoke-connect-${randomUUID()}`;
      const input = path.join(dir, 'in.txt');
      const output = path.join(dir, 'out.txt');
      await writeFile(input, 'line one\nline two\nline three\n');
      await writeFile(
        path.join(dir, 'worker.properties'),
        [
          `bootstrap.servers=${bootstrap}`,
          'key.converter=org.apache.kafka.connect.storage.StringConverter',
          'value.converter=org.apache.kafka.connect.storage.StringConverter',
          `offset.storage.file.filename=${path.join(dir, 'connect.offsets')}`,
          'offset.flush.interval.ms=1000',
          `listeners=http://127.0.0.1:${await freePort()}`,
        ].join('\n'),
      );
      await writeFile(
        path.join(dir, 'source.properties'),
        ['name=smoke-file-source', 'connector.class=FileStreamSource', 'tasks.max=1', `file=${input}`, `topic=${topic}`].join('\n'),
      );
      await writeFile(
        path.join(dir, 'sink.properties'),
        ['name=smoke-file-sink', 'connector.class=FileStreamSink', 'tasks.max=1', `file=${output}`, `topics=${topic}`].join('\n'),
      );

      const worker = spawn(
        path.join(SERVICES_DIR, 'kafka-tool'),
        ['connect-standalone', path.join(dir, 'worker.properties'), path.join(dir, 'source.properties'), path.join(dir, 'sink.properties')],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let log = '';
      worker.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
      worker.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
      try {
        const copied = await waitForFile(output, 'line one\nline two\nline three\n', 90_000, exited);
        expect(copied, log.slice(-4000)).toBe('line one\nline two\nline three\n');
      } finally {
        worker.kill('SIGTERM');
        await exited;
      }
    });
  });
});

/** Polls FILE until it holds EXPECTED, the worker exits, or the deadline passes; returns what it last read. */
async function waitForFile(file: string, expected: string, timeoutMs: number, exited: Promise<unknown>): Promise<string> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  let content = '';
  while (Date.now() < deadline && !gone) {
    content = await readFile(file, 'utf8').catch(() => '');
    if (content === expected) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return content;
}
