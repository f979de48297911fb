// @services mongo-oplog
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../runtime/connect/api/index.ts';
import { MongoSourceTask, ResumeTokenLostError } from '../../connectors/mongodb/index.ts';
import { MemoryOffsets, sourceContext } from '../unit/mongodb/harness.ts';
import { serviceUrl, startService, stopService } from '../services/services.ts';

/** Polls until `count` records arrived (or 20 empty polls); retriable errors are retried, as the worker does. */
async function pollFor(task: MongoSourceTask, offsets: MemoryOffsets, count: number): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  for (let empty = 0; all.length < count && empty < 20; ) {
    let records: SourceRecord[] = [];
    try {
      records = (await task.poll()) ?? [];
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true) throw error;
    }
    if (records.length === 0) empty += 1;
    offsets.commit(records);
    all.push(...records);
  }
  return all;
}

function startTask(props: Record<string, string>, offsets: MemoryOffsets): MongoSourceTask {
  const task = new MongoSourceTask();
  task.initialize(sourceContext(props, offsets));
  task.start(props);
  return task;
}

const numbers = (records: SourceRecord[]) => records.map((r) => JSON.parse(r.value as string).fullDocument.n as number);

describe('change-stream source across mongo-java-server restarts and lost history', () => {
  it('resumes after a server restart without loss; fails on lost history by default; restarts from now when told to', async () => {
    const url = serviceUrl('mongo-oplog');
    const database = `restart_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const props = { 'connection.uri': url, database, collection: 'items', 'poll.await.time.ms': '100' };
    const offsets = new MemoryOffsets();

    const task = startTask(props, offsets);
    await task.poll();
    let client = new MongoClient(url);
    await client.db(database).collection('items').insertMany([{ n: 1 }, { n: 2 }]);
    expect(numbers(await pollFor(task, offsets, 2))).toEqual([1, 2]);
    await task.stop();
    await client.close();

    // The H2-backed server keeps its oplog across a restart: the stream resumes with nothing lost.
    await stopService('mongo-oplog');
    await startService('mongo-oplog');
    client = new MongoClient(url);
    try {
      await client.db(database).collection('items').insertOne({ n: 3 });
      const resumed = startTask(props, offsets);
      expect(numbers(await pollFor(resumed, offsets, 1))).toEqual([3]);
      await resumed.stop();

      // The oplog rolls past the stored position (simulated: the server's history is emptied).
      await client.db('local').collection('oplog.rs').deleteMany({});
      const failing = startTask(props, offsets);
      const error = await failing.poll().then(
        () => null,
        (caught: unknown) => caught,
      );
      await failing.stop();
      expect(error).toBeInstanceOf(ResumeTokenLostError);
      expect((error as Error).message).toMatch(/no longer in the server's change history.*resume\.token\.lost\.behavior=restart_latest/);

      const latestProps = { ...props, 'resume.token.lost.behavior': 'restart_latest' };
      const restarted = startTask(latestProps, offsets);
      await pollFor(restarted, offsets, 0);
      await restarted.poll();
      await client.db(database).collection('items').insertOne({ n: 4 });
      expect(numbers(await pollFor(restarted, offsets, 1))).toEqual([4]);
      await restarted.stop();
    } finally {
      await client.close();
    }
  }, 120_000);
});
