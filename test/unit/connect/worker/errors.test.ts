import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataException, RetriableException } from '../../../../runtime/connect/api/index.ts';
import { errorHandlingConfig } from '../../../../runtime/connect/worker/connector-config.ts';
import type { ErrorReporter, ProcessingContext } from '../../../../runtime/connect/worker/errors/processing-context.ts';
import { RetryWithToleranceOperator, SKIPPED } from '../../../../runtime/connect/worker/errors/retry-with-tolerance.ts';
import { ConnectMetrics } from '../../../../runtime/connect/worker/metrics.ts';
import { PluginRegistry, aliasesOf } from '../../../../runtime/connect/worker/plugins.ts';
import { ManualClock } from '../../../../runtime/util/clock.ts';
import { seededRandom } from '../../../../runtime/util/random.ts';
import { eventually } from './fake-kafka.ts';
import type { Harness } from './harness.ts';
import { createHarness } from './harness.ts';
import { CollectingSinkConnector, script } from './test-connectors.ts';

function operator(config: Record<string, unknown>, reporters: ErrorReporter[] = []) {
  const clock = new ManualClock(0);
  const sleeps: number[] = [];
  const op = new RetryWithToleranceOperator({
    config: errorHandlingConfig(config),
    reporters,
    metrics: new ConnectMetrics(clock).task('c', 0, 'sink'),
    clock,
    random: seededRandom(7),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    stopping: () => false,
  });
  return { op, sleeps };
}

describe('RetryWithToleranceOperator', () => {
  it('fails with "Tolerance exceeded" when errors.tolerance=none', async () => {
    const { op } = operator({});
    await expect(
      op.execute('VALUE_CONVERTER', 'JsonConverter', () => {
        throw new DataException('bad json');
      }),
    ).rejects.toThrow('Tolerance exceeded in error handler: VALUE_CONVERTER (JsonConverter) failed: bad json');
  });

  it('skips and reports the record when errors.tolerance=all', async () => {
    const reported: ProcessingContext[] = [];
    const { op } = operator({ 'errors.tolerance': 'all' }, [{ report: async (c) => void reported.push(c) }]);
    const result = await op.execute('TRANSFORMATION', 'Cast', () => {
      throw new Error('cannot cast');
    });
    expect(result).toBe(SKIPPED);
    expect(reported.map((r) => [r.stage, r.className, r.error.message])).toEqual([['TRANSFORMATION', 'Cast', 'cannot cast']]);
    expect(op.errorCount).toBe(1);
  });

  it('retries retriable errors with doubling backoff within errors.retry.timeout', async () => {
    const { op, sleeps } = operator({ 'errors.retry.timeout': 2000, 'errors.retry.delay.max.ms': 1000, 'errors.tolerance': 'all' });
    let calls = 0;
    const result = await op.execute('TASK_PUT', 'Sink', () => {
      calls++;
      if (calls < 4) throw new RetriableException('busy');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(sleeps.length).toBe(3);
    expect(sleeps[0]).toBeGreaterThanOrEqual(300);
    expect(sleeps[1]).toBeGreaterThanOrEqual(600);
    expect(sleeps[2]).toBeGreaterThanOrEqual(1000);
    expect(sleeps[2]).toBeLessThanOrEqual(1100);
  });

  it('gives up retrying once the retry timeout is spent', async () => {
    const { op, sleeps } = operator({ 'errors.retry.timeout': 500, 'errors.tolerance': 'none' });
    await expect(
      op.execute('TASK_PUT', 'Sink', () => {
        throw new RetriableException('still busy');
      }),
    ).rejects.toThrow(/Tolerance exceeded/);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(500);
  });

  it('does not tolerate non-retriable errors outside conversion and transformation', async () => {
    const { op } = operator({ 'errors.tolerance': 'all' });
    await expect(
      op.execute('TASK_PUT', 'Sink', () => {
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
  });
});

describe('sink error handling end to end (fake cluster)', () => {
  let h: Harness;
  beforeEach(async () => {
    script.reset();
    const plugins = PluginRegistry.withBuiltins('test');
    plugins.register(CollectingSinkConnector, { className: 'test.CollectingSinkConnector', origin: 'test' });
    h = await createHarness({ plugins, workerProps: { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false' } });
    for (const value of ['{"a":1}', 'not json', '{"a":2}']) h.kafka.append('in', { key: null, value: Buffer.from(value), headers: [['h', Buffer.from('x')]], timestamp: 5 });
  });
  afterEach(async () => {
    await h.herder.stop();
  });

  it('fails the task on a bad record with errors.tolerance=none, showing the trace', async () => {
    await h.herder.createConnector('k', { 'connector.class': 'test.CollectingSinkConnector', topics: 'in' });
    await eventually(() => h.herder.taskStatus('k', 0).state === 'FAILED');
    expect(h.herder.taskStatus('k', 0).trace).toContain('Tolerance exceeded in error handler: VALUE_CONVERTER');
    expect(h.kafka.committed('connect-k', 'in')).toBeUndefined();
  });

  it('skips it with errors.tolerance=all and writes it, unchanged and with context headers, to the DLQ', async () => {
    await h.herder.createConnector('k', {
      'connector.class': 'test.CollectingSinkConnector',
      topics: 'in',
      'errors.tolerance': 'all',
      'errors.log.enable': 'true',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    await eventually(() => h.kafka.committed('connect-k', 'in') === 3n);
    expect(script.received.map((r) => String((r.value as Map<string, unknown>).get('a')))).toEqual(['1', '2']);
    expect(h.kafka.createdTopics).toEqual([{ name: 'dlq', partitions: 1, replicationFactor: 1 }]);
    const [dead] = h.kafka.records('dlq');
    expect(Buffer.from(dead.value!).toString()).toBe('not json');
    const headers = Object.fromEntries(dead.headers.map(([k, v]) => [k, v === null ? null : Buffer.from(v).toString()]));
    expect(headers).toMatchObject({
      h: 'x',
      '__connect.errors.topic': 'in',
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '1',
      '__connect.errors.connector.name': 'k',
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'org.apache.kafka.connect.json.JsonConverter',
      '__connect.errors.exception.class.name': 'DataException',
    });
    expect(headers['__connect.errors.exception.stacktrace']).toContain('DataException');
    const metrics = await h.metrics.text();
    expect(metrics).toContain('kafka_connect_task_error_metrics_deadletterqueue_produce_requests{connector="k",task="0"} 1');
    expect(metrics).toContain('kafka_connect_task_error_metrics_total_records_skipped{connector="k",task="0"} 1');
    expect(metrics).toContain('kafka_connect_task_error_metrics_total_errors_logged{connector="k",task="0"} 1');
  });

  it('waits for an unreachable cluster instead of failing, and joins again after the consumer failed', async () => {
    h.kafka.failSubscribes = 2;
    h.kafka.failPolls = 1;
    await h.herder.createConnector('k', { 'connector.class': 'test.CollectingSinkConnector', topics: 'in', 'errors.tolerance': 'all' });
    await eventually(() => h.kafka.committed('connect-k', 'in') === 3n, 20_000);
    expect(h.kafka.failSubscribes).toBe(0);
    expect(h.kafka.failPolls).toBe(0);
    expect(h.herder.taskStatus('k', 0).state).toBe('RUNNING');
  });

  it('retries put() after a RetriableException with the same batch', async () => {
    script.putFailures.push('retriable');
    await h.herder.createConnector('k', { 'connector.class': 'test.CollectingSinkConnector', topics: 'in', 'errors.tolerance': 'all' });
    await eventually(() => h.kafka.committed('connect-k', 'in') === 3n, 5000);
    expect(script.received).toHaveLength(2);
    expect(h.herder.taskStatus('k', 0).state).toBe('RUNNING');
  });
});

describe('plugin registry', () => {
  it('gives Kafka\'s aliases', () => {
    expect(aliasesOf('org.apache.kafka.connect.file.FileStreamSourceConnector')).toEqual(['FileStreamSourceConnector', 'FileStreamSource']);
  });

  it('loads connectors from plugin.path folders and accepts Kafka\'s FileStream jar with an info line', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sluice-plugins-'));
    const plugin = path.join(root, 'my-plugin');
    mkdirSync(plugin);
    const api = path.resolve('runtime/connect/api/index.ts');
    writeFileSync(path.join(plugin, 'package.json'), JSON.stringify({ name: 'my-plugin', main: 'main.ts' }));
    writeFileSync(
      path.join(plugin, 'main.ts'),
      `import { SinkConnector, SinkTask, ConfigDef } from ${JSON.stringify(api)};
class T extends SinkTask { version() { return '1'; } start() {} put() {} stop() {} }
export class EchoSinkConnector extends SinkConnector {
  static className = 'com.example.EchoSinkConnector';
  version() { return '2.0'; } start() {} stop() {} taskClass() { return T; } taskConfigs(n) { return [{}]; } config() { return new ConfigDef(); }
}
export const notAConnector = 42;
`,
    );
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const registry = PluginRegistry.withBuiltins('test');
    await registry.loadPluginPath([root, 'libs/connect-file-4.1.0.jar', 'libs/other-connector.jar', '/does/not/exist'], logger);
    expect(registry.connector('EchoSink')).toMatchObject({ className: 'com.example.EchoSinkConnector', type: 'sink', version: '2.0' });
    expect(lines.find((l) => l.msg.includes('connect-file-4.1.0.jar'))).toMatchObject({ level: 30 });
    expect(lines.find((l) => l.msg.includes('other-connector.jar'))).toMatchObject({ level: 40 });
    expect(lines.find((l) => l.msg.includes('/does/not/exist'))).toMatchObject({ level: 40 });
  });
});
