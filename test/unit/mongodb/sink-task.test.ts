import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ConnectError, RetriableException } from '../../../runtime/connect/api/index.ts';
import { MongoSinkConnector, MongoSinkTask } from '../../../connectors/mongodb/index.ts';
import { COALESCED_RECORDS } from '../../../connectors/mongodb/sink-task.ts';
import type { Namespace } from '../../../connectors/mongodb/namespace.ts';
import { idempotenceWarnings } from '../../../connectors/mongodb/idempotence.ts';
import { settingsForTopic } from '../../../connectors/mongodb/sink-config.ts';
import { resolveIdStrategy, resolvePostProcessor, resolveWriteModelStrategy } from '../../../connectors/mongodb/strategy-names.ts';
import { TestSinkContext, putAndFlush, sinkRecord } from './harness.ts';

interface Call {
  ns: string;
  ids: unknown[];
  ordered: boolean;
}

function fakeTask(props: Record<string, string>, behaviour: (call: Call, ops: Array<AnyBulkWriteOperation<Document>>) => void = () => {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const task = new MongoSinkTask({
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    bulkWrite: (namespace: Namespace, ops, ordered) => {
      const call = { ns: `${namespace.database}.${namespace.collection}`, ids: ops.map(idOf), ordered };
      calls.push(call);
      behaviour(call, ops);
      return Promise.resolve();
    },
  });
  const all = { database: 'db', 'document.id.strategy': 'ProvidedInValueStrategy', ...props };
  const context = new TestSinkContext(all);
  task.initialize(context);
  task.start(all);
  return { task, calls, sleeps, context };
}

function idOf(op: AnyBulkWriteOperation<Document>): unknown {
  if ('replaceOne' in op) return (op.replaceOne.filter as Document)._id;
  if ('insertOne' in op) return op.insertOne.document._id;
  return undefined;
}

describe('MongoSinkTask batching', () => {
  it('writes consecutive records of one topic and namespace with one bulkWrite, cut at max.batch.size', async () => {
    const { task, calls } = fakeTask({ 'max.batch.size': '2', 'topic.override.b.collection': 'other' });
    await putAndFlush(task, [
      sinkRecord('a', null, { _id: 1 }),
      sinkRecord('a', null, { _id: 2 }),
      sinkRecord('a', null, { _id: 3 }),
      sinkRecord('b', null, { _id: 4 }),
      sinkRecord('a', null, { _id: 5 }),
    ]);
    expect(calls.map((c) => [c.ns, c.ids])).toEqual([
      ['db.a', [1, 2]],
      ['db.a', [3]],
      ['db.other', [4]],
      ['db.a', [5]],
    ]);
  });

  it('sleeps rate.limiting.timeout after every n bulk writes', async () => {
    const { task, sleeps } = fakeTask({ 'max.batch.size': '1', 'rate.limiting.every.n': '2', 'rate.limiting.timeout': '250' });
    await putAndFlush(task, [1, 2, 3, 4, 5].map((id) => sinkRecord('a', null, { _id: id })));
    expect(sleeps).toEqual([250, 250]);
  });

  it('passes bulk.write.ordered to the driver', async () => {
    const { task, calls } = fakeTask({ 'bulk.write.ordered': 'false' });
    await putAndFlush(task, [sinkRecord('a', null, { _id: 1 })]);
    expect(calls[0]!.ordered).toBe(false);
  });
});

describe('MongoSinkTask errors', () => {
  it('retries retriable errors with doubling backoff and then hands the batch back with a RetriableException', async () => {
    const { task, sleeps, context } = fakeTask({ 'mongo.retry.backoff.ms': '10', 'mongo.max.retries': '3' }, () => {
      throw new MongoNetworkError('connection reset');
    });
    await expect(putAndFlush(task, [sinkRecord('a', null, { _id: 1 })])).rejects.toBeInstanceOf(RetriableException);
    expect(sleeps).toEqual([10, 20, 40]);
    expect(context.timeouts).toEqual([80]);
  });

  it('succeeds when a retriable error goes away', async () => {
    let failures = 2;
    const { task, calls } = fakeTask({ 'mongo.retry.backoff.ms': '1' }, () => {
      if (failures-- > 0) throw new MongoNetworkError('down');
    });
    await putAndFlush(task, [sinkRecord('a', null, { _id: 1 })]);
    expect(calls).toHaveLength(3);
  });

  it('halves a batch whose whole command fails until the bad record is alone', async () => {
    const { task, context } = fakeTask({ 'mongo.errors.tolerance': 'all' }, (call) => {
      if (call.ids.includes(6)) throw new MongoServerError({ message: 'invalid key', code: 2 });
    });
    await putAndFlush(task, [1, 2, 3, 4, 5, 6, 7, 8].map((id) => sinkRecord('a', null, { _id: id }, id)));
    expect(context.deadLetters.map((d) => d.record.kafkaOffset)).toEqual([6]);
    expect(context.deadLetters[0]!.error.message).toMatch(/a-0@6 to db\.a \(code 2\)/);
  });

  it('fails the task on a server error when tolerance is none, naming the record', async () => {
    const { task } = fakeTask({}, () => {
      throw new MongoServerError({ message: 'invalid key', code: 2 });
    });
    await expect(putAndFlush(task, [sinkRecord('a', null, { _id: 1 }, 12)])).rejects.toThrow(/a-0@12/);
  });

  it('tolerance data dead-letters conversion errors', async () => {
    const { task, context, calls } = fakeTask({ 'mongo.errors.tolerance': 'data' });
    await putAndFlush(task, [sinkRecord('a', null, '[1,2]', 1), sinkRecord('a', null, { _id: 2 }, 2)]);
    expect(context.deadLetters.map((d) => d.error.message)).toEqual(['The record value is JSON but not a JSON object']);
    expect(calls.map((c) => c.ids)).toEqual([[2]]);
  });
});

describe('MongoSinkTask pipelining', () => {
  /** A bulkWrite that answers only when the test says so. */
  function gatedTask(props: Record<string, string> = {}) {
    const calls: unknown[][] = [];
    const gates: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
    const task = new MongoSinkTask({
      sleep: () => Promise.resolve(),
      bulkWrite: (_namespace, ops) => {
        calls.push(ops.map(idOf));
        return new Promise<void>((resolve, reject) => gates.push({ resolve, reject }));
      },
    });
    const all = { database: 'db', 'document.id.strategy': 'ProvidedInValueStrategy', ...props };
    const context = new TestSinkContext(all);
    task.initialize(context);
    task.start(all);
    return { task, calls, gates, context };
  }
  const settled = async (promise: Promise<unknown>): Promise<boolean> => {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < 10; i++) await Promise.resolve();
    return done;
  };

  it('put() queues its batch behind the write under way; queued batches go out as one bulkWrite, and flush() waits for it', async () => {
    const { task, calls, gates } = gatedTask();
    await task.put([sinkRecord('a', null, { _id: 1 })]);
    expect(calls).toEqual([[1]]);
    await task.put([sinkRecord('a', null, { _id: 2 })]);
    await task.put([sinkRecord('a', null, { _id: 3 })]);
    expect(calls).toEqual([[1]]);
    gates.shift()!.resolve();
    const flushed = task.flush([]);
    expect(await settled(flushed)).toBe(false);
    expect(calls).toEqual([[1], [2, 3]]);
    gates.shift()!.resolve();
    await flushed;
  });

  it('queued batches for different collections, or beyond max.batch.size, stay separate bulkWrites', async () => {
    const { task, calls, gates } = gatedTask({ 'max.batch.size': '2', 'topic.override.b.collection': 'other' });
    await task.put([sinkRecord('a', null, { _id: 1 })]);
    await task.put([sinkRecord('a', null, { _id: 2 }), sinkRecord('b', null, { _id: 3 })]);
    await task.put([sinkRecord('a', null, { _id: 4 }), sinkRecord('a', null, { _id: 5 })]);
    const flushed = task.flush([]);
    for (let i = 0; i < 4; i++) {
      expect(await settled(flushed)).toBe(false);
      gates.shift()!.resolve();
    }
    await flushed;
    expect(calls).toEqual([[1], [2], [3], [4, 5]]);
  });

  it('with rate.limiting.every.n set, queued batches stay separate bulkWrites (the limit counts them)', async () => {
    const { task, calls, gates } = gatedTask({ 'rate.limiting.every.n': '100', 'rate.limiting.timeout': '1' });
    await task.put([sinkRecord('a', null, { _id: 1 })]);
    await task.put([sinkRecord('a', null, { _id: 2 })]);
    await task.put([sinkRecord('a', null, { _id: 3 })]);
    const flushed = task.flush([]);
    for (let i = 0; i < 3; i++) {
      expect(await settled(flushed)).toBe(false);
      gates.shift()!.resolve();
    }
    await flushed;
    expect(calls).toEqual([[1], [2], [3]]);
  });

  it(`put() waits for the writes once ${COALESCED_RECORDS} records are queued`, async () => {
    const { task, calls, gates } = gatedTask();
    await task.put([sinkRecord('a', null, { _id: 0 })]);
    const many = Array.from({ length: COALESCED_RECORDS }, (_, i) => sinkRecord('a', null, { _id: i + 1 }));
    const second = task.put(many);
    expect(await settled(second)).toBe(false);
    gates.shift()!.resolve();
    await second;
    expect(calls.map((c) => c.length)).toEqual([1, COALESCED_RECORDS]);
    gates.shift()!.resolve();
    await task.flush([]);
  });

  it('a retriable failure in the background fails the next put(), whose retry writes the unfinished batches first', async () => {
    const { task, calls, gates, context } = gatedTask({ 'mongo.max.retries': '0', 'mongo.retry.backoff.ms': '5' });
    await task.put([sinkRecord('a', null, { _id: 1 })]);
    await task.put([sinkRecord('a', null, { _id: 2 })]);
    gates.shift()!.reject(new MongoNetworkError('connection reset'));
    // The worker's next put() comes after a poll, by when the write's failure is known.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(task.put([sinkRecord('a', null, { _id: 3 })])).rejects.toBeInstanceOf(RetriableException);
    expect(context.timeouts).toEqual([5]);
    const retried = task.put([sinkRecord('a', null, { _id: 3 })]);
    expect(await settled(retried)).toBe(false);
    gates.shift()!.resolve();
    await retried;
    gates.shift()!.resolve();
    await task.flush([]);
    expect(calls).toEqual([[1], [1, 2], [3]]);
  });

  it('a failed flush() drops the unfinished writes: the worker delivers those records again', async () => {
    let failures = 1;
    const { task, calls } = fakeTask({ 'mongo.max.retries': '0' }, () => {
      if (failures-- > 0) throw new MongoNetworkError('connection reset');
    });
    await task.put([sinkRecord('a', null, { _id: 1 })]);
    await expect(task.flush([])).rejects.toBeInstanceOf(RetriableException);
    await task.flush([]);
    expect(calls.map((c) => c.ids)).toEqual([[1]]);
  });
});

describe('MongoDB sink config', () => {
  it('resolves full official class names and short names', () => {
    expect(resolveIdStrategy('k', 'com.mongodb.kafka.connect.sink.processor.id.strategy.PartialValueStrategy')).toBe('PartialValueStrategy');
    expect(resolveIdStrategy('k', 'ProvidedInKey')).toBe('ProvidedInKeyStrategy');
    expect(resolveWriteModelStrategy('k', 'com.mongodb.kafka.connect.sink.writemodel.strategy.DefaultWriteModelStrategy')).toBe('ReplaceOneDefaultStrategy');
    expect(resolvePostProcessor('k', 'com.mongodb.kafka.connect.sink.processor.field.projection.BlacklistValueProjector')).toBe('BlockListValueProjector');
    expect(resolvePostProcessor('k', 'com.mongodb.kafka.connect.sink.processor.field.renaming.RenameByMapping')).toBe('RenameByMapping');
    expect(() => resolveIdStrategy('document.id.strategy', 'Nope')).toThrow(/Nope.*document\.id\.strategy/);
  });

  it('applies topic.override.<topic>.<key> for that topic only', () => {
    const props = { database: 'db', 'max.batch.size': '5', 'topic.override.orders.max.batch.size': '7', 'topic.override.orders.v1.collection': 'x' };
    expect(settingsForTopic(props, 'orders').maxBatchSize).toBe(7);
    expect(settingsForTopic(props, 'orders.v1').collection).toBe('x');
    expect(settingsForTopic(props, 'other').maxBatchSize).toBe(5);
  });

  it('validate() requires a database with the default namespace mapper', () => {
    const values = new MongoSinkConnector().validate({});
    expect(values.find((v) => v.name === 'database')!.errors.join()).toMatch(/database is required/);
  });

  it('warns about strategies that are not idempotent under redelivery', () => {
    expect(idempotenceWarnings(settingsForTopic({ database: 'd' }, 't')).join()).toMatch(/BsonOidStrategy.*duplicates.*ProvidedInValueStrategy/);
    expect(idempotenceWarnings(settingsForTopic({ database: 'd', 'writemodel.strategy': 'InsertOneDefaultStrategy', 'document.id.strategy': 'FullKeyStrategy' }, 't')).join()).toMatch(/E11000/);
    expect(idempotenceWarnings(settingsForTopic({ database: 'd', 'document.id.strategy': 'ProvidedInValueStrategy' }, 't'))).toEqual([]);
  });

  it('a failing put with an unexpected error is a ConnectError', async () => {
    const { task } = fakeTask({}, () => {
      throw new Error('boom');
    });
    await expect(putAndFlush(task, [sinkRecord('a', null, { _id: 1 })])).rejects.toBeInstanceOf(ConnectError);
  });
});
