// MongoDB sink benchmark, into the FerretDB of test/services.
// (a) The sink task alone, driven in this process as the worker drives it (put() of 500-record
//     polls of schemaless JSON values, as the JsonConverter with schemas.enable=false hands them
//     over), next to the mongodb driver's bulkWrite of the same documents with the same
//     operations and batch size into the same server in the same run — the limit this server sets
//     on this machine — with the client CPU per document of each (the connector's own cost is the
//     difference). Rows: plain inserts (the 100,000-document figure) and idempotent upserts
//     (ReplaceOneDefault + ProvidedInValue, the recommended setup) on 1,000 documents only:
//     FerretDB (SQLite) takes ~90 ms per upsert statement.
// (b) Through a worker: a topic of the Kafka of test/services pre-filled with the documents (JSON
//     strings), drained into FerretDB by Sluice's connect-standalone and by the official connector
//     (org.mongodb.kafka:mongo-kafka-connect from Maven Central, fetched through test/services'
//     Maven helper) in Apache Kafka Connect's standalone worker from test/services; each is timed
//     from its first document in the collection to its last (so JVM and worker start-up are left
//     out). When Kafka, the JDK or the connector cannot be had, the row says why instead.
// Runs alternate and each figure is the best of its runs. `--smoke` shrinks the document count.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { SinkTaskContext } from '../../runtime/connect/api/index.ts';
import { SinkRecord } from '../../runtime/connect/api/index.ts';
import { KafkaAdmin, KafkaProducer } from '../../runtime/client/index.ts';
import { MongoSinkTask } from '../../connectors/mongodb/index.ts';
import { failureReason, parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';
import { freePort } from '../services/free-port.ts';
import { benchDocuments } from './documents.ts';
import { stopProcess } from './proc.ts';

const POLL = 500;
const RUNS = 2;

/** Deterministic ~300 B documents. */
function documents(count: number): Document[] {
  return benchDocuments(count, { seed: 7, idField: '_id', messageWords: 18 });
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

interface Measured {
  docsPerSecond: number;
  /** Client CPU (user + system) per document, µs: conversion, driver serialization, I/O handling. */
  cpuMicrosPerDoc: number;
}

function measure(count: number, started: number, cpu: NodeJS.CpuUsage): Measured {
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { docsPerSecond: count / seconds, cpuMicrosPerDoc: (used.user + used.system) / count };
}

async function sinkRun(url: string, docs: Document[], writeModel: string): Promise<Measured> {
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const props = { 'connection.uri': url, database, collection: 'docs', 'document.id.strategy': 'ProvidedInValueStrategy', 'writemodel.strategy': writeModel, topics: 'bench' };
  const records = docs.map((doc, offset) => new SinkRecord({ topic: 'bench', kafkaPartition: 0, kafkaOffset: offset, value: { ...doc } }));
  const task = new MongoSinkTask();
  task.initialize(context(props));
  task.start(props);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < records.length; i += POLL) await task.put(records.slice(i, i + POLL));
  // The last batch is still being written: flush, as the worker's offset commit does.
  await task.flush([]);
  const result = measure(docs.length, started, cpu);
  await task.stop();
  await dropDatabase(url, database);
  return result;
}

async function driverRun(url: string, docs: Document[], kind: 'replace' | 'insert'): Promise<Measured> {
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const client = new MongoClient(url);
  const collection = client.db(database).collection('docs');
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < docs.length; i += POLL) {
    const ops: Array<AnyBulkWriteOperation<Document>> = docs.slice(i, i + POLL).map((doc) => {
      if (kind === 'insert') return { insertOne: { document: { ...doc } } };
      const { _id, ...rest } = doc;
      return { replaceOne: { filter: { _id }, replacement: rest, upsert: true } };
    });
    await collection.bulkWrite(ops, { ordered: true });
  }
  const result = measure(docs.length, started, cpu);
  await client.db(database).dropDatabase();
  await client.close();
  return result;
}

const REPO = path.resolve(import.meta.dirname, '../..');
const OFFICIAL_VERSION = '2.0.1';

/** The official connector's jars (and their dependencies) from Maven Central, cached by test/services' helper. */
async function officialConnectorLib(): Promise<string> {
  const script = `source "${REPO}/test/services/lib.sh"; d="$CACHE/mongo-kafka-connect-${OFFICIAL_VERSION}"; ` +
    `[[ -f $d/.complete ]] || { need_cache_writable && maven_fetch "$d" org.mongodb.kafka:mongo-kafka-connect:${OFFICIAL_VERSION} && touch "$d/.complete"; } >&2; echo "$d/lib"`;
  const result = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
  if (result.code !== 0) throw new Error(`cannot fetch mongo-kafka-connect ${OFFICIAL_VERSION} from Maven Central: ${result.err.trim().split('\n').pop() ?? ''}`);
  return result.out.trim();
}

async function kafkaBootstrap(): Promise<string> {
  const up = await runScript('up', ['kafka'], { timeoutMs: 900_000 });
  const bootstrap = parseExports(up.stdout).get('KAFKA_BOOTSTRAP');
  if (up.exitCode !== 0 || bootstrap === undefined) throw new Error(`cannot start Kafka from test/services: ${failureReason(up)}`);
  return bootstrap;
}

/**
 * Fills the topic with Sluice's own client. (kafkajs, used here before, printed a
 * TimeoutNegativeWarning under Node 24: its request queue arms setTimeout with
 * `throttledUntil - Date.now()` while throttledUntil is still its initial -1.)
 */
async function fillTopic(bootstrap: string, topic: string, docs: Document[]): Promise<void> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.createTopics([{ name: topic, partitions: 1 }]);
  } finally {
    await admin.close();
  }
  const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap, acks: 'all', 'linger.ms': 5 });
  try {
    for (let i = 0; i < docs.length; i += 2000) {
      await Promise.all(docs.slice(i, i + 2000).map((doc) => producer.send({ topic, partition: 0, value: Buffer.from(JSON.stringify(doc)) })));
    }
  } finally {
    await producer.close();
  }
}

/**
 * Counts the collection's documents. FerretDB answers `count` by reading and decoding every
 * document (2.9 s of its CPU at 50,000 documents), so polling it would load the server the
 * workers write to and end each run late; for the FerretDB of test/services the count comes from
 * its SQLite file instead (read-only, through the `_id` index: under a millisecond).
 */
function documentCounter(url: string, database: string, collection: Collection): { count(): Promise<number>; close(): void } {
  const dataDir = ferretDataDir(Number(new URL(url).port));
  if (dataDir === undefined) return { count: () => collection.estimatedDocumentCount(), close: () => {} };
  const file = path.join(dataDir, `${database}.sqlite`);
  let db: DatabaseSync | undefined;
  let statement: StatementSync | undefined;
  let last = 0;
  const read = (): number => {
    if (statement === undefined) {
      if (!existsSync(file)) return 0;
      // A reader waits this long for FerretDB's write lock (its catalog changes take it).
      db ??= new DatabaseSync(file, { readOnly: true, timeout: 1000 });
      // FerretDB creates the file before its catalog table.
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = '_ferretdb_collections'").get() === undefined) return 0;
      const table = db.prepare('SELECT table_name FROM _ferretdb_collections WHERE name = ?').get(collection.collectionName) as { table_name: string } | undefined;
      if (table === undefined) return 0;
      statement = db.prepare(`SELECT count(*) AS n FROM "${table.table_name}"`);
    }
    return Number((statement.get() as { n: number }).n);
  };
  return {
    async count() {
      try {
        last = read();
      } catch (error) {
        // SQLITE_BUSY past the timeout: the next poll asks again.
        if ((error as { errcode?: number }).errcode !== 5) throw error;
      }
      return last;
    },
    close: () => db?.close(),
  };
}

/** The SQLite directory of the FerretDB process listening on `port`, if one runs on this machine. */
function ferretDataDir(port: number): string | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args.some((arg) => arg === `--listen-addr=127.0.0.1:${port}`)) continue;
    const sqliteUrl = args.find((arg) => arg.startsWith('--sqlite-url=file:'));
    if (sqliteUrl !== undefined) return sqliteUrl.slice('--sqlite-url=file:'.length);
  }
  return undefined;
}

/** Runs a worker command until the collection holds all documents; docs/s from the first document to the last. */
async function workerRun(command: string, args: string[], cwd: string, url: string, database: string, count: number): Promise<number> {
  const client = new MongoClient(url);
  const collection = client.db(database).collection('docs');
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const counter = documentCounter(url, database, collection);
  try {
    let first: { at: number; seen: number } | null = null;
    const deadline = Date.now() + 900_000;
    for (;;) {
      const seen = await counter.count();
      const now = performance.now();
      if (first === null && seen > 0) first = { at: now, seen };
      if (first !== null && seen >= count) return (count - first.seen) / ((now - first.at) / 1000);
      if (exited) throw new Error(`${path.basename(args[0] ?? command)} exited with ${seen} of ${count} documents written:\n${output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`timed out with ${seen} of ${count} documents written:\n${output.slice(-3000)}`);
      await sleep(20);
    }
  } finally {
    await stopProcess(child);
    counter.close();
    await client.db(database).dropDatabase();
    await client.close();
  }
}

interface WorkerSetup {
  dir: string;
  topic: string;
  bootstrap: string;
  url: string;
  count: number;
}

function sinkProps(setup: WorkerSetup, database: string, name: string): string {
  return [
    `name=${name}`,
    'connector.class=com.mongodb.kafka.connect.MongoSinkConnector',
    'tasks.max=1',
    `topics=${setup.topic}`,
    `connection.uri=${setup.url}`,
    `database=${database}`,
    'collection=docs',
    'document.id.strategy=com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInValueStrategy',
    'writemodel.strategy=com.mongodb.kafka.connect.sink.writemodel.strategy.InsertOneDefaultStrategy',
    '',
  ].join('\n');
}

async function workerProps(setup: WorkerSetup, extra: string[]): Promise<string> {
  return [
    `bootstrap.servers=${setup.bootstrap}`,
    'key.converter=org.apache.kafka.connect.storage.StringConverter',
    'value.converter=org.apache.kafka.connect.storage.StringConverter',
    `offset.storage.file.filename=${path.join(setup.dir, `offsets-${randomUUID()}`)}`,
    `listeners=http://127.0.0.1:${await freePort()}`,
    'consumer.max.poll.records=500',
    'consumer.auto.offset.reset=earliest',
    ...extra,
    '',
  ].join('\n');
}

async function sluiceWorkerRun(setup: WorkerSetup): Promise<number> {
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const name = `sluice-${randomUUID().slice(0, 8)}`;
  await writeFile(path.join(setup.dir, `${name}-worker.properties`), await workerProps(setup, []));
  await writeFile(path.join(setup.dir, `${name}.properties`), sinkProps(setup, database, name));
  return workerRun(process.execPath, [path.join(REPO, 'runtime/cli/bin/connect-standalone.js'), `${name}-worker.properties`, `${name}.properties`], setup.dir, setup.url, database, setup.count);
}

async function officialWorkerRun(setup: WorkerSetup, lib: string): Promise<number> {
  const database = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const name = `official-${randomUUID().slice(0, 8)}`;
  // A directory on plugin.path is one plugin with all its jars; loose jars would each be a plugin.
  await writeFile(path.join(setup.dir, `${name}-worker.properties`), await workerProps(setup, [`plugin.path=${path.dirname(lib)}`]));
  await writeFile(path.join(setup.dir, `${name}.properties`), sinkProps(setup, database, name));
  return workerRun(path.join(REPO, 'test/services/kafka-tool'), ['connect-standalone', `${name}-worker.properties`, `${name}.properties`], setup.dir, setup.url, database, setup.count);
}

/** Row (b), or the reason it could not be measured. */
async function workerRow(url: string, docs: Document[]): Promise<Row | string> {
  let lib: string;
  let bootstrap: string;
  try {
    lib = await officialConnectorLib();
    bootstrap = await kafkaBootstrap();
  } catch (error) {
    return (error as Error).message;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-mongo-bench-'));
  try {
    const setup: WorkerSetup = { dir, topic: `mongo-bench-${randomUUID().slice(0, 8)}`, bootstrap, url, count: docs.length };
    await fillTopic(bootstrap, setup.topic, docs);
    let ours = 0;
    let anchor = 0;
    for (let run = 0; run < RUNS; run++) {
      ours = Math.max(ours, await sluiceWorkerRun(setup));
      try {
        anchor = Math.max(anchor, await officialWorkerRun(setup, lib));
      } catch (error) {
        return `the official connector ${OFFICIAL_VERSION} in Apache Kafka Connect did not complete: ${(error as Error).message.slice(0, 1500)}`;
      }
    }
    return { case: `${docs.length} docs, Kafka topic → worker → FerretDB, insert (InsertOneDefault)`, metric: 'docs/s', ours, anchor, anchorName: `mongo-kafka-connect ${OFFICIAL_VERSION} in Kafka Connect`, higherIsBetter: true, target: 1.5 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
      let oursCpu = Infinity;
      let anchorCpu = Infinity;
      for (let run = 0; run < RUNS; run++) {
        const sink = await sinkRun(url, subset, model);
        const driver = await driverRun(url, subset, kind);
        ours = Math.max(ours, sink.docsPerSecond);
        anchor = Math.max(anchor, driver.docsPerSecond);
        oursCpu = Math.min(oursCpu, sink.cpuMicrosPerDoc);
        anchorCpu = Math.min(anchorCpu, driver.cpuMicrosPerDoc);
      }
      rows.push({ case: `${subset.length} docs → FerretDB, ${label}`, metric: 'docs/s', ours, anchor, anchorName: 'driver bulkWrite', higherIsBetter: true, target: 0.9 });
      rows.push({ case: `${subset.length} docs → FerretDB, ${label}`, metric: 'client CPU µs/doc', ours: oursCpu, anchor: anchorCpu, anchorName: 'driver bulkWrite', higherIsBetter: false });
    }
    const worker = await workerRow(url, docs);
    if (typeof worker !== 'string') rows.push(worker);
    printTable(rows);
    if (typeof worker === 'string') process.stdout.write(`\n(b) official connector: not measured — ${worker}\n`);
  },
};
