// @services mongo-oplog
// kill -9 of connect-standalone (worker and integrated broker) while a JSON-lines file streams
// through a topic into MongoDB, then a restart with the same files. Two sinks read the
// same topic: one idempotent (the order id as _id, replace), one not (new ObjectIds, inserts).
// Every line must arrive in both; the idempotent one must hold each line exactly once, and the
// duplicates of the other (records redelivered after the kill) are counted and printed.
// The server is mongo-java-server: FerretDB 1.24 (SQLite) keeps a database locked for good when a
// client is killed in the middle of a bulk write, so no restart could write to it again
// (connectors/mongodb/README.md, server gaps).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CONNECT_STANDALONE, freePort, properties, run, stop, waitFor } from '../integration/connect-harness.ts';
import { serviceUrl } from '../services/services.ts';

const LINES = 5000;
let dir: string | undefined;
let client: MongoClient | undefined;

afterAll(async () => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  await client?.close();
});

describe('connect-standalone killed with SIGKILL under the MongoDB sink', () => {
  it('writes every line after a restart: exactly once with an idempotent id, duplicates counted without', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sluice-mongo-kill-'));
    const database = `kill_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ id: i, name: `line ${i}`, pad: 'x'.repeat(100) }));
    writeFileSync(path.join(dir, 'lines.jsonl'), `${lines.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'worker.properties'),
      properties({
        'broker.listeners': `PLAINTEXT://127.0.0.1:${await freePort()}`,
        'broker.data.dir': './data/broker',
        'registry.enabled': 'false',
        listeners: `http://127.0.0.1:${await freePort()}`,
        'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'key.converter.schemas.enable': 'false',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'offset.storage.file.filename': './data/connect.offsets',
        'offset.flush.interval.ms': 500,
      }),
    );
    writeFileSync(path.join(dir, 'source.properties'), properties({ name: 'lines-source', 'connector.class': 'FileSource', mode: 'tail', 'file.paths': './lines.jsonl', 'start.position': 'beginning', format: 'json', 'key.field': 'id', topic: 'lines' }));
    const sink = (name: string, collection: string, extra: Record<string, string>) =>
      properties({ name, 'connector.class': 'com.mongodb.kafka.connect.MongoSinkConnector', topics: 'lines', 'connection.uri': serviceUrl('mongo-oplog'), database, collection, 'max.batch.size': 500, ...extra });
    writeFileSync(path.join(dir, 'idempotent.properties'), sink('idempotent-sink', 'idempotent', { 'document.id.strategy': 'FullKeyStrategy', 'document.id.strategy.overwrite.existing': 'true' }));
    writeFileSync(path.join(dir, 'inserts.properties'), sink('inserts-sink', 'inserts', { 'document.id.strategy': 'BsonOidStrategy', 'writemodel.strategy': 'InsertOneDefaultStrategy' }));
    const files = ['worker.properties', 'source.properties', 'idempotent.properties', 'inserts.properties'];

    client = new MongoClient(serviceUrl('mongo-oplog'));
    const idempotent = client.db(database).collection('idempotent');
    const inserts = client.db(database).collection('inserts');
    const first = run(CONNECT_STANDALONE, files, { cwd: dir });
    try {
      await waitFor(async () => (await idempotent.countDocuments()) >= 1000, 120_000, '1000 documents in the idempotent collection before the kill', first);
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(await first.exited).toBe('SIGKILL');
    const beforeRestart = await idempotent.countDocuments();
    expect(beforeRestart).toBeLessThan(LINES);

    const second = run(CONNECT_STANDALONE, files, { cwd: dir });
    try {
      await waitFor(async () => (await idempotent.countDocuments()) === LINES && (await inserts.countDocuments()) >= LINES && (await inserts.distinct('name')).length === LINES, 300_000, `all ${LINES} lines in both collections`, second);
    } finally {
      expect(await stop(second)).toBe(0);
    }
    // Exactly once where the id is idempotent: every line, with its content.
    const ids = (await idempotent.find({}, { projection: { _id: 1, name: 1 } }).toArray()).map((d) => [d._id, d.name]);
    expect(ids).toHaveLength(LINES);
    expect(new Set(ids.map(([id, name]) => `${String(id)}=${String(name)}`))).toEqual(new Set(lines.map((_, i) => `${i}=line ${i}`)));
    // At least once where it is not: every line present; the surplus is the redelivered records.
    const total = await inserts.countDocuments();
    expect(total).toBeGreaterThanOrEqual(LINES);
    process.stdout.write(`mongodb worker kill: ${beforeRestart} documents before the kill; BsonOid+InsertOne duplicates after restart: ${total - LINES}; FullKey+ReplaceOne duplicates: 0\n`);
  }, 480_000);
});
