import type { Document } from 'mongodb';
import { Binary, Long, MongoServerError, UUID } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ConnectError } from '../../../runtime/connect/api/index.ts';
import { compileDatePattern, DEFAULT_DATE_PATTERN, parseDate } from '../../../connectors/mongodb/date-pattern.ts';
import { MongoSinkTask } from '../../../connectors/mongodb/index.ts';
import { idempotenceWarnings } from '../../../connectors/mongodb/idempotence.ts';
import type { Namespace } from '../../../connectors/mongodb/namespace.ts';
import { recordWrite } from '../../../connectors/mongodb/record-writes.ts';
import { settingsForTopic } from '../../../connectors/mongodb/sink-config.ts';
import { convertTimeField, timeseriesCreateCommand } from '../../../connectors/mongodb/timeseries.ts';
import { TestSinkContext, putAndFlush, sinkRecord } from './harness.ts';

const TS = { database: 'db', 'timeseries.timefield': 'at' };

describe('timeseries.* config', () => {
  it('builds the create command with meta field, granularity and expiry', () => {
    const settings = settingsForTopic({ ...TS, 'timeseries.metafield': 'sensor', 'timeseries.granularity': 'Minutes', 'timeseries.expire.after.seconds': '3600' }, 't');
    expect(timeseriesCreateCommand('t', settings.timeseries!)).toEqual({ create: 't', timeseries: { timeField: 'at', metaField: 'sensor', granularity: 'minutes' }, expireAfterSeconds: 3600 });
    expect(timeseriesCreateCommand('t', settingsForTopic(TS, 't').timeseries!)).toEqual({ create: 't', timeseries: { timeField: 'at' } });
  });

  it('makes InsertOneDefaultStrategy the default write model, but keeps an explicit one', () => {
    expect(settingsForTopic(TS, 't').writeModel).toBe('InsertOneDefaultStrategy');
    expect(settingsForTopic({ ...TS, 'writemodel.strategy': 'com.mongodb.kafka.connect.sink.writemodel.strategy.DefaultWriteModelStrategy' }, 't').writeModel).toBe('InsertOneDefaultStrategy');
    expect(settingsForTopic({ ...TS, 'writemodel.strategy': 'UpdateOneDefaultStrategy' }, 't').writeModel).toBe('UpdateOneDefaultStrategy');
    expect(settingsForTopic({ database: 'db' }, 't').writeModel).toBe('ReplaceOneDefaultStrategy');
  });

  it('refuses time-series options without a time field, bad granularities and a meta field equal to the time field', () => {
    expect(() => settingsForTopic({ database: 'db', 'timeseries.metafield': 'm' }, 't')).toThrow(/timeseries\.metafield.*needs timeseries\.timefield/);
    expect(() => settingsForTopic({ database: 'db', 'timeseries.expire.after.seconds': '5' }, 't')).toThrow(/needs timeseries\.timefield/);
    expect(() => settingsForTopic({ database: 'db', 'timeseries.granularity': 'hours' }, 't')).toThrow(/needs timeseries\.timefield/);
    expect(() => settingsForTopic({ ...TS, 'timeseries.granularity': 'days' }, 't')).toThrow(/timeseries\.granularity/);
    expect(() => settingsForTopic({ ...TS, 'timeseries.metafield': 'at' }, 't')).toThrow(/must differ/);
    expect(() => settingsForTopic({ ...TS, 'timeseries.timefield.auto.convert.date.format': 'dd MMM yyyy' }, 't')).toThrow(/MMM.*not supported/);
    expect(() => settingsForTopic({ ...TS, 'timeseries.timefield.auto.convert.locale.language.tag': 'not a tag!' }, 't')).toThrow(/language tag/);
  });

  it('warns that inserts into a time-series collection duplicate redelivered records', () => {
    expect(idempotenceWarnings(settingsForTopic(TS, 't')).join()).toMatch(/Time-series.*duplicates/);
  });
});

describe('timeseries.timefield.auto.convert', () => {
  const settings = settingsForTopic({ ...TS, 'timeseries.timefield.auto.convert': 'true' }, 't').timeseries!;
  it('turns epoch milliseconds (numbers, Int64, fractions dropped) and ISO strings into dates', () => {
    expect(convertTimeField({ at: 1_700_000_000_123.9 }, settings).at).toEqual(new Date(1_700_000_000_123));
    expect(convertTimeField({ at: Long.fromNumber(5) }, settings).at).toEqual(new Date(5));
    expect(convertTimeField({ at: '2024-03-04T05:06:07.500Z' }, settings).at).toEqual(new Date('2024-03-04T05:06:07.500Z'));
    expect(convertTimeField({ at: '2024-03-04 05:06' }, settings).at).toEqual(new Date('2024-03-04T05:06:00Z'));
    expect(convertTimeField({ at: '2024-03-04T05:06:07+02:00' }, settings).at).toEqual(new Date('2024-03-04T03:06:07Z'));
    expect(convertTimeField({ at: '2024-03-04' }, settings).at).toEqual(new Date('2024-03-04T00:00:00Z'));
    expect(convertTimeField({ at: '2024-07-01T12:00:00[Europe/Paris]' }, settings).at).toEqual(new Date('2024-07-01T10:00:00Z'));
  });

  it('leaves values that do not convert, and other types, as they are', () => {
    expect(convertTimeField({ at: 'yesterday' }, settings).at).toBe('yesterday');
    expect(convertTimeField({ at: true }, settings).at).toBe(true);
    expect(convertTimeField({ other: 1 }, settings)).toEqual({ other: 1 });
  });

  it('parses custom patterns of numeric fields', () => {
    const pattern = compileDatePattern("dd/MM/yyyy' at 'HH.mm.ss.SSS XX");
    expect(parseDate(pattern, '04/03/2024 at 05.06.07.250 -0130')).toBe(Date.parse('2024-03-04T06:36:07.250Z'));
    expect(parseDate(pattern, '2024-03-04')).toBeNull();
    expect(() => compileDatePattern("yyyy-MM-dd 'open")).toThrow(/unterminated quote/);
    expect(() => compileDatePattern('yyyy]')).toThrow(/unmatched/);
    expect(parseDate(compileDatePattern(DEFAULT_DATE_PATTERN), '2024-03-04T05:06:07.123456Z')).toBe(Date.parse('2024-03-04T05:06:07.123Z'));
  });

  it('runs after the post processor chain when the sink converts a record', () => {
    const props = { ...TS, 'timeseries.timefield.auto.convert': 'true', 'document.id.strategy': 'ProvidedInValueStrategy' };
    const write = recordWrite(settingsForTopic(props, 't'), sinkRecord('t', null, { _id: 1, at: 86_400_000 }), new Date(0));
    expect(write?.operation).toEqual({ insertOne: { document: { _id: 1, at: new Date(86_400_000) } } });
  });
});

function tsTask(props: Record<string, string>, reply: (db: string, command: Document) => Document) {
  const commands: Array<[string, Document]> = [];
  const writes: string[] = [];
  const task = new MongoSinkTask({
    sleep: () => Promise.resolve(),
    runCommand: (db, command) => {
      commands.push([db, command]);
      return Promise.resolve(reply(db, command));
    },
    bulkWrite: (ns: Namespace) => {
      writes.push(`${ns.database}.${ns.collection}`);
      return Promise.resolve();
    },
  });
  const all = { ...TS, 'document.id.strategy': 'ProvidedInValueStrategy', ...props };
  task.initialize(new TestSinkContext(all));
  task.start(all);
  return { task, commands, writes };
}

const NONE = { cursor: { firstBatch: [] }, ok: 1 };

describe('MongoSinkTask with time-series collections', () => {
  it('creates the collection once per namespace before the first write', async () => {
    const { task, commands, writes } = tsTask({ 'timeseries.metafield': 'm' }, (_db, command) => ('listCollections' in command ? NONE : { ok: 1 }));
    await putAndFlush(task, [sinkRecord('t', null, { _id: 1, at: new Date() })]);
    await putAndFlush(task, [sinkRecord('t', null, { _id: 2, at: new Date() })]);
    expect(commands).toEqual([
      ['db', { listCollections: 1, filter: { name: 't' } }],
      ['db', { create: 't', timeseries: { timeField: 'at', metaField: 'm' } }],
    ]);
    expect(writes).toEqual(['db.t', 'db.t']);
  });

  it('uses an existing time-series collection and refuses an ordinary one', async () => {
    const ok = tsTask({}, () => ({ cursor: { firstBatch: [{ name: 't', type: 'timeseries' }] }, ok: 1 }));
    await putAndFlush(ok.task, [sinkRecord('t', null, { _id: 1, at: new Date() })]);
    expect(ok.commands).toHaveLength(1);
    const bad = tsTask({}, () => ({ cursor: { firstBatch: [{ name: 't', type: 'collection' }] }, ok: 1 }));
    await expect(putAndFlush(bad.task, [sinkRecord('t', null, { _id: 1, at: new Date() })])).rejects.toThrow(/db\.t already exists that is not a time-series collection/);
    expect(bad.writes).toEqual([]);
  });

  it('fails with the namespace and the server\'s reason when the server cannot create time-series collections', async () => {
    const { task } = tsTask({}, (_db, command) => {
      if ('listCollections' in command) return NONE;
      throw new MongoServerError({ code: 115, codeName: 'CommandNotSupported', errmsg: 'timeseries not supported' });
    });
    const failure = putAndFlush(task, [sinkRecord('t', null, { _id: 1, at: new Date() })]);
    await expect(failure).rejects.toBeInstanceOf(ConnectError);
    await expect(failure).rejects.toThrow(/Creating the time-series collection db\.t failed.*timeseries not supported/);
  });

  it('accepts a collection another task created meanwhile (NamespaceExists)', async () => {
    let listed = 0;
    const { task, writes } = tsTask({}, (_db, command) => {
      if ('listCollections' in command) return listed++ === 0 ? NONE : { cursor: { firstBatch: [{ name: 't', type: 'timeseries' }] }, ok: 1 };
      throw new MongoServerError({ code: 48, codeName: 'NamespaceExists', errmsg: 'exists' });
    });
    await putAndFlush(task, [sinkRecord('t', null, { _id: 1, at: new Date() })]);
    expect(writes).toEqual(['db.t']);
  });
});

describe('UuidProvidedIn{Key,Value}Strategy and DeleteOneTombstoneBusinessKeyStrategy', () => {
  const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
  it('stores a provided UUID string (with or without dashes) or UUID binary as a BSON UUID', () => {
    const value = settingsForTopic({ database: 'db', 'document.id.strategy': 'UuidProvidedInValueStrategy' }, 't');
    for (const id of [uuid, uuid.replaceAll('-', ''), new UUID(uuid)]) {
      const write = recordWrite(value, sinkRecord('t', null, { _id: id, a: 1 }), new Date(0)) as { operation: { replaceOne: { filter: Document } } };
      const stored = write.operation.replaceOne.filter._id as Binary;
      expect(stored.sub_type).toBe(Binary.SUBTYPE_UUID);
      expect(new UUID(stored.buffer).toHexString()).toBe(uuid);
    }
    const key = settingsForTopic({ database: 'db', 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.UuidProvidedInKeyStrategy' }, 't');
    const write = recordWrite(key, sinkRecord('t', { _id: uuid }, { a: 1 }), new Date(0)) as { operation: { replaceOne: { filter: Document } } };
    expect((write.operation.replaceOne.filter._id as Binary).sub_type).toBe(Binary.SUBTYPE_UUID);
    expect(() => recordWrite(value, sinkRecord('t', null, { _id: 'not-a-uuid' }), new Date(0))).toThrow(/UUID cannot be constructed/);
  });

  it('deletes by the projected key fields on a tombstone, and needs PartialKeyStrategy', () => {
    const props = {
      database: 'db',
      'document.id.strategy': 'PartialKeyStrategy',
      'document.id.strategy.partial.key.projection.type': 'allowlist',
      'document.id.strategy.partial.key.projection.list': 'a,b.c',
      'delete.on.null.values': 'true',
      'delete.writemodel.strategy': 'DeleteOneTombstoneBusinessKeyStrategy',
    };
    const write = recordWrite(settingsForTopic(props, 't'), sinkRecord('t', { a: 1, b: { c: 2, d: 3 }, e: 4 }, null), new Date(0));
    expect(write?.operation).toEqual({ deleteOne: { filter: { a: 1, 'b.c': 2 } } });
    expect(() => settingsForTopic({ ...props, 'document.id.strategy': 'FullKeyStrategy' }, 't')).toThrow(/needs document\.id\.strategy=PartialKeyStrategy/);
    expect(() => recordWrite(settingsForTopic(props, 't'), sinkRecord('t', 'plain', null), new Date(0))).toThrow(/key that is a document/);
  });
});
