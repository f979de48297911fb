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
// down); the client CPU per 10,000 documents is measured too, which that noise barely touches.
// `--smoke` shrinks the document count.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import type { SinkTaskContext, TopicPartition } from '../../runtime/connect/api/index.ts';
import { Schemas, SinkRecord, jsonToConnect, parseJson } from '../../runtime/connect/api/index.ts';
import { KafkaProducer } from '../../runtime/client/index.ts';
import { ElasticsearchSinkTask } from '../../connectors/elasticsearch/index.ts';
import { parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';

const POLL = 500;
const REPO = path.resolve(import.meta.dirname, '../..');

/** Deterministic ~300 B JSON documents, one per line. */
function documentLines(count: number): string {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const message = Array.from({ length: 22 }, () => words[Math.floor(rand() * words.length)]).join(' ');
    lines.push(
      JSON.stringify({
        id: i,
        user: `user-${Math.floor(rand() * 100_000)}`,
        email: `user${Math.floor(rand() * 100_000)}@example.com`,
        ts: new Date(1_795_000_000_000 + i * 1000).toISOString(),
        level: rand() < 0.9 ? 'info' : 'warn',
        amount: Math.round(rand() * 1_000_000) / 100,
        tags: [words[i % words.length], words[(i * 7) % words.length]],
        message,
      }),
    );
  }
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
 * batch.size of 20,000 stays out of the way), and a linger long enough to fill them (the helper
 * waits up to 30 s; the end of the input is flushed at once by both). The buffer holds the five
 * requests in flight and the next one filling (max.buffered.records must be at least batch.size ×
 * max.in.flight.requests); a larger one only adds memory: records wait in it either way.
 */
const HELPER_SHAPED = { 'batch.size': '20000', 'max.buffered.records': '100000', 'linger.ms': '1000' };

/** Ours: the sink task fed 500-record polls of the same lines, as StringConverter or JsonConverter (schemas.enable=false) values. */
async function sinkTask(url: string, file: string, index: string, kind: ValueKind, props: Record<string, string>): Promise<number> {
  const context = new BenchContext([{ topic: index, partition: 0 }]);
  const task = new ElasticsearchSinkTask();
  task.initialize(context);
  task.start({ 'connection.url': url, 'key.ignore': 'true', 'schema.ignore': 'true', 'read.timeout.ms': '30000', ...props });
  let offset = 0;
  let poll: SinkRecord[] = [];
  const started = performance.now();
  for await (const line of lines(file)) {
    const value = kind === 'string' ? line : jsonToConnect(null, parseJson(line));
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

/** CPU time (user + system) a process has used so far, in ms (from /proc; clock ticks are 10 ms on Linux). */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
 * Ours through the worker: connect-standalone consuming the pre-filled topic, from the first
 * document Elasticsearch counts (the worker's start-up and group join excluded) until it counts
 * them all. The CPU figure is the worker's plus the broker's during the whole run.
 */
async function throughWorker(client: Client, url: string, dir: string, broker: ChildProcess, bootstrap: string, topic: string, count: number): Promise<Figure> {
  // The sink writes to the index named after the topic; it gets the anchor's settings.
  await freshIndex(client, topic);
  const props = (entries: Record<string, string | number>) => `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const worker = path.join(dir, `${name}-worker.properties`);
  const sink = path.join(dir, `${name}-sink.properties`);
  await writeFile(
    worker,
    props({
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(dir, `${name}.offsets`),
      listeners: `http://127.0.0.1:${await freePort()}`,
    }),
  );
  await writeFile(
    sink,
    props({ name, 'connector.class': 'ElasticsearchSink', topics: topic, 'connection.url': url, 'key.ignore': 'true', 'schema.ignore': 'true', 'read.timeout.ms': 30000, ...HELPER_SHAPED }),
  );
  const brokerCpu = await processCpuMs(broker.pid!);
  const child = spawn(process.execPath, [path.join(REPO, 'runtime/cli/connect-standalone.ts'), worker, sink], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
  // Warnings and errors only (SLUICE_LOG_LEVEL=warn), kept for the message if the worker stops.
  let errors = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-10_000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    let first: { at: number; indexed: number } | null = null;
    for (;;) {
      const indexed = (await client.count({ index: topic })).count;
      const now = performance.now();
      if (first === null && indexed > 0) first = { at: now, indexed };
      if (indexed >= count) break;
      if (exited) throw new Error(`connect-standalone exited with ${indexed} of ${count} documents indexed:\n${errors}`);
      await sleep(100);
    }
    const docsPerSec = (count - first!.indexed) / ((performance.now() - first!.at) / 1000);
    const cpuMs = (await processCpuMs(child.pid!)) + (await processCpuMs(broker.pid!)) - brokerCpu;
    return { docsPerSec, cpuMsPer10k: cpuMs * (10_000 / count) };
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

async function measure(count: number, run: () => Promise<number>): Promise<Figure> {
  const cpu = process.cpuUsage();
  const docsPerSec = await run();
  const used = process.cpuUsage(cpu);
  return { docsPerSec, cpuMsPer10k: ((used.user + used.system) / 1000) * (10_000 / count) };
}

const better = (a: Figure | undefined, b: Figure): Figure =>
  a === undefined ? b : { docsPerSec: Math.max(a.docsPerSec, b.docsPerSec), cpuMsPer10k: Math.min(a.cpuMsPer10k, b.cpuMsPer10k) };

async function run({ smoke }: { smoke: boolean }): Promise<void> {
  const count = smoke ? 20_000 : 1_000_000;
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
  try {
    const prefilled = await prefilledTopic(dir, file, topic);
    broker = prefilled.broker;
    for (let round = 0; round < rounds; round++) {
      for (const [name, runCase] of cases) {
        await freshIndex(client, index);
        best.set(name, better(best.get(name), await measure(count, runCase)));
      }
      best.set('worker', better(best.get('worker'), await throughWorker(client, url, dir, prefilled.broker, prefilled.bootstrap, topic, count)));
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
    // CPU: the worker's and the broker's processes (consumer, converter, sink; fetch serving).
    ...row('worker', 'pre-filled topic → connect-standalone → Elasticsearch, JSON strings (StringConverter), 5 MiB requests', 0.9),
    ...row('string', 'SinkTask driven in process, JSON strings (StringConverter), 5 MiB requests', 0.9),
    // Informational: JsonConverter's parsing and conversion run in this process too, the helper sends the lines as they are.
    ...row('schemaless', 'SinkTask driven in process, schemaless JSON (JsonConverter, conversion included), 5 MiB requests'),
    ...row('defaults', "SinkTask driven in process, JSON strings, Confluent's defaults (2000 records per request)"),
  ]);
}

export const elasticsearchBench: Bench = { name: 'elasticsearch', run };
