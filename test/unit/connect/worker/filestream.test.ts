import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileStreamSinkConnector, FileStreamSinkTask } from '../../../../connectors/file/filestream-sink.ts';
import { FileStreamSourceConnector, FileStreamSourceTask, scanLines } from '../../../../connectors/file/filestream-source.ts';
import type { SourceMap, SourceRecord } from '../../../../runtime/connect/api/index.ts';
import { SinkRecord, Schemas, Struct, SchemaBuilder } from '../../../../runtime/connect/api/index.ts';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sluice-filestream-'));
}

function sourceTask(file: string | null, stored: SourceMap | null = null, batchSize = 2000): FileStreamSourceTask {
  const task = new FileStreamSourceTask();
  const props = { ...(file === null ? {} : { file }), topic: 't', 'batch.size': String(batchSize) };
  task.initialize({
    configs: () => props,
    offsetStorageReader: () => ({
      offset: async () => stored,
      offsets: async (partitions) => partitions.map((partition) => ({ partition, offset: stored })),
    }),
  });
  task.start(props);
  return task;
}

async function pollAll(task: FileStreamSourceTask): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for (;;) {
    const batch = await task.poll();
    if (batch === null || batch.length === 0) return out;
    out.push(...batch);
  }
}

describe('scanLines', () => {
  const lines = (text: string, max = 100): Array<[string, number]> => {
    const found: Array<[string, number]> = [];
    const count = scanLines(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text), max, (line, end) => found.push([line, end]));
    expect(count).toBe(found.length);
    return found;
  };

  it('splits on \\n, \\r\\n and \\r with byte offsets after each terminator', () => {
    expect(lines('a\nbb\r\nccc\rd\n')).toEqual([
      ['a', 2],
      ['bb', 6],
      ['ccc', 10],
      ['d', 12],
    ]);
  });

  it('holds back an unterminated line and a trailing \\r (a \\n may follow)', () => {
    expect(lines('a\nrest')).toEqual([['a', 2]]);
    expect(lines('a\r')).toEqual([]);
    expect(lines('a\r\n')).toEqual([['a', 3]]);
  });

  it('stops at the maximum count and counts multi-byte characters in bytes', () => {
    expect(lines('é\n三\nx\n', 2)).toEqual([
      ['é', 3],
      ['三', 7],
    ]);
  });
});

describe('FileStreamSourceTask', () => {
  it('emits lines as STRING values with byte positions as offsets, including multi-byte UTF-8', async () => {
    const file = path.join(dir(), 'in.txt');
    writeFileSync(file, 'ünï\n三二一\nplain\n');
    const task = sourceTask(file);
    const records = await pollAll(task);
    expect(records.map((r) => r.value)).toEqual(['ünï', '三二一', 'plain']);
    expect(records.map((r) => r.sourceOffset)).toEqual([{ position: 6 }, { position: 16 }, { position: 22 }]);
    expect(records[0].sourcePartition).toEqual({ filename: file });
    expect(records[0].valueSchema).toBe(Schemas.STRING);
    expect(records[0].topic).toBe('t');
    await task.stop();
  });

  it('resumes exactly after the stored byte position (no loss, no duplicate)', async () => {
    const file = path.join(dir(), 'in.txt');
    writeFileSync(file, 'ünï\n三二一\nplain\n');
    const task = sourceTask(file, { position: 16 });
    expect((await pollAll(task)).map((r) => r.value)).toEqual(['plain']);
    await task.stop();
  });

  it('does not emit an unterminated last line until its terminator is written', async () => {
    const file = path.join(dir(), 'in.txt');
    writeFileSync(file, 'one\ntw');
    const task = sourceTask(file);
    expect((await pollAll(task)).map((r) => r.value)).toEqual(['one']);
    appendFileSync(file, 'o\r');
    expect(await pollAll(task)).toEqual([]);
    appendFileSync(file, '\nthree\n');
    const more = await pollAll(task);
    expect(more.map((r) => r.value)).toEqual(['two', 'three']);
    expect(more.map((r) => r.sourceOffset)).toEqual([{ position: 9 }, { position: 15 }]);
    await task.stop();
  });

  it('returns at most batch.size records per poll', async () => {
    const file = path.join(dir(), 'in.txt');
    writeFileSync(file, Array.from({ length: 25 }, (_, i) => `l${i}\n`).join(''));
    const task = sourceTask(file, null, 10);
    expect((await task.poll())?.length).toBe(10);
    expect((await task.poll())?.length).toBe(10);
    expect((await task.poll())?.length).toBe(5);
    await task.stop();
  });

  it('reads lines longer than its buffer', async () => {
    const file = path.join(dir(), 'in.txt');
    const long = 'x'.repeat(3 * 1024 * 1024);
    writeFileSync(file, `${long}\nshort\n`);
    const records = await pollAll(sourceTask(file));
    expect(records.map((r) => (r.value as string).length)).toEqual([long.length, 5]);
    expect(records[1].sourceOffset).toEqual({ position: long.length + 7 });
  });

  it('waits for a missing file and reads it once it appears', async () => {
    const file = path.join(dir(), 'later.txt');
    const task = sourceTask(file);
    expect(await task.poll()).toBeNull();
    writeFileSync(file, 'now\n');
    expect((await pollAll(task)).map((r) => r.value)).toEqual(['now']);
    await task.stop();
  });

  it('ends a waiting poll when stopped (no timer needs to fire)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const task = sourceTask(path.join(dir(), 'never.txt'));
      const polling = task.poll();
      // Let the poll reach its wait for the missing file; fake timers never end that wait.
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      await task.stop();
      expect(await polling).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('FileStreamSourceConnector', () => {
  it('makes one task config whatever tasks.max says', () => {
    const connector = new FileStreamSourceConnector();
    connector.start({ file: '/tmp/x', topic: 't' });
    expect(connector.taskConfigs(4)).toEqual([{ file: '/tmp/x', topic: 't', 'batch.size': '2000' }]);
  });

  it('refuses a topic list and validates offsets before they are altered', () => {
    expect(() => new FileStreamSourceConnector().start({ topic: 'a,b' })).toThrow(/single topic/);
    const connector = new FileStreamSourceConnector();
    expect(connector.alterOffsets({ file: '/f' }, [{ partition: { filename: '/f' }, offset: { position: 10 } }])).toBe(true);
    expect(connector.alterOffsets({ file: '/f' }, [{ partition: { filename: '/f' }, offset: null }])).toBe(true);
    expect(() => connector.alterOffsets({ file: '/f' }, [{ partition: { filename: '/f' }, offset: { position: -1 } }])).toThrow(/non-negative/);
    expect(() => connector.alterOffsets({ file: '/f' }, [{ partition: {}, offset: { position: 1 } }])).toThrow(/filename/);
    expect(() => connector.alterOffsets({}, [{ partition: { filename: '/f' }, offset: null }])).toThrow(/stdin/);
    expect(connector.exactlyOnceSupport({ file: '/f' })).toBe('SUPPORTED');
    expect(connector.exactlyOnceSupport({})).toBe('UNSUPPORTED');
  });
});

describe('FileStreamSinkTask', () => {
  const record = (value: unknown, offset: number, schema = Schemas.OPTIONAL_STRING) =>
    new SinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: offset, valueSchema: schema, value });

  it('appends one line per record, written when put() returns', async () => {
    const file = path.join(dir(), 'out.txt');
    writeFileSync(file, 'existing\n');
    const task = new FileStreamSinkTask();
    await task.start({ file });
    await task.put([record('a', 0), record('三', 1), record(null, 2)]);
    // No flush: a small last batch must not wait for the next offset flush to appear.
    expect(readFileSync(file, 'utf8')).toBe('existing\na\n三\nnull\n');
    await task.put([]);
    await task.put([record('b', 3)]);
    await task.flush([]);
    expect(readFileSync(file, 'utf8')).toBe('existing\na\n三\nnull\nb\n');
    await task.stop();
  });

  it('ends a line torn by a crash before it appends, so that no written line is glued to the fragment', async () => {
    const file = path.join(dir(), 'out.txt');
    writeFileSync(file, 'whole\ntorn-li');
    const task = new FileStreamSinkTask();
    await task.start({ file });
    await task.put([record('torn-line', 0)]);
    expect(readFileSync(file, 'utf8')).toBe('whole\ntorn-li\ntorn-line\n');
    await task.stop();
    // A file that ends whole is appended to as it is.
    const again = new FileStreamSinkTask();
    await again.start({ file });
    await again.put([record('next', 1)]);
    expect(readFileSync(file, 'utf8')).toBe('whole\ntorn-li\ntorn-line\nnext\n');
    await again.stop();
  });

  it('writes puts larger than its buffer, with multi-byte and surrogate-pair text intact', async () => {
    const file = path.join(dir(), 'out.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file });
    // Far over the 64 KiB the buffer starts with, in lines of 1- to 4-byte UTF-8 characters.
    const values = Array.from({ length: 3000 }, (_, i) => `${i}:${'é三😀x'.repeat(i % 40)}`);
    await task.put(values.map((v, i) => record(v, i)));
    await task.put([record('after', 3000)]);
    expect(readFileSync(file, 'utf8')).toBe(`${values.join('\n')}\nafter\n`);
    await task.stop();
  });

  it('prints structs as Kafka does and other values in Connect string form', async () => {
    const file = path.join(dir(), 'out.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file });
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    await task.put([record(new Struct(schema).put('a', 1), 0, schema), record(42, 1, Schemas.INT32)]);
    await task.flush([]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toContain('a=1');
    expect(lines[1]).toBe('42');
    await task.stop();
  });

  it('gives each task of the connector the same file', () => {
    const connector = new FileStreamSinkConnector();
    connector.start({ file: '/tmp/out' });
    expect(connector.taskConfigs(2)).toEqual([{ file: '/tmp/out' }, { file: '/tmp/out' }]);
  });
});
