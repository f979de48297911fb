// @services kafka
// FileSource in spool mode through our connect-standalone into Apache Kafka: 10,000 files
// spooled (every line once, every file moved to finished.path), and a CSV drop with malformed
// rows (to the bad-line topic) and a file with a broken header (to error.path with its note).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import type { Running } from './connect-harness.ts';
import { stop } from './connect-harness.ts';
import { createTopics, headerText, readTopic, startFileSource, text, uniqueTopic, waitForRecords, workDir } from './file-source-harness.ts';

const workers: Running[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await stop(w);
});

async function waitFor(check: () => boolean, timeoutMs: number, what: string, worker: Running): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${worker.output().slice(-6000)}`);
    await sleep(200);
  }
}

function folders(dir: string): { input: string; finished: string; errors: string } {
  const f = { input: path.join(dir, 'in'), finished: path.join(dir, 'done'), errors: path.join(dir, 'err') };
  mkdirSync(f.input);
  return f;
}

const count = (folder: string) => (existsSync(folder) ? readdirSync(folder).length : 0);

describe('FileSource spool mode against Apache Kafka', () => {
  it('spools 10,000 files: every line once, every file moved to finished.path after its records were committed', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('spool-10k');
    const topic = uniqueTopic('spool-10k');
    await createTopics(bootstrap, [topic]);
    const { input, finished, errors } = folders(dir);
    const files = 10_000;
    for (let i = 0; i < files; i++) writeFileSync(path.join(input, `part-${String(i).padStart(5, '0')}.txt`), `${i}-a\n${i}-b\n${i}-c\n`);
    writeFileSync(path.join(input, 'not-matching.tmp'), 'x\n');
    const worker = await startFileSource(path.join(dir, 'worker'), bootstrap, {
      mode: 'spool',
      topic,
      'input.path': input,
      'input.file.pattern': 'part-\\d+\\.txt',
      'finished.path': finished,
      'error.path': errors,
    });
    workers.push(worker);
    await waitForRecords(bootstrap, topic, files * 3, 300_000, worker);
    await waitFor(() => count(finished) === files, 120_000, `${files} files in finished.path (${count(finished)} so far)`, worker);
    expect(await stop(worker)).toBe(0);
    const values = (await readTopic(bootstrap, topic)).map(text);
    expect(values).toHaveLength(files * 3);
    expect(new Set(values).size).toBe(files * 3);
    expect(readdirSync(input)).toEqual(['not-matching.tmp']);
    expect(count(errors)).toBe(0);
    // Name order: the first file's lines come first.
    expect(values.slice(0, 3)).toEqual(['0-a', '0-b', '0-c']);
  }, 600_000);

  it('CSV: malformed rows go to the bad-line topic, a file whose header cannot work to error.path with a note', async () => {
    const bootstrap = serviceUrl('kafka');
    const dir = workDir('spool-csv');
    const topic = uniqueTopic('spool-csv');
    const badTopic = `${topic}-bad`;
    await createTopics(bootstrap, [topic, badTopic]);
    const { input, finished, errors } = folders(dir);
    writeFileSync(path.join(input, 'a.csv'), 'id,name,amount\n1,ann,10.5\n2,"bo, b",3\n3,short\n4,"quote"x,1\n5,"multi\nline",7\n6,six,not-a-number\n7,eve,1\n');
    writeFileSync(path.join(input, 'b.csv'), 'id,,amount\n1,x,2\n');
    const jsonValues = { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true' };
    const worker = await startFileSource(path.join(dir, 'worker'), bootstrap, {
      mode: 'spool',
      topic,
      format: 'csv',
      'input.path': input,
      'input.file.pattern': '.*\\.csv',
      'finished.path': finished,
      'error.path': errors,
      'value.schema': '{"type":"struct","fields":[{"field":"id","type":"int64"},{"field":"name","type":"string","optional":true},{"field":"amount","type":"double","optional":true}]}',
      'key.field': 'id',
      'bad.line.policy': 'dlq',
      'bad.line.topic': badTopic,
    }, jsonValues);
    workers.push(worker);
    await waitForRecords(bootstrap, topic, 4, 60_000, worker);
    await waitForRecords(bootstrap, badTopic, 3, 60_000, worker);
    await waitFor(() => count(errors) === 2 && count(finished) === 1, 60_000, 'a.csv in finished.path and b.csv in error.path', worker);
    expect(await stop(worker)).toBe(0);
    const good = await readTopic(bootstrap, topic);
    // JsonConverter with schemas: the declared types travel with each record.
    const envelopes = good.map((r) => JSON.parse(text(r)) as { schema: { type: string; fields: Array<{ field: string; type: string }> }; payload: unknown });
    expect(envelopes[0].schema.fields.map((f) => `${f.field}:${f.type}`)).toEqual(['id:int64', 'name:string', 'amount:double']);
    expect(good.map((r) => r.key?.toString())).toEqual(['1', '2', '5', '7']);
    expect(envelopes.map((e) => e.payload)).toEqual([
      { id: 1, name: 'ann', amount: 10.5 },
      { id: 2, name: 'bo, b', amount: 3 },
      { id: 5, name: 'multi\nline', amount: 7 },
      { id: 7, name: 'eve', amount: 1 },
    ]);
    expect(good.map((r) => headerText(r, 'file.line'))).toEqual(['2', '3', '6', '9']);
    const bad = await readTopic(bootstrap, badTopic);
    expect(bad.map((r) => [(JSON.parse(text(r)) as { payload: string }).payload, headerText(r, 'file.line'), headerText(r, '__connect.errors.exception.message')])).toEqual([
      ['3,short', '4', 'the row has 2 fields, but 3 are expected'],
      ['4,"quote"x,1', '5', 'malformed CSV: field 2 has "x" after its closing quote; expected "," or the end of the row'],
      ['6,six,not-a-number', '8', 'field "amount" (column 3): "not-a-number" is not a number (FLOAT64)'],
    ]);
    expect(readdirSync(errors).sort()).toEqual(['b.csv', 'b.csv.error.txt']);
    expect(readFileSync(path.join(errors, 'b.csv.error.txt'), 'utf8')).toContain('column 2 of the header row has no name');
  });
});
