// @services ferretdb
import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { Long, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaBuilder, Struct } from '../../runtime/connect/api/index.ts';
import { MongoSinkTask } from '../../connectors/mongodb/index.ts';
import { TestSinkContext, putAndFlush, putOnce, sinkRecord } from '../unit/mongodb/harness.ts';
import { serviceUrl } from '../services/services.ts';

let client: MongoClient;

beforeAll(async () => {
  client = new MongoClient(serviceUrl('ferretdb'));
  await client.connect();
});

afterAll(async () => {
  await client.close();
});

async function runSink(extra: Record<string, string>, records: ReturnType<typeof sinkRecord>[], dlq = true) {
  const database = `sink_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  return { ...(await putOnce(client, serviceUrl('ferretdb'), database, extra, records, dlq)), database };
}

const PROVIDED = { 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInValueStrategy' };

describe('MongoDB sink against FerretDB: values', () => {
  it('writes Connect structs, maps, JSON and Extended JSON strings', async () => {
    const schema = SchemaBuilder.struct().field('_id', SchemaBuilder.string().build()).field('n', SchemaBuilder.int64().build()).build();
    const struct = new Struct(schema).put('_id', 's1').put('n', 5);
    const { docs } = await runSink(PROVIDED, [
      sinkRecord('t', null, struct),
      sinkRecord('t', null, new Map<string, unknown>([['_id', 'm1'], ['tags', ['a', 'b']]])),
      sinkRecord('t', null, '{"_id": "j1", "price": 2.5}'),
      sinkRecord('t', null, '{"_id": "e1", "at": {"$date": "2024-01-02T03:04:05Z"}, "big": {"$numberLong": "9007199254740993"}}'),
    ]);
    expect(docs.map((d) => d._id)).toEqual(['e1', 'j1', 'm1', 's1']);
    const byId = new Map(docs.map((d) => [String(d._id), d]));
    expect(byId.get('s1')?.n).toBe(5);
    expect(byId.get('m1')?.tags).toEqual(['a', 'b']);
    expect(byId.get('j1')?.price).toBe(2.5);
    expect(byId.get('e1')?.at).toEqual(new Date('2024-01-02T03:04:05Z'));
    expect(String(byId.get('e1')?.big)).toBe('9007199254740993');
  });
});

describe('MongoDB sink against FerretDB: id strategies', () => {
  const value = { _id: 'v-id', a: 1, b: { c: 2 } };
  const key = { k1: 'x', k2: 'y', _id: 'k-id' };
  const cases: Array<[string, Record<string, string>, (doc: Document) => void]> = [
    ['BsonOid', { 'document.id.strategy': 'BsonOidStrategy', 'document.id.strategy.overwrite.existing': 'true' }, (d) => expect(d._id.constructor.name).toBe('ObjectId')],
    ['KafkaMetaData', { 'document.id.strategy': 'KafkaMetaDataStrategy', 'document.id.strategy.overwrite.existing': 'true' }, (d) => expect(d._id).toBe('ids#0#41')],
    ['FullKey', { 'document.id.strategy': 'FullKeyStrategy', 'document.id.strategy.overwrite.existing': 'true' }, (d) => expect(d._id).toEqual(key)],
    [
      'PartialKey',
      { 'document.id.strategy': 'PartialKeyStrategy', 'document.id.strategy.overwrite.existing': 'true', 'document.id.strategy.partial.key.projection.type': 'allowlist', 'document.id.strategy.partial.key.projection.list': 'k2' },
      (d) => expect(d._id).toEqual({ k2: 'y' }),
    ],
    [
      'PartialValue',
      { 'document.id.strategy': 'PartialValueStrategy', 'document.id.strategy.overwrite.existing': 'true', 'document.id.strategy.partial.value.projection.type': 'blocklist', 'document.id.strategy.partial.value.projection.list': '_id,b' },
      (d) => expect(d._id).toEqual({ a: 1 }),
    ],
    ['ProvidedInKey', { 'document.id.strategy': 'ProvidedInKey' }, (d) => expect(d._id).toBe('k-id')],
    ['ProvidedInValue', { 'document.id.strategy': 'ProvidedInValue' }, (d) => expect(d._id).toBe('v-id')],
    ['Uuid', { 'document.id.strategy': 'UuidStrategy', 'document.id.strategy.overwrite.existing': 'true' }, (d) => expect(d._id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/)],
  ];
  for (const [name, config, check] of cases) {
    it(`${name} sets _id`, async () => {
      const { docs } = await runSink(config, [sinkRecord('ids', key, value, 41)]);
      expect(docs).toHaveLength(1);
      check(docs[0]!);
      expect(docs[0]!.a).toBe(1);
    });
  }

  it('keeps an existing _id unless overwrite.existing is set', async () => {
    const { docs } = await runSink({ 'document.id.strategy': 'KafkaMetaDataStrategy' }, [sinkRecord('ids', null, value, 7)]);
    expect(docs.map((d) => d._id)).toEqual(['v-id']);
  });
});

describe('MongoDB sink against FerretDB: write models', () => {
  it('ReplaceOneDefault with a provided id is idempotent under redelivery', async () => {
    const records = [sinkRecord('w', null, { _id: 1, v: 'a' }, 1), sinkRecord('w', null, { _id: 2, v: 'b' }, 2)];
    const { docs } = await runSink(PROVIDED, [...records, ...records, sinkRecord('w', null, { _id: 1, v: 'c' }, 3)]);
    expect(docs).toEqual([{ _id: 1, v: 'c' }, { _id: 2, v: 'b' }]);
  });

  it('UpdateOneDefault keeps fields the record does not carry; UpdateOneTimestamps stamps insert and modify times', async () => {
    const update = await runSink({ ...PROVIDED, 'writemodel.strategy': 'UpdateOneDefaultStrategy' }, [sinkRecord('w', null, { _id: 1, a: 1 }), sinkRecord('w', null, { _id: 1, b: 2 })]);
    expect(update.docs).toEqual([{ _id: 1, a: 1, b: 2 }]);
    const stamped = await runSink({ ...PROVIDED, 'writemodel.strategy': 'com.mongodb.kafka.connect.sink.writemodel.strategy.UpdateOneTimestampsStrategy' }, [sinkRecord('w', null, { _id: 1, a: 1 })]);
    expect(stamped.docs[0]!._insertedTS).toBeInstanceOf(Date);
    expect(stamped.docs[0]!._modifiedTS).toBeInstanceOf(Date);
  });

  it('ReplaceOneBusinessKey and UpdateOneBusinessKeyTimestamp match on the business key', async () => {
    const businessKey = { 'document.id.strategy': 'PartialValueStrategy', 'document.id.strategy.overwrite.existing': 'true', 'document.id.strategy.partial.value.projection.type': 'allowlist', 'document.id.strategy.partial.value.projection.list': 'sku' };
    const replaced = await runSink({ ...businessKey, 'writemodel.strategy': 'ReplaceOneBusinessKeyStrategy' }, [sinkRecord('w', null, { sku: 'A', qty: 1 }), sinkRecord('w', null, { sku: 'A', qty: 3 })]);
    expect(replaced.docs.map(({ _id, ...rest }) => rest)).toEqual([{ sku: 'A', qty: 3 }]);
    const updated = await runSink({ ...businessKey, 'writemodel.strategy': 'UpdateOneBusinessKeyTimestampStrategy' }, [sinkRecord('w', null, { sku: 'B', qty: 1 }), sinkRecord('w', null, { sku: 'B', qty: 2 })]);
    expect(updated.docs).toHaveLength(1);
    expect(updated.docs[0]).toMatchObject({ sku: 'B', qty: 2 });
    expect(updated.docs[0]!._insertedTS).toBeInstanceOf(Date);
  });

  it('InsertOneDefault reports the duplicate key of a redelivered record to the DLQ', async () => {
    const { docs, context } = await runSink({ ...PROVIDED, 'writemodel.strategy': 'InsertOneDefault', 'mongo.errors.tolerance': 'all' }, [
      sinkRecord('w', null, { _id: 1 }, 1),
      sinkRecord('w', null, { _id: 2 }, 2),
      sinkRecord('w', null, { _id: 1 }, 1),
      sinkRecord('w', null, { _id: 3 }, 3),
    ]);
    expect(docs.map((d) => d._id)).toEqual([1, 2, 3]);
    expect(context.deadLetters.map((d) => d.record.kafkaOffset)).toEqual([1]);
    expect(context.deadLetters[0]!.error.message).toMatch(/code 11000/);
  });

  it('deletes on tombstones with delete.on.null.values and on every record with DeleteOneDefault', async () => {
    const { docs } = await runSink({ 'document.id.strategy': 'FullKeyStrategy', 'document.id.strategy.overwrite.existing': 'true', 'delete.on.null.values': 'true' }, [
      sinkRecord('w', { id: 1 }, { v: 1 }),
      sinkRecord('w', { id: 2 }, { v: 2 }),
      sinkRecord('w', { id: 1 }, null),
    ]);
    expect(docs.map((d) => d.v)).toEqual([2]);
    const deleted = await runSink({ 'document.id.strategy': 'ProvidedInKeyStrategy', 'writemodel.strategy': 'DeleteOneDefaultStrategy' }, [sinkRecord('w', { _id: 1 }, { _id: 1 })]);
    expect(deleted.docs).toEqual([]);
  });

  it('a tombstone without delete.on.null.values is a data error', async () => {
    const { context } = await runSink({ ...PROVIDED, 'errors.tolerance': 'all' }, [sinkRecord('w', { _id: 1 }, null)]);
    expect(context.deadLetters[0]!.error.message).toMatch(/delete\.on\.null\.values is false/);
  });
});

describe('MongoDB sink against FerretDB: namespaces and post processors', () => {
  it('maps namespaces from value fields and applies topic overrides', async () => {
    const database = `ns_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const props = {
      'connection.uri': serviceUrl('ferretdb'),
      database,
      'namespace.mapper': 'FieldPathNamespaceMapper',
      'namespace.mapper.value.collection.field': 'kind',
      ...PROVIDED,
      'topic.override.other.collection': 'fixed',
      'topic.override.other.namespace.mapper': 'DefaultNamespaceMapper',
    };
    const task = new MongoSinkTask();
    task.initialize(new TestSinkContext(props));
    task.start(props);
    await putAndFlush(task, [sinkRecord('main', null, { _id: 1, kind: 'cats' }), sinkRecord('main', null, { _id: 2, kind: 'dogs' }), sinkRecord('other', null, { _id: 3, kind: 'cats' })]);
    await task.stop();
    const names = (await client.db(database).listCollections().toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['cats', 'dogs', 'fixed']);
  });

  it('runs projections, renamers, KafkaMetaAdder and NullFieldValueRemover in order', async () => {
    const { docs } = await runSink(
      {
        ...PROVIDED,
        'post.processor.chain': 'BlockListValueProjector,RenameByMapping,RenameByRegExp,KafkaMetaAdder,NullFieldValueRemover',
        'value.projection.type': 'blocklist',
        'value.projection.list': 'secret,nested.hidden',
        'field.renamer.mapping': '[{"oldName":"value.name","newName":"fullName"}]',
        'field.renamer.regexp': '[{"regexp":"^value\\\\.nested\\\\..*","pattern":"_","replace":"-"}]',
      },
      [sinkRecord('p', null, { _id: 1, name: 'n', secret: 's', empty: null, nested: { hidden: 1, a_b: 2 } }, 9)],
    );
    expect(docs).toEqual([{ _id: 1, fullName: 'n', nested: { 'a-b': 2 }, 'topic-partition-offset': 'p-0-9', CreateTime: 1_700_000_000_000 }]);
  });

  it('an allow list keeps only the listed fields (and _id)', async () => {
    const { docs } = await runSink({ ...PROVIDED, 'post.processor.chain': 'AllowListValueProjector', 'value.projection.type': 'allowlist', 'value.projection.list': 'a,b.c' }, [
      sinkRecord('p', null, { _id: 1, a: 1, b: { c: 2, d: 3 }, e: 4 }),
    ]);
    expect(docs).toEqual([{ _id: 1, a: 1, b: { c: 2 } }]);
  });
});

describe('MongoDB sink against FerretDB: errors', () => {
  it('dead-letters only the record the server rejects, writing the rest of the batch', async () => {
    const records = [
      sinkRecord('e', null, { _id: 1, ok: true }, 1),
      sinkRecord('e', null, { _id: 2, 'bad.key': true }, 2),
      sinkRecord('e', null, '{not json', 3),
      sinkRecord('e', null, { _id: 4, ok: true }, 4),
      sinkRecord('e', null, { _id: 5, ok: true }, 5),
    ];
    const { docs, context } = await runSink({ ...PROVIDED, 'mongo.errors.tolerance': 'all' }, records);
    expect(docs.map((d) => d._id)).toEqual([1, 4, 5]);
    expect(context.deadLetters.map((d) => d.record.kafkaOffset)).toEqual([2, 3]);
  });

  it('fails the task on a bad record when errors are not tolerated', async () => {
    await expect(runSink(PROVIDED, [sinkRecord('e', null, { _id: 1, 'bad.key': 1 }, 8)])).rejects.toThrow(/e-0@8/);
  });

  it('keeps 64-bit integers as Int64', async () => {
    const { docs } = await runSink({ ...PROVIDED }, [sinkRecord('e', null, { _id: 1, n: 2n ** 40n })]);
    expect(Long.isLong(docs[0]!.n) || typeof docs[0]!.n === 'number').toBe(true);
    expect(Number(docs[0]!.n)).toBe(2 ** 40);
  });
});
