// File source benchmark: lines/s from a 1 GiB file of 200 B lines (`--smoke`: 4 MB) into a topic
// of the Apache Kafka broker from test/services, in one run on this machine:
//   - Kafka Connect standalone 4.3.1 with FileStreamSource (the anchor);
//   - our connect-standalone with FileSource, mode=tail;
//   - our connect-standalone with FileSource, mode=spool (the same file, hard-linked into input.path).
// Every worker: StringConverter for keys and values, offset.flush.interval.ms=10000, each
// connector's default batch.size (FileStreamSource 2000, FileSource 1000), a fresh one-partition
// topic created beforehand. Figure:
// records/s between the first record and the last one in the topic (end offsets polled every
// 100 ms, so JVM and worker start-up do not count), and the worker process's CPU time per line
// over the same interval (the steadier figure when the machine is shared: rates swing with the
// load, which is printed). FileSource runs with its default headers (file.name, file.line), all
// four, and none. `cat file > /dev/null` is printed as the reading limit of the machine, and the
// connector's own ceiling: FileSource's task polled in this process with nothing behind it (no
// worker, no producer). SLUICE_BENCH_FILE_SOURCE_LINES overrides the number of lines.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaAdmin } from '../../runtime/client/index.ts';
import { FileSourceConnector } from '../../connectors/file/file-source-connector.ts';
import { CONNECT_STANDALONE, freePort } from '../integration/connect-harness.ts';
import { SERVICES_DIR, parseExports, runScript } from '../services/scripts.ts';
import { processCpuMs, stopProcess } from './proc.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';

const LINE_BYTES = 200;
/** FileStreamSource's default batch.size, written out for both FileStreamSource cases; FileSource runs with its own default. */
const FILE_STREAM_BATCH_SIZE = 2000;

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

function properties(entries: Record<string, string | number>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k}=${String(v).replace(/\\/g, '\\\\')}\n`)
    .join('');
}

/** Seconds `cat file > /dev/null` takes (best of two: the file is in the page cache as for the workers). */
async function catSeconds(file: string): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('sh', ['-c', `cat '${file}' > /dev/null`], { stdio: 'ignore' });
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cat exited with ${code}`))));
    });
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}


interface Case {
  label: string;
  command: string;
  args: string[];
  topic: string;
}

interface Measured {
  /** Lines/s from the first record in the topic to the last. */
  rate: number;
  /** The worker process's CPU time (all threads) over that interval, per line, in µs. */
  cpuPerLine: number;
}

/** Runs a worker until the topic holds every line; records/s and CPU per line from the first to the last record. */
async function measure(admin: KafkaAdmin, c: Case, lines: number, timeoutMs: number): Promise<Measured> {
  const child = spawn(c.command, c.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
  child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
  const started = performance.now();
  let first = Number.NaN;
  let firstCount = 0;
  let firstCpuMs = 0;
  try {
    for (;;) {
      let end = 0;
      try {
        const ends = await admin.listOffsets([{ topic: c.topic, partition: 0 }], 'latest');
        end = Number([...ends.values()][0] ?? 0n);
      } catch (err) {
        // A leader election or a dropped connection: ask again (the timeout still applies).
        if ((err as { retriable?: boolean }).retriable !== true) throw err;
      }
      const now = performance.now();
      if (end > 0 && Number.isNaN(first)) {
        first = now;
        firstCount = end;
        firstCpuMs = processCpuMs(child.pid!);
      }
      if (end >= lines) {
        // Lines counted from the first sighting on, over the time since.
        const rate = (lines - firstCount) / ((now - first) / 1000);
        const cpuPerLine = ((processCpuMs(child.pid!) - firstCpuMs) * 1000) / (lines - firstCount);
        process.stdout.write(`${c.label}: ${rate.toFixed(0)} lines/s, ${cpuPerLine.toFixed(2)} µs CPU/line (load ${loadavg()[0].toFixed(1)})\n`);
        return { rate, cpuPerLine };
      }
      if (child.exitCode !== null) throw new Error(`${c.label} exited early (${child.exitCode}):\n${output.slice(-4000)}`);
      if (now - started > timeoutMs) throw new Error(`${c.label}: the topic has ${end} of ${lines} records after ${timeoutMs} ms:\n${output.slice(-4000)}`);
      await sleep(100);
    }
  } finally {
    await stopProcess(child);
  }
}

/** Lines/s of the tail task's poll() alone, in this process (what the connector can give a worker). */
async function taskCeiling(file: string, lines: number, headers: boolean): Promise<number> {
  const connector = new FileSourceConnector();
  connector.start({ topic: 't', 'file.paths': file, 'file.headers.enable': String(headers) });
  const [props] = connector.taskConfigs(1);
  const TaskClass = connector.taskClass();
  const task = new TaskClass();
  task.initialize({ configs: () => props, offsetStorageReader: () => ({ offset: async () => null, offsets: async (ps) => ps.map((partition) => ({ partition, offset: null })) }) });
  const previous = process.env.SLUICE_LOG_LEVEL;
  process.env.SLUICE_LOG_LEVEL = 'warn';
  await task.start(props);
  const started = performance.now();
  let n = 0;
  while (n < lines) n += (await task.poll())?.length ?? 0;
  const rate = n / ((performance.now() - started) / 1000);
  await task.stop();
  if (previous === undefined) delete process.env.SLUICE_LOG_LEVEL;
  else process.env.SLUICE_LOG_LEVEL = previous;
  return rate;
}

export const fileSourceBench: Bench = {
  name: 'file-source',
  async run({ smoke }) {
    // SLUICE_BENCH_FILE_SOURCE_LINES sizes a run in between (e.g. for profiling).
    const lines = Number(process.env.SLUICE_BENCH_FILE_SOURCE_LINES ?? 0) || (smoke ? 20_000 : Math.ceil(2 ** 30 / LINE_BYTES));
    const timeoutMs = smoke ? 180_000 : 1_800_000;
    const up = await runScript('up', ['kafka'], { timeoutMs: 600_000 });
    const bootstrap = parseExports(up.stdout).get('KAFKA_BOOTSTRAP');
    if (bootstrap === undefined) throw new Error(`test/services/up kafka gave no KAFKA_BOOTSTRAP:\n${up.stderr}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-file-source-'));
    const input = path.join(dir, 'input.log');
    writeInput(input, lines);
    const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
    try {
      const cat = await catSeconds(input);
      const ceiling = await taskCeiling(input, lines, true);
      const ceilingNoHeaders = await taskCeiling(input, lines, false);
      process.stdout.write(`task poll() alone: ${ceiling.toFixed(0)} lines/s with headers, ${ceilingNoHeaders.toFixed(0)} without\n`);
      const worker = async (label: string): Promise<{ workerFile: string; topic: string; caseDir: string }> => {
        const caseDir = path.join(dir, label);
        mkdirSync(caseDir);
        const topic = `bench-file-source-${label}-${randomUUID()}`;
        await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
        const workerFile = path.join(caseDir, 'worker.properties');
        const fd = openSync(workerFile, 'w');
        writeSync(
          fd,
          properties({
            'bootstrap.servers': bootstrap,
            'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
            'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
            'offset.storage.file.filename': path.join(caseDir, 'connect.offsets'),
            'offset.flush.interval.ms': 10000,
            listeners: `http://127.0.0.1:${await freePort()}`,
          }),
        );
        closeSync(fd);
        return { workerFile, topic, caseDir };
      };
      const connectorFile = (caseDir: string, entries: Record<string, string | number>): string => {
        const file = path.join(caseDir, 'connector.properties');
        const fd = openSync(file, 'w');
        writeSync(fd, properties(entries));
        closeSync(fd);
        return file;
      };

      const kc = await worker('kafka-connect');
      const anchor = await measure(
        admin,
        {
          label: 'Kafka Connect FileStreamSource',
          command: path.join(SERVICES_DIR, 'kafka-tool'),
          args: ['connect-standalone', kc.workerFile, connectorFile(kc.caseDir, { name: 'fs', 'connector.class': 'FileStreamSource', file: input, topic: kc.topic, 'batch.size': FILE_STREAM_BATCH_SIZE })],
          topic: kc.topic,
        },
        lines,
        timeoutMs,
      );

      /** Our connect-standalone with one connector, whose properties `connector` gives for the case's folder and topic. */
      const ours = async (caseName: string, label: string, connector: (caseDir: string, topic: string) => Record<string, string | number>): Promise<Measured> => {
        const c = await worker(caseName);
        const args = [CONNECT_STANDALONE, c.workerFile, connectorFile(c.caseDir, connector(c.caseDir, c.topic))];
        return measure(admin, { label, command: process.execPath, args, topic: c.topic }, lines, timeoutMs);
      };
      const tailOf = (name: string, extra: Record<string, string> = {}) => (_caseDir: string, topic: string) => ({ name, 'connector.class': 'FileSource', mode: 'tail', 'file.paths': input, topic, ...extra });

      const tail = await ours('tail', 'FileSource tail', tailOf('tail'));
      const spooled = await ours('spool', 'FileSource spool', (caseDir, topic) => {
        const spoolIn = path.join(caseDir, 'in');
        mkdirSync(spoolIn);
        linkSync(input, path.join(spoolIn, 'input.log'));
        return {
          name: 'spool',
          'connector.class': 'FileSource',
          mode: 'spool',
          'input.path': spoolIn,
          'input.file.pattern': '.*\\.log',
          'finished.path': path.join(caseDir, 'done'),
          'error.path': path.join(caseDir, 'error'),
          topic,
        };
      });
      const noHeaders = await ours('tail-no-headers', 'FileSource tail without headers', tailOf('bare', { 'file.headers.enable': 'false' }));
      const allHeaders = await ours('tail-all-headers', 'FileSource tail with all four headers', tailOf('all', { 'file.headers': 'file.path,file.name,file.line,file.position' }));
      const ourStreamed = await ours('sluice-filestream', 'Sluice worker FileStreamSource', (_caseDir, topic) => ({
        name: 'fs',
        'connector.class': 'FileStreamSource',
        file: input,
        topic,
        'batch.size': FILE_STREAM_BATCH_SIZE,
      }));

      const label = `${lines.toLocaleString('en')} lines × ${LINE_BYTES} B (${((lines * LINE_BYTES) / 2 ** 20).toFixed(0)} MiB), StringConverter, Apache Kafka broker`;
      const cases: Array<[string, Measured, number | undefined]> = [
        ['mode=tail (headers file.name, file.line)', tail, 3],
        ['mode=spool (headers file.name, file.line)', spooled, 3],
        ['mode=tail, file.headers.enable=false', noHeaders, undefined],
        ['mode=tail, all four headers', allHeaders, undefined],
        ['our worker with FileStreamSource (worker ceiling)', ourStreamed, undefined],
      ];
      const rows: Row[] = [
        ...cases.map(([name, m, target]): Row => ({
          case: `${label}, ${name}`,
          metric: 'lines/s',
          ours: m.rate,
          anchor: anchor.rate,
          anchorName: 'FileStreamSource',
          higherIsBetter: true,
          ...(target === undefined ? {} : { target }),
        })),
        ...cases.map(([name, m]): Row => ({ case: `${name}: worker CPU per line`, metric: 'µs', ours: m.cpuPerLine, anchor: anchor.cpuPerLine, anchorName: 'FileStreamSource', higherIsBetter: false })),
        { case: 'FileSource tail task poll() alone, default headers (connector ceiling)', metric: 'lines/s', ours: ceiling, anchor: anchor.rate, anchorName: 'FileStreamSource', higherIsBetter: true },
        { case: 'FileSource tail task poll() alone, headers off', metric: 'lines/s', ours: ceilingNoHeaders, anchor: anchor.rate, anchorName: 'FileStreamSource', higherIsBetter: true },
      ];
      printTable(rows);
      process.stdout.write(`\nReading limit: cat file > /dev/null takes ${cat.toFixed(3)} s = ${(lines / cat).toFixed(0)} lines/s (${((lines * LINE_BYTES) / 2 ** 20 / cat).toFixed(0)} MiB/s).\n`);
    } finally {
      await admin.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
