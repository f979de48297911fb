// kill -9 of the Sluice broker process under an idempotent acks=all producer. A process kill keeps
// what reached the page cache, so after a restart on the same data directory every acknowledged
// record must be there, in order, and the producer's retries of batches that were written but
// not acknowledged must not become duplicates (the broker rebuilds its idempotent-producer state
// from the log). Counts lost and duplicate records.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, removeDir, spawnBroker, tempDataDir } from '../compat/broker-harness.ts';
import type { BrokerProcess } from '../compat/broker-harness.ts';
import { SERVICES_DIR } from '../services/scripts.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  acked: number[];
  failed: number[];
}

/** Sends 1..n in batches of `batch`, at most `inFlight` sends outstanding; records which values were acknowledged. */
async function produce(producer: Producer, topic: string, n: number, batch: number, inFlight: number, tally: Tally): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const values = Array.from({ length: Math.min(batch, n - next) }, (_, i) => next + i);
      next += values.length;
      try {
        await producer.send({ topic, acks: -1, messages: values.map((v) => ({ value: String(v) })) });
        tally.acked.push(...values);
      } catch {
        tally.failed.push(...values);
      }
    }
  };
  // One worker keeps per-partition order; the producer itself pipelines up to its in-flight limit.
  await Promise.all(Array.from({ length: inFlight }, worker));
}

describe('kill -9 under an acks=all idempotent producer', () => {
  let broker: BrokerProcess | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await broker?.kill9();
    if (dataDir !== undefined) await removeDir(dataDir);
  });

  it('keeps every acknowledged record, in order, without duplicates', async () => {
    dataDir = await tempDataDir('sluice-kill-');
    const port = await freePort();
    broker = await spawnBroker({ dataDir, port });
    const topic = `kill-${randomUUID()}`;
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
    await producer.connect();
    const tally: Tally = { acked: [], failed: [] };
    const total = 30_000;
    const producing = produce(producer, topic, total, 100, 1, tally);
    // Kill twice while records are flowing; restart on the same directory and port each time.
    for (const at of [6_000, 18_000]) {
      while (tally.acked.length < at) await sleep(5);
      await broker.kill9();
      await sleep(200);
      broker = await spawnBroker({ dataDir, port });
    }
    await producing;
    await producer.disconnect();
    expect(tally.failed).toEqual([]);

    const consumer = kafka.consumer({ groupId: `verify-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) seen.push(Number(m.value!.toString()));
          if (seen.length >= total) resolve();
        },
      });
      const check = setInterval(() => {
        if (seen.length >= total) {
          clearInterval(check);
          resolve();
        }
      }, 100);
    });
    await consumer.disconnect();

    const counts = new Map<number, number>();
    for (const v of seen) counts.set(v, (counts.get(v) ?? 0) + 1);
    const lost = tally.acked.filter((v) => !counts.has(v));
    const duplicates = [...counts.values()].filter((c) => c > 1).length;
    expect({ lost: lost.length, duplicates }).toEqual({ lost: 0, duplicates: 0 });
    // In order: the partition holds the values in the order they were sent.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen).toHaveLength(total);
  });

  it('keeps every record the Java idempotent producer (kafka-verifiable-producer) saw acknowledged, once each', async () => {
    dataDir = await tempDataDir('sluice-kill-java-');
    const port = await freePort();
    broker = await spawnBroker({ dataDir, port });
    const topic = `kill-java-${randomUUID()}`;
    const bootstrap = `127.0.0.1:${port}`;
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();

    const total = 200_000;
    const config = path.join(dataDir, 'producer.properties');
    await writeFile(config, 'enable.idempotence=true\nretries=2147483647\nmax.in.flight.requests.per.connection=5\nreconnect.backoff.max.ms=200\ndelivery.timeout.ms=120000\nlinger.ms=5\n');
    const acked: number[] = [];
    let output = '';
    let errors = '';
    const producer = spawn(path.join(SERVICES_DIR, 'kafka-tool'), [
      'kafka-verifiable-producer', '--bootstrap-server', bootstrap, '--topic', topic, '--max-messages', String(total), '--acks', '-1', '--producer.config', config,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    producer.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    producer.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      let nl: number;
      while ((nl = output.indexOf('\n')) >= 0) {
        const line = output.slice(0, nl);
        output = output.slice(nl + 1);
        if (line.includes('"producer_send_success"')) acked.push(Number((JSON.parse(line) as { value: string }).value));
        else if (line.includes('"producer_send_error"')) errors += `${line}\n`;
      }
    });
    const finished = new Promise<number | null>((resolve) => producer.once('exit', resolve));
    for (const at of [40_000, 120_000]) {
      while (acked.length < at && producer.exitCode === null) await sleep(10);
      await broker.kill9();
      await sleep(300);
      broker = await spawnBroker({ dataDir, port });
    }
    expect({ exit: await finished, errors: errors.split('\n').filter((l) => /producer_send_error|Exception in thread| ERROR /.test(l)).slice(0, 5) }).toEqual({ exit: 0, errors: [] });

    const consumer = kafka.consumer({ groupId: `verify-java-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({ eachBatch: async ({ batch }) => {
        for (const m of batch.messages) seen.push(Number(m.value!.toString()));
      } });
      const check = setInterval(() => {
        if (seen.length >= acked.length) {
          clearInterval(check);
          resolve();
        }
      }, 100);
    });
    await consumer.disconnect();

    const counts = new Map<number, number>();
    for (const v of seen) counts.set(v, (counts.get(v) ?? 0) + 1);
    const lost = acked.filter((v) => !counts.has(v)).length;
    const duplicates = [...counts.values()].filter((c) => c > 1).length;
    expect({ acked: acked.length, lost, duplicates }).toEqual({ acked: total, lost: 0, duplicates: 0 });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
