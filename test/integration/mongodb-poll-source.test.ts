// @services ferretdb
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../runtime/connect/api/index.ts';
import { Struct } from '../../runtime/connect/api/index.ts';
import { MongoSourceTask } from '../../connectors/mongodb/index.ts';
import { MemoryOffsets, sourceContext } from '../unit/mongodb/harness.ts';
import { serviceUrl } from '../services/services.ts';

let client: MongoClient;

beforeAll(async () => {
  client = new MongoClient(serviceUrl('ferretdb'));
  await client.connect();
});

afterAll(async () => {
  await client.close();
});

function startTask(props: Record<string, string>, offsets: MemoryOffsets): MongoSourceTask {
  const task = new MongoSourceTask({ sleep: () => Promise.resolve() });
  task.initialize(sourceContext(props, offsets));
  task.start(props);
  return task;
}

/** Polls until a poll returns nothing, committing offsets as the worker would. */
async function drain(task: MongoSourceTask, offsets: MemoryOffsets): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  for (;;) {
    const records = await task.poll();
    if (records === null || records.length === 0) return all;
    offsets.commit(records);
    all.push(...records);
  }
}

function baseProps(database: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'connection.uri': serviceUrl('ferretdb'), database, collection: 'items', mode: 'poll', 'poll.max.batch.size': '3', 'startup.mode': 'copy_existing', ...extra };
}

const newDatabase = () => `poll_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

describe('MongoDB poll source against FerretDB', () => {
  it('reads every document once in _id order and resumes from the committed offset after a restart', async () => {
    const database = newDatabase();
    const items = client.db(database).collection('items');
    await items.insertMany(Array.from({ length: 7 }, (_, i) => ({ n: i })));
    const offsets = new MemoryOffsets();
    const first = startTask(baseProps(database), offsets);
    const seen = await drain(first, offsets);
    await first.stop();
    expect(seen.map((r) => JSON.parse(r.value as string).fullDocument.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen[0]!.topic).toBe(`${database}.items`);
    expect(JSON.parse(seen[0]!.value as string).operationType).toBe('insert');

    await items.insertMany([{ n: 7 }, { n: 8 }]);
    const second = startTask(baseProps(database), offsets);
    const more = await drain(second, offsets);
    await second.stop();
    expect(more.map((r) => JSON.parse(r.value as string).fullDocument.n)).toEqual([7, 8]);
  });

  it('follows updates through a timestamp field, breaking ties by _id', async () => {
    const database = newDatabase();
    const items = client.db(database).collection<{ _id: string; updatedAt: Date; v: number }>('items');
    const t = new Date('2024-01-01T00:00:00Z');
    await items.insertMany([
      { _id: 'a', updatedAt: t, v: 1 },
      { _id: 'b', updatedAt: t, v: 1 },
      { _id: 'c', updatedAt: t, v: 1 },
      { _id: 'd', updatedAt: t, v: 1 },
    ]);
    const offsets = new MemoryOffsets();
    const props = baseProps(database, { 'poll.field': 'updatedAt', 'publish.full.document.only': 'true', 'output.json.formatter': 'SimplifiedJson' });
    const task = startTask(props, offsets);
    const first = await drain(task, offsets);
    expect(first.map((r) => JSON.parse(r.value as string)._id)).toEqual(['a', 'b', 'c', 'd']);
    await items.updateOne({ _id: 'b' }, { $set: { v: 2, updatedAt: new Date('2024-01-02T00:00:00Z') } });
    const updates = await drain(task, offsets);
    await task.stop();
    expect(updates.map((r) => JSON.parse(r.value as string))).toEqual([{ _id: 'b', updatedAt: '2024-01-02T00:00:00.000Z', v: 2 }]);
  });

  it('startup.mode=latest skips existing documents; output formats bson and schema', async () => {
    const database = newDatabase();
    const items = client.db(database).collection('items');
    await items.insertOne({ old: true });
    const offsets = new MemoryOffsets();
    const task = startTask(baseProps(database, { 'startup.mode': 'latest', 'output.format.value': 'schema', 'output.format.key': 'bson', 'topic.prefix': 'mongo', 'topic.separator': '_' }), offsets);
    expect(await drain(task, offsets)).toEqual([]);
    await items.insertOne({ name: 'new', count: 3 });
    const records = await drain(task, offsets);
    await task.stop();
    expect(records).toHaveLength(1);
    expect(records[0]!.topic).toBe(`mongo_${database}_items`);
    expect(records[0]!.key).toBeInstanceOf(Uint8Array);
    const value = records[0]!.value as Struct;
    expect(value).toBeInstanceOf(Struct);
    expect((value.get('fullDocument') as Struct).get('name')).toBe('new');
    expect((value.get('fullDocument') as Struct).get('count')).toBe(3);
  });

  it('rejects a poll config without a collection', () => {
    const task = new MongoSourceTask();
    expect(() => task.start({ 'connection.uri': serviceUrl('ferretdb'), database: 'x', mode: 'poll' })).toThrow(/mode=poll watches one collection/);
  });
});
