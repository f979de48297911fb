// @services ferretdb, mongo-oplog, elasticsearch
// examples/file-to-mongodb and examples/mongodb-to-elasticsearch run as their READMEs say: one
// connect-standalone command with the integrated broker (run on a copy, with free ports, against
// the real servers).
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, REPO, freePort, run, stop, waitFor } from './connect-harness.ts';
import { serviceUrl } from '../services/services.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A copy of the example with free ports in its worker.properties and `replace` applied to its files. */
async function copyExample(name: string, replace: Record<string, string> = {}): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), `sluice-${name}-`));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  cpSync(path.join(REPO, 'examples', name), dir, { recursive: true });
  const worker = path.join(dir, 'worker.properties');
  const text = readFileSync(worker, 'utf8');
  expect(text).toContain('broker.listeners=PLAINTEXT://127.0.0.1:9092');
  expect(text).not.toMatch(/^bootstrap\.servers/m);
  writeFileSync(worker, text.replace('127.0.0.1:9092', `127.0.0.1:${await freePort()}`).replace('127.0.0.1:8083', `127.0.0.1:${await freePort()}`));
  for (const [file, [from, to]] of Object.entries(replace).map(([k, v]) => [k, v.split('\u0000')] as const)) {
    const target = path.join(dir, file);
    writeFileSync(target, readFileSync(target, 'utf8').replaceAll(from!, to!));
  }
  return dir;
}

function startWorker(dir: string, files: string[], env: Record<string, string>): Running {
  const worker = run(CONNECT_STANDALONE, ['worker.properties', ...files], { cwd: dir, env });
  cleanups.push(async () => void (await stop(worker)));
  return worker;
}

describe('examples/file-to-mongodb', () => {
  it('streams orders.jsonl through the integrated broker into MongoDB (FerretDB), one document per order id', { timeout: 240_000 }, async () => {
    const database = `shop_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const dir = await copyExample('file-to-mongodb', { 'mongodb-sink.properties': `database=shop\u0000database=${database}` });
    const mongo = new MongoClient(serviceUrl('ferretdb'));
    cleanups.push(() => mongo.close());
    const orders = mongo.db(database).collection('orders');
    const worker = startWorker(dir, ['file-source.properties', 'mongodb-sink.properties'], { MONGODB_URL: serviceUrl('ferretdb') });
    await waitFor(async () => (await orders.countDocuments()) === 6 && (await orders.findOne({ _id: 1002 as never }))?.amount === 9.75, 120_000, '6 orders in MongoDB', worker);
    writeFileSync(path.join(dir, 'orders.jsonl'), '{"id": 1010, "customer": "Edsger Dijkstra", "amount": 12, "currency": "EUR"}\n', { flag: 'a' });
    await waitFor(async () => (await orders.countDocuments()) === 7, 60_000, 'the appended order', worker);
    expect(await stop(worker)).toBe(0);
    const docs = await orders.find({}).sort({ _id: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual([1001, 1002, 1003, 1004, 1005, 1006, 1010]);
    expect(docs[0]).toMatchObject({ customer: 'Ada Lovelace', amount: 42.5, currency: 'EUR' });
  });
});

describe('examples/mongodb-to-elasticsearch', () => {
  it('copies the existing documents, then streams inserts into Elasticsearch by _id', { timeout: 240_000 }, async () => {
    const database = `shop_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const index = `${database}.orders`;
    const dir = await copyExample('mongodb-to-elasticsearch', {
      'mongodb-source.properties': `database=shop\u0000database=${database}`,
      'es-sink.properties': `topics=shop.orders\u0000topics=${index}`,
    });
    const mongo = new MongoClient(serviceUrl('mongo-oplog'));
    const es = new Client({ node: serviceUrl('elasticsearch') });
    cleanups.push(async () => {
      await es.indices.delete({ index }, { ignore: [404] });
      await es.close();
      await mongo.close();
    });
    const orders = mongo.db(database).collection('orders');
    const existing = await orders.insertMany([{ customer: 'Ada', amount: 42.5 }, { customer: 'Alan', amount: 7.25 }]);
    const worker = startWorker(dir, ['mongodb-source.properties', 'es-sink.properties'], { MONGODB_URL: serviceUrl('mongo-oplog'), ELASTICSEARCH_URL: serviceUrl('elasticsearch') });
    const count = async () => {
      const exists = await es.indices.exists({ index });
      if (!exists) return 0;
      await es.indices.refresh({ index });
      return (await es.count({ index })).count;
    };
    await waitFor(async () => (await count()) === 2, 120_000, 'the 2 copied documents in Elasticsearch', worker);
    const { insertedId } = await orders.insertOne({ customer: 'Grace', amount: 130 });
    await waitFor(async () => (await count()) === 3, 60_000, 'the streamed insert in Elasticsearch', worker);
    const grace = await es.get<{ customer: string; amount: number }>({ index, id: insertedId.toHexString() });
    expect(grace._source).toEqual({ customer: 'Grace', amount: 130 });
    const ada = await es.get<{ customer: string; amount: number }>({ index, id: existing.insertedIds[0]!.toHexString() });
    expect(ada._source).toEqual({ customer: 'Ada', amount: 42.5 });
    expect(await stop(worker)).toBe(0);
    expect(await count()).toBe(3);
  });
});
