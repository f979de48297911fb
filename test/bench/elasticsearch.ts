// Elasticsearch sink benchmark: documents/s written into the Elasticsearch of test/services from
// a topic pre-filled with the documents (a Sluice broker process) by connect-standalone running
// the sink, measured until Elasticsearch counts them all; and by the sink task alone (driven in
// this process as the worker drives it: put() of 500-record polls, pausing when told, flush at
// the end) — each next to the @elastic/elasticsearch bulk helper indexing the same JSON lines
// from a file into the same server in the same run — the limit this Elasticsearch sets on this
// machine. Both get one-shard indices with identical settings, explicit ids and five concurrent
// requests. The target row shapes requests like the helper's (5 MiB: bulk.size.bytes=5242880,
// batch.size out of the way); one more row shows Confluent's default of 2000 records per request
// (Elasticsearch fsyncs its translog once per request, so small requests cost it more). Runs
// alternate and each figure is the best of its runs (other work on the machine only slows runs
// down); the client CPU per 10,000 documents is measured too, which that noise barely touches
// (through the worker: from the sink's creation on, the worker's start-up reported apart).
// `--smoke` shrinks the document count.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import type { SinkTaskContext, TopicPartition } from '../../runtime/connect/api/index.ts';
import { Schemas, SinkRecord } from '../../runtime/connect/api/index.ts';
import { JsonConverter } from '../../runtime/connect/converters/json-converter.ts';
import { KafkaProducer } from '../../runtime/client/index.ts';
import { ElasticsearchSinkTask } from '../../connectors/elasticsearch/index.ts';
import { parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';
import { benchDocuments } from './documents.ts';
import { processCpuMs } from './proc.ts';
import { freePort } from '../services/free-port.ts';

const POLL = 500;
const REPO = path.resolve(import.meta.dirname, '../..');

/** Deterministic ~300 B JSON documents, one per line. */
function documentLines(count: number): string {
  const lines = benchDocuments(count, { seed: 42, idField: 'id', messageWords: 22 }).map((doc) => JSON.stringify(doc));
  return `${lines.join('\n')}\n`;
}

async function elasticsearchUrl(): Promise<string> {
  const up = await runScript('up', ['elasticsearch'], { timeoutMs: 600_000 });
  const url = parseExports(up.stdout).get('ELASTICSEARCH_URL');
  if (up.exitCode !== 0 || url === undefined) throw new Error(`cannot start Elasticsearch from test/services:\n${up.stderr}`);
  return url;
}

async function freshIndex(client: Client, index: string): Promise<void> {
  await client.indices.delete({ index }, { ignore: [404] });
  await client.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: 0 } });
}

function lines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

/** The anchor: helpers.bulk over the file's lines (strings are sent as they are). */
async function bulkHelper(client: Client, file: string, index: string): Promise<number> {
  let n = 0;
  const started = performance.now();
  const result = await client.helpers.bulk<string>({
    datasource: lines(file)[Symbol.asyncIterator](),
    onDocument: () => ({ index: { _index: index, _id: `line+${n++}` } }),
    onDrop: (dropped) => {
      throw new Error(`bulk helper dropped a document: ${JSON.stringify(dropped.error)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.successful !== n) throw new Error(`bulk helper indexed ${result.successful} of ${n}`);
  return n / seconds;
}

class BenchContext implements SinkTaskContext {
  paused = false;
  #resumed: (() => void) | null = null;
  readonly #partitions: TopicPartition[];

  constructor(partitions: TopicPartition[]) {
    this.#partitions = partitions;
  }
  configs(): Record<string, string> {
    return {};
  }
  offset(): void {}
  timeout(): void {}
  assignment(): TopicPartition[] {
    return this.#partitions;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.#resumed?.();
  }
  requestCommit(): void {}
  errantRecordReporter(): null {
    return null;
  }
  whenResumed(): Promise<void> {
    return this.paused ? new Promise((resolve) => (this.#resumed = resolve)) : Promise.resolve();
  }
}

type ValueKind = 'string' | 'schemaless';

/**
 * Batches shaped like the helper's: 5 MiB by bytes (about 17,500 of these documents, so a
 * batch.size of 20,000 stays out of the way). The buffer holds the five requests in flight and
 * the next one filling (max.buffered.records must be at least batch.size × max.in.flight.requests);
 * a larger one only adds memory: records wait in it either way. While Elasticsearch is the
 * bottleneck batches fill before their linger ends, so linger.ms only decides how long the last,
 * partial batch waits: the helper sends it as soon as its input ends, the in-process rows flush,
 * but the worker cannot know that the topic has no more records.
 */
const HELPER_SHAPED = { 'batch.size': '20000', 'max.buffered.records': '100000', 'linger.ms': '100' };

/** Ours: the sink task fed 500-record polls of the same lines, as StringConverter or JsonConverter (schemas.enable=false) values. */
async function sinkTask(url: string, file: string, index: string, kind: ValueKind, props: Record<string, string>): Promise<number> {
  const context = new BenchContext([{ topic: index, partition: 0 }]);
  const task = new ElasticsearchSinkTask();
  task.initialize(context);
  task.start({ 'connection.url': url, 'key.ignore': 'true', 'schema.ignore': 'true', 'read.timeout.ms': '30000', ...props });
  // The worker's JsonConverter, on the bytes a consumer would hand it.
  const json = new JsonConverter();
  json.configure({ 'schemas.enable': 'false' }, false);
  let offset = 0;
  let poll: SinkRecord[] = [];
  const started = performance.now();
  for await (const line of lines(file)) {
    const value = kind === 'string' ? line : json.toConnectData(index, null, Buffer.from(line)).value;
    poll.push(new SinkRecord({ topic: index, kafkaPartition: 0, kafkaOffset: offset++, valueSchema: kind === 'string' ? Schemas.OPTIONAL_STRING : null, value }));
    if (poll.length === POLL) {
      await context.whenResumed();
      await task.put(poll);
      poll = [];
    }
  }
  if (poll.length > 0) await task.put(poll);
  await task.flush([]);
  const seconds = (performance.now() - started) / 1000;
  const committed = await task.preCommit([{ topic: index, partition: 0, offset }]);
  await task.stop();
  if (committed[0]?.offset !== offset) throw new Error(`sink task acknowledged ${committed[0]?.offset} of ${offset}`);
  return offset / seconds;
}

function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
    const probe = (): void => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', () => setTimeout(probe, 100));
    };
    probe();
  });
}

/** A Sluice broker (its own process) holding the documents in a one-partition topic. */
async function prefilledTopic(dir: string, file: string, topic: string): Promise<{ bootstrap: string; broker: ChildProcess }> {
  const port = await freePort();
  // No initial rebalance delay: the sink's group is the only one and should start at once.
  const args = ['broker', '--data-dir', path.join(dir, 'broker'), '--listeners', `PLAINTEXT://127.0.0.1:${port}`, '--override', 'group.initial.rebalance.delay.ms=0'];
  const broker = spawn(process.execPath, [path.join(REPO, 'runtime/cli/sluice.ts'), ...args], {
    stdio: 'ignore',
    env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' },
  });
  await waitForPort(port, broker, 'sluice broker');
  const bootstrap = `127.0.0.1:${port}`;
  const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap, 'linger.ms': 5, 'batch.size': 262_144 });
  let window: Array<Promise<unknown>> = [];
  for await (const line of lines(file)) {
    window.push(producer.send({ topic, partition: 0, value: Buffer.from(line) }));
    if (window.length === 10_000) {
      await Promise.all(window);
      window = [];
    }
  }
  await Promise.all(window);
  await producer.close();
  return { bootstrap, broker };
}

/**
 * Index operations Elasticsearch has done on the index so far (its indexing stats). The worker
 * run is followed through them rather than through _count: a search wakes a search-idle shard,
 * which then refreshes every second while it indexes (small segments, more merging), and the
 * anchor's run gets no searches. The document count is checked once the operations are all done.
 */
async function indexOperations(client: Client, index: string): Promise<number> {
  const stats = await client.indices.stats({ index, metric: 'indexing' });
  return stats._all.primaries?.indexing?.index_total ?? 0;
}

/** Waits until the worker's REST API answers (its code is loaded and the worker has started). */
async function waitForRest(restUrl: string, child: ChildProcess, errors: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`connect-standalone exited with ${child.exitCode} while starting:\n${errors()}`);
    const ok = await fetch(`${restUrl}/connectors`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(50);
  }
}

async function createConnector(restUrl: string, name: string, config: Record<string, string>): Promise<void> {
  const created = await fetch(`${restUrl}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, config }) });
  if (!created.ok) throw new Error(`creating the sink ${name} failed: ${created.status} ${await created.text()}`);
}

async function waitForRunningTask(restUrl: string, name: string, child: ChildProcess, errors: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`connect-standalone exited with ${child.exitCode}:\n${errors()}`);
    const status = (await (await fetch(`${restUrl}/connectors/${name}/status`)).json()) as { tasks?: Array<{ state: string; trace?: string }> };
    const task = status.tasks?.[0];
    if (task?.state === 'RUNNING') return;
    if (task?.state === 'FAILED') throw new Error(`the sink ${name} failed: ${task.trace}`);
    await sleep(50);
  }
}

/**
 * Ours through the worker: connect-standalone consuming the pre-filled topic. It starts without
 * connectors; through its REST API a first sink on an empty topic loads the connector's code, and
 * then the measured sink is created, so that the start-up (loading the code, 1–2 s of CPU) is
 * measured apart from the work per document. The rate runs from
 * the first documents Elasticsearch indexes until it has indexed them all (the task's start and
 * group join excluded); the CPU figure is the worker's plus the broker's from the connector's creation
 * to the end, per document.
 */
async function throughWorker(client: Client, url: string, dir: string, broker: ChildProcess, bootstrap: string, topic: string, count: number): Promise<WorkerFigure> {
  // The sink writes to the index named after the topic; it gets the anchor's settings.
  await freshIndex(client, topic);
  const props = (entries: Record<string, string | number>) => `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const worker = path.join(dir, `${name}-worker.properties`);
  const restUrl = `http://127.0.0.1:${await freePort()}`;
  await writeFile(
    worker,
    props({
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(dir, `${name}.offsets`),
      listeners: restUrl,
    }),
  );
  const sink = { 'connector.class': 'ElasticsearchSink', topics: topic, 'connection.url': url, 'key.ignore': 'true', 'schema.ignore': 'true', 'read.timeout.ms': '30000', ...HELPER_SHAPED };
  const cpuAtSpawn = processCpuMs(broker.pid!);
  const child = spawn(process.execPath, [path.join(REPO, 'runtime/cli/connect-standalone.ts'), worker], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
  // Warnings and errors only (SLUICE_LOG_LEVEL=warn), kept for the message if the worker stops.
  let errors = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-10_000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    const cpuNow = (): number => processCpuMs(child.pid!) + processCpuMs(broker.pid!);
    await waitForRest(restUrl, child, () => errors);
    // A first sink on a topic without records loads the connector's code and its client.
    const warmUp = `${name}-warm-up`;
    await createConnector(restUrl, warmUp, { ...sink, topics: `${topic}-empty` });
    await waitForRunningTask(restUrl, warmUp, child, () => errors);
    const deleted = await fetch(`${restUrl}/connectors/${warmUp}`, { method: 'DELETE' });
    if (!deleted.ok) throw new Error(`deleting the warm-up sink failed: ${deleted.status} ${await deleted.text()}`);
    const cpuAtCreate = cpuNow();
    const brokerCpuAtCreate = processCpuMs(broker.pid!);
    await createConnector(restUrl, name, sink);
    let first: { at: number; indexed: number } | null = null;
    for (;;) {
      const indexed = await indexOperations(client, topic);
      const now = performance.now();
      if (first === null && indexed > 0) first = { at: now, indexed };
      if (indexed >= count) break;
      if (exited) throw new Error(`connect-standalone exited with ${indexed} of ${count} documents indexed:\n${errors}`);
      await sleep(100);
    }
    if (first!.indexed >= count) throw new Error(`Elasticsearch counted all ${count} documents at once: too few documents to measure a rate`);
    const docsPerSec = (count - first!.indexed) / ((performance.now() - first!.at) / 1000);
    const cpuMs = cpuNow() - cpuAtCreate;
    const brokerCpuMs = processCpuMs(broker.pid!) - brokerCpuAtCreate;
    await client.indices.refresh({ index: topic });
    const documents = (await client.count({ index: topic })).count;
    if (documents !== count) throw new Error(`Elasticsearch holds ${documents} documents after ${count} index operations of the sink`);
    return { docsPerSec, cpuMsPer10k: cpuMs * (10_000 / count), brokerCpuMsPer10k: brokerCpuMs * (10_000 / count), startupCpuMs: cpuAtCreate - cpuAtSpawn };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)));
    await client.indices.delete({ index: topic }, { ignore: [404] });
  }
}

interface Figure {
  docsPerSec: number;
  cpuMsPer10k: number;
}

interface WorkerFigure extends Figure {
  /** The broker's part of cpuMsPer10k (serving the fetches). */
  brokerCpuMsPer10k: number;
  /** CPU of connect-standalone (and the broker meanwhile) from its launch until the measured sink was created. */
  startupCpuMs: number;
}

async function measure(count: number, run: () => Promise<number>): Promise<Figure> {
  const cpu = process.cpuUsage();
  const docsPerSec = await run();
  const used = process.cpuUsage(cpu);
  return { docsPerSec, cpuMsPer10k: ((used.user + used.system) / 1000) * (10_000 / count) };
}

const better = (a: Figure | undefined, b: Figure): Figure =>
  a === undefined ? b : { docsPerSec: Math.max(a.docsPerSec, b.docsPerSec), cpuMsPer10k: Math.min(a.cpuMsPer10k, b.cpuMsPer10k) };

async function run({ smoke }: { smoke: boolean }): Promise<void> {
  // Even the smoke run needs several 5 MiB requests (about 17,500 documents each) and seconds of
  // indexing: Elasticsearch's count moves once a second (index refresh), and fewer documents
  // measure the worker's linger and start-up instead of its throughput.
  const count = smoke ? 100_000 : 1_000_000;
  const rounds = smoke ? 1 : 2;
  process.env.SLUICE_LOG_LEVEL ??= 'warn';
  const url = await elasticsearchUrl();
  const client = new Client({ node: url, requestTimeout: 60_000 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'es-bench-'));
  const file = path.join(dir, 'documents.jsonl');
  const text = documentLines(count);
  await writeFile(file, text);
  process.stdout.write(`${count} documents, ${Math.round(Buffer.byteLength(text) / count)} B each on average, Elasticsearch at ${url}, best of ${rounds} run(s)\n\n`);
  const index = `bench-${randomUUID().slice(0, 8)}`;
  const cases: Array<[string, () => Promise<number>]> = [
    ['anchor', () => bulkHelper(client, file, index)],
    ['string', () => sinkTask(url, file, index, 'string', HELPER_SHAPED)],
    ['schemaless', () => sinkTask(url, file, index, 'schemaless', HELPER_SHAPED)],
    ['defaults', () => sinkTask(url, file, index, 'string', {})],
  ];
  const best = new Map<string, Figure>();
  const topic = `bench-topic-${randomUUID().slice(0, 8)}`;
  let broker: ChildProcess | undefined;
  let workerStartupCpuMs = Infinity;
  let brokerCpuMsPer10k = Infinity;
  try {
    const prefilled = await prefilledTopic(dir, file, topic);
    broker = prefilled.broker;
    for (let round = 0; round < rounds; round++) {
      for (const [name, runCase] of cases) {
        await freshIndex(client, index);
        best.set(name, better(best.get(name), await measure(count, runCase)));
      }
      const worker = await throughWorker(client, url, dir, prefilled.broker, prefilled.bootstrap, topic, count);
      best.set('worker', better(best.get('worker'), worker));
      workerStartupCpuMs = Math.min(workerStartupCpuMs, worker.startupCpuMs);
      brokerCpuMsPer10k = Math.min(brokerCpuMsPer10k, worker.brokerCpuMsPer10k);
    }
  } finally {
    if (broker !== undefined && broker.exitCode === null) {
      const exited = new Promise((resolve) => broker!.once('exit', resolve));
      broker.kill('SIGTERM');
      await exited;
    }
    await client.indices.delete({ index }, { ignore: [404] });
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
  const anchor = best.get('anchor')!;
  const anchorName = 'helpers.bulk from file';
  const row = (name: string, label: string, target?: number): Row[] => {
    const ours = best.get(name)!;
    return [
      { case: label, metric: 'docs/s', ours: ours.docsPerSec, anchor: anchor.docsPerSec, anchorName, higherIsBetter: true, ...(target !== undefined && { target }) },
      { case: label, metric: 'client CPU ms / 10k docs', ours: ours.cpuMsPer10k, anchor: anchor.cpuMsPer10k, anchorName, higherIsBetter: false },
    ];
  };
  printTable([
    // CPU: the worker's and the broker's processes (consumer, converter, sink; fetch serving), start-up excluded.
    ...row('worker', 'pre-filled topic → connect-standalone → Elasticsearch, JSON strings (StringConverter), 5 MiB requests', 0.9),
    ...row('string', 'SinkTask driven in process, JSON strings (StringConverter), 5 MiB requests', 0.9),
    // Informational: JsonConverter's parsing and conversion run in this process too, the helper sends the lines as they are.
    ...row('schemaless', 'SinkTask driven in process, schemaless JSON (JsonConverter, conversion included), 5 MiB requests'),
    ...row('defaults', "SinkTask driven in process, JSON strings, Confluent's defaults (2000 records per request)"),
  ]);
  process.stdout.write(
    `\nThrough connect-standalone: the broker's part of the client CPU is ${brokerCpuMsPer10k.toFixed(0)} ms / 10k docs; ` +
      `the worker's start-up with the connector's code loaded (not in the figures above) took ${workerStartupCpuMs.toFixed(0)} ms CPU\n`,
  );
}

export const elasticsearchBench: Bench = { name: 'elasticsearch', run };
