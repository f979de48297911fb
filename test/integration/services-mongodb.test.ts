// @services ferretdb, mongo-oplog
// Smoke test of the MongoDB wire-protocol peers from test/services with the official driver:
// CRUD and bulk upserts on FerretDB, a change stream on mongo-java-server (which FerretDB lacks),
// and a stop/start of mongo-java-server that keeps its data.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl, startService, stopService } from '../services/services.ts';

// The driver's own bounds (mongodb@6: wire versions 8..27, i.e. MongoDB 4.2..8.2); a server
// outside them is refused at connect time.
const DRIVER_WIRE_VERSIONS = { min: 8, max: 27 };

const clients: MongoClient[] = [];
async function connect(url: string): Promise<MongoClient> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  clients.push(client);
  return client.connect();
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function wireVersion(client: MongoClient): Promise<number> {
  // isMaster, not hello: mongo-java-server knows only the legacy name (the driver falls back too).
  const reply = await client.db('admin').command({ isMaster: 1 });
  return reply.maxWireVersion as number;
}

describe('FerretDB from test/services', () => {
  it('speaks a wire version the driver supports', async () => {
    const version = await wireVersion(await connect(serviceUrl('ferretdb')));
    expect(version).toBeGreaterThanOrEqual(DRIVER_WIRE_VERSIONS.min);
    expect(version).toBeLessThanOrEqual(DRIVER_WIRE_VERSIONS.max);
  });

  it('inserts, finds and bulk-writes with upserts', async () => {
    const client = await connect(serviceUrl('ferretdb'));
    const orders = client.db(`smoke_${randomUUID().slice(0, 8)}`).collection<{ _id: string; qty: number; status: string }>('orders');
    const inserted = await orders.insertMany(
      Array.from({ length: 100 }, (_, i) => ({ _id: `o${i}`, qty: i, status: i % 2 === 0 ? 'open' : 'closed' })),
    );
    expect(inserted.insertedCount).toBe(100);

    const open = await orders.find({ status: 'open', qty: { $gte: 90 } }).sort({ qty: -1 }).toArray();
    expect(open.map((o) => o._id)).toEqual(['o98', 'o96', 'o94', 'o92', 'o90']);

    const bulk = await orders.bulkWrite([
      { updateOne: { filter: { _id: 'o1' }, update: { $set: { status: 'open' } }, upsert: true } },
      { updateOne: { filter: { _id: 'new-1' }, update: { $set: { qty: 1000, status: 'open' } }, upsert: true } },
      { replaceOne: { filter: { _id: 'new-2' }, replacement: { qty: 2000, status: 'closed' }, upsert: true } },
      { deleteOne: { filter: { _id: 'o0' } } },
    ]);
    expect(bulk.modifiedCount).toBe(1);
    expect(bulk.upsertedCount).toBe(2);
    expect(bulk.deletedCount).toBe(1);
    expect(Object.values(bulk.upsertedIds).sort()).toEqual(['new-1', 'new-2']);

    expect(await orders.countDocuments()).toBe(101);
    expect(await orders.findOne({ _id: 'new-1' })).toEqual({ _id: 'new-1', qty: 1000, status: 'open' });
    expect(await orders.findOne({ _id: 'o1' })).toEqual({ _id: 'o1', qty: 1, status: 'open' });
    expect(await orders.findOne({ _id: 'o0' })).toBeNull();
    await orders.drop();
  });
});

describe('mongo-java-server with its oplog from test/services', () => {
  it('speaks a wire version the driver supports', async () => {
    const version = await wireVersion(await connect(serviceUrl('mongo-oplog')));
    expect(version).toBeGreaterThanOrEqual(DRIVER_WIRE_VERSIONS.min);
    expect(version).toBeLessThanOrEqual(DRIVER_WIRE_VERSIONS.max);
  });

  it('delivers an insert to a change stream, and keeps its data across stop and start', async () => {
    const db = `smoke_${randomUUID().slice(0, 8)}`;
    let client = await connect(serviceUrl('mongo-oplog'));
    const events = client.db(db).collection('events');
    const stream = events.watch([], { fullDocument: 'updateLookup' });
    // tryNext opens the stream (its aggregate) before the write, so the insert comes after it.
    expect(await stream.tryNext()).toBeNull();
    await events.insertOne({ _id: 'e1' as never, kind: 'created' });
    const change = await stream.next();
    await stream.close();
    expect(change.operationType).toBe('insert');
    // mongo-java-server's change events carry no `ns` (README.md: known gaps).
    expect(change).toMatchObject({ documentKey: { _id: 'e1' }, fullDocument: { _id: 'e1', kind: 'created' } });
    expect(change._id).toBeDefined(); // the resume token

    await client.close();
    await stopService('mongo-oplog');
    await startService('mongo-oplog');
    client = await connect(serviceUrl('mongo-oplog'));
    expect(await client.db(db).collection('events').findOne({ _id: 'e1' as never })).toEqual({ _id: 'e1', kind: 'created' });
  });
});
