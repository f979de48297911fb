// MongoDB sink benchmark: documents/s written into the FerretDB of test/services by the sink task
// (driven in this process as the worker drives it: put() of 500-record polls of schemaless JSON
// values, as the JsonConverter with schemas.enable=false hands them over), next to the mongodb
// driver's bulkWrite of the same documents with the same operations and batch size into the same
// server in the same run — the limit this server sets on this machine. Rows: plain inserts (the
// 100,000-document figure) and idempotent upserts (ReplaceOneDefault + ProvidedInValue, the
// recommended setup) on 1,000 documents only: FerretDB (SQLite) takes ~90 ms per upsert statement. Runs alternate
// and each figure is the best of its runs. The path from the topic (consumer, converter) is not
// part of this figure; the official connector in Kafka Connect is not measured here.
// `--smoke` shrinks the document count.
import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { SinkTaskContext } from '../../runtime/connect/api/index.ts';
import { SinkRecord } from '../../runtime/connect/api/index.ts';
import { MongoSinkTask } from '../../connectors/mongodb/index.ts';
import { parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';

const POLL = 500;
const RUNS = 2;

/** Deterministic ~300 B documents. */
function documents(count: number): Document[] {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  return Array.from({ length: count }, (_, i) => ({
    _id: i,
    user: `user-${Math.floor(rand() * 100_000)}`,
    email: `user${Math.floor(rand() * 100_000)}@example.com`,
    ts: new Date(1_795_000_000_000 + i * 1000).toISOString(),
    level: rand() < 0.9 ? 'info' : 'warn',
    amount: Math.round(rand() * 1_000_000) / 100,
    tags: [words[i % words.length], words[(i * 7) % words.length]],
    message: Array.from({ length: 18 }, () => words[Math.floor(rand() * words.length)]).join(' '),
  }));
}

async function ferretUrl(): Promise<string> {
  const up = await runScript('up', ['ferretdb'], { timeoutMs: 600_000 });
  const url = parseExports(up.stdout).get('MONGODB_URL');
  if (up.exitCode !== 0 || url === undefined) throw new Error(`cannot start FerretDB from test/services:\n${up.stderr}`);
  return url;
}

function context(props: Record<string, string>): SinkTaskContext {
  return {
    configs: () => props,
    offset: () => {},
    timeout: () => {},
    assignment: () => [],
    pause: () => {},
    resume: () => {},
    requestCommit: () => {},
    errantRecordReporter: () => null,
  };
}

async function sinkRun(url: string, docs: Document[], writeModel: string): Promise<number> {
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const props = { 'connection.uri': url, database, collection: 'docs', 'document.id.strategy': 'ProvidedInValueStrategy', 'writemodel.strategy': writeModel, topics: 'bench' };
  const records = docs.map((doc, offset) => new SinkRecord({ topic: 'bench', kafkaPartition: 0, kafkaOffset: offset, value: { ...doc } }));
  const task = new MongoSinkTask();
  task.initialize(context(props));
  task.start(props);
  const started = performance.now();
  for (let i = 0; i < records.length; i += POLL) await task.put(records.slice(i, i + POLL));
  const seconds = (performance.now() - started) / 1000;
  await task.stop();
  await dropDatabase(url, database);
  return docs.length / seconds;
}

async function driverRun(url: string, docs: Document[], kind: 'replace' | 'insert'): Promise<number> {
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const client = new MongoClient(url);
  const collection = client.db(database).collection('docs');
  const started = performance.now();
  for (let i = 0; i < docs.length; i += POLL) {
    const ops: Array<AnyBulkWriteOperation<Document>> = docs.slice(i, i + POLL).map((doc) => {
      if (kind === 'insert') return { insertOne: { document: { ...doc } } };
      const { _id, ...rest } = doc;
      return { replaceOne: { filter: { _id }, replacement: rest, upsert: true } };
    });
    await collection.bulkWrite(ops, { ordered: true });
  }
  const seconds = (performance.now() - started) / 1000;
  await client.db(database).dropDatabase();
  await client.close();
  return docs.length / seconds;
}

async function dropDatabase(url: string, database: string): Promise<void> {
  const client = new MongoClient(url);
  await client.db(database).dropDatabase();
  await client.close();
}

export const mongodbBench: Bench = {
  name: 'mongodb',
  async run({ smoke }) {
    const url = await ferretUrl();
    const docs = documents(smoke ? 5_000 : 100_000);
    const rows: Row[] = [];
    for (const [label, model, kind, count] of [
      ['insert (InsertOneDefault)', 'InsertOneDefaultStrategy', 'insert', docs.length],
      ['upsert (ReplaceOneDefault + ProvidedInValue)', 'ReplaceOneDefaultStrategy', 'replace', Math.min(docs.length, 1_000)],
    ] as const) {
      const subset = docs.slice(0, count);
      let ours = 0;
      let anchor = 0;
      for (let run = 0; run < RUNS; run++) {
        ours = Math.max(ours, await sinkRun(url, subset, model));
        anchor = Math.max(anchor, await driverRun(url, subset, kind));
      }
      rows.push({ case: `${subset.length} docs → FerretDB, ${label}`, metric: 'docs/s', ours, anchor, anchorName: 'driver bulkWrite', higherIsBetter: true, target: 0.9 });
    }
    printTable(rows);
  },
};
