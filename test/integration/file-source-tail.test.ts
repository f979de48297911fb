// @services kafka
// FileSource in tail mode through our connect-standalone into Apache Kafka: rotation by
// rename-and-create, copytruncate and rename without create (the writer keeps its descriptor
// across the rename, as loggers do until they reopen), a restart delivering every line exactly
// once, and bad input (invalid UTF-8, a 10 MB line) routed to the bad-line topic.
import { appendFileSync, copyFileSync, openSync, closeSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import type { Running } from './connect-harness.ts';
import { stop } from './connect-harness.ts';
import { createTopics, expected, headerText, numbered, readTopic, startFileSource, text, uniqueTopic, waitForRecords, workDir } from './file-source-harness.ts';

const workers: Running[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await stop(w);
});

async function tail(dir: string, topic: string, connector: Record<string, string | number>): Promise<Running> {
  const worker = await startFileSource(path.join(dir, 'worker'), serviceUrl('kafka'), { mode: 'tail', topic, ...connector });
  workers.push(worker);
  return worker;
}

describe('FileSource tail mode against Apache Kafka', () => {
  it('rename-and-create: every line of the old file, including those written after the rename, then the new file, once each, in order', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('rotate');
    const topic = uniqueTopic('rotate');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, numbered(1, 1000));
    const worker = await tail(dir, topic, { 'file.paths': path.join(dir, 'app.log*'), 'rotate.wait.ms': 60_000 });
    await waitForRecords(bootstrap, topic, 1000, 60_000, worker);
    const writer = openSync(log, 'a');
    writeSync(writer, numbered(1001, 1500));
    renameSync(log, `${log}.1`);
    writeSync(writer, numbered(1501, 1600));
    closeSync(writer);
    writeFileSync(log, numbered(1601, 2000));
    await waitForRecords(bootstrap, topic, 2000, 60_000, worker);
    expect(await stop(worker)).toBe(0);
    const records = await readTopic(bootstrap, topic);
    expect(records.map(text)).toEqual(expected(1, 2000));
    expect(headerText(records[1600], 'file.line')).toBe('1');
    expect(headerText(records[1599], 'file.line')).toBe('1600');
  });

  it('copytruncate: after the truncation the file is read from its start', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('copytruncate');
    const topic = uniqueTopic('copytruncate');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, numbered(1, 300));
    const worker = await tail(dir, topic, { 'file.paths': log, 'file.headers': 'file.name,file.line,file.position' });
    await waitForRecords(bootstrap, topic, 300, 60_000, worker);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, numbered(301, 400));
    await waitForRecords(bootstrap, topic, 400, 60_000, worker);
    expect(await stop(worker)).toBe(0);
    const records = await readTopic(bootstrap, topic);
    expect(records.map(text)).toEqual(expected(1, 400));
    expect(headerText(records[300], 'file.position')).toBe('0');
  });

  it('rename without create: the renamed file is drained (with its unterminated last line) and a file created later is read', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('rename');
    const topic = uniqueTopic('rename');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, numbered(1, 100));
    const worker = await tail(dir, topic, { 'file.paths': log, 'rotate.wait.ms': 1000 });
    await waitForRecords(bootstrap, topic, 100, 60_000, worker);
    const writer = openSync(log, 'a');
    renameSync(log, path.join(dir, 'app.log.old'));
    writeSync(writer, `${numbered(101, 150)}line-151`);
    closeSync(writer);
    await waitForRecords(bootstrap, topic, 151, 60_000, worker);
    writeFileSync(log, numbered(152, 200));
    await waitForRecords(bootstrap, topic, 200, 60_000, worker);
    expect(await stop(worker)).toBe(0);
    expect((await readTopic(bootstrap, topic)).map(text)).toEqual(expected(1, 200));
  });

  it('a clean stop and restart delivers every line exactly once', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('restart');
    const topic = uniqueTopic('restart');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, numbered(1, 20_000));
    const first = await tail(dir, topic, { 'file.paths': log });
    await waitForRecords(bootstrap, topic, 20_000, 120_000, first);
    expect(await stop(first)).toBe(0);
    appendFileSync(log, numbered(20_001, 30_000));
    const second = await tail(dir, topic, { 'file.paths': log });
    await waitForRecords(bootstrap, topic, 30_000, 120_000, second);
    expect(await stop(second)).toBe(0);
    const values = (await readTopic(bootstrap, topic)).map(text);
    expect(values).toHaveLength(30_000);
    expect(values).toEqual(expected(1, 30_000));
  });

  it('invalid UTF-8 and a 10 MB line go to the bad-line topic with their location; the topic gets every good line and nothing cut', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('bad');
    const topic = uniqueTopic('bad');
    const badTopic = `${topic}-bad`;
    await createTopics(bootstrap, [topic, badTopic]);
    const log = path.join(dir, 'app.log');
    const huge = 'h'.repeat(10 * 1024 * 1024);
    writeFileSync(log, Buffer.concat([Buffer.from('ok-1\n'), Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28, 0x0a]), Buffer.from(`ok-3\n${huge}\nok-5\n`)]));
    const worker = await tail(dir, topic, { 'file.paths': log, 'bad.line.policy': 'dlq', 'bad.line.topic': badTopic, 'max.line.bytes': 65536 });
    await waitForRecords(bootstrap, topic, 3, 60_000, worker);
    await waitForRecords(bootstrap, badTopic, 2, 60_000, worker);
    expect(await stop(worker)).toBe(0);
    expect((await readTopic(bootstrap, topic)).map(text)).toEqual(['ok-1', 'ok-3', 'ok-5']);
    const bad = await readTopic(bootstrap, badTopic);
    expect(bad.map((r) => [headerText(r, '__connect.errors.exception.class.name'), headerText(r, 'file.line'), headerText(r, 'file.position'), headerText(r, 'file.bad.line.truncated')])).toEqual([
      ['FILE_MALFORMED_CHARSET', '2', '5', 'false'],
      ['FILE_LINE_TOO_LONG', '4', '16', 'true'],
    ]);
    expect(text(bad[0])).toBe('bad\ufffd(');
    expect(bad[1].value!.length).toBe(65536);
    expect(headerText(bad[1], 'file.bad.line.bytes')).toBe(String(huge.length));
  });

  it('bad.line.policy=fail fails the task with the file, line and byte position, after the lines before it', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('fail');
    const topic = uniqueTopic('fail');
    await createTopics(bootstrap, [topic]);
    const log = path.join(dir, 'app.log');
    writeFileSync(log, Buffer.concat([Buffer.from('ok-1\nok-2\n'), Buffer.from([0xff, 0x0a]), Buffer.from('never\n')]));
    const worker = await tail(dir, topic, { 'file.paths': log });
    await waitForRecords(bootstrap, topic, 2, 60_000, worker);
    const deadline = Date.now() + 30_000;
    while (!worker.output().includes('FILE_MALFORMED_CHARSET') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(worker.output()).toContain(`${log} line 3 (byte 10): the line has bytes that are not valid UTF-8`);
    expect(await stop(worker)).toBe(0);
    expect((await readTopic(bootstrap, topic)).map(text)).toEqual(['ok-1', 'ok-2']);
  });
});
