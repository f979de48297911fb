import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExistsException, NotFoundException } from '../../../../runtime/connect/api/index.ts';
import { createConfigProviders } from '../../../../runtime/connect/config/index.ts';
import { BadRequestException, ForbiddenException, httpStatusOf } from '../../../../runtime/connect/herder/herder-errors.ts';
import { PluginRegistry } from '../../../../runtime/connect/worker/plugins.ts';
import { eventually } from './fake-kafka.ts';
import type { Harness } from './harness.ts';
import { createHarness } from './harness.ts';
import { CollectingSinkConnector, ScriptedSourceConnector, script, sourceRecord } from './test-connectors.ts';

function plugins(): PluginRegistry {
  const registry = PluginRegistry.withBuiltins('test');
  registry.register(ScriptedSourceConnector, { className: 'test.ScriptedSourceConnector', origin: 'test' });
  registry.register(CollectingSinkConnector, { className: 'test.CollectingSinkConnector', origin: 'test' });
  return registry;
}

let h: Harness;
beforeEach(async () => {
  script.reset();
  h = await createHarness({ plugins: plugins() });
});
afterEach(async () => {
  await h.herder.stop();
});

const running = (name: string) => () => {
  const status = h.herder.connectorStatus(name);
  return status.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((t) => t.state === 'RUNNING');
};

describe('StandaloneHerder: FileStream pair over the fake cluster', () => {
  it('streams a file into a topic and out to another file, committing offsets', async () => {
    const input = path.join(h.dir, 'in.txt');
    const output = path.join(h.dir, 'out.txt');
    writeFileSync(input, 'a\nb\nc\n');
    await h.herder.createConnector('src', { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' });
    await h.herder.createConnector('sink', { 'connector.class': 'FileStreamSink', file: output, topics: 'lines' });
    await eventually(() => safeRead(output) === 'a\nb\nc\n', 5000, 'the sink file');
    expect(h.kafka.values('lines')).toEqual(['a', 'b', 'c']);
    await eventually(() => h.kafka.committed('connect-sink', 'lines') === 3n, 5000, 'the sink commit');
    await eventually(() => h.offsetStore.get('src', { filename: input })?.position === 6, 5000, 'the source offset');
    expect(h.herder.connectorActiveTopics('src')).toEqual({ src: { topics: ['lines'] } });
    expect(h.herder.connectorActiveTopics('sink')).toEqual({ sink: { topics: ['lines'] } });
  });
});

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('StandaloneHerder: lifecycle', () => {
  it('reports info, config (secrets masked), tasks and status', async () => {
    const info = await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector', 'tasks.max': '2', 'secret.password': 'hunter2' });
    expect(info).toEqual({
      name: 's',
      config: { 'connector.class': 'test.ScriptedSourceConnector', 'tasks.max': '2', 'secret.password': '[hidden]', name: 's' },
      tasks: [
        { connector: 's', task: 0 },
        { connector: 's', task: 1 },
      ],
      type: 'source',
    });
    await eventually(running('s'));
    expect(h.herder.connectorStatus('s')).toEqual({
      name: 's',
      connector: { state: 'RUNNING', worker_id: '127.0.0.1:8083' },
      tasks: [
        { id: 0, state: 'RUNNING', worker_id: '127.0.0.1:8083' },
        { id: 1, state: 'RUNNING', worker_id: '127.0.0.1:8083' },
      ],
      type: 'source',
    });
    expect(h.herder.taskConfigs('s')[1]).toEqual({
      id: { connector: 's', task: 1 },
      config: expect.objectContaining({ 'task.class': 'ScriptedSourceTask', 'secret.password': '[hidden]' }),
    });
    expect(h.herder.connectors()).toEqual(['s']);
    expect(h.herder.taskStatus('s', 0).state).toBe('RUNNING');
    expect(() => h.herder.taskStatus('s', 5)).toThrow(NotFoundException);
  });

  it('pauses, resumes, stops (removing tasks) and deletes', async () => {
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(running('s'));
    await h.herder.pauseConnector('s');
    await eventually(() => h.herder.connectorStatus('s').tasks[0]?.state === 'PAUSED');
    expect(h.herder.connectorStatus('s').connector.state).toBe('PAUSED');
    await h.herder.resumeConnector('s');
    await eventually(running('s'));
    await h.herder.stopConnector('s');
    expect(h.herder.connectorStatus('s')).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    expect(h.herder.connectorInfo('s').tasks).toEqual([]);
    await h.herder.resumeConnector('s');
    await eventually(running('s'));
    await h.herder.deleteConnector('s');
    expect(() => h.herder.connectorStatus('s')).toThrow(NotFoundException);
    expect(h.herder.connectors()).toEqual([]);
  });

  it('creates connectors paused or stopped when asked', async () => {
    await h.herder.createConnector('p', { 'connector.class': 'test.ScriptedSourceConnector' }, 'PAUSED');
    await eventually(() => h.herder.connectorStatus('p').tasks[0]?.state === 'PAUSED');
    expect(h.herder.connectorStatus('p').connector.state).toBe('PAUSED');
    await h.herder.createConnector('q', { 'connector.class': 'test.ScriptedSourceConnector' }, 'STOPPED');
    expect(h.herder.connectorStatus('q')).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
  });

  it('refuses a second connector with the same name (409) and a name that does not match (400)', async () => {
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    const again = h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await expect(again).rejects.toThrow(AlreadyExistsException);
    await again.catch((err: unknown) => expect(httpStatusOf(err)).toBe(409));
    await expect(h.herder.putConnectorConfig('t', { name: 'other', 'connector.class': 'test.ScriptedSourceConnector' })).rejects.toThrow(
      "Connector name configuration (other) doesn't match connector name in the URL (t)",
    );
  });

  it('creates with PUT (created) then replaces (not created), and patches', async () => {
    const first = await h.herder.putConnectorConfig('s', { 'connector.class': 'test.ScriptedSourceConnector', topic: 'a' });
    expect(first.created).toBe(true);
    const second = await h.herder.putConnectorConfig('s', { 'connector.class': 'test.ScriptedSourceConnector', topic: 'b' });
    expect(second.created).toBe(false);
    expect(second.info.config.topic).toBe('b');
    const patched = await h.herder.patchConnectorConfig('s', { topic: null, 'tasks.max': '3' });
    expect(patched.config).toEqual({ 'connector.class': 'test.ScriptedSourceConnector', 'tasks.max': '3', name: 's' });
    expect(patched.tasks).toHaveLength(3);
  });

  it('rejects an invalid config with every error and the key it concerns', async () => {
    const err = await h.herder.createConnector('bad', { 'connector.class': 'FileStreamSource', 'tasks.max': 'zero', 'errors.tolerance': 'some' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    expect(httpStatusOf(err)).toBe(400);
    const message = (err as Error).message;
    expect(message).toMatch(/^Connector configuration is invalid and contains the following 3 error\(s\):/);
    expect(message).toContain('Invalid value "zero" for configuration tasks.max');
    expect(message).toContain('errors.tolerance');
    expect(message).toContain('Missing required configuration "topic"');
    expect(h.herder.connectors()).toEqual([]);
  });

  it('refuses exactly.once.support=required, which standalone workers cannot give', async () => {
    await expect(h.herder.createConnector('e', { 'connector.class': 'test.ScriptedSourceConnector', 'exactly.once.support': 'required' })).rejects.toThrow(
      /exactly\.once\.support=required needs exactly-once source support, which only distributed workers provide/,
    );
  });

  it('lists the available connectors for an unknown class', async () => {
    await expect(h.herder.createConnector('x', { 'connector.class': 'com.example.Nope' })).rejects.toThrow(
      /no connector class named com\.example\.Nope; available: .*org\.apache\.kafka\.connect\.file\.FileStreamSinkConnector \(FileStreamSinkConnector, FileStreamSink\)/,
    );
  });

  it('validates without creating and never throws for config errors', async () => {
    const infos = await h.herder.validateConnectorConfig({ name: 'v', 'connector.class': 'FileStreamSink', 'tasks.max': '1', topics: 'a', 'topics.regex': 'b.*', 'transforms': 'r', 'transforms.r.type': 'Nope' });
    expect(infos.name).toBe('org.apache.kafka.connect.file.FileStreamSinkConnector');
    expect(infos.groups).toEqual(expect.arrayContaining(['Common', 'Transforms', 'Error Handling']));
    const errorsOf = (name: string) => infos.configs.find((c) => c.value?.name === name)?.value?.errors ?? [];
    expect(errorsOf('topics')).toEqual(['topics and topics.regex are mutually exclusive options, but both are set.']);
    expect(errorsOf('transforms.r.type')[0]).toMatch(/Class Nope could not be found/);
    expect(infos.error_count).toBe(3);
    expect(h.herder.connectors()).toEqual([]);
  });

  it('restarts connector and tasks (KIP-745) and single tasks', async () => {
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector', 'tasks.max': '2' });
    await eventually(running('s'));
    expect(await h.herder.restartConnector('s')).toBeNull();
    const snapshot = await h.herder.restartConnector('s', { includeTasks: true });
    expect(snapshot).toMatchObject({ connector: { state: 'RESTARTING' }, tasks: [{ state: 'RESTARTING' }, { state: 'RESTARTING' }] });
    await eventually(running('s'));
    const onlyFailed = await h.herder.restartConnector('s', { includeTasks: true, onlyFailed: true });
    expect(onlyFailed).toMatchObject({ connector: { state: 'RUNNING' }, tasks: [{ state: 'RUNNING' }, { state: 'RUNNING' }] });
    await h.herder.restartTask('s', 1);
    await eventually(running('s'));
    await expect(h.herder.restartTask('s', 9)).rejects.toThrow(NotFoundException);
  });

  it('shows a failed task with its trace, and restarts it on request', async () => {
    script.pollFailures.push('fatal');
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.herder.taskStatus('s', 0).state === 'FAILED');
    const trace = h.herder.taskStatus('s', 0).trace ?? '';
    expect(trace).toContain('scripted fatal poll failure');
    expect(trace).toContain('at ');
    await h.herder.restartConnector('s', { includeTasks: true, onlyFailed: true });
    await eventually(running('s'));
  });

  it('retries retriable poll errors without failing the task', async () => {
    script.pollFailures.push('retriable', 'retriable');
    script.batches.push([sourceRecord('after', 1)]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.kafka.values('scripted').includes('after'));
    expect(h.herder.taskStatus('s', 0).state).toBe('RUNNING');
  });

  it('tracks topics and resets them', async () => {
    script.batches.push([sourceRecord('x', 1, 'alpha')]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.herder.connectorActiveTopics('s').s.topics.length === 1);
    h.herder.resetConnectorActiveTopics('s');
    expect(h.herder.connectorActiveTopics('s')).toEqual({ s: { topics: [] } });
  });
});

describe('StandaloneHerder: config providers', () => {
  it('resolves ${env:...} references for the connector but shows and keeps the reference', async () => {
    await h.herder.stop();
    h = await createHarness({ plugins: plugins(), configProviders: createConfigProviders({ 'config.providers': 'env', 'config.providers.env.class': 'EnvVarConfigProvider' }, { env: { SECRET_TOPIC: 'resolved-topic', PW: 'hunter2' } }) });
    script.batches.push([sourceRecord('x', 1, 'ignored')]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector', topic: '${env:SECRET_TOPIC}', 'secret.password': '${env:PW}' });
    expect(h.herder.connectorConfig('s')).toMatchObject({ topic: '${env:SECRET_TOPIC}', 'secret.password': '${env:PW}' });
    expect(h.herder.taskConfigs('s')[0].config).toMatchObject({ topic: 'resolved-topic', 'secret.password': '[hidden]' });
    await expect(h.herder.createConnector('t', { 'connector.class': 'test.ScriptedSourceConnector', topic: '${env:MISSING}' })).rejects.toThrow(/MISSING/);
  });
});

describe('StandaloneHerder: automatic task restart', () => {
  it('restarts a failed task with backoff when sluice.task.restart is on', async () => {
    await h.herder.stop();
    h = await createHarness({ plugins: plugins(), taskRestart: { enabled: true, backoffMs: 10 } });
    script.pollFailures.push('fatal');
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.herder.taskStatus('s', 0).state === 'FAILED', 5000, 'the failure');
    await eventually(running('s'), 5000, 'the automatic restart');
  });
});

describe('StandaloneHerder: offsets (KIP-875)', () => {
  it('reads, alters and resets source offsets only while STOPPED', async () => {
    script.batches.push([sourceRecord('a', 1), sourceRecord('b', 2)]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.offsetStore.get('s', { p: 'x' })?.o === 2);
    expect(await h.herder.connectorOffsets('s')).toEqual({ offsets: [{ partition: { p: 'x' }, offset: { o: 2 } }] });
    const refused = h.herder.alterConnectorOffsets('s', { offsets: [{ partition: { p: 'x' }, offset: { o: 0 } }] });
    await expect(refused).rejects.toThrow(/must be in the STOPPED state/);
    await h.herder.stopConnector('s');
    expect(await h.herder.alterConnectorOffsets('s', { offsets: [{ partition: { p: 'x' }, offset: { o: 0 } }] })).toEqual({
      message: expect.stringContaining('framework-managed offsets for this connector have been altered successfully'),
    });
    expect(h.offsetStore.get('s', { p: 'x' })).toEqual({ o: 0 });
    expect((await h.herder.resetConnectorOffsets('s')).message).toContain('reset successfully');
    expect(await h.herder.connectorOffsets('s')).toEqual({ offsets: [] });
  });

  it('reads, alters and resets a sink connector\'s consumer group offsets', async () => {
    h.kafka.append('in', { key: null, value: Buffer.from('v'), headers: [], timestamp: 1 });
    await h.herder.createConnector('k', { 'connector.class': 'test.CollectingSinkConnector', topics: 'in' });
    await eventually(() => h.kafka.committed('connect-k', 'in') === 1n);
    expect(await h.herder.connectorOffsets('k')).toEqual({ offsets: [{ partition: { kafka_topic: 'in', kafka_partition: 0 }, offset: { kafka_offset: 1 } }] });
    await h.herder.stopConnector('k');
    await h.herder.alterConnectorOffsets('k', { offsets: [{ partition: { kafka_topic: 'in', kafka_partition: 0 }, offset: { kafka_offset: 0 } }] });
    expect(h.kafka.committed('connect-k', 'in')).toBe(0n);
    await expect(h.herder.alterConnectorOffsets('k', { offsets: [{ partition: { kafka_topic: 'in' }, offset: { kafka_offset: 0 } }] })).rejects.toThrow(/kafka_partition/);
    await h.herder.resetConnectorOffsets('k');
    expect(await h.herder.connectorOffsets('k')).toEqual({ offsets: [] });
  });
});

describe('StandaloneHerder: plugins, loggers, health, metrics', () => {
  it('lists plugins and their config', () => {
    expect(h.herder.connectorPlugins()).toEqual(
      expect.arrayContaining([
        { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '4.3.1-sluice' },
        { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '4.3.1-sluice' },
      ]),
    );
    const all = h.herder.connectorPlugins(false);
    expect(all.some((p) => p.type === 'converter' && p.class === 'org.apache.kafka.connect.json.JsonConverter')).toBe(true);
    expect(all.some((p) => p.type === 'transformation' && p.class === 'org.apache.kafka.connect.transforms.RegexRouter')).toBe(true);
    expect(all.some((p) => p.type === 'predicate')).toBe(true);
    expect(h.herder.connectorPluginConfig('FileStreamSource').map((k) => k.name)).toEqual(['file', 'topic', 'batch.size']);
    expect(() => h.herder.connectorPluginConfig('Nope')).toThrow(NotFoundException);
  });

  it('sets logger levels by namespace', async () => {
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    expect(h.herder.setLoggerLevel('connect.task', 'DEBUG')).toEqual(['connect.task.s']);
    expect(h.herder.logger('connect.task')).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
    expect(h.herder.logger('connect.task.s').level).toBe('DEBUG');
    expect(h.herder.loggers().root.level).toBeDefined();
    expect(() => h.herder.setLoggerLevel('x', 'LOUD')).toThrow(BadRequestException);
    expect(() => h.herder.logger('no.such.logger')).toThrow(NotFoundException);
  });

  it('answers health and server info', async () => {
    expect(h.herder.health()).toEqual({ statusCode: 200, body: { status: 'healthy', message: expect.any(String) } });
    expect(await h.herder.serverInfo()).toEqual({ version: 'test', commit: 'abc', kafka_cluster_id: 'cluster-1' });
  });

  it('exposes Kafka Connect metrics in Prometheus naming', async () => {
    script.batches.push([sourceRecord('a', 1), sourceRecord('b', 2)]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.kafka.values('scripted').length === 2);
    await eventually(async () => (await h.metrics.text()).includes('kafka_connect_source_task_metrics_source_record_write_total{connector="s",task="0"} 2'));
    const text = await h.metrics.text();
    expect(text).toContain('kafka_connect_source_task_metrics_source_record_poll_total{connector="s",task="0"} 2');
    expect(text).toContain('kafka_connect_connector_task_metrics_status{connector="s",task="0",status="running"} 1');
    expect(text).toContain('kafka_connect_connector_metrics_status{connector="s",status="running"} 1');
    expect(text).toContain('kafka_connect_source_task_metrics_source_record_poll_rate{connector="s",task="0"}');
    expect(text).toContain('kafka_connect_worker_metrics_connector_count 1');
    expect(text).toContain('kafka_connect_worker_metrics_task_count 1');
  });

  it('refuses topic tracking when disabled (403)', () => {
    const err = new ForbiddenException('Topic tracking is disabled.');
    expect(httpStatusOf(err)).toBe(403);
  });

  it('commits records a task reports through commitRecord once acknowledged', async () => {
    h.kafka.holdAcks = true;
    script.batches.push([sourceRecord('a', 1)]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(h.offsetStore.get('s', { p: 'x' })).toBeNull();
    expect(script.committedRecords).toEqual([]);
    h.kafka.release();
    await eventually(() => h.offsetStore.get('s', { p: 'x' })?.o === 1);
    expect(script.committedRecords).toEqual([{ value: 'a', offset: 0 }]);
  });
});

