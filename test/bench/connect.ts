// Connect worker benchmark: file → topic → file with the FileStream connectors, 1,000,000 lines
// of 200 B (`--smoke`: 50,000), in one run on this machine:
//   - Apache Kafka Connect standalone 4.3.1 (test/services kafka-tool connect-standalone) against
//     Apache Kafka 4.x from test/services (the anchor);
//   - our connect-standalone against the same Apache Kafka broker;
//   - our connect-standalone with its integrated broker (bootstrap.servers absent).
// Each worker gets the same properties (StringConverter, offset.flush.interval.ms=10000) and a
// fresh topic. Figures: records/s while the sink file grows (first byte → last line), end-to-end
// time (process start → sink file complete), the worker's largest RSS, and the time from process
// start to GET /health answering 200.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONNECT_STANDALONE, freePort, properties } from '../integration/connect-harness.ts';
import { SERVICES_DIR, parseExports, runScript } from '../services/scripts.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';
import { rssMb, stopProcess } from './proc.ts';

const LINE_BYTES = 200;

interface Figures {
  recordsPerSec: number;
  endToEndSec: number;
  rssMb: number;
  healthMs: number;
}

function writeInput(file: string, lines: number): void {
  const fd = openSync(file, 'w');
  const pad = 'x'.repeat(LINE_BYTES - 1 - 'line-00000000 '.length);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += `line-${String(i).padStart(8, '0')} ${pad}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/** The JVM of kafka-tool is a child of its shell: the largest RSS among the process and its children. */
function treeRssMb(pid: number): number {
  let total = rssMb(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total = Math.max(total, treeRssMb(Number(child)));
  } catch {
    // The process is gone.
  }
  return total;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) });
    return response.status === 200;
  } catch {
    return false;
  }
}


/** Runs one worker until the sink file holds every line; measures it. */
async function measure(name: string, command: string, args: string[], restPort: number, sink: string, expectedBytes: number, timeoutMs: number): Promise<Figures> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  let healthMs = Number.NaN;
  let firstByte = Number.NaN;
  let rss = 0;
  try {
    const deadline = started + timeoutMs;
    for (;;) {
      const now = performance.now();
      if (Number.isNaN(healthMs) && (await healthy(restPort))) healthMs = performance.now() - started;
      rss = Math.max(rss, treeRssMb(child.pid!));
      let size = 0;
      try {
        size = statSync(sink).size;
      } catch {
        // Not created yet.
      }
      if (size > 0 && Number.isNaN(firstByte)) firstByte = now;
      if (size >= expectedBytes) break;
      if (child.exitCode !== null) throw new Error(`${name} exited early (${child.exitCode}):\n${output.slice(-4000)}`);
      if (now > deadline) throw new Error(`${name}: sink file has ${size} of ${expectedBytes} bytes after ${timeoutMs} ms:\n${output.slice(-4000)}`);
      await sleep(Number.isNaN(healthMs) ? 20 : 100);
    }
    const done = performance.now();
    const lines = expectedBytes / LINE_BYTES;
    return { recordsPerSec: lines / ((done - firstByte) / 1000), endToEndSec: (done - started) / 1000, rssMb: rss, healthMs };
  } finally {
    await stopProcess(child);
  }
}

interface Setup {
  dir: string;
  input: string;
  lines: number;
}

async function files(setup: Setup, label: string, worker: Record<string, string | number>): Promise<{ args: string[]; sink: string; restPort: number }> {
  const dir = mkdtempSync(path.join(setup.dir, `${label}-`));
  const topic = `bench-connect-${label}-${randomUUID()}`;
  const restPort = await freePort();
  const sink = path.join(dir, 'sink.txt');
  const write = (name: string, entries: Record<string, string | number>): string => {
    const file = path.join(dir, name);
    const fd = openSync(file, 'w');
    writeSync(fd, properties(entries));
    closeSync(fd);
    return file;
  };
  const workerFile = write('worker.properties', {
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
    'offset.flush.interval.ms': 10000,
    listeners: `http://127.0.0.1:${restPort}`,
    ...worker,
  });
  const source = write('source.properties', { name: `${label}-source`, 'connector.class': 'FileStreamSource', 'tasks.max': 1, file: setup.input, topic });
  const sinkFile = write('sink.properties', { name: `${label}-sink`, 'connector.class': 'FileStreamSink', 'tasks.max': 1, file: sink, topics: topic });
  return { args: [workerFile, source, sinkFile], sink, restPort };
}

export const connectBench: Bench = {
  name: 'connect',
  async run({ smoke }) {
    const lines = smoke ? 50_000 : 1_000_000;
    const timeoutMs = smoke ? 180_000 : 900_000;
    const up = await runScript('up', ['kafka'], { timeoutMs: 600_000 });
    const bootstrap = parseExports(up.stdout).get('KAFKA_BOOTSTRAP');
    if (bootstrap === undefined) throw new Error(`test/services/up kafka gave no KAFKA_BOOTSTRAP:\n${up.stderr}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-connect-'));
    const setup: Setup = { dir, input: path.join(dir, 'input.txt'), lines };
    writeInput(setup.input, lines);
    const expected = lines * LINE_BYTES;
    try {
      const kc = await files(setup, 'kafka-connect', { 'bootstrap.servers': bootstrap });
      const kafkaConnect = await measure('Kafka Connect', path.join(SERVICES_DIR, 'kafka-tool'), ['connect-standalone', ...kc.args], kc.restPort, kc.sink, expected, timeoutMs);
      const ours = await files(setup, 'sluice', { 'bootstrap.servers': bootstrap });
      const sluice = await measure('Sluice', process.execPath, [CONNECT_STANDALONE, ...ours.args], ours.restPort, ours.sink, expected, timeoutMs);
      const embeddedFiles = await files(setup, 'sluice-embedded', {
        'broker.listeners': `PLAINTEXT://127.0.0.1:${await freePort()}`,
        'broker.data.dir': path.join(dir, 'embedded-broker'),
        'registry.listeners': `http://127.0.0.1:${await freePort()}`,
      });
      const embedded = await measure('Sluice (integrated broker)', process.execPath, [CONNECT_STANDALONE, ...embeddedFiles.args], embeddedFiles.restPort, embeddedFiles.sink, expected, timeoutMs);
      const label = `${lines.toLocaleString('en')} lines × ${LINE_BYTES} B`;
      const rows: Row[] = [
        { case: `${label}, Apache Kafka broker`, metric: 'records/s', ours: sluice.recordsPerSec, anchor: kafkaConnect.recordsPerSec, anchorName: 'Kafka Connect', higherIsBetter: true, target: 3 },
        { case: `${label}, Apache Kafka broker`, metric: 'end-to-end s', ours: sluice.endToEndSec, anchor: kafkaConnect.endToEndSec, anchorName: 'Kafka Connect', higherIsBetter: false },
        { case: `${label}, Apache Kafka broker`, metric: 'worker RSS MB', ours: sluice.rssMb, anchor: kafkaConnect.rssMb, anchorName: 'Kafka Connect', higherIsBetter: false },
        { case: `${label}, integrated broker`, metric: 'records/s', ours: embedded.recordsPerSec, anchor: kafkaConnect.recordsPerSec, anchorName: 'Kafka Connect', higherIsBetter: true, target: 3 },
        { case: `${label}, integrated broker`, metric: 'end-to-end s', ours: embedded.endToEndSec, anchor: kafkaConnect.endToEndSec, anchorName: 'Kafka Connect', higherIsBetter: false },
        { case: `${label}, integrated broker`, metric: 'process RSS MB (worker + broker)', ours: embedded.rssMb, anchor: kafkaConnect.rssMb, anchorName: 'Kafka Connect', higherIsBetter: false },
        { case: 'start → GET /health 200, integrated broker', metric: 'ms', ours: embedded.healthMs, anchor: kafkaConnect.healthMs, anchorName: 'Kafka Connect (external broker)', higherIsBetter: false },
      ];
      printTable(rows);
      process.stdout.write(
        `\nTargets: records/s ≥ 3× Kafka Connect; worker RSS ≤ 200 MB (ours: ${sluice.rssMb.toFixed(0)} MB, against Apache Kafka); ` +
          `/health within 1000 ms with the integrated broker (ours: ${embedded.healthMs.toFixed(0)} ms).\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
