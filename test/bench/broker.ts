// Broker benchmark: the Sluice broker and Apache Kafka 4.x (test/services) on this machine in one
// run, both driven by Kafka's own kafka-producer-perf-test and kafka-consumer-perf-test with
// identical parameters. Rows: 100 B and 1 KiB records × batch.size 16 KiB and 64 KiB × acks=1 and
// acks=all × 1 and 6 partitions for producing; consuming per record size and partition count;
// plus one row with Sluice's stricter durability (log.flush.interval.messages=1: every
// acknowledged append fsynced, group commit) against Kafka's defaults. Both brokers otherwise run
// with Kafka's default durability (no fsync per write). Each figure is the median of three runs
// per broker, alternating which goes first, with the broker's CPU time per MB next to it (the
// perf tools and both brokers share the cores, so throughput is often the client's limit). Broker
// RSS: the largest seen after a run, and idle with 100 partitions.
//
// For work on one case: BENCH_BROKER_CASES=<regex> keeps only the rows whose case name matches
// (e.g. 'produce 1 KiB, batch 16 KiB, acks=1, 1 partition$' or 'fsync per append'),
// BENCH_BROKER_ROUNDS=<n> changes the number of runs per broker, and
// BENCH_BROKER_BASELINE=<dir> adds a third broker, the Sluice tree in <dir> (e.g. an exported
// older commit), measured in the same rounds as an A/B reference.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { kafkaTool } from '../services/services.ts';
import { parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';
import { freePort } from '../services/free-port.ts';
import { processCpuMs, rssMb } from './proc.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const TOOL_TIMEOUT = 600_000;

interface Target {
  name: string;
  bootstrap: string;
  pid: number;
}

interface ProduceFigures {
  recordsPerSec: number;
  mbPerSec: number;
  p50: number;
  p99: number;
  cpuMsPerMb: number;
}

interface ConsumeFigures {
  recordsPerSec: number;
  mbPerSec: number;
  cpuMsPerMb: number;
}

/**
 * Runs `work` and adds the broker's CPU time per MB moved to its figures: the perf tools and both
 * brokers share two cores, so throughput is often the client's limit, while CPU per MB is the
 * broker's own cost.
 */
async function withBrokerCpu<F extends { mbPerSec: number; recordsPerSec: number }>(pid: number, mb: number, work: () => Promise<F>): Promise<F & { cpuMsPerMb: number }> {
  const before = processCpuMs(pid);
  const figures = await work();
  return { ...figures, cpuMsPerMb: (processCpuMs(pid) - before) / mb };
}

async function startSluice(dataDir: string, overrides: Record<string, string>, name = 'sluice', repo = REPO): Promise<{ target: Target; child: ChildProcess }> {
  const port = await freePort();
  const args = [path.join(repo, 'runtime/cli/sluice.ts'), 'broker', '--data-dir', dataDir, '--listeners', `PLAINTEXT://127.0.0.1:${port}`];
  for (const [k, v] of Object.entries({ 'group.initial.rebalance.delay.ms': '0', ...overrides })) args.push('--override', `${k}=${v}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`sluice broker exited with ${code}: ${out}`)));
    const probe = (): void => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', () => setTimeout(probe, 100));
    };
    probe();
  });
  return { target: { name, bootstrap: `127.0.0.1:${port}`, pid: child.pid as number }, child };
}

async function stopSluice(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function startKafka(): Promise<Target> {
  const up = await runScript('up', ['kafka'], { timeoutMs: 600_000 });
  const bootstrap = parseExports(up.stdout).get('KAFKA_BOOTSTRAP');
  if (up.exitCode !== 0 || bootstrap === undefined) throw new Error(`cannot start Apache Kafka from test/services:\n${up.stderr}`);
  const runDir = process.env.SLUICE_SERVICES_RUN ?? (process.getuid?.() === 0 ? '/tmp/sluice-services' : `/tmp/sluice-services-${process.getuid?.()}`);
  const pid = Number((await readFile(path.join(runDir, 'kafka', 'pid'), 'utf8')).trim());
  return { name: 'kafka', bootstrap, pid };
}

async function tool(name: string, args: string[]): Promise<string> {
  const result = await kafkaTool(name, args, { timeoutMs: TOOL_TIMEOUT });
  if (result.exitCode !== 0) throw new Error(`${name} ${args.join(' ')} failed (${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

async function createTopic(target: Target, topic: string, partitions: number): Promise<void> {
  await tool('kafka-topics', ['--bootstrap-server', target.bootstrap, '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', '1']);
}

async function producePerf(target: Target, topic: string, records: number, size: number, batch: number, acks: string): Promise<Omit<ProduceFigures, 'cpuMsPerMb'>> {
  const out = await tool('kafka-producer-perf-test', [
    '--topic', topic, '--num-records', String(records), '--record-size', String(size), '--throughput', '-1',
    '--command-property', `bootstrap.servers=${target.bootstrap}`, `acks=${acks}`, `batch.size=${batch}`, 'buffer.memory=67108864',
  ]);
  const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(out);
  if (m === null) throw new Error(`unexpected kafka-producer-perf-test output:\n${out}`);
  return { recordsPerSec: Number(m[2]), mbPerSec: Number(m[3]), p50: Number(m[4]), p99: Number(m[5]) };
}

function megabytes(records: number, size: number): number {
  return (records * size) / 1_000_000;
}

async function consumePerf(target: Target, topic: string, records: number): Promise<Omit<ConsumeFigures, 'cpuMsPerMb'>> {
  const out = await tool('kafka-consumer-perf-test', ['--bootstrap-server', target.bootstrap, '--topic', topic, '--num-records', String(records), '--timeout', '120000']);
  const lines = out.trim().split('\n');
  const cols = lines[lines.length - 1].split(',').map((c) => c.trim());
  // start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s
  if (cols.length < 10) throw new Error(`unexpected kafka-consumer-perf-test output:\n${out}`);
  return { mbPerSec: Number(cols[8]), recordsPerSec: Number(cols[9]) };
}

interface ProduceCase {
  size: number;
  batch: number;
  acks: '1' | 'all';
  partitions: number;
}

function label(c: ProduceCase): string {
  return `produce ${c.size === 100 ? '100 B' : '1 KiB'}, batch ${c.batch / 1024} KiB, acks=${c.acks}, ${c.partitions} partition${c.partitions > 1 ? 's' : ''}`;
}

function recordsFor(size: number, smoke: boolean): number {
  const bytes = smoke ? 1_000_000 : 100_000_000;
  return Math.round(bytes / size);
}

function produceRows(c: ProduceCase, ours: ProduceFigures, kafka: ProduceFigures, caseName = label(c)): Row[] {
  const target = c.size === 1024 && c.acks === '1' ? 1.0 : 0.8;
  return [
    { case: caseName, metric: 'records/s', ours: ours.recordsPerSec, anchor: kafka.recordsPerSec, anchorName: 'Kafka', higherIsBetter: true, target },
    { case: caseName, metric: 'MB/s', ours: ours.mbPerSec, anchor: kafka.mbPerSec, anchorName: 'Kafka', higherIsBetter: true, target },
    { case: caseName, metric: 'p50 ms', ours: Math.max(ours.p50, 1), anchor: Math.max(kafka.p50, 1), anchorName: 'Kafka', higherIsBetter: false },
    { case: caseName, metric: 'p99 ms', ours: Math.max(ours.p99, 1), anchor: Math.max(kafka.p99, 1), anchorName: 'Kafka', higherIsBetter: false },
    { case: caseName, metric: 'broker CPU ms/MB', ours: ours.cpuMsPerMb, anchor: kafka.cpuMsPerMb, anchorName: 'Kafka', higherIsBetter: false },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianProduce(runs: ProduceFigures[]): ProduceFigures {
  return {
    recordsPerSec: median(runs.map((r) => r.recordsPerSec)),
    mbPerSec: median(runs.map((r) => r.mbPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMsPerMb: median(runs.map((r) => r.cpuMsPerMb)),
  };
}

/**
 * Runs one case `rounds` times per broker, alternating which broker goes first, and keeps the
 * median of each figure: the machine is shared, so single runs swing with its load.
 */
async function measureProduce(c: ProduceCase, targets: Target[], rounds: number, records: number, onRun: () => Promise<void>): Promise<{ figures: Map<string, ProduceFigures>; topics: Map<string, string> }> {
  const runs = new Map<string, ProduceFigures[]>(targets.map((t) => [t.name, []]));
  const topics = new Map<string, string>();
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const topic = `bench-${randomUUID()}`;
      await createTopic(target, topic, c.partitions);
      runs.get(target.name)?.push(await withBrokerCpu(target.pid, megabytes(records, c.size), () => producePerf(target, topic, records, c.size, c.batch, c.acks)));
      topics.set(target.name, topic);
      await onRun();
    }
  }
  return { figures: new Map([...runs].map(([name, r]) => [name, medianProduce(r)])), topics };
}

/** The BENCH_BROKER_* selections (see the top of this file). */
function selection(smoke: boolean): { wanted: (caseName: string) => boolean; rounds: number; baseline: string | undefined } {
  const pattern = process.env.BENCH_BROKER_CASES;
  const only = pattern === undefined || pattern === '' ? undefined : new RegExp(pattern);
  const rounds = Number(process.env.BENCH_BROKER_ROUNDS ?? (smoke ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_BROKER_ROUNDS must be a positive integer, got ${process.env.BENCH_BROKER_ROUNDS}`);
  const baseline = process.env.BENCH_BROKER_BASELINE;
  return { wanted: (name) => only === undefined || only.test(name), rounds, baseline: baseline === '' ? undefined : baseline };
}

/** Rows for each Sluice target (the baseline's marked as such) against Kafka. */
function rowsPerSluice(figures: Map<string, ProduceFigures>, c: ProduceCase, caseName: string): Row[] {
  const kafka = figures.get('kafka') as ProduceFigures;
  const rows = produceRows(c, figures.get('sluice') as ProduceFigures, kafka, caseName);
  const base = figures.get('baseline');
  if (base !== undefined) rows.push(...produceRows(c, base, kafka, `${caseName} [baseline]`));
  return rows;
}

async function run({ smoke }: { smoke: boolean }): Promise<void> {
  const { wanted, rounds, baseline } = selection(smoke);
  const kafka = await startKafka();
  const dirs: string[] = [];
  const tempDir = async (prefix: string): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const children: ChildProcess[] = [];
  const start = async (overrides: Record<string, string>, name = 'sluice', repo = REPO): Promise<Target> => {
    const started = await startSluice(await tempDir(`sluice-bench-${name}-`), overrides, name, repo);
    children.push(started.child);
    return started.target;
  };
  const rows: Row[] = [];
  const rss = { sluice: 0, kafka: 0 };
  try {
    const sluice = await start({});
    const base = baseline === undefined ? undefined : await start({}, 'baseline', path.resolve(baseline));
    const noteRss = async (): Promise<void> => {
      rss.sluice = Math.max(rss.sluice, rssMb(sluice.pid));
      rss.kafka = Math.max(rss.kafka, rssMb(kafka.pid));
    };
    const targets = base === undefined ? [kafka, sluice] : [kafka, sluice, base];
    const cases: ProduceCase[] = [];
    for (const size of [100, 1024]) {
      for (const batch of [16_384, 65_536]) {
        for (const acks of ['1', 'all'] as const) for (const partitions of [1, 6]) cases.push({ size, batch, acks, partitions });
      }
    }
    const consumeName = (size: number, partitions: number): string => `consume ${size === 100 ? '100 B' : '1 KiB'}, ${partitions} partition${partitions === 1 ? '' : 's'}`;
    const consumed = (c: ProduceCase): boolean => c.batch === 16_384 && (c.acks === '1' || smoke) && wanted(consumeName(c.size, c.partitions));
    const chosen = (smoke ? cases.filter((c) => c.batch === 16_384 && c.partitions === 6 && c.acks === 'all') : cases).filter((c) => wanted(label(c)) || consumed(c));
    const consumeTopics = new Map<string, { topics: Map<string, string>; records: number }>();
    for (const c of chosen) {
      const records = Math.round(recordsFor(c.size, smoke) / rounds);
      const { figures, topics } = await measureProduce(c, targets, rounds, records, noteRss);
      if (consumed(c)) consumeTopics.set(`${c.size}/${c.partitions}`, { topics, records });
      if (!wanted(label(c))) continue;
      rows.push(...rowsPerSluice(figures, c, label(c)));
      const line = [...figures].map(([name, f]) => `${name} ${f.recordsPerSec.toFixed(0)} rec/s p50 ${f.p50} p99 ${f.p99} ms`).join(', ');
      process.stdout.write(`${label(c)}: ${line} (medians of ${rounds})\n`);
    }
    for (const [key, { topics, records }] of consumeTopics) {
      const [size, partitions] = key.split('/').map(Number);
      const runs = new Map<string, ConsumeFigures[]>(targets.map((t) => [t.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const target of round % 2 === 0 ? [...targets].reverse() : targets) {
          runs.get(target.name)?.push(await withBrokerCpu(target.pid, megabytes(records, size), () => consumePerf(target, topics.get(target.name) as string, records)));
        }
        await noteRss();
      }
      const medianOf = (list: ConsumeFigures[]): ConsumeFigures => ({
        recordsPerSec: median(list.map((r) => r.recordsPerSec)),
        mbPerSec: median(list.map((r) => r.mbPerSec)),
        cpuMsPerMb: median(list.map((r) => r.cpuMsPerMb)),
      });
      const theirs = medianOf(runs.get('kafka') as ConsumeFigures[]);
      for (const name of ['sluice', 'baseline']) {
        const list = runs.get(name);
        if (list === undefined) continue;
        const ours = medianOf(list);
        const caseName = `${consumeName(size, partitions)}${name === 'baseline' ? ' [baseline]' : ''}`;
        rows.push({ case: caseName, metric: 'records/s', ours: ours.recordsPerSec, anchor: theirs.recordsPerSec, anchorName: 'Kafka', higherIsBetter: true, target: 0.8 });
        rows.push({ case: caseName, metric: 'MB/s', ours: ours.mbPerSec, anchor: theirs.mbPerSec, anchorName: 'Kafka', higherIsBetter: true, target: 0.8 });
        rows.push({ case: caseName, metric: 'broker CPU ms/MB', ours: ours.cpuMsPerMb, anchor: theirs.cpuMsPerMb, anchorName: 'Kafka', higherIsBetter: false });
      }
    }

    // Sluice's stricter durability: every acknowledged append fsynced (flush.messages=1, group commit).
    const strictCase: ProduceCase = { size: 1024, batch: 16_384, acks: 'all', partitions: 6 };
    const strictName = `${label(strictCase)}, sluice fsync per append (Kafka: defaults)`;
    if (wanted(strictName)) {
      const strict = { 'log.flush.interval.messages': '1' };
      const strictTargets = [kafka, await start(strict)];
      if (baseline !== undefined) strictTargets.push(await start(strict, 'baseline', path.resolve(baseline)));
      const { figures } = await measureProduce(strictCase, strictTargets, rounds, Math.round(recordsFor(strictCase.size, smoke) / rounds), async () => undefined);
      rows.push(...rowsPerSluice(figures, strictCase, strictName));
      const line = [...figures].map(([name, f]) => `${name} ${f.recordsPerSec.toFixed(0)} rec/s p50 ${f.p50} p99 ${f.p99} ms`).join(', ');
      process.stdout.write(`${strictName}: ${line} (medians of ${rounds})\n`);
    }

    if (rss.sluice > 0) rows.push({ case: 'broker RSS, largest after a run', metric: 'MB', ours: rss.sluice, anchor: rss.kafka, anchorName: 'Kafka', higherIsBetter: false });
    const idleName = 'broker RSS idle, 100 partitions (target ≤ 150 MB)';
    if (wanted(idleName)) {
      // A fresh Sluice process next to Kafka with a 100-partition topic added.
      const idle = await start({}, 'idle');
      await createTopic(idle, 'idle-100', 100);
      await createTopic(kafka, `idle-100-${randomUUID()}`, 100);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const ours = rssMb(idle.pid);
      rows.push({ case: idleName, metric: 'MB', ours, anchor: rssMb(kafka.pid), anchorName: 'Kafka', higherIsBetter: false });
      process.stdout.write(`idle RSS with 100 partitions: sluice ${ours.toFixed(0)} MB (${ours <= 150 ? 'met' : 'MISSED'} ≤ 150 MB)\n`);
    }
  } finally {
    for (const child of children) await stopSluice(child);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
  printTable(rows);
}

export const brokerBench: Bench = { name: 'broker', run };
