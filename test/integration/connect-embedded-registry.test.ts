// connect-standalone with the integrated broker also runs the integrated schema registry
// (registry.enabled defaults to true then), and a registry converter whose schema.registry.url
// is unset registers its schemas there.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, freePort, properties, run, stop, waitFor } from './connect-harness.ts';

const processes: Running[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await stop(p);
});

async function subjects(url: string): Promise<string[]> {
  const response = await fetch(`${url}/subjects`).catch(() => null);
  return response?.ok ? ((await response.json()) as string[]) : [];
}

describe('connect-standalone: integrated schema registry', () => {
  it('starts with the integrated broker and serves the Avro converter that names no registry URL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-embedded-registry-'));
    const registryUrl = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(path.join(dir, 'input.txt'), 'alpha\nbeta\ngamma\n');
    writeFileSync(
      path.join(dir, 'worker.properties'),
      properties({
        'broker.listeners': `PLAINTEXT://127.0.0.1:${await freePort()}`,
        'broker.data.dir': path.join(dir, 'broker'),
        'registry.listeners': registryUrl,
        listeners: `http://127.0.0.1:${await freePort()}`,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'offset.storage.file.filename': path.join(dir, 'offsets.json'),
        'offset.flush.interval.ms': 1000,
      }),
    );
    writeFileSync(
      path.join(dir, 'source.properties'),
      properties({ name: 'lines', 'connector.class': 'FileStreamSource', file: path.join(dir, 'input.txt'), topic: 'registry-lines' }),
    );
    const cli = run(CONNECT_STANDALONE, ['worker.properties', 'source.properties'], { cwd: dir });
    processes.push(cli);
    let seen: string[] = [];
    // waitFor checks synchronously: the subject list is refreshed in the background meanwhile.
    const refreshing = (async () => {
      while (!seen.includes('registry-lines-value') && cli.child.exitCode === null) {
        seen = await subjects(registryUrl);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await waitFor(() => seen.includes('registry-lines-value'), 120_000, 'subject registry-lines-value in the integrated registry', cli);
    await refreshing;
    const latest = (await (await fetch(`${registryUrl}/subjects/registry-lines-value/versions/latest`)).json()) as { schema: string; version: number };
    expect(latest.version).toBe(1);
    expect(latest.schema).toBe('"string"');
    expect(await stop(cli)).toBe(0);
  });
});
