// @services elasticsearch
// examples/file-to-elasticsearch runs as its README says: one connect-standalone command (the
// integrated broker and schema registry) streams orders.jsonl into the index `orders` (run on a
// copy of the folder, with free ports, and an index name of its own so runs do not meet).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, REPO, freePort, run, stop } from './connect-harness.ts';
import { documents, esClient, uniqueTopic } from './elasticsearch-harness.ts';

const processes: Running[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await stop(p);
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Replaces `from` with `to` in a file, failing when the example no longer contains `from`. */
function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text, `${path.basename(file)} should contain ${from}`).toContain(from);
  writeFileSync(file, text.replaceAll(from, to));
}

async function waitForDocuments(client: Client, index: string, expected: number, worker: Running): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (worker.child.exitCode !== null) throw new Error(`connect-standalone exited:\n${worker.output().slice(-4000)}`);
    const exists = await client.indices.exists({ index });
    if (exists) {
      await client.indices.refresh({ index });
      if ((await client.count({ index })).count >= expected) return;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expected} documents in ${index}\n${worker.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('examples/file-to-elasticsearch', () => {
  it('indexes orders.jsonl by order id, the later line of an order winning, with the mapping from the value schema', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-es-example-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cpSync(path.join(REPO, 'examples/file-to-elasticsearch'), dir, { recursive: true });
    const index = uniqueTopic('orders');
    const client = esClient();
    cleanups.push(async () => {
      await client.indices.delete({ index }, { ignore: [404] });
      await client.close();
    });

    // Free ports for the integrated broker and registry and the REST API, and a topic (so an
    // index) of this run's own; everything else is the example as it is.
    const worker = path.join(dir, 'worker.properties');
    replaceIn(worker, 'listeners=http://127.0.0.1:8083', `listeners=http://127.0.0.1:${await freePort()}`);
    writeFileSync(
      worker,
      `${readFileSync(worker, 'utf8')}broker.listeners=PLAINTEXT://127.0.0.1:${await freePort()}\nregistry.listeners=http://127.0.0.1:${await freePort()}\n`,
    );
    replaceIn(path.join(dir, 'file-source.properties'), 'topic=orders\n', `topic=${index}\n`);
    replaceIn(path.join(dir, 'es-sink.properties'), 'topics=orders\n', `topics=${index}\n`);

    const cli = run(CONNECT_STANDALONE, ['worker.properties', 'file-source.properties', 'es-sink.properties'], {
      cwd: dir,
      env: { ELASTICSEARCH_URL: serviceUrl('elasticsearch') },
    });
    processes.push(cli);
    // 1001–1005; 1006 lacks the required amount and goes to orders-bad-lines instead.
    await waitForDocuments(client, index, 5, cli);
    // The second line of 1002 (the 7th line, offset 5: 1006 never reached the topic) must be in too.
    const deadline = Date.now() + 60_000;
    let docs = await documents(client, index);
    while (docs.get('1002')?.source.amount !== 9.75 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      docs = await documents(client, index);
    }
    expect(await stop(cli)).toBe(0);

    expect([...docs.keys()].sort()).toEqual(['1001', '1002', '1003', '1004', '1005']);
    expect(docs.get('1001')!.source).toEqual({ id: 1001, customer: 'Ada Lovelace', amount: 42.5, currency: 'EUR', created_at: '2026-11-20T09:15:00Z' });
    // The later line of 1002 won, written with its Kafka offset as external version.
    expect(docs.get('1002')).toEqual({ source: { id: 1002, customer: 'Alan Turing', amount: 9.75, currency: 'GBP', created_at: '2026-11-20T12:00:00Z' }, version: 5 });
    const mapping = (await client.indices.getMapping({ index }))[index].mappings.properties ?? {};
    expect(mapping.id).toMatchObject({ type: 'long' });
    expect(mapping.amount).toMatchObject({ type: 'double' });
    expect(mapping.customer).toMatchObject({ type: 'text', fields: { keyword: { type: 'keyword' } } });
  });
});
