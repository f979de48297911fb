// @services kafka
// connect-standalone with the integrated broker also runs the integrated schema registry
// (registry.enabled defaults to true then), and a registry converter whose schema.registry.url
// is unset registers its schemas there. A record whose schema the registry refuses never reaches
// its topic. Against an external cluster the registry is off unless asked for.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaConsumer } from '../../runtime/client/index.ts';
import type { Running } from './connect-harness.ts';
import { serviceUrl } from '../services/services.ts';
import { CONNECT_STANDALONE, freePort, properties, run, stop, waitFor } from './connect-harness.ts';

const processes: Running[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await stop(p);
});

async function subjects(url: string): Promise<string[]> {
  const response = await fetch(`${url}/subjects`).catch(() => null);
  return response?.ok ? ((await response.json()) as string[]) : [];
}

const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';

/**
 * A fresh folder and free ports for one worker. `writeWorker` writes its worker.properties: the
 * keys every case shares (registry and REST listeners, String keys, the offsets file) and `entries`.
 */
async function workerFolder(): Promise<{ dir: string; registryUrl: string; restUrl: string; writeWorker: (entries: Record<string, string | number>) => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-embedded-registry-'));
  const registryUrl = `http://127.0.0.1:${await freePort()}`;
  const restUrl = `http://127.0.0.1:${await freePort()}`;
  const writeWorker = (entries: Record<string, string | number>): void =>
    writeFileSync(
      path.join(dir, 'worker.properties'),
      properties({ 'registry.listeners': registryUrl, listeners: restUrl, 'key.converter': STRING_CONVERTER, 'offset.storage.file.filename': path.join(dir, 'offsets.json'), ...entries }),
    );
  return { dir, registryUrl, restUrl, writeWorker };
}

/** connect-standalone worker.properties source.properties in `dir`, stopped after the test. */
function startWorker(dir: string): Running {
  const cli = run(CONNECT_STANDALONE, ['worker.properties', 'source.properties'], { cwd: dir });
  processes.push(cli);
  return cli;
}

/** The worker started without the integrated registry (nothing listens on its port); then it stops cleanly. */
async function expectStartedWithoutRegistry(cli: Running, registryUrl: string): Promise<void> {
  await waitFor(() => cli.output().includes('Kafka Connect standalone started'), 120_000, 'the worker to start', cli);
  expect(cli.output()).not.toContain('started the integrated schema registry');
  await expect(fetch(`${registryUrl}/subjects`)).rejects.toThrow();
  expect(await stop(cli)).toBe(0);
}

describe('connect-standalone: integrated schema registry', () => {
  it('starts with the integrated broker and serves the Avro converter that names no registry URL', async () => {
    const { dir, registryUrl, writeWorker } = await workerFolder();
    writeFileSync(path.join(dir, 'input.txt'), 'alpha\nbeta\ngamma\n');
    writeWorker({
      'broker.listeners': `PLAINTEXT://127.0.0.1:${await freePort()}`,
      'broker.data.dir': path.join(dir, 'broker'),
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'offset.flush.interval.ms': 1000,
    });
    writeFileSync(
      path.join(dir, 'source.properties'),
      properties({ name: 'lines', 'connector.class': 'FileStreamSource', file: path.join(dir, 'input.txt'), topic: 'registry-lines' }),
    );
    const cli = startWorker(dir);
    await waitFor(async () => (await subjects(registryUrl)).includes('registry-lines-value'), 120_000, 'subject registry-lines-value in the integrated registry', cli);
    const latest = (await (await fetch(`${registryUrl}/subjects/registry-lines-value/versions/latest`)).json()) as { schema: string; version: number };
    expect(latest.version).toBe(1);
    expect(latest.schema).toBe('"string"');
    expect(await stop(cli)).toBe(0);
  });

  it('skips a source record whose schema the registry refuses (409) under errors.tolerance=all: it never reaches the topic', async () => {
    const { dir, registryUrl, restUrl, writeWorker } = await workerFolder();
    const brokerAddress = `127.0.0.1:${await freePort()}`;
    const input = path.join(dir, 'input.txt');
    writeFileSync(input, '');
    writeWorker({
      'broker.listeners': `PLAINTEXT://${brokerAddress}`,
      'broker.data.dir': path.join(dir, 'broker'),
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'offset.flush.interval.ms': 1000,
    });
    writeFileSync(
      path.join(dir, 'source.properties'),
      properties({ name: 'refused', 'connector.class': 'FileStreamSource', file: input, topic: 'refused', 'errors.tolerance': 'all', 'errors.log.enable': 'true' }),
    );
    const cli = startWorker(dir);
    await waitFor(() => cli.output().includes('Kafka Connect standalone started'), 120_000, 'the worker to start', cli);

    const v1 = 'application/vnd.schemaregistry.v1+json';
    const registry = (method: string, route: string, body: unknown) =>
      fetch(`${registryUrl}${route}`, { method, headers: { 'content-type': v1 }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
    // The subject holds an int schema: the lines' string schema is not BACKWARD compatible with it.
    expect(await registry('POST', '/subjects/refused-value/versions', { schema: '"int"' })).toMatchObject({ status: 200, body: { id: 1 } });
    appendFileSync(input, 'alpha\nbeta\n');
    const reported = /Executing stage 'VALUE_CONVERTER' with class '[^']*AvroConverter', where source record is \{topic='refused'\}/g;
    await waitFor(() => (cli.output().match(reported) ?? []).length === 2, 60_000, 'both refused records to be reported', cli);
    expect(cli.output()).toContain('incompatible with an earlier schema');

    // Once the subject accepts anything, the next line goes through: it is the topic's first record.
    expect((await registry('PUT', '/config/refused-value', { compatibility: 'NONE' })).status).toBe(200);
    appendFileSync(input, 'gamma\n');
    const consumer = new KafkaConsumer({ 'bootstrap.servers': brokerAddress, 'auto.offset.reset': 'earliest' });
    try {
      consumer.assign([{ topic: 'refused', partition: 0 }]);
      consumer.seek('refused', 0, 0n);
      const values: Buffer[] = [];
      for (let i = 0; i < 120 && values.length === 0; i++) {
        for (const r of await consumer.poll(500)) if (r.value !== null) values.push(r.value);
      }
      expect(values.length).toBeGreaterThan(0);
      // Confluent wire format: magic 0, the id of the string schema (2), then the Avro string.
      expect(values[0][0]).toBe(0);
      expect(values[0].readInt32BE(1)).toBe(2);
      expect(values[0].subarray(5).toString('utf8')).toContain('gamma');
      expect(values.map((v) => v.toString('utf8')).join('')).not.toMatch(/alpha|beta/);
    } finally {
      await consumer.close();
    }
    const status = (await (await fetch(`${restUrl}/connectors/refused/status`)).json()) as { tasks: { state: string }[] };
    expect(status.tasks[0].state).toBe('RUNNING');
    expect(await stop(cli)).toBe(0);
  });

  it('registry.enabled=false starts no registry, and a registry converter then needs schema.registry.url', async () => {
    const { dir, registryUrl, writeWorker } = await workerFolder();
    const brokerPort = await freePort();
    const worker = (valueConverter: string): void =>
      writeWorker({
        'broker.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
        'broker.data.dir': path.join(dir, 'broker'),
        'registry.enabled': 'false',
        'value.converter': valueConverter,
      });
    writeFileSync(path.join(dir, 'input.txt'), '');
    writeFileSync(path.join(dir, 'source.properties'), properties({ name: 'lines', 'connector.class': 'FileStreamSource', file: path.join(dir, 'input.txt'), topic: 'lines' }));

    worker(STRING_CONVERTER);
    await expectStartedWithoutRegistry(startWorker(dir), registryUrl);

    worker('io.confluent.connect.avro.AvroConverter');
    const refused = startWorker(dir);
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toContain('value.converter.schema.registry.url: Missing required configuration "schema.registry.url"');
  });

  it('is off by default against an external cluster (bootstrap.servers set)', async () => {
    const { dir, registryUrl, writeWorker } = await workerFolder();
    writeFileSync(path.join(dir, 'input.txt'), '');
    writeWorker({ 'bootstrap.servers': serviceUrl('kafka'), 'value.converter': STRING_CONVERTER });
    writeFileSync(path.join(dir, 'source.properties'), properties({ name: 'lines', 'connector.class': 'FileStreamSource', file: path.join(dir, 'input.txt'), topic: `lines-${path.basename(dir)}` }));
    await expectStartedWithoutRegistry(startWorker(dir), registryUrl);
  });
});
