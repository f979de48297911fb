import { appendFile, open, rename, truncate, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../../runtime/connect/api/index.ts';
import { BadLineError } from '../../../connectors/file/errors.ts';
import type { MemoryOffsets} from './harness.ts';
import { TaskDriver, header, lines, tempDir, values } from './harness.ts';

let dir: string;
let cleanup: () => Promise<void>;
const drivers: TaskDriver[] = [];
beforeEach(async () => ({ dir, cleanup } = await tempDir('file-tail-')));
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
  await cleanup();
});

async function tail(props: Record<string, string>, offsets?: MemoryOffsets): Promise<TaskDriver> {
  const driver = await TaskDriver.start({ name: 'tail-test', topic: 'logs', 'poll.interval.ms': '10', 'rotate.wait.ms': '60000', ...props }, offsets);
  drivers.push(driver);
  return driver;
}

const count = (n: number) => (got: SourceRecord[]) => got.length >= n;

describe('tail mode', () => {
  it('reads lines with headers and resumes at the exact line after a restart', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 100));
    const first = await tail({ 'file.paths': file, 'batch.size': '30' });
    const got = await first.pollUntil(count(100));
    expect(values(got)).toEqual(lines(1, 100).trimEnd().split('\n'));
    expect(got[41].sourcePartition).toBe(got[0].sourcePartition);
    // By default the file name and line number only.
    expect([...got[41].headers].map((h) => [h.key, h.value])).toEqual([
      ['file.name', 'app.log'],
      ['file.line', 42],
    ]);
    await first.ack(40);
    await first.commit();
    await first.stop();
    drivers.length = 0;

    await appendFile(file, lines(101, 120));
    const second = await tail({ 'file.paths': file }, first.offsets);
    const again = await second.pollUntil(count(80));
    expect(values(again)).toEqual(lines(41, 120).trimEnd().split('\n'));
    expect(header(again[0], 'file.line')).toBe(41);
  });

  it('file.headers picks the headers records carry; file.headers.enable=false drops them all', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 3));
    const all = await tail({ 'file.paths': file, 'file.headers': 'file.position, file.path, file.line, file.name' });
    const got = await all.pollUntil(count(3));
    // In their fixed order, whatever the order in the list.
    expect([...got[1].headers].map((h) => [h.key, h.value])).toEqual([
      ['file.path', file],
      ['file.name', 'app.log'],
      ['file.line', 2],
      ['file.position', lines(1, 1).length],
    ]);
    const lineOnly = await tail({ 'file.paths': file, 'file.headers': 'file.line' });
    expect([...(await lineOnly.pollUntil(count(3)))[2].headers].map((h) => [h.key, h.value])).toEqual([['file.line', 3]]);
    const none = await tail({ 'file.paths': file, 'file.headers.enable': 'false' });
    expect((await none.pollUntil(count(3))).map((r) => r.headers.size)).toEqual([0, 0, 0]);
  });

  it('rename-and-create: finishes the old file (also what the writer adds after the rename) before the new one', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 10));
    const driver = await tail({ 'file.paths': path.join(dir, 'app.log*') });
    expect(values(await driver.pollUntil(count(10)))).toHaveLength(10);
    const writer = await open(file, 'a');
    await writer.write(lines(11, 15));
    await rename(file, `${file}.1`);
    await writer.write(lines(16, 17)); // the writer has not reopened yet
    await writer.close();
    await writeFile(file, lines(18, 20));
    const rest = await driver.pollUntil(count(10));
    expect(values(rest)).toEqual(lines(11, 20).trimEnd().split('\n'));
    // The old file kept its partition (path where it was first read), the new one has its own.
    expect(rest[0].sourcePartition).toEqual(driver.polled[0].sourcePartition);
    expect(rest[9].sourcePartition).not.toEqual(rest[0].sourcePartition);
    expect(header(rest[7], 'file.line')).toBe(1);
    // Nothing more: the rotated file is not read again under its new name.
    expect(await driver.pollUntil(() => false, 5)).toEqual([]);
  });

  it('a rotated file missed by one scan (renamed out of the pattern and back) is not read again, and its successor is not held up', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 3));
    const driver = await tail({ 'file.paths': path.join(dir, 'app.log*') });
    expect(values(await driver.pollUntil(count(3)))).toEqual(lines(1, 3).trimEnd().split('\n'));
    // A scan that sees the new file at the path but not the old one anywhere (as when the folder
    // is listed before a rename and stat'ed after it): the old file is finished and forgotten...
    await rename(file, path.join(dir, 'moved'));
    await writeFile(file, lines(1, 2, 'new'));
    expect(await driver.poll()).toEqual([]);
    // ...then turns up again under a matched name, its offset not committed yet.
    await rename(path.join(dir, 'moved'), `${file}.1`);
    expect(values(await driver.pollUntil(count(2), 20))).toEqual(lines(1, 2, 'new').trimEnd().split('\n'));
    expect(await driver.pollUntil(() => false, 5)).toEqual([]);
  });

  it('rename without create: drains the renamed file, emits its unterminated last line once quiet, then reads a later new file', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 5));
    const driver = await tail({ 'file.paths': file, 'rotate.wait.ms': '30' });
    await driver.pollUntil(count(5));
    const writer = await open(file, 'a');
    await rename(file, path.join(dir, 'app.log.old'));
    await writer.write(`${lines(6, 7)}last-without-newline`);
    await writer.close();
    const drained = await driver.pollUntil(count(3));
    expect(values(drained)).toEqual(['line-6', 'line-7', 'last-without-newline']);
    await writeFile(file, lines(8, 9));
    expect(values(await driver.pollUntil(count(2)))).toEqual(['line-8', 'line-9']);
  });

  it('a rotated file that still matches and grows after it was finished is opened again and read on', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 3));
    const driver = await tail({ 'file.paths': path.join(dir, 'app.log*'), 'rotate.wait.ms': '20' });
    await driver.pollUntil(count(3));
    await rename(file, `${file}.1`);
    await writeFile(file, lines(4, 5));
    expect(values(await driver.pollUntil(count(2)))).toEqual(['line-4', 'line-5']);
    await appendFile(`${file}.1`, lines(6, 6));
    const late = await driver.pollUntil(count(1));
    expect(values(late)).toEqual(['line-6']);
    expect(late[0].sourcePartition).toEqual(driver.polled[0].sourcePartition);
    expect(header(late[0], 'file.line')).toBe(4);
  });

  it('copytruncate: a file that shrinks is read again from its start', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 10));
    const driver = await tail({ 'file.paths': file });
    await driver.pollUntil(count(10));
    await copyFile(file, `${file}.1`);
    await truncate(file, 0);
    await appendFile(file, lines(11, 13));
    const after = await driver.pollUntil(count(3));
    expect(values(after)).toEqual(['line-11', 'line-12', 'line-13']);
    expect(after.map((r) => header(r, 'file.line'))).toEqual([1, 2, 3]);
    expect(after[2].sourceOffset).toMatchObject({ position: lines(11, 13).length, line: 3 });
  });

  it('a file rewritten in place with other first bytes is read from its start, even when it did not shrink', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'a\nb\n');
    const driver = await tail({ 'file.paths': file });
    await driver.pollUntil(count(2));
    const handle = await open(file, 'r+');
    await handle.write('X\nY\nZ\n', 0);
    await handle.close();
    expect(values(await driver.pollUntil(count(3)))).toEqual(['X', 'Y', 'Z']);
  });

  it('a file renamed while the task was down resumes from the offset under its old name; the new file starts fresh', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 20));
    const first = await tail({ 'file.paths': path.join(dir, 'app.log*') });
    await first.pollUntil(count(20));
    await first.ack(12);
    await first.commit();
    await first.stop();
    drivers.length = 0;
    await rename(file, `${file}.1`);
    await writeFile(file, lines(101, 102));
    const second = await tail({ 'file.paths': path.join(dir, 'app.log*') }, first.offsets);
    const got = await second.pollUntil(count(10));
    expect(values(got).sort()).toEqual([...lines(13, 20).trimEnd().split('\n'), 'line-101', 'line-102'].sort());
  });

  it('an offset whose fingerprint does not match (inode reused, content replaced) is not applied', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 5));
    const first = await tail({ 'file.paths': file });
    await first.pollUntil(count(5));
    await first.ackAndCommit();
    await first.stop();
    drivers.length = 0;
    const handle = await open(file, 'r+');
    await handle.write(lines(1, 9, 'other'), 0);
    await handle.close();
    const second = await tail({ 'file.paths': file }, first.offsets);
    expect(values(await second.pollUntil(count(9)))).toEqual(lines(1, 9, 'other').trimEnd().split('\n'));
  });

  it('start.position=end skips what existing files hold (to the last complete line) but not files that appear later', async () => {
    const old = path.join(dir, 'old.log');
    await writeFile(old, `${lines(1, 5)}half`);
    const driver = await tail({ 'file.paths': path.join(dir, '*.log'), 'start.position': 'end' });
    expect(await driver.pollUntil(() => false, 3)).toEqual([]);
    await appendFile(old, '-done\nnext\n');
    const got = await driver.pollUntil(count(2));
    expect(values(got)).toEqual(['half-done', 'next']);
    expect(header(got[0], 'file.line')).toBe(6);
    await writeFile(path.join(dir, 'new.log'), 'fresh\n');
    expect(values(await driver.pollUntil(count(1)))).toEqual(['fresh']);
  });

  it('bad.line.policy=fail: the lines before a bad one are returned, then the task fails naming file, line and byte', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, Buffer.concat([Buffer.from('ok-1\nok-2\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('ok-4\n')]));
    const driver = await tail({ 'file.paths': file });
    expect(values(await driver.poll())).toEqual(['ok-1', 'ok-2']);
    const error = await driver.poll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadLineError);
    expect((error as BadLineError).code).toBe('FILE_MALFORMED_CHARSET');
    expect((error as Error).message).toBe(`${file} line 3 (byte 10): the line has bytes that are not valid UTF-8`);
  });

  it('skip and REPLACE policies for invalid UTF-8', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, Buffer.concat([Buffer.from('a\n'), Buffer.from([0x62, 0xff, 0x0a]), Buffer.from('c\n')]));
    const skip = await tail({ 'file.paths': file, 'bad.line.policy': 'skip' });
    const skipped = await skip.pollUntil(count(2));
    expect(values(skipped)).toEqual(['a', 'c']);
    expect(skipped[1].sourceOffset).toMatchObject({ position: 7, line: 3 });
    const replace = await tail({ 'file.paths': file, 'file.charset.malformed.input': 'REPLACE' });
    expect(values(await replace.pollUntil(count(3)))).toEqual(['a', 'b\ufffd', 'c']);
  });

  it('a 10 MB line over max.line.bytes goes to the bad-line topic, cut, with its real length; nothing is truncated into the topic', async () => {
    const file = path.join(dir, 'app.log');
    const huge = 'h'.repeat(10 * 1024 * 1024);
    await writeFile(file, `before\n${huge}\nafter\n`);
    const driver = await tail({ 'file.paths': file, 'bad.line.policy': 'dlq', 'bad.line.topic': 'logs-bad', 'max.line.bytes': '4096' });
    const got = await driver.pollUntil(count(3));
    expect(got.map((r) => r.topic)).toEqual(['logs', 'logs-bad', 'logs']);
    expect(values(got)[0]).toBe('before');
    expect(values(got)[2]).toBe('after');
    const bad = got[1];
    expect(bad.value).toBe('h'.repeat(4096));
    expect([header(bad, 'file.bad.line.bytes'), header(bad, 'file.bad.line.truncated'), header(bad, '__connect.errors.exception.class.name'), header(bad, 'file.line')]).toEqual([
      huge.length,
      true,
      'FILE_LINE_TOO_LONG',
      2,
    ]);
    expect(header(bad, '__connect.errors.exception.message')).toBe(`the line is ${huge.length} bytes, more than max.line.bytes=4096`);
    expect(bad.sourceOffset).toMatchObject({ position: 7 + huge.length + 1, line: 2 });
  });

  it('JSON lines with a key field, a timestamp field and an inferred schema', async () => {
    const file = path.join(dir, 'events.jsonl');
    await writeFile(file, '{"id":"a1","ts":"2024-01-02T03:04:05Z","n":1}\n\n{"id":"a2","ts":1700000000000,"n":2.5}\n{"id":"a3","n":3}\n');
    const driver = await tail({
      'file.paths': file,
      format: 'json',
      'schema.generation.enabled': 'true',
      'key.field': 'id',
      'timestamp.mode': 'FIELD',
      'timestamp.field': 'ts',
      'bad.line.policy': 'dlq',
      'bad.line.topic': 'bad',
    });
    const got = await driver.pollUntil(count(3));
    expect(got.map((r) => [r.key, r.keySchema?.type ?? null, r.timestamp, r.topic])).toEqual([
      ['a1', 'STRING', Date.parse('2024-01-02T03:04:05Z'), 'logs'],
      ['a2', 'STRING', 1700000000000, 'logs'],
      [null, null, expect.any(Number), 'bad'],
    ]);
    expect(header(got[2], '__connect.errors.exception.message')).toBe('timestamp.field "ts" is missing');
    expect(header(got[2], 'file.line')).toBe(4);
  });
});
