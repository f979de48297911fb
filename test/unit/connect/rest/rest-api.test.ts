import { Counter, Registry } from 'prom-client';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StandaloneHerder } from '../../../../runtime/connect/herder/standalone-herder.ts';
import { buildConnectRestApp, type RestHerder } from '../../../../runtime/connect/rest/index.ts';
import { FakeHerder } from './fake-herder.ts';

// The standalone herder must fit the REST API's herder contract as it is.
const fits: (herder: StandaloneHerder) => RestHerder = (herder) => herder;
void fits;

const SOURCE = { 'connector.class': 'FileStreamSource', file: '/tmp/in.txt', topic: 'connect-test', 'tasks.max': '1' };

// Response bodies are checked field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let herder: FakeHerder;
let app: FastifyInstance;
let metrics: Registry;

beforeEach(() => {
  herder = new FakeHerder();
  metrics = new Registry();
  new Counter({ name: 'kafka_connect_worker_metrics_connector_startup_attempts_total', help: 'starts', registers: [metrics] }).inc(2);
  app = buildConnectRestApp({ herder, metrics });
});

afterEach(async () => {
  await app.close();
});

async function call(method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await app.inject({ method, url, payload, headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers } });
  const text = response.body;
  const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
  return { status: response.statusCode, headers: response.headers, text, json: (isJson && text !== '' ? JSON.parse(text) : undefined) as Json };
}

async function create(name: string, config: Record<string, string> = SOURCE, initialState?: string) {
  const response = await call('POST', '/connectors', { name, config, ...(initialState ? { initial_state: initialState } : {}) });
  expect(response.status).toBe(201);
  return response;
}

describe('root, health and metrics', () => {
  it('GET / gives version, commit and the Kafka cluster id', async () => {
    const response = await call('GET', '/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json).toEqual({ version: '0.1.0', commit: 'abc123', kafka_cluster_id: 'cluster-1' });
  });

  it('GET /health answers 200 when ready, 503 while starting, 500 when unhealthy', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, json: { status: 'healthy' } });
    herder.health_ = { statusCode: 503, body: { status: 'starting', message: 'Worker is still starting up.' } };
    expect(await call('GET', '/health')).toMatchObject({ status: 503, json: { status: 'starting', message: 'Worker is still starting up.' } });
    herder.health_ = { statusCode: 500, body: { status: 'unhealthy', message: 'Worker is shutting down.' } };
    expect(await call('GET', '/health')).toMatchObject({ status: 500, json: { status: 'unhealthy' } });
  });

  it('GET /health is a 500 with the status shape when the check itself fails', async () => {
    herder.health = () => {
      throw new Error('herder thread stuck');
    };
    const response = await call('GET', '/health');
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ status: 'unhealthy', message: 'Health check failed: herder thread stuck' });
  });

  it('GET /metrics serves the worker registry as Prometheus text', async () => {
    const response = await call('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toContain('kafka_connect_worker_metrics_connector_startup_attempts_total 2');
  });
});

describe('connectors', () => {
  it('lists connector names, sorted', async () => {
    expect((await call('GET', '/connectors')).json).toEqual([]);
    await create('b');
    await create('a');
    const response = await call('GET', '/connectors');
    expect(response.status).toBe(200);
    expect(response.json).toEqual(['a', 'b']);
  });

  it('expands status and info, with repeated expand parameters', async () => {
    await create('a', { ...SOURCE, 'database.password': 'hunter2' });
    const both = await call('GET', '/connectors?expand=status&expand=info');
    expect(both.status).toBe(200);
    expect(Object.keys(both.json.a).sort()).toEqual(['info', 'status']);
    expect(both.json.a.status).toMatchObject({ name: 'a', connector: { state: 'RUNNING', worker_id: '127.0.0.1:8083' }, type: 'source' });
    expect(both.json.a.info.config['database.password']).toBe('[hidden]');
    expect((await call('GET', '/connectors?expand=status')).json).toEqual({ a: { status: expect.objectContaining({ name: 'a' }) } });
    expect((await call('GET', '/connectors?expand=bogus')).json).toEqual({ a: {} });
  });

  it('POST /connectors creates: 201, Location, ConnectorInfo with secrets masked', async () => {
    const response = await call('POST', '/connectors', { name: ' file-source ', config: { ...SOURCE, 'sasl.jaas.config': 'secret stuff', 'ssl.password': '${file:/etc/creds:pw}' } });
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe('http://localhost:80/connectors/file-source');
    expect(response.json).toEqual({
      name: 'file-source',
      config: { ...SOURCE, 'sasl.jaas.config': '[hidden]', 'ssl.password': '${file:/etc/creds:pw}', name: 'file-source' },
      tasks: [{ connector: 'file-source', task: 0 }],
      type: 'source',
    });
    expect(herder.calls).toContain('create file-source RUNNING');
  });

  it('POST /connectors passes initial_state (any case) and rejects an unknown one', async () => {
    await create('p', SOURCE, 'paused');
    expect(herder.calls).toContain('create p PAUSED');
    expect((await call('GET', '/connectors/p/status')).json.connector.state).toBe('PAUSED');
    const bad = await call('POST', '/connectors', { name: 'q', config: SOURCE, initial_state: 'SLEEPING' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('"initial_state" must be one of RUNNING, PAUSED, STOPPED');
  });

  it('POST /connectors: 409 when the name is taken', async () => {
    await create('dup');
    const response = await call('POST', '/connectors', { name: 'dup', config: SOURCE });
    expect(response.status).toBe(409);
    expect(response.json).toEqual({ error_code: 409, message: 'Connector dup already exists' });
  });

  it('POST /connectors: 400 for a missing name, a missing config, or a config value that is not a scalar', async () => {
    const noName = await call('POST', '/connectors', { config: SOURCE });
    expect(noName).toMatchObject({ status: 400, json: { error_code: 400 } });
    expect(noName.json.message).toContain('Connector name is missing');
    const noConfig = await call('POST', '/connectors', { name: 'x' });
    expect(noConfig.status).toBe(400);
    expect(noConfig.json.message).toContain('has no "config"');
    const nested = await call('POST', '/connectors', { name: 'x', config: { ...SOURCE, topic: { a: 1 } } });
    expect(nested.status).toBe(400);
    expect(nested.json.message).toBe('The connector config: the value of "topic" must be a string, got an object');
    expect(herder.connectorsByName.size).toBe(0);
  });

  it('an error message that quotes the submitted config shows no secrets', async () => {
    const { 'connector.class': _class, ...noClass } = SOURCE;
    const response = await call('POST', '/connectors', { name: 'x', config: { ...noClass, 'database.password': 'hunter2-"quoted"' } });
    expect(response.status).toBe(400);
    expect(response.json.message).toContain('"database.password":"[hidden]"');
    expect(response.json.message).not.toContain('hunter2');
    const put = await call('PUT', '/connectors/x/config', { ...noClass, 'sasl.jaas.config': 'jaas-secret' });
    expect(put.json.message).not.toContain('jaas-secret');
  });

  it('POST /connectors: numbers and booleans in a config become strings, as with Kafka', async () => {
    const response = await call('POST', '/connectors', { name: 'n', config: { ...SOURCE, 'tasks.max': 1, 'errors.log.enable': true } });
    expect(response.status).toBe(201);
    expect(response.json.config['tasks.max']).toBe('1');
    expect(response.json.config['errors.log.enable']).toBe('true');
  });

  it('POST /connectors: a bad config is a 400 that points at the validate endpoint', async () => {
    const response = await call('POST', '/connectors', { name: 'bad', config: { ...SOURCE, 'connector.class': 'NoSuchConnector' } });
    expect(response.status).toBe(400);
    expect(response.json.error_code).toBe(400);
    expect(response.json.message).toContain('/connector-plugins/{connectorType}/config/validate');
  });

  it('GET /connectors/{name}: 200 with masked config; 404 for an unknown connector', async () => {
    await create('a', { ...SOURCE, 'connection.password': 'pw' });
    const response = await call('GET', '/connectors/a');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: 'a', type: 'source', tasks: [{ connector: 'a', task: 0 }] });
    expect(response.json.config['connection.password']).toBe('[hidden]');
    expect(await call('GET', '/connectors/nope')).toMatchObject({ status: 404, json: { error_code: 404, message: 'Connector nope not found' } });
  });

  it('connector names with reserved characters round-trip through the URL', async () => {
    await create('a/b c');
    const response = await call('GET', `/connectors/${encodeURIComponent('a/b c')}/status`);
    expect(response.status).toBe(200);
    expect(response.json.name).toBe('a/b c');
  });

  it('GET /connectors/{name}/config masks secrets', async () => {
    await create('a', { ...SOURCE, 'api.key': 'k' });
    const response = await call('GET', '/connectors/a/config');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ...SOURCE, 'api.key': '[hidden]', name: 'a' });
    expect((await call('GET', '/connectors/zz/config')).status).toBe(404);
  });

  it('PUT /connectors/{name}/config: 201 + Location when created, 200 when replaced', async () => {
    const created = await call('PUT', '/connectors/c/config', SOURCE);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('http://localhost:80/connectors/c');
    expect(created.json).toMatchObject({ name: 'c', type: 'source' });
    const replaced = await call('PUT', '/connectors/c/config', { ...SOURCE, topic: 'other' });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.location).toBeUndefined();
    expect(replaced.json.config.topic).toBe('other');
  });

  it('PUT /connectors/{name}/config: 400 when the body names another connector or is not an object', async () => {
    const mismatch = await call('PUT', '/connectors/c/config', { ...SOURCE, name: 'd' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.message).toBe("Connector name configuration (d) doesn't match connector name in the URL (c)");
    const array = await call('PUT', '/connectors/c/config', [1, 2]);
    expect(array).toMatchObject({ status: 400, json: { message: 'The connector config must be a JSON object, got an array' } });
    const empty = await call('PUT', '/connectors/c/config', undefined, { 'content-type': 'application/json' });
    expect(empty).toMatchObject({ status: 400, json: { message: 'The connector config must be a JSON object, got nothing' } });
  });

  it('PATCH /connectors/{name}/config merges, null removes a key; 404 for an unknown connector', async () => {
    await create('a', { ...SOURCE, 'batch.size': '100' });
    const response = await call('PATCH', '/connectors/a/config', { topic: 'patched', 'batch.size': null });
    expect(response.status).toBe(200);
    expect(response.json.config).toEqual({ ...SOURCE, topic: 'patched', name: 'a' });
    expect((await call('PATCH', '/connectors/zz/config', { topic: 'x' })).status).toBe(404);
  });

  it('GET /connectors/{name}/status: the status shape; 404 for an unknown connector', async () => {
    await create('a');
    const response = await call('GET', '/connectors/a/status');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      name: 'a',
      connector: { state: 'RUNNING', worker_id: '127.0.0.1:8083' },
      tasks: [{ id: 0, state: 'RUNNING', worker_id: '127.0.0.1:8083' }],
      type: 'source',
    });
    expect((await call('GET', '/connectors/zz/status')).status).toBe(404);
  });

  it('DELETE /connectors/{name}: 204, then 404', async () => {
    await create('a');
    const deleted = await call('DELETE', '/connectors/a');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await call('DELETE', '/connectors/a')).status).toBe(404);
    expect((await call('GET', '/connectors')).json).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('restart without flags: 204 and a connector-only restart', async () => {
    await create('a');
    const response = await call('POST', '/connectors/a/restart');
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(herder.calls).toContain('restart a {}');
    expect((await call('POST', '/connectors/a/restart?includeTasks=false&onlyFailed=false')).status).toBe(204);
  });

  it('restart with includeTasks/onlyFailed: 202 and the status of what restarts', async () => {
    await create('a');
    const response = await call('POST', '/connectors/a/restart?includeTasks=true');
    expect(response.status).toBe(202);
    expect(response.json.connector.state).toBe('RESTARTING');
    expect(response.json.tasks[0].state).toBe('RESTARTING');
    expect(herder.calls).toContain('restart a {"includeTasks":true,"onlyFailed":false}');
    const onlyFailed = await call('POST', '/connectors/a/restart?includeTasks=TRUE&onlyFailed=true');
    expect(onlyFailed.status).toBe(202);
    expect(onlyFailed.json.connector.state).toBe('RUNNING');
  });

  it('restart: 400 for a flag that is not a boolean, 404 for an unknown connector', async () => {
    await create('a');
    const bad = await call('POST', '/connectors/a/restart?includeTasks=yes');
    expect(bad).toMatchObject({ status: 400, json: { message: 'Query parameter includeTasks must be true or false, got "yes"' } });
    expect((await call('POST', '/connectors/zz/restart')).status).toBe(404);
    expect((await call('POST', '/connectors/zz/restart?includeTasks=true')).status).toBe(404);
  });

  it('pause and resume answer 202, stop 204; unknown connectors 404', async () => {
    await create('a');
    expect((await call('PUT', '/connectors/a/pause')).status).toBe(202);
    expect((await call('GET', '/connectors/a/status')).json.connector.state).toBe('PAUSED');
    expect((await call('PUT', '/connectors/a/resume')).status).toBe(202);
    expect((await call('GET', '/connectors/a/status')).json.connector.state).toBe('RUNNING');
    const stopped = await call('PUT', '/connectors/a/stop');
    expect(stopped.status).toBe(204);
    expect((await call('GET', '/connectors/a/status')).json).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    for (const op of ['pause', 'resume', 'stop']) expect((await call('PUT', `/connectors/zz/${op}`)).status).toBe(404);
  });

  it('lifecycle PUTs accept an empty JSON body', async () => {
    await create('a');
    expect((await call('PUT', '/connectors/a/pause', '', { 'content-type': 'application/json' })).status).toBe(202);
  });
});

describe('tasks', () => {
  it('GET /tasks lists task ids and configs with secrets masked', async () => {
    await create('a', { ...SOURCE, 'ssl.truststore.password': 'pw' });
    const response = await call('GET', '/connectors/a/tasks');
    expect(response.status).toBe(200);
    expect(response.json).toHaveLength(1);
    expect(response.json[0].id).toEqual({ connector: 'a', task: 0 });
    expect(response.json[0].config['ssl.truststore.password']).toBe('[hidden]');
    expect(response.json[0].config['task.class']).toBe('FileStreamSourceTask');
    expect((await call('GET', '/connectors/zz/tasks')).status).toBe(404);
  });

  it('GET /tasks-config maps "name-id" to the task config', async () => {
    await create('a', { ...SOURCE, 'ssl.truststore.password': 'pw' });
    const response = await call('GET', '/connectors/a/tasks-config');
    expect(response.status).toBe(200);
    expect(Object.keys(response.json)).toEqual(['a-0']);
    expect(response.json['a-0']).toMatchObject({ topic: 'connect-test', 'ssl.truststore.password': '[hidden]' });
  });

  it('GET /tasks/{id}/status: 200; 404 for an unknown task, a non-numeric id or an unknown connector', async () => {
    await create('a');
    expect(await call('GET', '/connectors/a/tasks/0/status')).toMatchObject({ status: 200, json: { id: 0, state: 'RUNNING', worker_id: '127.0.0.1:8083' } });
    expect(await call('GET', '/connectors/a/tasks/7/status')).toMatchObject({ status: 404, json: { error_code: 404, message: 'Task a-7 not found' } });
    const word = await call('GET', '/connectors/a/tasks/abc/status');
    expect(word.status).toBe(404);
    expect(word.json.message).toContain('Task a-abc not found');
    expect((await call('GET', '/connectors/a/tasks/-1/status')).status).toBe(404);
    expect((await call('GET', '/connectors/zz/tasks/0/status')).status).toBe(404);
  });

  it('POST /tasks/{id}/restart: 204; 404 for an unknown task', async () => {
    await create('a');
    const response = await call('POST', '/connectors/a/tasks/0/restart');
    expect(response.status).toBe(204);
    expect(herder.calls).toContain('restart task a-0');
    expect((await call('POST', '/connectors/a/tasks/3/restart')).status).toBe(404);
  });
});

describe('topics', () => {
  it('GET /topics: {name: {topics}}; PUT /topics/reset: 202', async () => {
    await create('a');
    expect(await call('GET', '/connectors/a/topics')).toMatchObject({ status: 200, json: { a: { topics: ['connect-test'] } } });
    const reset = await call('PUT', '/connectors/a/topics/reset');
    expect(reset.status).toBe(202);
    expect((await call('GET', '/connectors/a/topics')).json).toEqual({ a: { topics: [] } });
    expect((await call('GET', '/connectors/zz/topics')).status).toBe(404);
  });

  it('403 when topic tracking or its reset is disabled', async () => {
    await create('a');
    herder.topicTracking.allowReset = false;
    expect(await call('PUT', '/connectors/a/topics/reset')).toMatchObject({ status: 403, json: { error_code: 403, message: 'Topic tracking reset is disabled.' } });
    herder.topicTracking.enabled = false;
    expect(await call('GET', '/connectors/a/topics')).toMatchObject({ status: 403, json: { message: 'Topic tracking is disabled.' } });
  });
});

describe('offsets', () => {
  it('GET /offsets gives {offsets: [{partition, offset}]}', async () => {
    await create('a');
    const response = await call('GET', '/connectors/a/offsets');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ offsets: [{ partition: { filename: '/tmp/in.txt' }, offset: { position: 42 } }] });
    expect((await call('GET', '/connectors/zz/offsets')).status).toBe(404);
  });

  it('PATCH and DELETE need the connector STOPPED (400 otherwise), then answer 200 with a message', async () => {
    await create('a');
    const body = { offsets: [{ partition: { filename: '/tmp/in.txt' }, offset: { position: 7 } }] };
    const running = await call('PATCH', '/connectors/a/offsets', body);
    expect(running.status).toBe(400);
    expect(running.json.message).toContain('STOPPED');
    expect((await call('DELETE', '/connectors/a/offsets')).status).toBe(400);
    await call('PUT', '/connectors/a/stop');
    expect(await call('PATCH', '/connectors/a/offsets', body)).toMatchObject({ status: 200, json: { message: 'The offsets for this connector have been altered successfully' } });
    expect((await call('GET', '/connectors/a/offsets')).json).toEqual(body);
    expect(await call('DELETE', '/connectors/a/offsets')).toMatchObject({ status: 200, json: { message: 'The offsets for this connector have been reset successfully' } });
    expect((await call('GET', '/connectors/a/offsets')).json).toEqual({ offsets: [] });
  });

  it('PATCH /offsets: 400 for a missing or empty list and for malformed entries', async () => {
    await create('a');
    await call('PUT', '/connectors/a/stop');
    const empty = await call('PATCH', '/connectors/a/offsets', { offsets: [] });
    expect(empty).toMatchObject({ status: 400, json: { message: 'Partitions / offsets need to be provided for an alter offsets request' } });
    expect((await call('PATCH', '/connectors/a/offsets', {})).status).toBe(400);
    const badPartition = await call('PATCH', '/connectors/a/offsets', { offsets: [{ partition: 'x', offset: null }] });
    expect(badPartition.json.message).toBe('offsets[0].partition must be an object, got a string');
    const badOffset = await call('PATCH', '/connectors/a/offsets', { offsets: [{ partition: {}, offset: 5 }] });
    expect(badOffset).toMatchObject({ status: 400, json: { message: 'offsets[0].offset must be an object or null, got a number' } });
    expect((await call('PATCH', '/connectors/zz/offsets', { offsets: [{ partition: {}, offset: null }] })).status).toBe(404);
  });
});

describe('connector plugins', () => {
  it('lists connectors only by default, every plugin with connectorsOnly=false', async () => {
    const connectors = await call('GET', '/connector-plugins');
    expect(connectors.status).toBe(200);
    expect(connectors.json.map((p: { type: string }) => p.type)).toEqual(['sink', 'source']);
    expect(connectors.json[0]).toEqual({ class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '4.1.0' });
    const all = await call('GET', '/connector-plugins?connectorsOnly=false');
    expect(all.json.map((p: { type: string }) => p.type)).toEqual(['sink', 'source', 'transformation']);
    expect((await call('GET', '/connector-plugins?connectorsOnly=maybe')).status).toBe(400);
  });

  it('GET /connector-plugins/{plugin}/config: the key definitions; 404 for an unknown plugin', async () => {
    const response = await call('GET', '/connector-plugins/FileStreamSourceConnector/config');
    expect(response.status).toBe(200);
    expect(response.json[0]).toMatchObject({ name: 'topic', type: 'STRING', required: true });
    expect(await call('GET', '/connector-plugins/Nope/config')).toMatchObject({ status: 404, json: { error_code: 404, message: 'Unknown plugin Nope.' } });
  });

  it('PUT /config/validate: 200 even when the config has errors', async () => {
    const response = await call('PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', file: '/tmp/x' });
    expect(response.status).toBe(200);
    expect(response.json.error_count).toBe(1);
    expect(response.json.configs[0].value.errors[0]).toContain('Missing required configuration "topic"');
  });

  it('PUT /config/validate: connector.class must match the plugin of the path (aliases count)', async () => {
    const alias = await call('PUT', '/connector-plugins/FileStreamSource/config/validate', { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', topic: 't' });
    expect(alias).toMatchObject({ status: 200, json: { error_count: 0 } });
    const mismatch = await call('PUT', '/connector-plugins/FileStreamSink/config/validate', { 'connector.class': 'FileStreamSource' });
    expect(mismatch).toMatchObject({ status: 400, json: { error_code: 400, message: 'Included connector type FileStreamSource does not match request type FileStreamSink' } });
  });

  it('PUT /config/validate fills a missing connector.class from the path', async () => {
    await call('PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', { topic: 't' });
    expect(herder.calls).toContain('validate FileStreamSourceConnector');
  });

  it('PUT /config/validate masks PASSWORD values and undefined keys named like secrets', async () => {
    const response = await call('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      'connector.class': 'FileStreamSource',
      topic: 't',
      'ssl.key': 'PRIVATE',
      'producer.override.sasl.jaas.config': 'org.apache... password="pw";',
      'producer.override.acks': 'all',
    });
    const values = Object.fromEntries(response.json.configs.map((c: { value: { name: string; value: string } }) => [c.value.name, c.value.value]));
    expect(values['ssl.key']).toBe('[hidden]');
    expect(values['producer.override.sasl.jaas.config']).toBe('[hidden]');
    expect(values['producer.override.acks']).toBe('all');
    expect(values.topic).toBe('t');
    expect(response.text).not.toContain('PRIVATE');
  });
});

describe('admin loggers', () => {
  it('GET /admin/loggers and /admin/loggers/{logger}; 404 for an unknown logger', async () => {
    expect(await call('GET', '/admin/loggers')).toMatchObject({ status: 200, json: { root: { level: 'INFO', last_modified: null } } });
    expect(await call('GET', '/admin/loggers/root')).toMatchObject({ status: 200, json: { level: 'INFO', last_modified: null } });
    expect(await call('GET', '/admin/loggers/org.nothing')).toMatchObject({ status: 404, json: { error_code: 404, message: 'Logger org.nothing not found.' } });
  });

  it('PUT /admin/loggers/{logger}: 200 with the changed loggers; 204 with scope=cluster', async () => {
    const worker = await call('PUT', '/admin/loggers/connect.worker', { level: 'debug' });
    expect(worker).toMatchObject({ status: 200, json: ['connect.worker'] });
    expect((await call('GET', '/admin/loggers/connect.worker')).json).toEqual({ level: 'DEBUG', last_modified: 1700000000000 });
    const cluster = await call('PUT', '/admin/loggers/connect.herder?scope=cluster', { level: 'WARN' });
    expect(cluster.status).toBe(204);
    expect((await call('GET', '/admin/loggers/connect.herder')).json.level).toBe('WARN');
    expect((await call('PUT', '/admin/loggers/connect.x?scope=galaxy', { level: 'WARN' })).status).toBe(200);
  });

  it('PUT /admin/loggers/{logger}: 400 without a level or with an invalid one', async () => {
    expect(await call('PUT', '/admin/loggers/root', {})).toMatchObject({ status: 400, json: { message: "Desired 'level' parameter was not specified in request." } });
    expect((await call('PUT', '/admin/loggers/root', { level: 'LOUD' })).status).toBe(400);
    expect((await call('PUT', '/admin/loggers/root', { level: 3 })).status).toBe(400);
  });
});

describe('errors', () => {
  it('an unknown route is a JSON 404', async () => {
    const response = await call('GET', '/no/such/route');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  it('a known route with another method is a 405 with Allow', async () => {
    const response = await call('POST', '/connectors/a/status');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.json.error_code).toBe(405);
    expect((await call('DELETE', '/connectors')).headers.allow).toBe('GET, POST, HEAD');
  });

  it('malformed JSON is a 400 naming the problem', async () => {
    const response = await call('POST', '/connectors', '{"name": "a", "config": {');
    expect(response.status).toBe(400);
    expect(response.json.error_code).toBe(400);
    expect(response.json.message).toMatch(/^Request body is not valid JSON: /);
  });

  it('a __proto__ key is refused', async () => {
    const response = await call('PUT', '/connectors/a/config', '{"connector.class": "FileStreamSource", "__proto__": {"polluted": "yes"}}');
    expect(response.status).toBe(400);
    expect(response.json.message).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a body that is not JSON is a 415', async () => {
    const form = await call('POST', '/connectors', 'name=a', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.json).toEqual({ error_code: 415, message: 'Unsupported Content-Type application/x-www-form-urlencoded: send JSON with "Content-Type: application/json"' });
    expect((await call('PUT', '/connectors/a/config', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('a body without Content-Type is read as JSON; charset parameters are fine', async () => {
    const bare = await app.inject({ method: 'PUT', url: '/connectors/a/config', payload: JSON.stringify(SOURCE) });
    expect(bare.statusCode).toBe(201);
    expect((await call('PUT', '/connectors/a/config', SOURCE, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('a body over the limit is a 413 with the limit, and the worker keeps serving', async () => {
    await app.close();
    app = buildConnectRestApp({ herder, metrics, bodyLimit: 1024 });
    const response = await call('PUT', '/connectors/a/config', { ...SOURCE, big: 'x'.repeat(2000) });
    expect(response.status).toBe(413);
    expect(response.json).toEqual({ error_code: 413, message: 'Request body is larger than the limit of 1024 bytes' });
    expect((await call('GET', '/connectors')).status).toBe(200);
  });

  it('any other herder error is a 500 with its message', async () => {
    herder.connectors = () => {
      throw new Error('disk on fire');
    };
    expect(await call('GET', '/connectors')).toMatchObject({ status: 500, json: { error_code: 500, message: 'disk on fire' } });
  });

  it('an operation that does not finish in time is a 500', async () => {
    await app.close();
    app = buildConnectRestApp({ herder, metrics, requestTimeoutMs: 20 });
    herder.deleteConnector = () => new Promise<void>(() => undefined);
    const response = await call('DELETE', '/connectors/a');
    expect(response.status).toBe(500);
    expect(response.json.message).toBe('Request timed out: the worker did not complete it within 20 ms');
  });

  it('trailing slashes are accepted', async () => {
    expect((await call('GET', '/connectors/')).status).toBe(200);
  });
});

describe('serving parts of the API', () => {
  it('an admin-only app serves /admin and nothing else; a main-only app no /admin', async () => {
    const admin = buildConnectRestApp({ herder, metrics, serve: { main: false, admin: true } });
    const main = buildConnectRestApp({ herder, metrics, serve: { main: true, admin: false } });
    try {
      expect((await admin.inject({ method: 'GET', url: '/admin/loggers' })).statusCode).toBe(200);
      expect((await admin.inject({ method: 'GET', url: '/connectors' })).statusCode).toBe(404);
      expect((await main.inject({ method: 'GET', url: '/admin/loggers' })).statusCode).toBe(404);
      expect((await main.inject({ method: 'GET', url: '/connectors' })).statusCode).toBe(200);
    } finally {
      await Promise.all([admin.close(), main.close()]);
    }
  });
});
