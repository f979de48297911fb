// connect-standalone start-up errors: each bad input gives one clear error naming the key and
// the file, a non-zero exit, and nothing half-started (no broker data directory, no listener).
// No services needed: every failing case stops before anything is started.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, freePort, properties, run, stop, waitFor } from './connect-harness.ts';

const running: Running[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await stop(p);
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

interface Setup {
  dir: string;
  worker: string;
  source: string;
  sink: string;
}

async function setup(workerOverrides: Record<string, string | null> = {}, sourceOverrides: Record<string, string | null> = {}): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-cli-errors-'));
  const merge = (base: Record<string, string | number>, overrides: Record<string, string | null>) => {
    const out: Record<string, string | number> = { ...base };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === null) delete out[k];
      else out[k] = v;
    }
    return out;
  };
  const worker = path.join(dir, 'worker.properties');
  writeFileSync(
    worker,
    properties(
      merge(
        {
          'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
          'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
          'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
          listeners: `http://127.0.0.1:${await freePort()}`,
          'broker.listeners': `PLAINTEXT://127.0.0.1:${await freePort()}`,
          'broker.data.dir': path.join(dir, 'data'),
          'registry.listeners': `http://127.0.0.1:${await freePort()}`,
        },
        workerOverrides,
      ),
    ),
  );
  const source = path.join(dir, 'source.properties');
  writeFileSync(source, properties(merge({ name: 'src', 'connector.class': 'FileStreamSource', file: path.join(dir, 'in.txt'), topic: 'lines' }, sourceOverrides)));
  const sink = path.join(dir, 'sink.properties');
  writeFileSync(sink, properties({ name: 'sink', 'connector.class': 'FileStreamSink', file: path.join(dir, 'out.txt'), topics: 'lines' }));
  return { dir, worker, source, sink };
}

/** Runs the CLI expecting a start-up failure; returns its output. */
async function fails(s: Setup, args = [s.worker, s.source, s.sink]): Promise<string> {
  const cli = run(CONNECT_STANDALONE, args);
  running.push(cli);
  const code = await cli.exited;
  expect(code, cli.output()).not.toBe(0);
  // Nothing was started: the integrated broker never created its data directory.
  expect(existsSync(path.join(s.dir, 'data'))).toBe(false);
  return cli.output();
}

describe('connect-standalone start-up errors', () => {
  it('a missing required worker key names the key and the file', async () => {
    const s = await setup({ 'value.converter': null });
    const out = await fails(s);
    expect(out).toContain(`connect-standalone: error CONFIG_MISSING: ${s.worker}: Missing required configuration "value.converter" which has no default value.`);
  });

  it('a value of the wrong type names the file, line and key', async () => {
    const s = await setup({}, { 'batch.size': 'lots' });
    const out = await fails(s);
    expect(out).toMatch(new RegExp(`${s.source.replace(/[.]/g, '\\.')}:\\d+: Invalid value "lots" for configuration batch\\.size`));
  });

  it('an unknown converter class lists the available ones', async () => {
    const s = await setup({ 'value.converter': 'com.example.NoSuchConverter' });
    const out = await fails(s);
    expect(out).toContain(`${s.worker}:2: Invalid value "com.example.NoSuchConverter" for configuration value.converter: Converter class com.example.NoSuchConverter could not be found; available:`);
    expect(out).toContain('org.apache.kafka.connect.json.JsonConverter');
  });

  it('an unknown transform lists the available transformations', async () => {
    const s = await setup({}, { transforms: 'route', 'transforms.route.type': 'RegexRuter' });
    const out = await fails(s);
    expect(out).toContain('transforms.route.type');
    expect(out).toContain('Class RegexRuter could not be found.');
    expect(out).toContain('Did you mean RegexRouter');
    expect(out).toContain(s.source);
  });

  it('an unknown connector class lists the available connectors', async () => {
    const s = await setup({}, { 'connector.class': 'com.example.MySource' });
    const out = await fails(s);
    expect(out).toContain(`${s.source}:2: Invalid value "com.example.MySource" for configuration connector.class: no connector class named com.example.MySource; available:`);
    expect(out).toContain('org.apache.kafka.connect.file.FileStreamSourceConnector (FileStreamSourceConnector, FileStreamSource)');
  });

  it('an unreadable connector file is named', async () => {
    const s = await setup();
    const missing = path.join(s.dir, 'nope.properties');
    const out = await fails(s, [s.worker, s.source, missing]);
    expect(out).toContain(`Cannot read properties file ${missing}: no such file`);
  });

  it('a broker port that is taken names broker.listeners, and exits without leaving anything running', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    servers.push(blocker);
    const s = await setup({ 'broker.listeners': `PLAINTEXT://127.0.0.1:${port}` });
    const cli = run(CONNECT_STANDALONE, [s.worker, s.source, s.sink]);
    running.push(cli);
    expect(await cli.exited).not.toBe(0);
    expect(cli.output()).toContain(`error PORT_IN_USE: ${s.worker}: broker.listeners=PLAINTEXT://127.0.0.1:${port}`);
    expect(cli.output()).toContain('port is already in use');
  });

  it('a REST port that is taken names listeners and stops the broker it had started', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    servers.push(blocker);
    const s = await setup({ listeners: `http://127.0.0.1:${port}` });
    const cli = run(CONNECT_STANDALONE, [s.worker, s.source, s.sink]);
    running.push(cli);
    expect(await cli.exited).not.toBe(0);
    expect(cli.output()).toContain(s.worker);
    expect(cli.output()).toMatch(/listeners: cannot listen on http:\/\/127\.0\.0\.1:\d+ \(the port is already in use\)/);
    expect(cli.output()).toContain('broker stopped');
  });

  it('a registry port that is taken names registry.listeners and stops the broker it had started', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    servers.push(blocker);
    const s = await setup({ 'registry.listeners': `http://127.0.0.1:${port}` });
    const cli = run(CONNECT_STANDALONE, [s.worker, s.source, s.sink]);
    running.push(cli);
    expect(await cli.exited).not.toBe(0);
    expect(cli.output()).toContain(s.worker);
    expect(cli.output()).toContain(`registry.listeners: cannot listen on http://127.0.0.1:${port} (EADDRINUSE: the port is already in use)`);
    expect(cli.output()).toContain('broker stopped');
    expect(cli.output()).not.toContain('Kafka Connect standalone started');
  });

  it('an unknown key is a warning naming the closest known keys, and the worker runs', async () => {
    const s = await setup({ 'offset.flush.intervall.ms': '1000' }, { 'batch.sise': '10' });
    writeFileSync(path.join(s.dir, 'in.txt'), 'x\n');
    const cli = run(CONNECT_STANDALONE, [s.worker, s.source, s.sink]);
    running.push(cli);
    await waitFor(() => cli.output().includes('Kafka Connect standalone started'), 60_000, 'the worker to start', cli);
    expect(cli.output()).toContain('unknown configuration \\"offset.flush.intervall.ms\\" (did you mean \\"offset.flush.interval.ms\\"');
    expect(cli.output()).toContain('unknown configuration \\"batch.sise\\" (did you mean \\"batch.size\\"');
    expect(await stop(cli)).toBe(0);
  });
});
