// @services elasticsearch
// End to end through `connect-standalone` with its integrated broker: FileStreamSource streams a
// JSON-lines file into a topic and the Elasticsearch sink (a built-in plugin, named by
// Confluent's class name) indexes it.
import { rmSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { countOf, esClient } from './elasticsearch-harness.ts';
import type { Pipeline } from './elasticsearch-standalone-harness.ts';
import { expectAllLines, startWorker, waitForCount, waitRunning, writePipeline } from './elasticsearch-standalone-harness.ts';

const pipelines: Pipeline[] = [];
let client: Client | undefined;

afterAll(async () => {
  for (const p of pipelines) {
    await client?.indices.delete({ index: p.topic }, { ignore: [404] });
    rmSync(p.dir, { recursive: true, force: true });
  }
  await client?.close();
});

describe('connect-standalone: JSON-lines file → topic → Elasticsearch', () => {
  it('indexes every line of the file once, keyed by its id, and stops cleanly', async () => {
    client ??= esClient();
    const pipeline = await writePipeline(2000);
    pipelines.push(pipeline);
    const worker = startWorker(pipeline);
    try {
      await waitRunning(pipeline, worker, 60_000);
      await waitForCount(client, pipeline.topic, pipeline.lines, worker, 90_000);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    await expectAllLines(client, pipeline);
  });

  it('sends a document Elasticsearch rejects to the worker’s dead letter queue and indexes the rest', async () => {
    client ??= esClient();
    const pipeline = await writePipeline(2000, { malformed: [1500] });
    pipelines.push(pipeline);
    const worker = startWorker(pipeline);
    const kafka = new Kafka({ brokers: [pipeline.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${pipeline.topic}-dlq-reader` });
    try {
      await waitRunning(pipeline, worker, 60_000);
      await waitForCount(client, pipeline.topic, pipeline.lines - 1, worker, 90_000);
      await consumer.connect();
      await consumer.subscribe({ topic: pipeline.dlqTopic, fromBeginning: true });
      const dead = await new Promise<{ value: string; headers: Record<string, string> }>((resolve, reject) => {
        setTimeout(() => reject(new Error(`nothing in ${pipeline.dlqTopic} after 90 s:\n${worker.output().slice(-5000)}`)), 90_000);
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ value: message.value?.toString() ?? '', headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) }),
        });
      });
      expect(JSON.parse(dead.value)).toMatchObject({ id: 1500, price: 'not a price' });
      expect(dead.headers['__connect.errors.exception.message']).toMatch(/^Indexing failed: document_parsing_exception: .*status=400/);
      expect(dead.headers['__connect.errors.topic']).toBe(pipeline.topic);
    } finally {
      await consumer.disconnect();
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    expect(await countOf(client, pipeline.topic)).toBe(pipeline.lines - 1);
  }, 300_000);
});
