/**
 * Kafka Connect's worker metrics (ConnectMetricsRegistry) in Prometheus naming: the JMX group and
 * attribute joined with underscores under `kafka_connect_`, e.g. source-task-metrics /
 * source-record-poll-total → `kafka_connect_source_task_metrics_source_record_poll_total`, with
 * `connector` and `task` labels. Totals are counters; rates, averages and maxima are gauges over
 * Kafka's default windows (2 samples of 30 s). Task loops record per batch, never per record.
 * One registry per worker; the REST server serves it at /metrics.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Clock } from '../../util/clock.ts';
import { WindowedStat } from './windowed-stat.ts';

export const CONNECTOR_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING'] as const;
export type ConnectorStateName = (typeof CONNECTOR_STATES)[number];

type Labels = { connector: string; task: string };

class TaskStats {
  readonly pollRate = new WindowedStat();
  readonly writeRate = new WindowedStat();
  readonly pollTime = new WindowedStat();
  readonly readRate = new WindowedStat();
  readonly sendRate = new WindowedStat();
  readonly putTime = new WindowedStat();
  readonly commitTime = new WindowedStat();
  readonly batchSize = new WindowedStat();
  commitSuccesses = 0;
  commitFailures = 0;
  active = 0;
  partitions = 0;
  commitSeq = 0;
  lastErrorTimestamp = 0;
  kind: 'source' | 'sink';

  constructor(kind: 'source' | 'sink') {
    this.kind = kind;
  }
}

function key(connector: string, task: number): string {
  return `${connector}\u0000${task}`;
}

export class ConnectMetrics {
  readonly registry = new Registry();
  readonly #clock: Clock;
  readonly #tasks = new Map<string, { labels: Labels; stats: TaskStats }>();
  readonly #counters: Record<string, Counter<string>> = {};
  readonly #taskCounters: Array<Counter<string>> = [];
  readonly #infoLabels = new Map<string, Record<string, string>>();
  readonly #taskStatus: Gauge<string>;
  readonly #connectorStatus: Gauge<string>;
  readonly #connectorInfo: Gauge<string>;

  constructor(clock: Clock) {
    this.#clock = clock;
    const counter = (name: string, help: string, labelNames: string[] = ['connector', 'task']): void => {
      this.#counters[name] = new Counter({ name: `kafka_connect_${name}`, help, labelNames, registers: [this.registry] });
      if (labelNames.includes('task')) this.#taskCounters.push(this.#counters[name]);
    };
    counter('source_task_metrics_source_record_poll_total', 'Records produced/polled (before transformation) by the task.');
    counter('source_task_metrics_source_record_write_total', 'Records output from the transformations and written to Kafka (acknowledged).');
    counter('sink_task_metrics_sink_record_read_total', 'Records read from Kafka by the task (before transformation).');
    counter('sink_task_metrics_sink_record_send_total', 'Records output from the transformations and sent/put to the task.');
    counter('sink_task_metrics_offset_commit_completion_total', 'Offset commit completions that completed successfully.');
    counter('sink_task_metrics_offset_commit_skip_total', 'Offset commit completions that were skipped (nothing to commit or a newer commit won).');
    counter('task_error_metrics_total_record_errors', 'Record processing errors in the task.');
    counter('task_error_metrics_total_record_failures', 'Record processing failures in the task (including retries).');
    counter('task_error_metrics_total_records_skipped', 'Records skipped due to errors.');
    counter('task_error_metrics_total_retries', 'Operations retried.');
    counter('task_error_metrics_total_errors_logged', 'Errors that were logged.');
    counter('task_error_metrics_deadletterqueue_produce_requests', 'Attempted writes to the dead letter queue.');
    counter('task_error_metrics_deadletterqueue_produce_failures', 'Failed writes to the dead letter queue.');
    counter('worker_metrics_connector_startup_attempts_total', 'Connector starts attempted on this worker.', []);
    counter('worker_metrics_connector_startup_success_total', 'Connector starts that succeeded on this worker.', []);
    counter('worker_metrics_connector_startup_failure_total', 'Connector starts that failed on this worker.', []);
    counter('worker_metrics_task_startup_attempts_total', 'Task starts attempted on this worker.', []);
    counter('worker_metrics_task_startup_success_total', 'Task starts that succeeded on this worker.', []);
    counter('worker_metrics_task_startup_failure_total', 'Task starts that failed on this worker.', []);

    this.#taskStatus = new Gauge({
      name: 'kafka_connect_connector_task_metrics_status',
      help: 'The status of the connector task: 1 for the current state, 0 for the others.',
      labelNames: ['connector', 'task', 'status'],
      registers: [this.registry],
    });
    this.#connectorStatus = new Gauge({
      name: 'kafka_connect_connector_metrics_status',
      help: 'The status of the connector: 1 for the current state, 0 for the others.',
      labelNames: ['connector', 'status'],
      registers: [this.registry],
    });
    this.#connectorInfo = new Gauge({
      name: 'kafka_connect_connector_metrics_info',
      help: 'Class, type and version of the connector (always 1).',
      labelNames: ['connector', 'connector_class', 'connector_type', 'connector_version'],
      registers: [this.registry],
    });
    const windowed = (name: string, help: string, kind: 'source' | 'sink' | 'any', read: (s: TaskStats, now: number) => number): void => {
      const tasks = this.#tasks;
      const clock = this.#clock;
      new Gauge({
        name: `kafka_connect_${name}`,
        help,
        labelNames: ['connector', 'task'],
        registers: [this.registry],
        collect() {
          this.reset();
          const now = clock.now();
          for (const { labels, stats } of tasks.values()) {
            if (kind !== 'any' && stats.kind !== kind) continue;
            const value = read(stats, now);
            if (!Number.isNaN(value)) this.set(labels, value);
          }
        },
      });
    };
    windowed('source_task_metrics_source_record_poll_rate', 'Records per second produced/polled by the task.', 'source', (s, now) => s.pollRate.rate(now));
    windowed('source_task_metrics_source_record_write_rate', 'Records per second written to Kafka by the task.', 'source', (s, now) => s.writeRate.rate(now));
    windowed('source_task_metrics_poll_batch_avg_time_ms', 'Average time in milliseconds to poll a batch of source records.', 'source', (s, now) => s.pollTime.avg(now));
    windowed('source_task_metrics_poll_batch_max_time_ms', 'Maximum time in milliseconds to poll a batch of source records.', 'source', (s, now) => s.pollTime.max(now));
    windowed('source_task_metrics_source_record_active_count', 'Records polled but not yet acknowledged by Kafka.', 'source', (s) => s.active);
    windowed('sink_task_metrics_sink_record_read_rate', 'Records per second read from Kafka by the task.', 'sink', (s, now) => s.readRate.rate(now));
    windowed('sink_task_metrics_sink_record_send_rate', 'Records per second put to the task.', 'sink', (s, now) => s.sendRate.rate(now));
    windowed('sink_task_metrics_put_batch_avg_time_ms', 'Average time in milliseconds taken by the task to put a batch of records.', 'sink', (s, now) => s.putTime.avg(now));
    windowed('sink_task_metrics_put_batch_max_time_ms', 'Maximum time in milliseconds taken by the task to put a batch of records.', 'sink', (s, now) => s.putTime.max(now));
    windowed('sink_task_metrics_partition_count', 'Topic partitions assigned to the task.', 'sink', (s) => s.partitions);
    windowed('sink_task_metrics_offset_commit_seq_no', 'Current sequence number for offset commits.', 'sink', (s) => s.commitSeq);
    windowed('sink_task_metrics_sink_record_active_count', 'Records read from Kafka but not yet committed.', 'sink', (s) => s.active);
    windowed('connector_task_metrics_offset_commit_avg_time_ms', 'Average time in milliseconds taken by the task to commit offsets.', 'any', (s, now) => s.commitTime.avg(now));
    windowed('connector_task_metrics_offset_commit_max_time_ms', 'Maximum time in milliseconds taken by the task to commit offsets.', 'any', (s, now) => s.commitTime.max(now));
    windowed('connector_task_metrics_offset_commit_success_percentage', 'Average percentage of the task\'s offset commit attempts that succeeded.', 'any', (s) =>
      s.commitSuccesses + s.commitFailures === 0 ? 0 : s.commitSuccesses / (s.commitSuccesses + s.commitFailures),
    );
    windowed('connector_task_metrics_offset_commit_failure_percentage', 'Average percentage of the task\'s offset commit attempts that failed.', 'any', (s) =>
      s.commitSuccesses + s.commitFailures === 0 ? 0 : s.commitFailures / (s.commitSuccesses + s.commitFailures),
    );
    windowed('connector_task_metrics_batch_size_avg', 'Average size of the batches processed by the task.', 'any', (s, now) => s.batchSize.avg(now));
    windowed('connector_task_metrics_batch_size_max', 'Largest batch processed by the task.', 'any', (s, now) => s.batchSize.max(now));
    windowed('task_error_metrics_last_error_timestamp', 'Epoch timestamp (ms) when the task last encountered an error.', 'any', (s) => s.lastErrorTimestamp);
    const tasks = this.#tasks;
    const connectors = this.#infoLabels;
    new Gauge({
      name: 'kafka_connect_worker_metrics_connector_count',
      help: 'Connectors run in this worker.',
      registers: [this.registry],
      collect() {
        this.set(connectors.size);
      },
    });
    new Gauge({
      name: 'kafka_connect_worker_metrics_task_count',
      help: 'Tasks running on this worker.',
      registers: [this.registry],
      collect() {
        this.set(tasks.size);
      },
    });
  }

  #stats(connector: string, task: number, kind: 'source' | 'sink'): { labels: Labels; stats: TaskStats } {
    const k = key(connector, task);
    let entry = this.#tasks.get(k);
    if (entry === undefined) {
      entry = { labels: { connector, task: String(task) }, stats: new TaskStats(kind) };
      this.#tasks.set(k, entry);
    }
    return entry;
  }

  /** The recorder a task loop uses. */
  task(connector: string, task: number, kind: 'source' | 'sink'): TaskMetrics {
    const { labels, stats } = this.#stats(connector, task, kind);
    return new TaskMetrics(labels, stats, this.#counters, this.#clock);
  }

  taskStatus(connector: string, task: number, state: ConnectorStateName): void {
    for (const s of CONNECTOR_STATES) this.#taskStatus.set({ connector, task: String(task), status: s.toLowerCase() }, s === state ? 1 : 0);
  }

  connectorStatus(connector: string, state: ConnectorStateName): void {
    for (const s of CONNECTOR_STATES) this.#connectorStatus.set({ connector, status: s.toLowerCase() }, s === state ? 1 : 0);
  }

  connectorInfo(connector: string, className: string, type: string, version: string): void {
    const labels = { connector, connector_class: className, connector_type: type, connector_version: version };
    const previous = this.#infoLabels.get(connector);
    if (previous !== undefined) this.#connectorInfo.remove(previous);
    this.#infoLabels.set(connector, labels);
    this.#connectorInfo.set(labels, 1);
  }

  startup(kind: 'connector' | 'task', ok: boolean): void {
    this.#counters[`worker_metrics_${kind}_startup_attempts_total`].inc();
    this.#counters[`worker_metrics_${kind}_startup_${ok ? 'success' : 'failure'}_total`].inc();
  }

  /** Forgets a task's series (the task was removed, not merely restarted). */
  removeTask(connector: string, task: number): void {
    this.#tasks.delete(key(connector, task));
    const labels = { connector, task: String(task) };
    for (const counter of this.#taskCounters) counter.remove(labels);
    for (const s of CONNECTOR_STATES) this.#taskStatus.remove({ ...labels, status: s.toLowerCase() });
  }

  removeConnector(connector: string): void {
    for (const s of CONNECTOR_STATES) this.#connectorStatus.remove({ connector, status: s.toLowerCase() });
    const info = this.#infoLabels.get(connector);
    if (info !== undefined) this.#connectorInfo.remove(info);
    this.#infoLabels.delete(connector);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** What a task loop records. */
export class TaskMetrics {
  readonly #labels: Labels;
  readonly #stats: TaskStats;
  readonly #counters: Record<string, Counter<string>>;
  readonly #clock: Clock;

  constructor(labels: Labels, stats: TaskStats, counters: Record<string, Counter<string>>, clock: Clock) {
    this.#labels = labels;
    this.#stats = stats;
    this.#counters = counters;
    this.#clock = clock;
  }

  #inc(name: string, n = 1): void {
    if (n > 0) this.#counters[name].inc(this.#labels, n);
  }

  recordPoll(records: number, durationMs: number): void {
    const now = this.#clock.now();
    this.#inc('source_task_metrics_source_record_poll_total', records);
    this.#stats.pollRate.record(records, now);
    this.#stats.pollTime.record(durationMs, now);
    this.#stats.batchSize.record(records, now);
  }

  recordWrite(records: number): void {
    this.#inc('source_task_metrics_source_record_write_total', records);
    this.#stats.writeRate.record(records, this.#clock.now());
  }

  recordRead(records: number): void {
    const now = this.#clock.now();
    this.#inc('sink_task_metrics_sink_record_read_total', records);
    this.#stats.readRate.record(records, now);
    this.#stats.batchSize.record(records, now);
  }

  recordSend(records: number, putMs: number): void {
    const now = this.#clock.now();
    this.#inc('sink_task_metrics_sink_record_send_total', records);
    this.#stats.sendRate.record(records, now);
    this.#stats.putTime.record(putMs, now);
  }

  recordCommit(ok: boolean, durationMs: number): void {
    this.#stats.commitTime.record(durationMs, this.#clock.now());
    if (ok) this.#stats.commitSuccesses++;
    else this.#stats.commitFailures++;
    if (this.#stats.kind === 'sink') {
      this.#stats.commitSeq++;
      if (ok) this.#inc('sink_task_metrics_offset_commit_completion_total');
    }
  }

  recordCommitSkipped(): void {
    this.#inc('sink_task_metrics_offset_commit_skip_total');
  }

  setActive(records: number): void {
    this.#stats.active = records;
  }

  setPartitions(count: number): void {
    this.#stats.partitions = count;
  }

  recordError(): void {
    this.#inc('task_error_metrics_total_record_errors');
    this.#stats.lastErrorTimestamp = this.#clock.now();
  }

  recordFailure(): void {
    this.#inc('task_error_metrics_total_record_failures');
  }

  recordSkipped(): void {
    this.#inc('task_error_metrics_total_records_skipped');
  }

  recordRetry(): void {
    this.#inc('task_error_metrics_total_retries');
  }

  recordErrorLogged(): void {
    this.#inc('task_error_metrics_total_errors_logged');
  }

  recordDlqProduce(ok: boolean): void {
    this.#inc('task_error_metrics_deadletterqueue_produce_requests');
    if (!ok) this.#inc('task_error_metrics_deadletterqueue_produce_failures');
  }
}
