// @services ferretdb, mongo-oplog
import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { Binary, MongoClient, UUID } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkRecord } from '../../runtime/connect/api/index.ts';
import { MongoSourceTask } from '../../connectors/mongodb/index.ts';
import { MemoryOffsets, putOnce, sinkRecord, sourceContext } from '../unit/mongodb/harness.ts';
import { serviceUrl } from '../services/services.ts';

let ferret: MongoClient;
let oplog: MongoClient;

beforeAll(async () => {
  ferret = new MongoClient(serviceUrl('ferretdb'));
  oplog = new MongoClient(serviceUrl('mongo-oplog'));
  await Promise.all([ferret.connect(), oplog.connect()]);
});

afterAll(async () => {
  await Promise.all([ferret.close(), oplog.close()]);
});

const newDatabase = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const runSink = (database: string, extra: Record<string, string>, records: SinkRecord[]) => putOnce(ferret, serviceUrl('ferretdb'), database, extra, records);

describe('CDC mode against FerretDB', () => {
  it('mirrors a collection from the change-stream source (mongo-java-server) into FerretDB with ChangeStreamHandler', async () => {
    const source = newDatabase('cdcsrc');
    const items = oplog.db(source).collection('items');
    const offsets = new MemoryOffsets();
    const sourceProps = { 'connection.uri': serviceUrl('mongo-oplog'), database: source, collection: 'items', 'poll.await.time.ms': '100' };
    const task = new MongoSourceTask();
    task.initialize(sourceContext(sourceProps, offsets));
    task.start(sourceProps);
    try {
      expect(await task.poll()).toBeNull();
      await items.insertMany([{ _id: 1 as never, name: 'a', n: 1 }, { _id: 2 as never, name: 'b', n: 2 }, { _id: 3 as never, name: 'c', n: 3 }]);
      // Updates and replaces are left out: mongo-java-server puts the new document into
      // documentKey and sends an empty fullDocument (README: server gaps); the update path is
      // tested with hand-made events below.
      await items.deleteOne({ _id: 3 as never });
      const events = [];
      for (let empty = 0; events.length < 4 && empty < 20; ) {
        const batch = (await task.poll()) ?? [];
        if (batch.length === 0) empty += 1;
        events.push(...batch);
      }
      expect(events).toHaveLength(4);
      const records = events.map((event, offset) => new SinkRecord({ topic: 'mirror', kafkaPartition: 0, kafkaOffset: offset, key: event.key, value: event.value }));
      const target = newDatabase('cdcdst');
      const { docs, context } = await runSink(target, { 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.mongodb.ChangeStreamHandler' }, records);
      expect(context.deadLetters).toEqual([]);
      expect(docs).toEqual([{ _id: 1, name: 'a', n: 1 }, { _id: 2, name: 'b', n: 2 }]);
    } finally {
      await task.stop();
    }
  });

  it('applies change-event updates ($set/$unset) and deletes, and dead-letters a malformed event', async () => {
    const database = newDatabase('cdcupd');
    const event = (operationType: string, rest: Document) => JSON.stringify({ operationType, documentKey: { _id: 'k' }, ...rest });
    const { docs, context } = await runSink(database, { 'change.data.capture.handler': 'ChangeStreamHandler', 'errors.tolerance': 'all' }, [
      sinkRecord('c', null, event('insert', { fullDocument: { _id: 'k', a: 1, b: 2 } })),
      sinkRecord('c', null, event('update', { updateDescription: { updatedFields: { a: 5 }, removedFields: ['b'] } })),
      sinkRecord('c', null, '{"documentKey": {"_id": "x"}}', 77),
      sinkRecord('c', null, event('insert', { documentKey: { _id: 'gone' }, fullDocument: { _id: 'gone' } })),
      sinkRecord('c', null, JSON.stringify({ operationType: 'delete', documentKey: { _id: 'gone' } })),
    ]);
    expect(docs).toEqual([{ _id: 'k', a: 5 }]);
    expect(context.deadLetters.map((d) => d.record.kafkaOffset)).toEqual([77]);
  });

  it('mirrors Debezium MongoDB and relational events', async () => {
    const mongoDb = newDatabase('dbzm');
    const key = JSON.stringify({ id: '"d1"' });
    const mongo = await runSink(mongoDb, { 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.debezium.mongodb.MongoDbHandler' }, [
      sinkRecord('d', key, JSON.stringify({ op: 'c', after: '{"_id": "d1", "n": 1, "t": {"$date": "2024-01-01T00:00:00Z"}}' })),
      sinkRecord('d', key, JSON.stringify({ op: 'u', patch: '{"$v": 1, "$set": {"n": 2}}' })),
      sinkRecord('d', JSON.stringify({ id: '"d2"' }), JSON.stringify({ op: 'r', after: '{"_id": "d2"}' })),
      sinkRecord('d', JSON.stringify({ id: '"d2"' }), JSON.stringify({ op: 'd' })),
    ]);
    expect(mongo.docs).toEqual([{ _id: 'd1', n: 2, t: new Date('2024-01-01T00:00:00Z') }]);

    const rdbmsDb = newDatabase('dbzr');
    const rdbms = await runSink(rdbmsDb, { 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.debezium.rdbms.postgres.PostgresHandler' }, [
      sinkRecord('r', { id: 1 }, { op: 'c', before: null, after: { id: 1, name: 'one' } }),
      sinkRecord('r', { id: 2 }, { op: 'c', before: null, after: { id: 2, name: 'two' } }),
      sinkRecord('r', { id: 1 }, { op: 'u', before: { id: 1, name: 'one' }, after: { id: 1, name: 'uno' } }),
      sinkRecord('r', { id: 2 }, { op: 'd', before: { id: 2, name: 'two' }, after: null }),
      sinkRecord('r', { id: 2 }, null),
    ]);
    expect(rdbms.docs).toEqual([{ _id: { id: 1 }, name: 'uno' }]);
  });
});

describe('time-series options against FerretDB (no time-series support)', () => {
  it('fails the task with the namespace and FerretDB\'s reason instead of writing to an ordinary collection', async () => {
    const database = newDatabase('ts');
    const failure = runSink(database, { 'document.id.strategy': 'ProvidedInValueStrategy', 'timeseries.timefield': 'at', 'timeseries.granularity': 'seconds' }, [sinkRecord('m', null, { _id: 1, at: new Date() })]);
    await expect(failure).rejects.toThrow(new RegExp(`time-series collection ${database}\\.docs`));
    const collections = await ferret.db(database).listCollections().toArray();
    const docs = collections.length === 0 ? [] : await ferret.db(database).collection('docs').find({}).toArray();
    expect(docs).toEqual([]);
  });

  it('refuses an existing ordinary collection as a time-series target', async () => {
    const database = newDatabase('tsx');
    await ferret.db(database).collection('docs').insertOne({ _id: 'existing' as never });
    await expect(runSink(database, { 'document.id.strategy': 'ProvidedInValueStrategy', 'timeseries.timefield': 'at' }, [sinkRecord('m', null, { _id: 1, at: new Date() })])).rejects.toThrow(
      /already exists that is not a time-series collection/,
    );
  });
});

describe('more id and write-model strategies against FerretDB', () => {
  it('UuidProvidedInValueStrategy stores a UUID string as a BSON UUID, idempotently', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const record = sinkRecord('u', null, { _id: id, v: 1 });
    const { docs } = await runSink(newDatabase('uuid'), { 'document.id.strategy': 'UuidProvidedInValueStrategy' }, [record, record]);
    expect(docs).toHaveLength(1);
    const stored = docs[0]!._id as unknown as Binary;
    expect(stored.sub_type).toBe(Binary.SUBTYPE_UUID);
    expect(new UUID(stored.buffer).toHexString()).toBe(id);
  });

  it('DeleteOneTombstoneBusinessKeyStrategy deletes the document matching the key\'s business key', async () => {
    const { docs } = await runSink(
      newDatabase('tomb'),
      {
        'document.id.strategy': 'PartialKeyStrategy',
        'document.id.strategy.partial.key.projection.type': 'allowlist',
        'document.id.strategy.partial.key.projection.list': 'sku',
        'writemodel.strategy': 'ReplaceOneBusinessKeyStrategy',
        'document.id.strategy.overwrite.existing': 'true',
        'delete.on.null.values': 'true',
        'delete.writemodel.strategy': 'DeleteOneTombstoneBusinessKeyStrategy',
      },
      [sinkRecord('b', { sku: 'A', x: 1 }, { sku: 'A', qty: 1 }), sinkRecord('b', { sku: 'B' }, { sku: 'B', qty: 2 }), sinkRecord('b', { sku: 'A', x: 2 }, null)],
    );
    expect(docs.map(({ _id, ...rest }) => rest)).toEqual([{ sku: 'B', qty: 2 }]);
  });
});
