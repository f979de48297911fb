// @services ferretdb
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { SinkRecord, SourceRecord } from '../../runtime/connect/api/index.ts';
import { RetriableException } from '../../runtime/connect/api/index.ts';
import { MongoSinkTask, MongoSourceTask } from '../../connectors/mongodb/index.ts';
import { MemoryOffsets, TestSinkContext, sinkRecord, sourceContext } from '../unit/mongodb/harness.ts';
import { serviceUrl, startService, stopService } from '../services/services.ts';

/** The URI with short server selection, so that an outage shows up in seconds, not 30 s. */
function uri(): string {
  return `${serviceUrl('ferretdb')}?serverSelectionTimeoutMS=1500`;
}

describe('MongoDB connectors while FerretDB is stopped and restarted', () => {
  it('sink: every record arrives exactly once after the outage (batches redelivered as the worker does)', async () => {
    const database = `outage_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const props = { 'connection.uri': uri(), database, collection: 'docs', 'document.id.strategy': 'ProvidedInValueStrategy', 'mongo.max.retries': '1', 'mongo.retry.backoff.ms': '100' };
    const task = new MongoSinkTask();
    const context = new TestSinkContext(props);
    task.initialize(context);
    task.start(props);
    const batches: SinkRecord[][] = Array.from({ length: 10 }, (_, b) => Array.from({ length: 50 }, (_, i) => sinkRecord('t', null, { _id: b * 50 + i, b }, b * 50 + i)));
    // As the worker: put() each batch, retrying a batch whose put() fails; an offset commit
    // (flush) every third batch and at the end, and after a failed one a rewind to the batch
    // after the last commit. Writes that fail in the background surface in either.
    let redeliveries = 0;
    let next = 0;
    let committed = 0;
    let stopped = false;
    while (committed < batches.length) {
      if (next === 4 && !stopped) {
        await stopService('ferretdb');
        stopped = true;
      }
      let flushing = false;
      try {
        if (next < batches.length) {
          await task.put(batches[next]!);
          next += 1;
        }
        if (next === batches.length || next % 3 === 0) {
          flushing = true;
          await task.flush([]);
          committed = next;
        }
      } catch (error) {
        if (!(error instanceof RetriableException)) {
          await startService('ferretdb');
          throw error;
        }
        redeliveries += 1;
        if (redeliveries === 2) await startService('ferretdb');
        if (flushing) next = committed;
      }
    }
    await task.stop();
    expect(redeliveries).toBeGreaterThanOrEqual(2);
    const client = new MongoClient(serviceUrl('ferretdb'));
    try {
      const docs = client.db(database).collection('docs');
      expect(await docs.countDocuments()).toBe(500);
      expect((await docs.distinct('_id')).length).toBe(500);
    } finally {
      await client.close();
    }
  }, 180_000);

  it('poll source: every document is read once across the outage (no duplicates, none missing)', async () => {
    const database = `outage_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const client = new MongoClient(serviceUrl('ferretdb'));
    await client.db(database).collection('items').insertMany(Array.from({ length: 300 }, (_, n) => ({ n })));
    await client.close();
    const props = { 'connection.uri': uri(), database, collection: 'items', mode: 'poll', 'startup.mode': 'copy_existing', 'poll.max.batch.size': '40' };
    const offsets = new MemoryOffsets();
    const task = new MongoSourceTask({ sleep: () => Promise.resolve() });
    task.initialize(sourceContext(props, offsets));
    task.start(props);
    const seen: SourceRecord[] = [];
    let failures = 0;
    let empty = 0;
    while (empty < 2) {
      if (seen.length >= 120 && failures === 0) await stopService('ferretdb');
      try {
        const records = (await task.poll()) ?? [];
        offsets.commit(records);
        seen.push(...records);
        empty = records.length === 0 ? empty + 1 : 0;
      } catch (error) {
        expect(error).toBeInstanceOf(RetriableException);
        failures += 1;
        if (failures === 1) await startService('ferretdb');
      }
    }
    await task.stop();
    const numbers = seen.map((r) => JSON.parse(r.value as string).fullDocument.n as number);
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(new Set(numbers).size).toBe(300);
    expect(numbers.length - new Set(numbers).size).toBe(0);
  }, 180_000);
});
