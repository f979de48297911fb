// Elasticsearch sink benchmark: documents/s written into the Elasticsearch of test/services by
// the sink task (driven as the worker drives it: put() of 500-record polls, pausing when told,
// flush at the end) next to the @elastic/elasticsearch bulk helper indexing the same JSON lines
// from a file into the same server in the same run — the limit this Elasticsearch sets on this
// machine. Both get one-shard indices with identical settings, explicit ids and five concurrent
// requests. The target row shapes requests like the helper's (5 MiB: bulk.size.bytes=5242880,
// batch.size out of the way); one more row shows Confluent's default of 2000 records per request
// (Elasticsearch fsyncs its translog once per request, so small requests cost it more). Runs
// alternate and each figure is the best of its runs (other work on the machine only slows runs
// down); the client CPU per 10,000 documents is measured too, which that noise barely touches.
// `--smoke` shrinks the document count.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@elastic/elasticsearch';
import type { SinkTaskContext, TopicPartition } from '../../runtime/connect/api/index.ts';
import { Schemas, SinkRecord, jsonToConnect, parseJson } from '../../runtime/connect/api/index.ts';
import { ElasticsearchSinkTask } from '../../connectors/elasticsearch/index.ts';
import { parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';

const POLL = 500;

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

/** Batches shaped like the helper's: 5 MiB by bytes, with batch.size and the buffer out of the way. */
const HELPER_SHAPED = { 'batch.size': '100000', 'max.buffered.records': '500000' };

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
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, runCase] of cases) {
        await freshIndex(client, index);
        best.set(name, better(best.get(name), await measure(count, runCase)));
      }
    }
  } finally {
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
    ...row('string', 'topic → Elasticsearch, JSON strings (StringConverter), 5 MiB requests', 0.9),
    // Informational: JsonConverter's parsing and conversion run in this process too, the helper sends the lines as they are.
    ...row('schemaless', 'topic → Elasticsearch, schemaless JSON (JsonConverter, conversion included), 5 MiB requests'),
    ...row('defaults', "topic → Elasticsearch, JSON strings, Confluent's defaults (2000 records per request)"),
  ]);
}

export const elasticsearchBench: Bench = { name: 'elasticsearch', run };
