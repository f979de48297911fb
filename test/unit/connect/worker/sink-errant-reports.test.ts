// Errant record reports (KIP-610) that a sink task makes after put() returned, as sinks that
// write asynchronously do (Elasticsearch answers a bulk request later): with a dead letter queue
// the consumed record is kept for them; without one (nor an error log) the task gets no reporter.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrantRecordReporter, SinkRecord } from '../../../../runtime/connect/api/index.ts';
import { ConfigDef, DataException, SinkConnector, SinkTask } from '../../../../runtime/connect/api/index.ts';
import { PluginRegistry } from '../../../../runtime/connect/worker/plugins.ts';
import { eventually } from './fake-kafka.ts';
import type { Harness } from './harness.ts';
import { createHarness } from './harness.ts';

const late = { held: [] as SinkRecord[], reported: [] as string[], written: [] as string[], skipped: [] as string[], hadReporter: false };

/** Holds records in put() and settles them in flush(): values "bad…" are reported then (skipped without a reporter), the rest written. */
class LateReportingSinkTask extends SinkTask {
  #reporter: ErrantRecordReporter | null = null;
  version(): string {
    return '1';
  }
  start(): void {
    this.#reporter = this.context.errantRecordReporter();
    late.hadReporter = this.#reporter !== null;
  }
  put(records: readonly SinkRecord[]): void {
    late.held.push(...records);
  }
  override async flush(): Promise<void> {
    const held = late.held.splice(0);
    for (const record of held) {
      const value = String(record.value);
      if (!value.startsWith('bad')) {
        late.written.push(value);
        continue;
      }
      if (this.#reporter === null) {
        late.skipped.push(value);
        continue;
      }
      await this.#reporter.report(record, new DataException(`cannot write ${value}`));
      late.reported.push(value);
    }
  }
  stop(): void {}
}

class LateReportingSinkConnector extends SinkConnector {
  version(): string {
    return '1';
  }
  start(): void {}
  taskClass(): new () => SinkTask {
    return LateReportingSinkTask;
  }
  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    return Array.from({ length: maxTasks }, () => ({}));
  }
  stop(): void {}
  config(): ConfigDef<object> {
    return new ConfigDef();
  }
}

describe('errant record reports after put() returned', () => {
  let h: Harness;
  beforeEach(async () => {
    late.held = [];
    late.reported = [];
    late.written = [];
    late.skipped = [];
    late.hadReporter = false;
    const plugins = PluginRegistry.withBuiltins('test');
    plugins.register(LateReportingSinkConnector, { className: 'test.LateReportingSinkConnector', origin: 'test' });
    h = await createHarness({ plugins, workerProps: { 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } });
    for (const value of ['good-1', 'bad-2', 'good-3']) h.kafka.append('in', { key: Buffer.from(`k-${value}`), value: Buffer.from(value), headers: [['h', Buffer.from('x')]], timestamp: 5 });
  });
  afterEach(async () => {
    await h.herder.stop();
  });

  it('writes the consumed record, bytes and headers unchanged, to the dead letter queue', async () => {
    await h.herder.createConnector('k', {
      'connector.class': 'test.LateReportingSinkConnector',
      topics: 'in',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
    });
    await eventually(() => h.kafka.committed('connect-k', 'in') === 3n);
    expect(late.written).toEqual(['good-1', 'good-3']);
    expect(late.reported).toEqual(['bad-2']);
    const [dead] = h.kafka.records('dlq');
    expect(Buffer.from(dead.value!).toString()).toBe('bad-2');
    expect(Buffer.from(dead.key!).toString()).toBe('k-bad-2');
    expect(dead.headers.map(([k, v]) => [k, v === null ? null : Buffer.from(v).toString()])).toEqual([['h', 'x']]);
  });

  it('gives the task no reporter without a dead letter queue or error log, as Kafka Connect does', async () => {
    await h.herder.createConnector('k', { 'connector.class': 'test.LateReportingSinkConnector', topics: 'in', 'errors.tolerance': 'all' });
    await eventually(() => h.kafka.committed('connect-k', 'in') === 3n);
    expect(late.hadReporter).toBe(false);
    expect(late.skipped).toEqual(['bad-2']);
    expect(late.reported).toEqual([]);
    expect(h.herder.taskStatus('k', 0).state).toBe('RUNNING');
    expect(h.kafka.records('dlq')).toEqual([]);
  });
});
