import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConnectorFile } from '../../../../runtime/connect/herder/connector-files.ts';
import { TaskRestartPolicy } from '../../../../runtime/connect/herder/task-restart-policy.ts';
import { createTaskConverters } from '../../../../runtime/connect/worker/task-converters.ts';
import { WindowedStat } from '../../../../runtime/connect/worker/windowed-stat.ts';
import { parseWorkerConfig, workerIdOf } from '../../../../runtime/connect/worker/worker-config.ts';

const BASE = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'offset.storage.file.filename': '/tmp/connect.offsets',
};

describe('worker config', () => {
  it('parses Kafka\'s standalone keys with Kafka\'s defaults', () => {
    const { config, unknown } = parseWorkerConfig({ ...BASE, 'bootstrap.servers': 'localhost:9092' });
    expect(unknown).toEqual([]);
    expect(config.get('bootstrap.servers')).toEqual(['localhost:9092']);
    expect(config.get('offset.flush.interval.ms')).toBe(60000);
    expect(config.get('offset.flush.timeout.ms')).toBe(5000);
    expect(config.get('task.shutdown.graceful.timeout.ms')).toBe(5000);
    expect(config.get('header.converter')).toBe('org.apache.kafka.connect.storage.SimpleHeaderConverter');
    expect(config.get('listeners')).toEqual(['http://127.0.0.1:8083']);
    expect(config.get('sluice.task.restart.enable')).toBe(false);
    expect(config.get('broker.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
    expect(workerIdOf(config)).toBe('127.0.0.1:8083');
  });

  it('names the file and the missing key', () => {
    expect(() => parseWorkerConfig({ 'value.converter': BASE['value.converter'], 'offset.storage.file.filename': 'x' }, { file: 'worker.properties' })).toThrow(
      'worker.properties: Missing required configuration "key.converter" which has no default value.',
    );
  });

  it('names the file, line and key of a value of the wrong type', () => {
    const lines = new Map([['offset.flush.interval.ms', 7]]);
    expect(() => parseWorkerConfig({ ...BASE, 'offset.flush.interval.ms': 'ten' }, { file: 'w.properties', lines })).toThrow(
      /^w\.properties:7: Invalid value "ten" for configuration offset\.flush\.interval\.ms/,
    );
  });

  it('lists the available converters for an unknown converter class', () => {
    expect(() => parseWorkerConfig({ ...BASE, 'value.converter': 'com.example.AvroConverter' })).toThrow(
      /value\.converter: Converter class com\.example\.AvroConverter could not be found; available: .*org\.apache\.kafka\.connect\.json\.JsonConverter/,
    );
  });

  it('reports unknown keys with the closest known ones, and notes keys Kafka removed', () => {
    const { unknown, ignored } = parseWorkerConfig({ ...BASE, 'offset.flush.intervall.ms': '10', 'producer.acks': '1', 'internal.key.converter': 'x' });
    expect(unknown).toHaveLength(1);
    expect(unknown[0].key).toBe('offset.flush.intervall.ms');
    expect(unknown[0].suggestions[0]).toBe('offset.flush.interval.ms');
    expect(ignored.map((i) => i.key)).toEqual(['internal.key.converter']);
  });

  it('validates listener URLs', () => {
    expect(() => parseWorkerConfig({ ...BASE, listeners: 'localhost:8083' })).toThrow(/listeners.*expected http:\/\/HOST:PORT/);
  });
});

describe('task converters', () => {
  it('use the connector\'s converter and settings over the worker\'s', () => {
    const worker = { ...BASE, 'value.converter.schemas.enable': 'false' };
    const converters = createTaskConverters(worker, { 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
    expect(converters.valueClass).toBe('org.apache.kafka.connect.storage.StringConverter');
    expect(converters.keyClass).toBe(BASE['key.converter']);
    const json = createTaskConverters(worker, {});
    expect(Buffer.from(json.value.fromConnectData('t', null, null, 'x') as Uint8Array).toString()).toBe('"x"');
  });

  it('name the full key of a bad converter setting', () => {
    expect(() => createTaskConverters({ ...BASE, 'value.converter.schemas.enable': 'maybe' }, {})).toThrow(
      'Invalid value "maybe" for configuration value.converter.schemas.enable: Expected value to be either true or false (in the worker config)',
    );
  });
});

describe('connector files', () => {
  const folder = (): string => mkdtempSync(path.join(tmpdir(), 'sluice-connector-files-'));

  it('read properties files with the line of each key', async () => {
    const file = path.join(folder(), 'c.properties');
    writeFileSync(file, '# comment\nname=src\nconnector.class=FileStreamSource\n');
    const read = await readConnectorFile(file);
    expect(read).toMatchObject({ name: 'src', initialState: 'RUNNING', config: { name: 'src', 'connector.class': 'FileStreamSource' } });
    expect(read.lines?.get('connector.class')).toBe(3);
  });

  it('read both JSON forms Kafka accepts', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ name: 'a', config: { 'connector.class': 'FileStreamSink', 'tasks.max': 2 }, initial_state: 'paused' }));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ name: 'b', 'connector.class': 'FileStreamSink' }));
    expect(await readConnectorFile(path.join(dir, 'a.json'))).toMatchObject({ name: 'a', initialState: 'PAUSED', config: { name: 'a', 'tasks.max': '2' } });
    expect(await readConnectorFile(path.join(dir, 'b.json'))).toMatchObject({ name: 'b', config: { 'connector.class': 'FileStreamSink' } });
  });

  it('name the file for a missing name, bad JSON and an unreadable file', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'noname.properties'), 'connector.class=FileStreamSink\n');
    writeFileSync(path.join(dir, 'bad.json'), '{"name": ');
    await expect(readConnectorFile(path.join(dir, 'noname.properties'))).rejects.toThrow(`${path.join(dir, 'noname.properties')}: Missing required configuration "name"`);
    await expect(readConnectorFile(path.join(dir, 'bad.json'))).rejects.toThrow(`${path.join(dir, 'bad.json')}: not valid JSON`);
    await expect(readConnectorFile(path.join(dir, 'missing.properties'))).rejects.toThrow(/Cannot read properties file .*missing\.properties: no such file/);
  });
});

describe('WindowedStat', () => {
  it('reports rate, average and maximum over two 30 s samples', () => {
    const stat = new WindowedStat();
    stat.record(10, 0);
    stat.record(30, 10_000);
    stat.record(20, 40_000);
    expect(stat.avg(40_000)).toBe(20);
    expect(stat.max(40_000)).toBe(30);
    expect(stat.rate(40_000)).toBeCloseTo(60 / 40, 5);
    // The first sample has expired after two windows.
    expect(stat.avg(75_000)).toBe(20);
    expect(Number.isNaN(new WindowedStat().avg(0))).toBe(true);
  });
});

describe('TaskRestartPolicy', () => {
  const config = { enabled: true, backoffMs: 100, backoffMaxMs: 350, maxAttempts: 3, healthyAfterMs: 1000 };

  it('backs off exponentially up to the cap and gives up after max attempts', () => {
    const policy = new TaskRestartPolicy(config);
    policy.started(0);
    expect(policy.failed(10)).toEqual({ restart: true, delayMs: 100, attempt: 1 });
    policy.started(110);
    expect(policy.failed(120)).toEqual({ restart: true, delayMs: 200, attempt: 2 });
    policy.started(320);
    expect(policy.failed(330)).toEqual({ restart: true, delayMs: 350, attempt: 3 });
    policy.started(680);
    expect(policy.failed(690)).toMatchObject({ restart: false });
  });

  it('starts counting again once the task ran healthy long enough, and does nothing when off', () => {
    const policy = new TaskRestartPolicy(config);
    policy.started(0);
    policy.failed(1);
    policy.started(101);
    expect(policy.failed(5000)).toEqual({ restart: true, delayMs: 100, attempt: 1 });
    expect(new TaskRestartPolicy({ ...config, enabled: false }).failed(0)).toMatchObject({ restart: false });
  });
});
