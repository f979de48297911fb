// @services kafka
// The Sluice producer (idempotent, five requests in flight) under faults: its connections cut
// mid-stream against Apache Kafka, and kill -9 of `sluice broker` with a restart on the same data
// directory. Every acknowledged record must be in the partition, in the order it was sent; retries
// of batches the broker had written but whose answer was lost must not become duplicates (they
// are counted and reported either way).
import { randomUUID } from 'node:crypto';
import type { Connection } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaProducer } from '../../runtime/client/index.ts';
import { freePort, removeDir, spawnBroker, tempDataDir } from '../compat/broker-harness.ts';
import type { BrokerProcess } from '../compat/broker-harness.ts';
import { serviceUrl } from '../services/services.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  acked: number[];
  failed: Error[];
}

/** Sends 0..total-1 as values, at most `window` unacknowledged at a time, noting each acknowledgement. */
async function produce(producer: KafkaProducer, topic: string, total: number, tally: Tally, window = 5_000): Promise<void> {
  let outstanding = 0;
  let wake: (() => void) | undefined;
  for (let i = 0; i < total; i++) {
    outstanding++;
    producer.sendWithCallback({ topic, partition: 0, value: Buffer.from(String(i)) }, (error) => {
      outstanding--;
      if (error === null) tally.acked.push(i);
      else tally.failed.push(error);
      if (outstanding < window / 2) wake?.();
    });
    if (outstanding >= window) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  await producer.flush();
}

/** Every value in the partition, read back with kafkajs. */
async function readBack(bootstrap: string, topic: string, atLeast: number): Promise<number[]> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `verify-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length} of at least ${atLeast} records from ${topic}`)), 60_000);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) seen.push(Number(m.value!.toString()));
        if (seen.length >= atLeast) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  // Whatever else is there (duplicates) arrives within a few more fetches.
  await sleep(1000);
  await consumer.disconnect();
  return seen;
}

function check(tally: Tally, seen: number[]): { lost: number; duplicates: number } {
  const counts = new Map<number, number>();
  for (const v of seen) counts.set(v, (counts.get(v) ?? 0) + 1);
  const lost = tally.acked.filter((v) => !counts.has(v)).length;
  const duplicates = seen.length - counts.size;
  process.stdout.write(`acknowledged ${tally.acked.length}, failed ${tally.failed.length}, in the partition ${seen.length}: lost ${lost}, duplicates ${duplicates}\n`);
  return { lost, duplicates };
}

/** Cuts every connection the producer has open (what a broker restart or a network fault does to it). */
function cutConnections(producer: KafkaProducer): number {
  const client = (producer as unknown as { client: Record<symbol, unknown> }).client;
  // platformatic keeps its connection pool under a symbol its package does not export.
  const key = Object.getOwnPropertySymbols(client).find((s) => s.description === 'plt.kafka.base.connections')!;
  const pool = client[key] as Iterable<[string, Connection]>;
  let cut = 0;
  for (const [, connection] of pool) {
    connection.socket?.destroy();
    cut++;
  }
  return cut;
}

describe('Sluice producer under faults', () => {
  let broker: BrokerProcess | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await broker?.kill9();
    broker = undefined;
    if (dataDir !== undefined) await removeDir(dataDir);
    dataDir = undefined;
  });

  it('keeps every acknowledged record, in order and once, when its connections to Apache Kafka are cut mid-stream', async () => {
    const bootstrap = serviceUrl('kafka');
    const topic = `producer-cut-${randomUUID()}`;
    const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
    await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await admin.close();
    // Counts the batches sent again, so the test shows the cuts hit requests in flight.
    let retried = 0;
    const logger = pino({ level: 'debug' }, { write: (line: string) => void (line.includes('retrying a batch') && retried++) });
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap, 'linger.ms': 2, 'batch.size': 16384, 'retry.backoff.ms': 20, 'retry.backoff.max.ms': 200 }, { logger });
    const tally: Tally = { acked: [], failed: [] };
    const total = 200_000;
    const producing = produce(producer, topic, total, tally);
    let cuts = 0;
    for (const at of [20_000, 60_000, 100_000, 140_000]) {
      while (tally.acked.length < at && tally.failed.length === 0) await sleep(2);
      cuts += cutConnections(producer);
    }
    await producing;
    await producer.close();
    expect(cuts).toBeGreaterThanOrEqual(4);
    expect(retried).toBeGreaterThan(0);
    expect(tally.failed).toEqual([]);
    const seen = await readBack(bootstrap, topic, total);
    expect(check(tally, seen)).toEqual({ lost: 0, duplicates: 0 });
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('keeps every acknowledged record, in order and once, across kill -9 and restart of sluice broker', async () => {
    dataDir = await tempDataDir('sluice-producer-kill-');
    const port = await freePort();
    broker = await spawnBroker({ dataDir, port });
    const bootstrap = `127.0.0.1:${port}`;
    const topic = `producer-kill-${randomUUID()}`;
    const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
    await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await admin.close();
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap, 'linger.ms': 2, 'retry.backoff.ms': 50, 'retry.backoff.max.ms': 500 });
    const tally: Tally = { acked: [], failed: [] };
    const total = 60_000;
    const producing = produce(producer, topic, total, tally);
    for (const at of [10_000, 35_000]) {
      while (tally.acked.length < at && tally.failed.length === 0) await sleep(2);
      await broker.kill9();
      await sleep(200);
      broker = await spawnBroker({ dataDir, port });
    }
    await producing;
    await producer.close();
    expect(tally.failed).toEqual([]);
    const seen = await readBack(bootstrap, topic, total);
    expect(check(tally, seen)).toEqual({ lost: 0, duplicates: 0 });
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
