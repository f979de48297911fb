// Connect worker faults: kill -9 of connect-standalone while a 1,000,000-line file streams through
// `sluice broker` into a sink file; after a restart the sink file holds every line, and the
// duplicates (records sent again after the last committed offsets) are counted, reported and
// bounded by what each side (source and sink) moves between two offset flushes.
// And a graceful stop (SIGTERM) in the middle: after the restart, no loss and no duplicate.
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaAdmin } from '../../runtime/client/index.ts';
import type { Running } from '../integration/connect-harness.ts';
import { CONNECT_STANDALONE, freePort, properties, readOr, run, startSluiceBroker, stop, waitFor } from '../integration/connect-harness.ts';

const LINES = 1_000_000;
const FLUSH_INTERVAL_MS = 2000;
const processes: Running[] = [];

afterEach(async () => {
  for (const p of processes.splice(0)) await stop(p, 5000);
});

function lineOf(i: number): string {
  return `line-${String(i).padStart(8, '0')} the quick brown fox jumps over the lazy dog`;
}

function writeInput(file: string, lines: number): void {
  const fd = openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += `${lineOf(i)}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/** Whether `text` is the start of some input line, shorter than a whole one. */
function isStartOfInputLine(text: string): boolean {
  const template = lineOf(0);
  if (text.length >= template.length) return false;
  for (let j = 0; j < text.length; j++) {
    const digit = j >= 5 && j < 13;
    if (digit ? !/\d/.test(text[j]) : text[j] !== template[j]) return false;
  }
  return true;
}

/**
 * Counts each input line in the sink file: how many are missing or duplicated, how many lines are
 * the start of an input line only (torn: a write cut short by kill -9, which the sink ends with a
 * line feed when it starts again), and how many are not input lines at all.
 */
function audit(sink: string, lines: number): { total: number; missing: number; duplicates: number; torn: number; foreign: number } {
  const seen = new Uint8Array(lines);
  let total = 0;
  let torn = 0;
  let foreign = 0;
  let duplicates = 0;
  for (const line of readOr(sink).split('\n')) {
    if (line === '') continue;
    total++;
    const m = /^line-(\d{8}) /.exec(line);
    const i = m === null ? -1 : Number(m[1]);
    if (i < 0 || i >= lines || line !== lineOf(i)) {
      if (isStartOfInputLine(line)) torn++;
      else foreign++;
      continue;
    }
    if (seen[i] === 1) duplicates++;
    seen[i] = 1;
  }
  const missing = seen.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
  return { total, missing, duplicates, torn, foreign };
}

function countLines(file: string): number {
  let n = 0;
  const text = readOr(file);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The source's committed file position (0 before its first offset flush). */
function sourcePosition(dir: string): number {
  const text = readOr(path.join(dir, 'connect.offsets'));
  if (text === '') return 0;
  const stored = JSON.parse(text) as { offsets: Array<{ offset: { position: number } }> };
  return stored.offsets[0]?.offset.position ?? 0;
}

async function pipeline(): Promise<{ dir: string; input: string; sink: string; args: string[]; bootstrap: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-connect-kill-'));
  const brokerPort = await freePort();
  processes.push(await startSluiceBroker(path.join(dir, 'broker'), brokerPort));
  const input = path.join(dir, 'input.txt');
  const sink = path.join(dir, 'sink.txt');
  writeInput(input, LINES);
  const write = (name: string, entries: Record<string, string | number>): string => {
    const file = path.join(dir, name);
    const fd = openSync(file, 'w');
    writeSync(fd, properties(entries));
    closeSync(fd);
    return file;
  };
  const worker = write('worker.properties', {
    'bootstrap.servers': `127.0.0.1:${brokerPort}`,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
    'offset.flush.interval.ms': FLUSH_INTERVAL_MS,
    listeners: `http://127.0.0.1:${await freePort()}`,
  });
  const source = write('source.properties', { name: 'kill-source', 'connector.class': 'FileStreamSource', file: input, topic: 'kill-lines' });
  const sinkProps = write('sink.properties', { name: 'kill-sink', 'connector.class': 'FileStreamSink', file: sink, topics: 'kill-lines' });
  return { dir, input, sink, args: [worker, source, sinkProps], bootstrap: `127.0.0.1:${brokerPort}` };
}

describe('connect-standalone faults', () => {
  it(
    'kill -9 while streaming 1,000,000 lines: after a restart every line is in the sink file; duplicates bounded by two flush intervals per side (source and sink)',
    async () => {
      const p = await pipeline();
      const admin = new KafkaAdmin({ 'bootstrap.servers': p.bootstrap });
      const topicEnd = async (): Promise<number> => Number([...(await admin.listOffsets([{ topic: 'kill-lines', partition: 0 }], 'latest')).values()][0] ?? 0n);
      const first = run(CONNECT_STANDALONE, p.args);
      processes.push(first);
      await waitFor(() => countLines(p.sink) > 0, 120_000, 'the first lines in the sink file', first);
      // The kill comes soon after the first source offset flush (so that the restart resumes from
      // committed offsets), not after a share of the lines: the worker moves a million lines in
      // a few seconds, so a later kill could find the file already through.
      await waitFor(() => sourcePosition(p.dir) > 0, 120_000, 'the first source offset flush', first);
      // Both sides' rates just before the kill: the source (file → topic) may run far ahead of
      // the sink (topic → file), and each side repeats what it moved since its last offset flush.
      const before = { at: Date.now(), sink: countLines(p.sink), topic: await topicEnd() };
      await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS / 4));
      const linesAtKill = countLines(p.sink);
      const topicAtKill = await topicEnd();
      first.child.kill('SIGKILL');
      await first.exited;
      const seconds = (Date.now() - before.at) / 1000;
      const sinkRate = (linesAtKill - before.sink) / seconds;
      const sourceRate = (topicAtKill - before.topic) / seconds;

      const second = run(CONNECT_STANDALONE, p.args);
      processes.push(second);
      await waitFor(() => countLines(p.sink) >= LINES && audit(p.sink, LINES).missing === 0, 600_000, 'every line in the sink file', second);
      // Let a record sent twice arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 2 * FLUSH_INTERVAL_MS));
      const result = audit(p.sink, LINES);
      // Lines the source sent twice are in the topic twice; the rest of the sink's duplicates were consumed twice.
      const sourceDuplicates = (await topicEnd()) - LINES;
      await admin.close();
      // What each side repeats is what it moved since the start of its last completed offset flush:
      // one interval, plus the next one while that flush was still waiting for acknowledgements.
      const bound = Math.ceil(2 * (sourceRate + sinkRate) * (FLUSH_INTERVAL_MS / 1000));
      process.stdout.write(
        `kill -9 at ${linesAtKill} lines in the sink file (sink ${sinkRate.toFixed(0)} lines/s), ${topicAtKill} in the topic (source ${sourceRate.toFixed(0)} lines/s): ` +
          `${result.duplicates} duplicates after restart (${sourceDuplicates} sent twice by the source) (bound: two flush intervals of ${FLUSH_INTERVAL_MS} ms per side = ${bound}), ${result.missing} missing, ${result.torn} torn, ${result.foreign} foreign\n`,
      );
      // Else the kill came after the flow and this test would check nothing: use more lines.
      expect(linesAtKill).toBeLessThan(LINES);
      expect(result.missing).toBe(0);
      // One kill cuts at most one write short, and its fragment stays a line of its own.
      expect(result.torn).toBeLessThanOrEqual(1);
      expect(result.foreign).toBe(0);
      expect(result.duplicates).toBeLessThanOrEqual(bound);
      expect(await stop(second)).toBe(0);
    },
    900_000,
  );

  it(
    'a graceful stop and restart in the middle loses nothing and repeats nothing',
    async () => {
      const p = await pipeline();
      const admin = new KafkaAdmin({ 'bootstrap.servers': p.bootstrap });
      const topicEnd = async (): Promise<number> => Number([...(await admin.listOffsets([{ topic: 'kill-lines', partition: 0 }], 'latest')).values()][0] ?? 0n);
      const first = run(CONNECT_STANDALONE, p.args);
      processes.push(first);
      await waitFor(() => countLines(p.sink) >= LINES / 5, 300_000, 'a fifth of the lines in the sink file', first);
      expect(await stop(first)).toBe(0);
      // A stop in the middle: else use more lines.
      expect(countLines(p.sink)).toBeLessThan(LINES);
      expect(sourcePosition(p.dir)).toBeGreaterThan(0);

      const second = run(CONNECT_STANDALONE, p.args);
      processes.push(second);
      await waitFor(() => countLines(p.sink) >= LINES, 600_000, 'every line in the sink file', second);
      await new Promise((resolve) => setTimeout(resolve, 2 * FLUSH_INTERVAL_MS));
      expect(audit(p.sink, LINES)).toEqual({ total: LINES, missing: 0, duplicates: 0, torn: 0, foreign: 0 });
      expect(readFileSync(p.sink, 'utf8')).toBe(readFileSync(p.input, 'utf8'));
      // Nor did the source send any line twice.
      expect(await topicEnd()).toBe(LINES);
      await admin.close();
      expect(await stop(second)).toBe(0);
    },
    900_000,
  );
});
