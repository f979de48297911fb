// Schema registry benchmark: 1,000 subjects × 10 versions (--smoke: 50 × 4) registered through the
// HTTP API of a registry on Apache Kafka (test/services). Rows:
//  - GET /schemas/ids/{id} requests/s against a minimal fastify route on the same server returning
//    the same bytes (the HTTP stack's own limit), closed loop, medians of three alternating runs;
//  - POST /subjects/{s} (lookup) latency p50/p99 at a fixed 1,000 requests/s, against a minimal
//    POST route on the same server;
//  - register throughput against sequential acks=all produces to a one-partition topic (a write
//    is one produce plus reading it back);
//  - start-up of `sluice registry` on the seeded _schemas topic against start-up on an empty one.
// The load generator (registry-load.ts) runs in its own process.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { KafkaAdmin, KafkaProducer } from '../../runtime/client/index.ts';
import { buildRegistryApp } from '../../schema-registry/http/index.ts';
import { KafkaRegistryStore } from '../../schema-registry/store/index.ts';
import { parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const LOAD = path.join(import.meta.dirname, 'registry-load.ts');
const V1 = 'application/vnd.schemaregistry.v1+json';

interface LoadRequest {
  method: string;
  path: string;
  body?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function load(dir: string, job: Record<string, unknown>): Promise<Record<string, number>> {
  const file = path.join(dir, `job-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(job));
  const child = spawn(process.execPath, [LOAD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err}`);
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  if (result.failures > 0) throw new Error(`load generator saw ${result.failures} failed requests: ${JSON.stringify(job).slice(0, 200)}`);
  return result;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Version v (1-based) of subject s: each version adds a field with a default, so BACKWARD accepts it. */
function schemaFor(s: number, v: number): string {
  const fields = [{ name: 'id', type: 'long' }];
  for (let i = 1; i < v; i++) fields.push({ name: `f${i}`, type: 'string', default: '' } as never);
  return JSON.stringify({ type: 'record', name: `Subject${s}`, namespace: 'bench', fields });
}

async function startupSeconds(bootstrap: string, topic: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(REPO, 'runtime/cli/sluice.ts'), 'registry', '--listeners', `http://127.0.0.1:${port}`, '--bootstrap-server', bootstrap, '--override', `kafkastore.topic=${topic}`, '--override', `schema.registry.group.id=bench-${randomUUID()}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (out.includes('Schema registry listening on')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`sluice registry exited with ${code}: ${out}`)));
  });
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGTERM');
  await exited;
  return seconds;
}

async function produceAnchor(bootstrap: string, records: number, valueBytes: number): Promise<number> {
  const topic = `bench-produce-${randomUUID()}`;
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
  await admin.createTopics([{ name: topic, partitions: 1 }]);
  await admin.close();
  const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap, acks: 'all', 'linger.ms': '0' });
  const value = Buffer.alloc(valueBytes, 120);
  await producer.send({ topic, partition: 0, key: Buffer.from('warm'), value });
  const start = performance.now();
  for (let i = 0; i < records; i++) await producer.send({ topic, partition: 0, key: Buffer.from(`k${i}`), value });
  const perSec = records / ((performance.now() - start) / 1000);
  await producer.close();
  return perSec;
}

async function run({ smoke }: { smoke: boolean }): Promise<void> {
  const subjects = smoke ? 50 : 1000;
  const versions = smoke ? 4 : 10;
  const durationMs = smoke ? 1500 : 5000;
  const rounds = smoke ? 1 : 3;
  const up = await runScript('up', ['kafka'], { timeoutMs: 600_000 });
  const bootstrap = parseExports(up.stdout).get('KAFKA_BOOTSTRAP');
  if (bootstrap === undefined) throw new Error(`test/services/up kafka printed no KAFKA_BOOTSTRAP:\n${up.stderr}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-registry-bench-'));
  const topic = `_schemas-bench-${randomUUID()}`;
  const port = await freePort();
  const store = await KafkaRegistryStore.start({
    bootstrapServers: bootstrap,
    advertised: { scheme: 'http', host: '127.0.0.1', port },
    topic,
    groupId: `bench-${randomUUID()}`,
    logger: pino({ level: 'warn' }),
  });
  const { app } = buildRegistryApp({ store });
  let lookupBytes = '{}';
  // Anchor routes on the same server, answering the same bytes as the routes measured.
  const byIdBytes = JSON.stringify({ guid: '00000000-0000-0000-0000-000000000000', schemaType: 'AVRO', schema: schemaFor(1, versions) });
  app.get('/bench/by-id', async (_req, reply) => reply.type(V1).send(byIdBytes));
  app.post('/bench/lookup', async (_req, reply) => reply.type(V1).send(lookupBytes));
  try {
    await app.listen({ host: '127.0.0.1', port });
    await store.awaitLeader(60_000);
    // Register every version, a version round at a time (versions of one subject are ordered).
    let registerSeconds = 0;
    for (let v = 1; v <= versions; v++) {
      const requests: LoadRequest[] = Array.from({ length: subjects }, (_, s) => ({ method: 'POST', path: `/subjects/bench-${s}-value/versions`, body: JSON.stringify({ schema: schemaFor(s, v) }) }));
      const r = await load(dir, { mode: 'once', host: '127.0.0.1', port, requests, concurrency: 8 });
      registerSeconds += r.requests / r.requestsPerSec;
    }
    const total = subjects * versions;
    const registerPerSec = total / registerSeconds;
    const produceAnchorPerSec = await produceAnchor(bootstrap, smoke ? 200 : 1000, schemaFor(1, versions).length + 80);

    // GET /schemas/ids/{id} against the minimal route.
    const ids: LoadRequest[] = Array.from({ length: total }, (_, i) => ({ method: 'GET', path: `/schemas/ids/${((i * 7919) % total) + 1}` }));
    const ours: number[] = [];
    const anchor: number[] = [];
    // Warm-up: JIT and the by-id answer cache, for both routes alike.
    await load(dir, { mode: 'closed', host: '127.0.0.1', port, requests: [{ method: 'GET', path: '/bench/by-id' }], concurrency: 32, durationMs: 1000 });
    await load(dir, { mode: 'once', host: '127.0.0.1', port, requests: ids, concurrency: 32 });
    for (let i = 0; i < rounds; i++) {
      anchor.push((await load(dir, { mode: 'closed', host: '127.0.0.1', port, requests: [{ method: 'GET', path: '/bench/by-id' }], concurrency: 32, durationMs })).requestsPerSec);
      ours.push((await load(dir, { mode: 'closed', host: '127.0.0.1', port, requests: ids, concurrency: 32, durationMs })).requestsPerSec);
    }

    // Lookups at 1,000 requests/s.
    const lookups: LoadRequest[] = Array.from({ length: Math.min(total, 2000) }, (_, i) => {
      const s = (i * 31) % subjects;
      const v = (i % versions) + 1;
      return { method: 'POST', path: `/subjects/bench-${s}-value`, body: JSON.stringify({ schema: schemaFor(s, v) }) };
    });
    lookupBytes = JSON.stringify((await (await fetch(`http://127.0.0.1:${port}/subjects/bench-0-value`, { method: 'POST', headers: { 'content-type': V1 }, body: lookups[0].body })).json()) as object);
    // Warm-up as for GET: every lookup once (a serializer repeats the same few lookups).
    await load(dir, { mode: 'once', host: '127.0.0.1', port, requests: lookups, concurrency: 8 });
    const anchorLookup = await load(dir, { mode: 'rate', host: '127.0.0.1', port, requests: lookups.map((l) => ({ ...l, path: '/bench/lookup' })), rate: 1000, durationMs });
    const oursLookup = await load(dir, { mode: 'rate', host: '127.0.0.1', port, requests: lookups, rate: 1000, durationMs });

    await app.close();
    await store.close();

    // Start-up of a fresh `sluice registry` process on the seeded topic vs an empty topic.
    const seeded: number[] = [];
    const empty: number[] = [];
    for (let i = 0; i < rounds; i++) {
      empty.push(await startupSeconds(bootstrap, `_schemas-bench-empty-${randomUUID()}`));
      seeded.push(await startupSeconds(bootstrap, topic));
    }

    const rows: Row[] = [
      { case: `GET /schemas/ids/{id}, ${total} schemas`, metric: 'requests/s', ours: median(ours), anchor: median(anchor), anchorName: 'minimal fastify route, same bytes', higherIsBetter: true, target: 0.8 },
      { case: 'POST /subjects/{s} lookup at 1,000 req/s', metric: 'p50 ms', ours: oursLookup.p50, anchor: anchorLookup.p50, anchorName: 'minimal fastify POST route', higherIsBetter: false },
      { case: 'POST /subjects/{s} lookup at 1,000 req/s', metric: 'p99 ms', ours: oursLookup.p99, anchor: anchorLookup.p99, anchorName: 'minimal fastify POST route', higherIsBetter: false },
      { case: `register ${subjects} subjects × ${versions} versions`, metric: 'schemas/s', ours: registerPerSec, anchor: produceAnchorPerSec, anchorName: 'sequential acks=all produce', higherIsBetter: true },
      { case: `start-up on _schemas with ${total} schemas`, metric: 's', ours: median(seeded), anchor: median(empty), anchorName: 'start-up on an empty _schemas', higherIsBetter: false },
    ];
    printTable(rows);
    const p99 = oursLookup.p99;
    const startup = median(seeded);
    process.stdout.write(
      `\nAbsolute targets: lookup p99 ${p99.toFixed(2)} ms (${p99 <= 5 ? 'met' : 'MISSED'}, ≤ 5 ms; achieved ${oursLookup.achievedPerSec.toFixed(0)} req/s), ` +
        `start-up ${startup.toFixed(2)} s (${startup <= 2 ? 'met' : 'MISSED'}, ≤ 2 s)\n`,
    );
  } finally {
    await app.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}


export const registryBench: Bench = { name: 'registry', run };
