import type { Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DataException } from '../../../runtime/connect/api/index.ts';
import { cdcWrite, resolveCdcHandler } from '../../../connectors/mongodb/cdc-handlers.ts';
import { MongoSinkTask } from '../../../connectors/mongodb/index.ts';
import type { Namespace } from '../../../connectors/mongodb/namespace.ts';
import { TestSinkContext, putAndFlush, sinkRecord } from './harness.ts';

describe('change.data.capture.handler names', () => {
  it('resolves the official class names and short names, and refuses unknown ones naming the key', () => {
    expect(resolveCdcHandler('k', 'com.mongodb.kafka.connect.sink.cdc.mongodb.ChangeStreamHandler')).toBe('ChangeStreamHandler');
    expect(resolveCdcHandler('k', 'com.mongodb.kafka.connect.sink.cdc.debezium.mongodb.ChangeStreamHandler')).toBe('DebeziumChangeStreamHandler');
    expect(resolveCdcHandler('k', 'com.mongodb.kafka.connect.sink.cdc.debezium.mongodb.MongoDbHandler')).toBe('DebeziumMongoDbHandler');
    expect(resolveCdcHandler('k', 'com.mongodb.kafka.connect.sink.cdc.debezium.rdbms.postgres.PostgresHandler')).toBe('PostgresHandler');
    expect(resolveCdcHandler('k', 'MysqlHandler')).toBe('MysqlHandler');
    expect(resolveCdcHandler('k', ' ')).toBeNull();
    expect(() => resolveCdcHandler('change.data.capture.handler', 'com.mongodb.kafka.connect.sink.cdc.qlik.QlikCdcHandler')).toThrow(/change\.data\.capture\.handler.*unknown CDC handler/);
  });
});

describe('MongoDB change stream events (ChangeStreamHandler)', () => {
  const key = { _id: 7 };
  it('mirrors insert and replace as upserting replaces by documentKey', () => {
    for (const operationType of ['insert', 'replace']) {
      expect(cdcWrite('ChangeStreamHandler', null, { operationType, documentKey: key, fullDocument: { _id: 7, a: 1 } }, false)).toEqual({
        replaceOne: { filter: key, replacement: { _id: 7, a: 1 }, upsert: true },
      });
    }
  });

  it('turns an update without fullDocument into $set/$unset, and one with fullDocument into a replace', () => {
    const event = { operationType: 'update', documentKey: key, updateDescription: { updatedFields: { a: 2, 'b.c': 3 }, removedFields: ['x', 'y.z'], truncatedArrays: [] } };
    expect(cdcWrite('ChangeStreamHandler', null, event, false)).toEqual({ updateOne: { filter: key, update: { $set: { a: 2, 'b.c': 3 }, $unset: { x: '', 'y.z': '' } } } });
    expect(cdcWrite('ChangeStreamHandler', null, { ...event, fullDocument: { _id: 7, a: 2 } }, false)).toEqual({ replaceOne: { filter: key, replacement: { _id: 7, a: 2 } } });
  });

  it('deletes by documentKey and skips events without a document (drop, rename, invalidate)', () => {
    expect(cdcWrite('ChangeStreamHandler', null, { operationType: 'delete', documentKey: key }, false)).toEqual({ deleteOne: { filter: key } });
    expect(cdcWrite('ChangeStreamHandler', null, { operationType: 'drop' }, false)).toBeNull();
  });

  it('rejects malformed events with a DataException saying what is missing', () => {
    expect(() => cdcWrite('ChangeStreamHandler', null, { documentKey: key }, false)).toThrow(/no operationType/);
    expect(() => cdcWrite('ChangeStreamHandler', null, { operationType: 'insert', fullDocument: {} }, false)).toThrow(/no documentKey/);
    expect(() => cdcWrite('ChangeStreamHandler', null, { operationType: 'update', documentKey: key, updateDescription: { updatedFields: {}, removedFields: [], newThing: 1 } }, false)).toThrow(/newThing/);
    expect(() => cdcWrite('ChangeStreamHandler', null, { operationType: 'update', documentKey: key, updateDescription: { updatedFields: {} } }, false)).toThrow(DataException);
  });

  it('remove.null.values drops nulls from replacements and $set, keeps $unset, and skips writes left empty', () => {
    const replace = { operationType: 'insert', documentKey: key, fullDocument: { _id: 7, a: null, b: { c: null, d: 1 } } };
    expect(cdcWrite('ChangeStreamHandler', null, replace, true)).toEqual({ replaceOne: { filter: key, replacement: { _id: 7, b: { d: 1 } }, upsert: true } });
    const update = { operationType: 'update', documentKey: key, updateDescription: { updatedFields: { a: null }, removedFields: ['b'] } };
    expect(cdcWrite('ChangeStreamHandler', null, update, true)).toEqual({ updateOne: { filter: key, update: { $unset: { b: '' } } } });
    const nullsOnly = { operationType: 'update', documentKey: key, updateDescription: { updatedFields: { a: null }, removedFields: [] } };
    expect(cdcWrite('ChangeStreamHandler', null, nullsOnly, true)).toBeNull();
  });
});

describe('Debezium MongoDB events', () => {
  const oid = new ObjectId();
  const key = { id: `{"$oid": "${oid.toHexString()}"}` };
  it('inserts (c, r) by the _id of `after`, deletes by the key id, skips tombstones', () => {
    const after = `{"_id": {"$oid": "${oid.toHexString()}"}, "name": "x", "n": {"$numberLong": "5"}}`;
    for (const op of ['c', 'r']) {
      const write = cdcWrite('DebeziumMongoDbHandler', key, { op, after }, false) as { replaceOne: { filter: Document; replacement: Document; upsert: boolean } };
      expect(write.replaceOne.filter).toEqual({ _id: oid });
      expect(write.replaceOne.replacement.name).toBe('x');
      expect(write.replaceOne.upsert).toBe(true);
    }
    expect(cdcWrite('DebeziumMongoDbHandler', key, { op: 'd' }, false)).toEqual({ deleteOne: { filter: { _id: oid } } });
    expect(cdcWrite('DebeziumMongoDbHandler', key, null, false)).toBeNull();
    expect(cdcWrite('DebeziumMongoDbHandler', { id: '42' }, { op: 'd' }, false)).toEqual({ deleteOne: { filter: { _id: 42 } } });
  });

  it('oplog format: a patch with operators updates by the key id, a whole document replaces; $v is dropped', () => {
    expect(cdcWrite('DebeziumMongoDbHandler', { id: '"a"' }, { op: 'u', patch: '{"$v": 1, "$set": {"n": 2}}' }, false)).toEqual({ updateOne: { filter: { _id: 'a' }, update: { $set: { n: 2 } } } });
    expect(cdcWrite('DebeziumMongoDbHandler', { id: '"a"' }, { op: 'u', patch: '{"_id": "a", "n": 3}' }, false)).toEqual({ replaceOne: { filter: { _id: 'a' }, replacement: { _id: 'a', n: 3 }, upsert: true } });
  });

  it('change stream format: an update replaces with `after` by the key id', () => {
    expect(cdcWrite('DebeziumChangeStreamHandler', { id: '"a"' }, { op: 'u', after: '{"_id": "a", "n": 4}' }, false)).toEqual({ replaceOne: { filter: { _id: 'a' }, replacement: { _id: 'a', n: 4 }, upsert: true } });
  });

  it('refuses events without a key, an op, or valid JSON', () => {
    expect(() => cdcWrite('DebeziumMongoDbHandler', null, { op: 'c', after: '{}' }, false)).toThrow(/key document/);
    expect(() => cdcWrite('DebeziumMongoDbHandler', key, { after: '{}' }, false)).toThrow(/`op`/);
    expect(() => cdcWrite('DebeziumMongoDbHandler', key, { op: 'x' }, false)).toThrow(/op=x/);
    expect(() => cdcWrite('DebeziumMongoDbHandler', key, { op: 'c', after: '{nope' }, false)).toThrow(/Extended JSON/);
    expect(cdcWrite('DebeziumMongoDbHandler', key, { ddl: 'ALTER' }, false)).toBeNull();
  });
});

describe('Debezium relational events (RdbmsHandler, MysqlHandler, PostgresHandler)', () => {
  it('upserts rows by their primary key as _id, without repeating the key columns', () => {
    for (const handler of ['RdbmsHandler', 'MysqlHandler', 'PostgresHandler'] as const) {
      expect(cdcWrite(handler, { id: 1 }, { op: 'c', before: null, after: { id: 1, name: 'a' } }, false)).toEqual({
        replaceOne: { filter: { _id: { id: 1 } }, replacement: { _id: { id: 1 }, name: 'a' }, upsert: true },
      });
    }
    expect(cdcWrite('RdbmsHandler', { id: 1 }, { op: 'u', before: { id: 1, name: 'a' }, after: { id: 1, name: 'b' } }, false)).toEqual({
      replaceOne: { filter: { _id: { id: 1 } }, replacement: { _id: { id: 1 }, name: 'b' }, upsert: true },
    });
    expect(cdcWrite('RdbmsHandler', { id: 1 }, { op: 'd', before: { id: 1 }, after: null }, false)).toEqual({ deleteOne: { filter: { _id: { id: 1 } } } });
    expect(cdcWrite('RdbmsHandler', { id: 1 }, null, false)).toBeNull();
  });

  it('tables without a key: inserts get a new ObjectId, updates and deletes match the before row', () => {
    const insert = cdcWrite('RdbmsHandler', null, { op: 'c', after: { a: 1 } }, false) as { replaceOne: { filter: Document } };
    expect(insert.replaceOne.filter._id).toBeInstanceOf(ObjectId);
    expect(cdcWrite('RdbmsHandler', null, { op: 'd', before: { a: 1 } }, false)).toEqual({ deleteOne: { filter: { a: 1 } } });
    expect(() => cdcWrite('RdbmsHandler', null, { op: 'u', before: null, after: { a: 2 } }, false)).toThrow(/primary key/);
    expect(() => cdcWrite('RdbmsHandler', { id: 1 }, { op: 'u', after: {} }, false)).toThrow(/non-empty `after`/);
  });
});

describe('MongoSinkTask in CDC mode', () => {
  it('writes the handler\'s operations, skips events without a write, and dead-letters malformed events', async () => {
    const ops: Array<[string, Document[]]> = [];
    const task = new MongoSinkTask({
      bulkWrite: (namespace: Namespace, operations) => {
        ops.push([`${namespace.database}.${namespace.collection}`, operations as Document[]]);
        return Promise.resolve();
      },
    });
    const props = { database: 'db', 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.mongodb.ChangeStreamHandler', 'errors.tolerance': 'all' };
    const context = new TestSinkContext(props);
    task.initialize(context);
    task.start(props);
    await putAndFlush(task, [
      sinkRecord('t', '{"_id": 1}', '{"operationType": "insert", "documentKey": {"_id": 1}, "fullDocument": {"_id": 1, "a": 1}}'),
      sinkRecord('t', null, '{"operationType": "drop"}'),
      sinkRecord('t', null, '{"documentKey": {"_id": 2}}'),
      sinkRecord('t', '{"_id": 1}', '{"operationType": "delete", "documentKey": {"_id": 1}}'),
    ]);
    // The bad record cuts the run, so the insert is written before it is dead-lettered.
    expect(ops).toEqual([
      ['db.t', [{ replaceOne: { filter: { _id: 1 }, replacement: { _id: 1, a: 1 }, upsert: true } }]],
      ['db.t', [{ deleteOne: { filter: { _id: 1 } } }]],
    ]);
    expect(context.deadLetters.map((d) => d.error.message)).toEqual([expect.stringMatching(/no operationType/)]);
  });
});

describe('unsupported official options', () => {
  it('refuses field.value.transformer and the Qlik handler at start, naming the key', () => {
    const start = (props: Record<string, string>) => {
      const task = new MongoSinkTask({ bulkWrite: () => Promise.resolve() });
      const all = { database: 'db', ...props };
      task.initialize(new TestSinkContext(all));
      task.start(all);
    };
    expect(() => start({ 'field.value.transformer': 'com.example.Upper' })).toThrow(/field\.value\.transformer/);
    expect(() => start({ 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.qlik.QlikCdcHandler' })).toThrow(/change\.data\.capture\.handler/);
  });
});
