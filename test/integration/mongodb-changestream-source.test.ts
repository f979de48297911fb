// @services mongo-oplog
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../runtime/connect/api/index.ts';
import { MongoSourceTask } from '../../connectors/mongodb/index.ts';
import { MemoryOffsets, sourceContext } from '../unit/mongodb/harness.ts';
import { serviceUrl } from '../services/services.ts';

let client: MongoClient;

beforeAll(async () => {
  client = new MongoClient(serviceUrl('mongo-oplog'));
  await client.connect();
});

afterAll(async () => {
  await client.close();
});

function startTask(props: Record<string, string>, offsets: MemoryOffsets): MongoSourceTask {
  const task = new MongoSourceTask();
  task.initialize(sourceContext(props, offsets));
  task.start(props);
  return task;
}

/** Polls until `count` records arrived (or 20 empty polls), committing offsets as the worker would. */
async function pollFor(task: MongoSourceTask, offsets: MemoryOffsets, count: number): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  for (let empty = 0; all.length < count && empty < 20; ) {
    const records = (await task.poll()) ?? [];
    if (records.length === 0) empty += 1;
    offsets.commit(records);
    all.push(...records);
  }
  return all;
}

function props(database: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'connection.uri': serviceUrl('mongo-oplog'), database, collection: 'items', 'poll.await.time.ms': '100', ...extra };
}

const newDatabase = () => `cs_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads parsed JSON freely
const valueOf = (record: SourceRecord) => JSON.parse(record.value as string) as Record<string, any>;

describe('MongoDB change-stream source against mongo-java-server', () => {
  it('streams inserts, updates and deletes and resumes after the last committed event on restart', async () => {
    const database = newDatabase();
    const items = client.db(database).collection('items');
    const offsets = new MemoryOffsets();
    const first = startTask(props(database, { 'change.stream.full.document': 'updateLookup' }), offsets);
    expect(await first.poll()).toBeNull();
    const { insertedId } = await items.insertOne({ k: 'a', v: 1 });
    const key = { _id: { $oid: insertedId.toHexString() } };
    // mongo-java-server puts the update into documentKey and its updateLookup is unreliable, so
    // only the keys of inserts and deletes are checked (README: server gaps).
    await items.updateOne({ k: 'a' }, { $set: { v: 2 } });
    await items.deleteOne({ _id: insertedId });
    const events = await pollFor(first, offsets, 3);
    await first.stop();
    expect(events.map((r) => valueOf(r).operationType)).toEqual(['insert', 'update', 'delete']);
    expect([events[0]!, events[2]!].map((r) => JSON.parse(r.key as string))).toEqual([key, key]);
    expect(events[0]!.topic).toBe(`${database}.items`);
    expect(Object.keys(events[2]!.sourceOffset!)).toEqual(['_id', 'clusterTime']);

    await items.insertMany([{ _id: 2 as never }, { _id: 3 as never }]);
    const second = startTask(props(database), offsets);
    const resumed = await pollFor(second, offsets, 2);
    await second.stop();
    expect(resumed.map((r) => JSON.parse(r.key as string)._id)).toEqual([2, 3]);
  });

  it('copy_existing resumes the copy after a crash instead of starting over, then streams', async () => {
    const database = newDatabase();
    const items = client.db(database).collection('items');
    await items.insertMany([1, 2, 3, 4, 5].map((id) => ({ _id: id as never })));
    const offsets = new MemoryOffsets();
    const copyProps = props(database, { 'startup.mode': 'copy_existing', 'poll.max.batch.size': '2', 'publish.full.document.only': 'true' });
    const first = startTask(copyProps, offsets);
    const copied = (await first.poll()) ?? [];
    offsets.commit(copied);
    await first.stop();
    expect(copied.map((r) => valueOf(r)._id)).toEqual([1, 2]);

    const second = startTask(copyProps, offsets);
    const rest = await pollFor(second, offsets, 3);
    expect(rest.map((r) => valueOf(r)._id)).toEqual([3, 4, 5]);
    await items.insertOne({ _id: 6 as never });
    const streamed = await pollFor(second, offsets, 1);
    await second.stop();
    expect(streamed.map((r) => valueOf(r)._id)).toContain(6);
  });

  it('names topics by prefix, suffix, separator and namespace map; outputs canonical Extended JSON', async () => {
    const database = newDatabase();
    const offsets = new MemoryOffsets();
    const task = startTask(props(database, { 'topic.namespace.map': JSON.stringify({ [`${database}.items`]: 'mapped' }), 'topic.prefix': 'p', 'topic.suffix': 's', 'topic.separator': '-', 'output.json.formatter': 'com.mongodb.kafka.connect.source.json.formatter.ExtendedJson' }), offsets);
    await task.poll();
    await client.db(database).collection('items').insertOne({ _id: 'x' as never, n: 1 });
    const [record] = await pollFor(task, offsets, 1);
    await task.stop();
    expect(record!.topic).toBe('p-mapped-s');
    expect(valueOf(record!).fullDocument.n).toEqual({ $numberInt: '1' });
  });

  it('startup.mode=timestamp starts at the given cluster time', async () => {
    const database = newDatabase();
    const startedAt = new Date(Date.now() - 2000).toISOString();
    await client.db(database).collection('items').insertOne({ _id: 'before-start' as never });
    const offsets = new MemoryOffsets();
    const task = startTask(props(database, { 'startup.mode': 'timestamp', 'startup.mode.timestamp.start.at.operation.time': startedAt }), offsets);
    const records = await pollFor(task, offsets, 1);
    await task.stop();
    expect(records.map((r) => JSON.parse(r.key as string)._id)).toContain('before-start');
  });
});
