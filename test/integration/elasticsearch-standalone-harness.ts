// connect-standalone as a child process running a file → topic → Elasticsearch pipeline, for
// test/integration/elasticsearch-standalone.test.ts and test/faults/elasticsearch-worker-kill.test.ts.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { expect } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import { countOf, documents, uniqueTopic } from './elasticsearch-harness.ts';
import { freePort } from '../services/free-port.ts';

export { freePort };

const REPO = path.resolve(import.meta.dirname, '../..');

export interface Pipeline {
  dir: string;
  topic: string;
  lines: number;
  files: string[];
  /** The worker's REST API. */
  restUrl: string;
  /** The integrated broker. */
  bootstrap: string;
  /** Lines Elasticsearch rejects (their price is not a number). */
  malformed: ReadonlySet<number>;
  dlqTopic: string;
}

export interface PipelineOptions {
  /** Ids whose line has a price Elasticsearch cannot index. */
  malformed?: readonly number[];
}

const lineDocument = (id: number) => ({ id, name: `item ${id}`, price: id * 0.25, tags: ['a', 'b'] });

/**
 * Writes the input file and the three properties files of a file → topic → Elasticsearch
 * pipeline. Documents are keyed by their `id` field (ValueToKey + ExtractField), so a record the
 * file source sends twice after a crash rewrites the same document.
 */
export async function writePipeline(lines: number, options: PipelineOptions = {}): Promise<Pipeline> {
  const dir = mkdtempSync(path.join(tmpdir(), 'es-standalone-'));
  const topic = uniqueTopic('standalone');
  const malformed = new Set(options.malformed ?? []);
  const dlqTopic = `${topic}-dlq`;
  const input = Array.from({ length: lines }, (_, id) => JSON.stringify(malformed.has(id) ? { ...lineDocument(id), price: 'not a price' } : lineDocument(id))).join('\n');
  writeFileSync(path.join(dir, 'input.jsonl'), `${input}\n`);
  const props = (entries: Record<string, string | number>) => `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
  const restUrl = `http://127.0.0.1:${await freePort()}`;
  const bootstrap = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    path.join(dir, 'worker.properties'),
    props({
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': 1000,
      listeners: restUrl,
      'broker.listeners': `PLAINTEXT://${bootstrap}`,
      'broker.data.dir': path.join(dir, 'broker'),
      // No schema registry needed here (and no fixed port to collide with other runs).
      'registry.enabled': 'false',
    }),
  );
  writeFileSync(path.join(dir, 'file-source.properties'), props({ name: `${topic}-source`, 'connector.class': 'FileStreamSource', file: path.join(dir, 'input.jsonl'), topic }));
  writeFileSync(
    path.join(dir, 'es-sink.properties'),
    props({
      name: `${topic}-sink`,
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      topics: topic,
      'connection.url': serviceUrl('elasticsearch'),
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      transforms: 'idToKey,extractId',
      'transforms.idToKey.type': 'org.apache.kafka.connect.transforms.ValueToKey',
      'transforms.idToKey.fields': 'id',
      'transforms.extractId.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.extractId.field': 'id',
      'schema.ignore': 'true',
      'behavior.on.malformed.documents': 'warn',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlqTopic,
      'errors.deadletterqueue.topic.replication.factor': 1,
      'errors.deadletterqueue.context.headers.enable': 'true',
    }),
  );
  return { dir, topic, lines, restUrl, bootstrap, malformed, dlqTopic, files: ['worker.properties', 'file-source.properties', 'es-sink.properties'].map((f) => path.join(dir, f)) };
}

export interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startWorker(pipeline: Pipeline): Worker {
  const child = spawn(process.execPath, [path.join(REPO, 'runtime/cli/connect-standalone.ts'), ...pipeline.files], {
    cwd: pipeline.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLUICE_LOG_LEVEL: 'info' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits until the REST API reports both connectors and their tasks RUNNING. */
export async function waitRunning(pipeline: Pipeline, worker: Worker, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  void worker.exited.then(() => (exited = true));
  for (const name of [`${pipeline.topic}-source`, `${pipeline.topic}-sink`]) {
    for (;;) {
      if (exited) throw new Error(`connect-standalone exited before ${name} was RUNNING:\n${worker.output().slice(-5000)}`);
      const status = await fetch(`${pipeline.restUrl}/connectors/${name}/status`)
        .then((r) => (r.ok ? (r.json() as Promise<{ connector: { state: string }; tasks: Array<{ state: string }> }>) : null))
        .catch(() => null);
      if (status !== null && status.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((t) => t.state === 'RUNNING')) break;
      if (Date.now() > deadline) throw new Error(`${name} is not RUNNING after ${ms} ms:\n${worker.output().slice(-5000)}`);
      await sleep(200);
    }
  }
}

/** Polls the document count until it reaches `count` (or the worker exits, or `ms` pass). */
export async function waitForCount(client: Client, index: string, count: number, worker: Worker, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let exited = false;
  void worker.exited.then(() => (exited = true));
  for (;;) {
    const exists = await client.indices.exists({ index });
    const current = exists ? await countOf(client, index) : 0;
    if (current >= count) return current;
    if (exited) throw new Error(`connect-standalone exited with ${current} of ${count} documents indexed:\n${worker.output().slice(-5000)}`);
    if (Date.now() > deadline) throw new Error(`only ${current} of ${count} documents after ${ms} ms:\n${worker.output().slice(-5000)}`);
    await sleep(250);
  }
}

/**
 * Every line is one document, keyed by its id, with its content: the count equals the lines and,
 * as ids are unique, the ids 0..n-1 (checked by their sum, minimum and maximum); the contents of
 * all documents (up to 10,000) or of an evenly spread sample are compared.
 */
export async function expectAllLines(client: Client, pipeline: Pipeline): Promise<void> {
  if (pipeline.malformed.size > 0) throw new Error('expectAllLines() checks pipelines without malformed lines');
  const n = pipeline.lines;
  expect(await countOf(client, pipeline.topic)).toBe(n);
  if (n <= 10_000) {
    const docs = await documents(client, pipeline.topic);
    expect(docs.size).toBe(n);
    for (let id = 0; id < n; id++) expect(docs.get(String(id))?.source).toEqual(lineDocument(id));
    return;
  }
  const stats = await client.search({ index: pipeline.topic, size: 0, aggs: { ids: { stats: { field: 'id' } } } });
  expect((stats.aggregations?.ids as { count: number; min: number; max: number; sum: number } | undefined)).toMatchObject({ count: n, min: 0, max: n - 1, sum: (n * (n - 1)) / 2 });
  const sample = Array.from({ length: 200 }, (_, i) => Math.floor((i * (n - 1)) / 199));
  const found = await client.mget<Record<string, unknown>>({ index: pipeline.topic, ids: sample.map(String) });
  expect(found.docs.map((d) => ('_source' in d ? d._source : null))).toEqual(sample.map(lineDocument));
}
