// @services kafka
// kill -9 of connect-standalone while FileSource is in the middle of a file, then a restart with
// the same offsets: no line is lost, and with max.uncommitted.records=batch.size at most one batch
// is delivered twice (counted). Without the bound nothing is lost either; the duplicates are
// whatever was sent after the last offset flush.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import type { Running } from '../integration/connect-harness.ts';
import { stop } from '../integration/connect-harness.ts';
import { createTopics, endOffset, expected, numbered, readTopic, startFileSource, text, uniqueTopic, waitForRecords, workDir } from '../integration/file-source-harness.ts';

const LINES = 60_000;
const BATCH = 500;
const workers: Running[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await stop(w);
});

async function killMidway(bootstrap: string, topic: string, worker: Running): Promise<number> {
  await waitForRecords(bootstrap, topic, LINES / 4, 120_000, worker);
  worker.child.kill('SIGKILL');
  await worker.exited;
  return endOffset(bootstrap, topic);
}

/** Reads the topic until every line is there (or fails with the worker's output). */
async function untilComplete(bootstrap: string, topic: string, worker: Running): Promise<string[]> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const values = (await readTopic(bootstrap, topic)).map(text);
    if (countDuplicates(values).lost.length === 0) return values;
    if (Date.now() > deadline) throw new Error(`lines still missing after the restart:\n${worker.output().slice(-4000)}`);
    await sleep(1000);
  }
}

function countDuplicates(values: readonly string[]): { lost: string[]; duplicates: number } {
  const seen = new Set(values);
  return { lost: expected(1, LINES).filter((v) => !seen.has(v)), duplicates: values.length - seen.size };
}

/**
 * Starts a worker with `connector`, kills it with SIGKILL midway through the file, starts it again
 * and waits until every line is in the topic; then reads the topic and counts lost and repeated lines.
 */
async function killAndRestart(
  bootstrap: string,
  topic: string,
  workerDir: string,
  connector: Record<string, string | number>,
  flushIntervalMs: number,
  hooks: { afterKill?: () => void; afterRestart?: () => Promise<void> } = {},
): Promise<{ atKill: number; values: string[]; lost: string[]; duplicates: number }> {
  const first = await startFileSource(workerDir, bootstrap, connector, { 'offset.flush.interval.ms': flushIntervalMs });
  workers.push(first);
  const atKill = await killMidway(bootstrap, topic, first);
  hooks.afterKill?.();
  const second = await startFileSource(workerDir, bootstrap, connector, { 'offset.flush.interval.ms': flushIntervalMs });
  workers.push(second);
  await untilComplete(bootstrap, topic, second);
  await hooks.afterRestart?.();
  expect(await stop(second)).toBe(0);
  const values = (await readTopic(bootstrap, topic)).map(text);
  return { atKill, values, ...countDuplicates(values) };
}

describe('FileSource and kill -9', () => {
  it('spool: killed mid-file, restarted: every line arrives, at most one batch twice, the file is moved once committed', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('kill-spool');
    const topic = uniqueTopic('kill-spool');
    await createTopics(bootstrap, [topic]);
    const input = path.join(dir, 'in');
    const finished = path.join(dir, 'done');
    mkdirSync(input);
    writeFileSync(path.join(input, 'big.txt'), numbered(1, LINES));
    const connector = {
      mode: 'spool',
      topic,
      'input.path': input,
      'input.file.pattern': '.*\\.txt',
      'finished.path': finished,
      'error.path': path.join(dir, 'err'),
      'batch.size': BATCH,
      'max.uncommitted.records': BATCH,
    };
    const { atKill, values, lost, duplicates } = await killAndRestart(bootstrap, topic, path.join(dir, 'worker'), connector, 100, {
      // Not moved before its records were committed.
      afterKill: () => expect(readdirSync(input)).toEqual(['big.txt']),
      afterRestart: async () => {
        const deadline = Date.now() + 60_000;
        while (readdirSync(input).length > 0 && Date.now() < deadline) await sleep(200);
      },
    });
    expect(atKill).toBeLessThan(LINES);
    expect(lost).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(BATCH);
    expect(values.length).toBe(LINES + duplicates);
    expect(readdirSync(finished)).toEqual(['big.txt']);
    process.stdout.write(`spool kill -9 at ${atKill} records: ${duplicates} duplicates (bound ${BATCH})\n`);
  });

  it('tail: killed mid-file, restarted: every line arrives, at most one batch twice, and lines after the duplicates are in order', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('kill-tail');
    const topic = uniqueTopic('kill-tail');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, numbered(1, LINES));
    const connector = { mode: 'tail', topic, 'file.paths': log, 'batch.size': BATCH, 'max.uncommitted.records': BATCH };
    const { atKill, values, lost, duplicates } = await killAndRestart(bootstrap, topic, path.join(dir, 'worker'), connector, 100);
    expect(lost).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(BATCH);
    // The restart resumes at one line and goes on in file order.
    expect(values.slice(atKill)).toEqual(expected(LINES - (values.length - atKill) + 1, LINES));
    process.stdout.write(`tail kill -9 at ${atKill} records: ${duplicates} duplicates (bound ${BATCH})\n`);
  });

  it('without max.uncommitted.records: nothing is lost; the duplicates are what was sent after the last offset flush', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('kill-unbounded');
    const topic = uniqueTopic('kill-unbounded');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, numbered(1, LINES));
    const connector = { mode: 'tail', topic, 'file.paths': log };
    const { atKill, lost, duplicates } = await killAndRestart(bootstrap, topic, path.join(dir, 'worker'), connector, 1000);
    expect(lost).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(atKill);
    process.stdout.write(`unbounded kill -9 at ${atKill} records: ${duplicates} duplicates\n`);
  });
});
