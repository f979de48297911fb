import { mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceRecord, Struct } from '../../../runtime/connect/api/index.ts';
import { FileSourceConnector } from '../../../connectors/file/file-source-connector.ts';
import { ownedByTask } from '../../../connectors/file/spool-source.ts';
import type { MemoryOffsets } from './harness.ts';
import { TaskDriver, header, lines, tempDir, values } from './harness.ts';

let dir: string;
let input: string;
let finished: string;
let errors: string;
let cleanup: () => Promise<void>;
const drivers: TaskDriver[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('file-spool-'));
  input = path.join(dir, 'in');
  finished = path.join(dir, 'done');
  errors = path.join(dir, 'err');
  await mkdir(input);
});
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
  await cleanup();
});

async function spool(props: Record<string, string> = {}, offsets?: MemoryOffsets): Promise<TaskDriver> {
  const driver = await TaskDriver.start(
    {
      name: 'spool-test',
      mode: 'spool',
      topic: 'data',
      'input.path': input,
      'input.file.pattern': '.*\\.txt',
      'finished.path': finished,
      'error.path': errors,
      'poll.interval.ms': '10',
      ...props,
    },
    offsets,
  );
  drivers.push(driver);
  return driver;
}

async function list(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).sort();
  } catch {
    return [];
  }
}

const count = (n: number) => (got: SourceRecord[]) => got.length >= n;

describe('spool mode', () => {
  it('moves a file only after all its records were acknowledged and its offset committed', async () => {
    await writeFile(path.join(input, 'a.txt'), lines(1, 3));
    await writeFile(path.join(input, 'b.txt'), lines(4, 5));
    await writeFile(path.join(input, 'ignored.csv'), 'x\n');
    const driver = await spool();
    const got = await driver.pollUntil(count(5));
    expect(values(got)).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5']);
    expect(header(got[3], 'file.name')).toBe('b.txt');

    await driver.commit(); // nothing acknowledged: nothing to write, nothing moves
    await driver.poll();
    expect(await list(input)).toEqual(['a.txt', 'b.txt', 'ignored.csv']);

    await driver.ack(2);
    await driver.commit(); // a.txt half acknowledged
    expect(await list(finished)).toEqual([]);

    await driver.ack(1); // a.txt fully acknowledged, but its last offset is not committed yet
    await driver.poll();
    expect(await list(finished)).toEqual([]);

    await driver.commit();
    expect(await list(finished)).toEqual(['a.txt']);
    expect(await readFile(path.join(finished, 'a.txt'), 'utf8')).toBe(lines(1, 3));

    await driver.ackAndCommit();
    expect(await list(finished)).toEqual(['a.txt', 'b.txt']);
    expect(await list(input)).toEqual(['ignored.csv']);
  });

  it('does not trust a commit() whose offsets were taken before the last acknowledgement', async () => {
    await writeFile(path.join(input, 'a.txt'), lines(1, 2));
    const driver = await spool();
    await driver.pollUntil(count(2));
    await driver.ack(1);
    driver.flushOffsets(); // offsets snapshot: only line 1
    await driver.ack(1); // the last ack lands between the snapshot and commit()
    await driver.task.commit();
    expect(await list(input)).toEqual(['a.txt']);
    await driver.commit(); // the next flush holds line 2
    expect(await list(input)).toEqual([]);
    expect(await list(finished)).toEqual(['a.txt']);
  });

  it('cleans up a file whose end is found after its last records were already committed (no further commit comes)', async () => {
    await writeFile(path.join(input, 'a.txt'), lines(1, 3));
    const driver = await spool({ 'batch.size': '3' });
    expect(await driver.poll()).toHaveLength(3);
    await driver.ackAndCommit(); // the reader has not seen the end of the file yet
    expect(await list(input)).toEqual(['a.txt']);
    expect(await driver.poll()).toEqual([]); // end found: nothing left to flush, so no commit() follows
    expect(await list(finished)).toEqual(['a.txt']);
  });

  it('after a crash mid-file, resumes at the exact line: nothing lost, duplicates only what was not committed', async () => {
    await writeFile(path.join(input, 'big.txt'), lines(1, 1000));
    const first = await spool({ 'batch.size': '100' });
    await first.poll();
    await first.poll();
    await first.poll();
    await first.ack(250);
    await first.commit();
    // kill -9: no stop(), the last 50 polled records are never acknowledged.
    const second = await spool({ 'batch.size': '100' }, first.offsets);
    const rest = await second.pollUntil(count(750));
    expect(header(rest[0], 'file.line')).toBe(251);
    const delivered = [...first.polled.slice(0, 250), ...rest].map((r) => r.value);
    expect(delivered).toEqual(lines(1, 1000).trimEnd().split('\n'));
    const duplicates = first.polled.length + rest.length - 1000;
    expect(duplicates).toBe(50);
    await second.ackAndCommit();
    expect(await list(finished)).toEqual(['big.txt']);
  });

  it('a file whose offset was committed but which was not moved before a crash is moved at restart without re-reading', async () => {
    await writeFile(path.join(input, 'a.txt'), lines(1, 3));
    const first = await spool();
    await first.pollUntil(count(3));
    await first.ack();
    first.flushOffsets(); // written, then the process died before commit()
    const second = await spool({}, first.offsets);
    expect(await second.pollUntil(() => false, 3)).toEqual([]);
    expect(await list(finished)).toEqual(['a.txt']);
  });

  it('a failing file goes to error.path with a note after the records before the bad line are committed; the next file goes on', async () => {
    await writeFile(path.join(input, '1.txt'), Buffer.concat([Buffer.from('good-1\n'), Buffer.from([0xff, 0x0a]), Buffer.from('never\n')]));
    await writeFile(path.join(input, '2.txt'), 'good-2\n');
    const driver = await spool();
    const got = await driver.pollUntil(count(2));
    expect(values(got)).toEqual(['good-1', 'good-2']);
    expect(await list(errors)).toEqual([]);
    await driver.ackAndCommit();
    expect(await list(errors)).toEqual(['1.txt', '1.txt.error.txt']);
    const note = await readFile(path.join(errors, '1.txt.error.txt'), 'utf8');
    expect(note).toContain(`file: ${path.join(input, '1.txt')}`);
    expect(note).toContain('error code: FILE_MALFORMED_CHARSET');
    expect(note).toContain('line: 2');
    expect(note).toContain('byte position: 7');
    expect(await list(finished)).toEqual(['2.txt']);
  });

  it('a CSV file with a broken header fails at once (no records), malformed rows go to the bad-line topic', async () => {
    const props = { format: 'csv', 'input.file.pattern': '.*\\.csv', 'bad.line.policy': 'dlq', 'bad.line.topic': 'data-bad', 'schema.generation.enabled': 'true' };
    await writeFile(path.join(input, 'a.csv'), 'id,id\n1,2\n');
    await writeFile(path.join(input, 'b.csv'), 'id,name,score\n1,ann,3.5\n2,"bob, jr",4\n3,carl\n4,"dan"x,1\n5,eve,6\n');
    const driver = await spool(props);
    const got = await driver.pollUntil(count(5));
    expect(got.map((r) => r.topic)).toEqual(['data', 'data', 'data-bad', 'data-bad', 'data']);
    const first = got[0].value as Struct;
    expect(got[0].valueSchema!.fields().map((f) => `${f.name}:${f.schema.type}`)).toEqual(['id:INT64', 'name:STRING', 'score:FLOAT64']);
    expect([first.get('id'), first.get('name'), first.get('score')]).toEqual([1, 'ann', 3.5]);
    expect((got[1].value as Struct).get('name')).toBe('bob, jr');
    expect(got[2].value).toBe('3,carl');
    expect(header(got[2], '__connect.errors.exception.message')).toBe('the row has 2 fields, but 3 are expected');
    expect(header(got[3], '__connect.errors.exception.message')).toMatch(/field 2 has "x" after its closing quote/);
    expect(header(got[3], 'file.line')).toBe(5);
    await driver.ackAndCommit();
    expect(await list(errors)).toEqual(['a.csv', 'a.csv.error.txt']);
    expect(await readFile(path.join(errors, 'a.csv.error.txt'), 'utf8')).toContain('the header row names "id" twice');
    expect(await list(finished)).toEqual(['b.csv']);
  });

  it('resumes a CSV file mid-way with its header known (read again from the start of the file)', async () => {
    await writeFile(path.join(input, 'a.csv'), `k,v\n${Array.from({ length: 10 }, (_, i) => `${i},v${i}`).join('\n')}\n`);
    const props = { format: 'csv', 'input.file.pattern': '.*\\.csv', 'batch.size': '4', 'key.field': 'k' };
    const first = await spool(props);
    await first.poll();
    await first.ackAndCommit();
    const second = await spool(props, first.offsets);
    const rest = await second.pollUntil(count(6));
    expect(rest.map((r) => r.key)).toEqual(['4', '5', '6', '7', '8', '9']);
    expect(header(rest[0], 'file.line')).toBe(6);
  });

  it('cleans up an empty file at once, deletes with cleanup.policy=DELETE, and leaves files with NONE without reading them again', async () => {
    await writeFile(path.join(input, 'empty.txt'), '');
    const driver = await spool({ 'cleanup.policy': 'DELETE' });
    await driver.pollUntil(() => false, 2);
    expect(await list(input)).toEqual([]);
    await writeFile(path.join(input, 'x.txt'), 'x\n');
    await driver.pollUntil(count(1));
    await driver.ackAndCommit();
    expect(await list(input)).toEqual([]);

    await writeFile(path.join(input, 'keep.txt'), 'k\n');
    const none = await spool({ 'cleanup.policy': 'NONE' });
    expect(values(await none.pollUntil(count(1)))).toEqual(['k']);
    await none.ackAndCommit();
    expect(await none.pollUntil(() => false, 5)).toEqual([]);
    expect(await list(input)).toEqual(['keep.txt']);
    const restarted = await spool({ 'cleanup.policy': 'NONE' }, none.offsets);
    expect(await restarted.pollUntil(() => false, 3)).toEqual([]);
  });

  it('picks up files that arrive later (chokidar), in name order, and only names that match the whole pattern', async () => {
    const driver = await spool();
    expect(await driver.pollUntil(() => false, 2)).toEqual([]);
    await writeFile(path.join(input, 'b.txt'), 'b\n');
    await writeFile(path.join(input, 'a.txt'), 'a\n');
    await writeFile(path.join(input, 'c.txt.tmp'), 'tmp\n');
    const got = await driver.pollUntil(count(2), 500);
    expect(values(got).sort()).toEqual(['a', 'b']);
    expect(await driver.pollUntil(() => false, 3)).toEqual([]);
  });

  it('file.minimum.age.ms leaves files alone until they were not modified for that long', async () => {
    await writeFile(path.join(input, 'fresh.txt'), 'fresh\n');
    await writeFile(path.join(input, 'old.txt'), 'old\n');
    const past = new Date(Date.now() - 3_600_000);
    await utimes(path.join(input, 'old.txt'), past, past);
    const driver = await spool({ 'file.minimum.age.ms': '600000' });
    expect(values(await driver.pollUntil(count(1)))).toEqual(['old']);
    expect(await driver.pollUntil(() => false, 3)).toEqual([]);
    await utimes(path.join(input, 'fresh.txt'), past, past);
    expect(values(await driver.pollUntil(count(1), 50))).toEqual(['fresh']);
  });

  it('spreads files over tasks by name; every file has exactly one task', async () => {
    const connector = new FileSourceConnector();
    connector.start({ mode: 'spool', topic: 't', 'input.path': input, 'input.file.pattern': '.*', 'error.path': errors, 'cleanup.policy': 'DELETE' });
    const configs = connector.taskConfigs(3);
    expect(configs.map((c) => c['file.source.task.index'])).toEqual(['0', '1', '2']);
    for (let i = 0; i < 100; i++) {
      const owners = [0, 1, 2].filter((t) => ownedByTask(`f${i}.txt`, t, 3));
      expect(owners).toHaveLength(1);
    }
  });

  it('a spool of 500 small files delivers every line once and moves every file', async () => {
    for (let i = 0; i < 500; i++) await writeFile(path.join(input, `f${String(i).padStart(4, '0')}.txt`), `${i}-a\n${i}-b\n`);
    const driver = await spool({ 'batch.size': '300' });
    const got = await driver.pollUntil(count(1000), 1000);
    expect(new Set(values(got)).size).toBe(1000);
    expect(got).toHaveLength(1000);
    await driver.ackAndCommit();
    expect(await list(finished)).toHaveLength(500);
    expect(await list(input)).toEqual([]);
  });
});
