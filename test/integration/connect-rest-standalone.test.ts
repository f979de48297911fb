// @services kafka
// Kafka Connect's REST API of a real `connect-standalone` process, driven with fetch as a user
// would with curl: once with the integrated broker, once against Apache Kafka from test/services.
// A FileStreamSource connector is created, configured, paused, resumed, restarted, stopped, has
// its offsets altered and reset, and is deleted; a FileStreamSink carries its records to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import { freePort } from '../services/free-port.ts';

const CLI = path.resolve(import.meta.dirname, '../../runtime/cli/bin/connect-standalone.js');

interface Worker {
  url: string;
  dir: string;
  process: ChildProcess;
  output: string[];
}

const workers: Worker[] = [];

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    if (worker.process.exitCode === null) {
      worker.process.kill('SIGKILL');
      await new Promise((resolve) => worker.process.once('exit', resolve));
    }
    await rm(worker.dir, { recursive: true, force: true });
  }
});

/** Polls `check` until it returns a value (not undefined), failing with what was last seen. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, worker: Worker, attempts = 200): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`gave up waiting for ${what} (last error: ${String(last)})\nworker output:\n${worker.output.join('').slice(-4000)}`);
}

async function startWorker(bootstrap: string | null): Promise<Worker> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-connect-rest-'));
  const restPort = await freePort();
  const lines = [
    'key.converter=org.apache.kafka.connect.storage.StringConverter',
    'value.converter=org.apache.kafka.connect.storage.StringConverter',
    `offset.storage.file.filename=${path.join(dir, 'offsets.json')}`,
    'offset.flush.interval.ms=500',
    `listeners=http://127.0.0.1:${restPort}`,
  ];
  if (bootstrap === null) lines.push(
      `broker.listeners=PLAINTEXT://127.0.0.1:${await freePort()}`,
      `broker.data.dir=${path.join(dir, 'broker')}`,
      `registry.listeners=http://127.0.0.1:${await freePort()}`,
    );
  else lines.push(`bootstrap.servers=${bootstrap}`);
  await writeFile(path.join(dir, 'worker.properties'), `${lines.join('\n')}\n`);
  const child = spawn(process.execPath, [CLI, path.join(dir, 'worker.properties')], { cwd: dir, env: { ...process.env, SLUICE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const worker: Worker = { url: `http://127.0.0.1:${restPort}`, dir, process: child, output: [] };
  workers.push(worker);
  child.stdout!.on('data', (chunk: Buffer) => worker.output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => worker.output.push(chunk.toString()));
  await eventually('GET /health to answer 200', async () => ((await fetch(`${worker.url}/health`)).status === 200 ? true : undefined), worker);
  return worker;
}

// Response bodies are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function rest(worker: Worker, method: string, route: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${worker.url}${route}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

async function state(worker: Worker, name: string): Promise<string> {
  const { json } = await rest(worker, 'GET', `/connectors/${name}/status`);
  return [json.connector.state, ...json.tasks.map((t: { state: string }) => t.state)].join(',');
}

async function drive(worker: Worker, expectClusterId: (id: unknown) => void): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const topic = `connect-rest-${id}`;
  const source = `file-source-${id}`;
  const sink = `file-sink-${id}`;
  const input = path.join(worker.dir, 'input.txt');
  const output = path.join(worker.dir, 'output.txt');
  const text = 'eins\nzwei\ndrei ✓\n';
  await writeFile(input, text);
  const sourceConfig = { 'connector.class': 'FileStreamSource', file: input, topic, 'tasks.max': '1' };

  const root = await rest(worker, 'GET', '/');
  expect(root.status).toBe(200);
  expect(typeof root.json.version).toBe('string');
  expectClusterId(root.json.kafka_cluster_id);

  const plugins = await rest(worker, 'GET', '/connector-plugins');
  expect(plugins.json.map((p: { class: string }) => p.class)).toContain('org.apache.kafka.connect.file.FileStreamSourceConnector');
  expect((await rest(worker, 'GET', '/connector-plugins/FileStreamSourceConnector/config')).json.map((k: { name: string }) => k.name)).toContain('topic');

  // Validation: errors in a 200; creating with the same errors is a 400 pointing at validate.
  const { topic: _omitted, ...noTopic } = sourceConfig;
  const invalid = await rest(worker, 'PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', noTopic);
  expect(invalid.status).toBe(200);
  expect(invalid.json.error_count).toBeGreaterThan(0);
  // As in Kafka, `name` is a required key of the validated config.
  expect((await rest(worker, 'PUT', '/connector-plugins/FileStreamSource/config/validate', sourceConfig)).json.error_count).toBe(1);
  expect((await rest(worker, 'PUT', '/connector-plugins/FileStreamSource/config/validate', { ...sourceConfig, name: source })).json.error_count).toBe(0);
  const refused = await rest(worker, 'POST', '/connectors', { name: source, config: noTopic });
  expect(refused.status).toBe(400);
  expect(refused.json.message).toContain('config/validate');

  // Create, and see it run.
  const created = await rest(worker, 'POST', '/connectors', { name: source, config: sourceConfig });
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ name: source, type: 'source', config: { ...sourceConfig, name: source } });
  expect((await rest(worker, 'POST', '/connectors', { name: source, config: sourceConfig })).status).toBe(409);
  await eventually('the source to run', async () => ((await state(worker, source)) === 'RUNNING,RUNNING' ? true : undefined), worker);
  expect((await rest(worker, 'GET', '/connectors')).json).toEqual([source]);
  expect((await rest(worker, 'GET', '/connectors?expand=status&expand=info')).json[source]).toMatchObject({ status: { name: source }, info: { name: source } });

  // A sink through PUT /config (201 created) carries the topic to a file.
  const sinkPut = await rest(worker, 'PUT', `/connectors/${sink}/config`, { 'connector.class': 'FileStreamSink', file: output, topics: topic });
  expect(sinkPut.status).toBe(201);
  await eventually('the sink file to equal the source file', async () => ((await readFile(output, 'utf8').catch(() => '')) === text ? true : undefined), worker);

  // Offsets: the source's byte position, the sink's committed Kafka offset.
  const sourceOffsets = await eventually(
    'the source offset to be flushed',
    async () => {
      const { json } = await rest(worker, 'GET', `/connectors/${source}/offsets`);
      return json.offsets[0]?.offset?.position === Buffer.byteLength(text) ? json : undefined;
    },
    worker,
  );
  expect(sourceOffsets).toEqual({ offsets: [{ partition: { filename: input }, offset: { position: Buffer.byteLength(text) } }] });
  const sinkOffsets = await eventually(
    'the sink offset to be committed',
    async () => {
      const { json } = await rest(worker, 'GET', `/connectors/${sink}/offsets`);
      return json.offsets.length > 0 && json.offsets.every((o: { offset: { kafka_offset: number } }) => o.offset.kafka_offset > 0) ? json : undefined;
    },
    worker,
  );
  expect(sinkOffsets.offsets[0].partition).toMatchObject({ kafka_topic: topic });
  expect(sinkOffsets.offsets.reduce((sum: number, o: { offset: { kafka_offset: number } }) => sum + o.offset.kafka_offset, 0)).toBe(3);

  // The worker's metrics, in Prometheus text.
  const metrics = await fetch(`${worker.url}/metrics`);
  expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await metrics.text()).toMatch(new RegExp(`kafka_connect_source_task_metrics_source_record_write_total\\{connector="${source}",task="0"\\} 3`));

  // Config: replace (200) and patch (null removes a key).
  const replaced = await rest(worker, 'PUT', `/connectors/${source}/config`, { ...sourceConfig, 'batch.size': '100' });
  expect(replaced.status).toBe(200);
  expect(replaced.json.config['batch.size']).toBe('100');
  const patched = await rest(worker, 'PATCH', `/connectors/${source}/config`, { 'batch.size': null, 'tasks.max': 1 });
  expect(patched.status).toBe(200);
  expect(patched.json.config).toEqual({ ...sourceConfig, name: source });
  expect((await rest(worker, 'GET', `/connectors/${source}/config`)).json).toEqual({ ...sourceConfig, name: source });
  await eventually('the reconfigured source to run', async () => ((await state(worker, source)) === 'RUNNING,RUNNING' ? true : undefined), worker);

  // Tasks and topics.
  const tasks = await rest(worker, 'GET', `/connectors/${source}/tasks`);
  expect(tasks.json).toHaveLength(1);
  expect(tasks.json[0].id).toEqual({ connector: source, task: 0 });
  expect(Object.keys((await rest(worker, 'GET', `/connectors/${source}/tasks-config`)).json)).toEqual([`${source}-0`]);
  expect((await rest(worker, 'GET', `/connectors/${source}/tasks/0/status`)).json).toMatchObject({ id: 0, state: 'RUNNING' });
  expect((await rest(worker, 'GET', `/connectors/${source}/tasks/5/status`)).status).toBe(404);
  expect((await rest(worker, 'GET', `/connectors/${source}/topics`)).json).toEqual({ [source]: { topics: [topic] } });

  // Lifecycle: pause/resume 202, restarts 204/202, task restart 204.
  expect((await rest(worker, 'PUT', `/connectors/${source}/pause`)).status).toBe(202);
  await eventually('the source to pause', async () => ((await state(worker, source)) === 'PAUSED,PAUSED' ? true : undefined), worker);
  expect((await rest(worker, 'PUT', `/connectors/${source}/resume`)).status).toBe(202);
  await eventually('the source to resume', async () => ((await state(worker, source)) === 'RUNNING,RUNNING' ? true : undefined), worker);
  expect((await rest(worker, 'POST', `/connectors/${source}/restart`)).status).toBe(204);
  const restart = await rest(worker, 'POST', `/connectors/${source}/restart?includeTasks=true`);
  expect(restart.status).toBe(202);
  expect(restart.json).toMatchObject({ name: source, connector: { state: 'RESTARTING' }, tasks: [{ id: 0, state: 'RESTARTING' }] });
  await eventually('the restarted source to run', async () => ((await state(worker, source)) === 'RUNNING,RUNNING' ? true : undefined), worker);
  expect((await rest(worker, 'POST', `/connectors/${source}/tasks/0/restart`)).status).toBe(204);
  await eventually('the restarted task to run', async () => ((await state(worker, source)) === 'RUNNING,RUNNING' ? true : undefined), worker);
  expect((await rest(worker, 'PUT', `/connectors/${source}/topics/reset`)).status).toBe(202);
  expect((await rest(worker, 'GET', `/connectors/${source}/topics`)).json).toEqual({ [source]: { topics: [] } });

  // Offsets can change only when STOPPED.
  const altered = { offsets: [{ partition: { filename: input }, offset: { position: 5 } }] };
  expect((await rest(worker, 'PATCH', `/connectors/${source}/offsets`, altered)).status).toBe(400);
  expect((await rest(worker, 'PUT', `/connectors/${source}/stop`)).status).toBe(204);
  await eventually('the source to stop', async () => ((await state(worker, source)) === 'STOPPED' ? true : undefined), worker);
  expect((await rest(worker, 'GET', `/connectors/${source}/tasks`)).json).toEqual([]);
  const alter = await rest(worker, 'PATCH', `/connectors/${source}/offsets`, altered);
  expect(alter.status).toBe(200);
  expect(alter.json.message).toContain('altered successfully');
  expect((await rest(worker, 'GET', `/connectors/${source}/offsets`)).json).toEqual(altered);
  const reset = await rest(worker, 'DELETE', `/connectors/${source}/offsets`);
  expect(reset.status).toBe(200);
  expect(reset.json.message).toContain('reset successfully');
  const afterReset = (await rest(worker, 'GET', `/connectors/${source}/offsets`)).json.offsets;
  expect(afterReset.every((o: { offset: unknown }) => o.offset === null)).toBe(true);

  // Loggers.
  expect((await rest(worker, 'GET', '/admin/loggers')).json.root.level).toMatch(/^[A-Z]+$/);
  expect((await rest(worker, 'PUT', '/admin/loggers/connect.rest', { level: 'DEBUG' })).json).toContain('connect.rest');

  // Delete.
  expect((await rest(worker, 'DELETE', `/connectors/${source}`)).status).toBe(204);
  expect((await rest(worker, 'GET', `/connectors/${source}`)).status).toBe(404);
  expect((await rest(worker, 'DELETE', `/connectors/${sink}`)).status).toBe(204);
  expect((await rest(worker, 'GET', '/connectors')).json).toEqual([]);

  // SIGTERM stops the worker cleanly.
  const exit = new Promise<number | null>((resolve) => worker.process.once('exit', resolve));
  worker.process.kill('SIGTERM');
  expect(await exit).toBe(0);
}

describe('connect-standalone REST API', () => {
  it('drives a FileStream pipeline with the integrated broker', async () => {
    const worker = await startWorker(null);
    await drive(worker, (id) => expect(typeof id).toBe('string'));
  });

  it('drives a FileStream pipeline against Apache Kafka', async () => {
    const worker = await startWorker(serviceUrl('kafka'));
    await drive(worker, (id) => expect(id).toMatch(/^[\w-]{22}$/));
  });
});
