/**
 * The MongoDB sink task. put() converts each record and cuts the batch into runs of consecutive
 * records for the same topic and namespace (at most max.batch.size each), each written with one
 * bulkWrite. Writes are pipelined: put() converts its batch while earlier writes are under way
 * and queues it behind them, so the server always has the next batch waiting instead of waiting
 * for the worker to fetch and convert it. Queued runs for the same namespace are written as one
 * bulkWrite (up to COALESCED_RECORDS records, or max.batch.size; not under rate limiting): a
 * server that falls behind gets fewer, larger writes, which FerretDB's SQLite commits up to a
 * third faster per record. Only once the queue holds COALESCED_RECORDS records does put() wait
 * for it. flush() (and so preCommit) waits for the writes under way, so the offsets
 * the worker commits are all written. Records that cannot be written go to the dead letter queue
 * (or fail the task) as mongo.errors.tolerance says. A write that fails in the background fails
 * the next put() or flush(); after a retriable failure, put() writes the unfinished batch again
 * before its own (the worker retries put() with the same records), while a failed flush() drops it
 * (the worker rewinds to the committed offsets and delivers those records again).
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { SinkRecord, TopicPartitionOffset } from '../../runtime/connect/api/index.ts';
import { ConnectError, DataException, RetriableException, SinkTask } from '../../runtime/connect/api/index.ts';
import type { BulkWriteFn, FailedWrite } from './bulk-writer.ts';
import { WriteFailedError, writeRun } from './bulk-writer.ts';
import { idempotenceWarnings } from './idempotence.ts';
import type { Logger } from './log.ts';
import { mongoLogger } from './log.ts';
import { describeMongoError, isRetriableMongoError } from './mongo-errors.ts';
import { namespaceKey } from './namespace.ts';
import type { RecordWrite } from './record-writes.ts';
import { recordWrite } from './record-writes.ts';
import type { TopicSettings } from './sink-config.ts';
import { CONNECTION_URI_CONFIG, MONGODB_SINK_CONFIG, TOPIC_OVERRIDE_PREFIX, settingsForTopic } from './sink-config.ts';
import type { RunCommand } from './timeseries.ts';
import { ensureTimeseriesCollection } from './timeseries.ts';
import { MONGODB_CONNECTOR_VERSION } from './version.ts';

const MAX_BACKOFF_MS = 10_000;
/** Records queued behind the write under way before put() waits; also the most one bulkWrite carries from several puts. */
export const COALESCED_RECORDS = 10_000;

/** Consecutive writes for one topic and namespace (`key`), written with one bulkWrite. */
interface RunStep {
  readonly key: string;
  readonly run: readonly RecordWrite[];
}
/** What put() does for a batch, in record order: runs to write, and records that could not be converted. */
type Step = RunStep | { readonly settings: TopicSettings; readonly record: SinkRecord; readonly error: DataException };

/** Injected for tests: time, sleeping, and the driver call. */
export interface MongoSinkTaskOverrides {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  bulkWrite?: BulkWriteFn;
  runCommand?: RunCommand;
}

export class MongoSinkTask extends SinkTask {
  readonly #overrides: MongoSinkTaskOverrides;
  #props: Readonly<Record<string, string>> = {};
  #settings = new Map<string, TopicSettings>();
  #client: MongoClient | null = null;
  #log: Logger = mongoLogger('mongodb-sink');
  #batchesWritten = 0;
  /** Namespaces whose time-series collection exists (checked or created once per task). */
  readonly #timeseriesReady = new Set<string>();
  /** Steps of the batch being written (or left unfinished by a retriable failure), removed as they complete. */
  #pending: Step[] = [];
  /** The background writing of #pending, until put() or flush() waits for it. */
  #writing: Promise<void> | null = null;
  /** #writing is still taking steps from #pending, so a put() may queue its own behind them. */
  #writerRunning = false;

  constructor(overrides: MongoSinkTaskOverrides = {}) {
    super();
    this.#overrides = overrides;
  }

  version(): string {
    return MONGODB_CONNECTOR_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    this.#props = { ...props };
    this.#settings.clear();
    this.#log = mongoLogger('mongodb-sink', { connector: props.name, task: props['task.id'] });
    MONGODB_SINK_CONFIG.parse(props);
    for (const topic of this.#knownTopics()) {
      for (const warning of idempotenceWarnings(this.#topicSettings(topic))) this.#log.warn(warning);
    }
    if (this.#overrides.bulkWrite === undefined) {
      const uri = MONGODB_SINK_CONFIG.parse(props).getPassword(CONNECTION_URI_CONFIG)?.value() ?? '';
      this.#client = new MongoClient(uri, { appName: 'sluice-mongodb-sink' });
    }
  }

  /** Topics named in `topics` and in topic overrides: their settings are checked at start. */
  #knownTopics(): string[] {
    const topics = new Set((this.#props.topics ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''));
    const keys = MONGODB_SINK_CONFIG.names();
    for (const name of Object.keys(this.#props)) {
      if (!name.startsWith(TOPIC_OVERRIDE_PREFIX)) continue;
      // Topic names may hold dots too: the key is the defined config key the name ends with.
      const rest = name.slice(TOPIC_OVERRIDE_PREFIX.length);
      const key = keys.find((candidate) => rest.endsWith(`.${candidate}`));
      if (key !== undefined) topics.add(rest.slice(0, rest.length - key.length - 1));
    }
    return [...topics];
  }

  #topicSettings(topic: string): TopicSettings {
    let settings = this.#settings.get(topic);
    if (settings === undefined) {
      settings = settingsForTopic(this.#props, topic);
      this.#settings.set(topic, settings);
    }
    return settings;
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    const steps = this.#plan(records);
    if (this.#writerRunning && queuedRecords(this.#pending) + records.length <= COALESCED_RECORDS) {
      this.#pending.push(...steps);
      return;
    }
    await this.#settle();
    this.#pending = steps;
    this.#writerRunning = true;
    const writing = this.#writeInBackground(steps);
    // Its failure is reported by the next put() or flush(), which wait for it.
    writing.catch(() => undefined);
    this.#writing = writing;
  }

  override async flush(_currentOffsets: readonly TopicPartitionOffset[]): Promise<void> {
    try {
      await this.#settle();
    } catch (error) {
      // The worker delivers everything after the committed offsets again.
      this.#pending = [];
      throw error;
    }
  }

  /** Waits for the writes under way; writes what a retriable failure left unfinished. */
  async #settle(): Promise<void> {
    const writing = this.#writing;
    this.#writing = null;
    if (writing !== null) await writing;
    if (this.#pending.length > 0) await this.#runSteps(this.#pending);
  }

  /** Converts the records into runs of writes (and records to report), in record order. */
  #plan(records: readonly SinkRecord[]): Step[] {
    const now = this.#overrides.now?.() ?? new Date();
    const steps: Step[] = [];
    let run: RecordWrite[] = [];
    let runKey = '';
    for (const record of records) {
      const settings = this.#topicSettings(record.topic);
      let write: RecordWrite | null;
      try {
        write = recordWrite(settings, record, now);
      } catch (error) {
        if (!(error instanceof DataException)) throw error;
        // Earlier records go first so that the DLQ and the collection keep record order.
        if (run.length > 0) steps.push({ key: runKey, run });
        run = [];
        steps.push({ settings, record, error });
        continue;
      }
      if (write === null) continue;
      const key = `${record.topic}\u0000${namespaceKey(write.namespace)}`;
      if (run.length > 0 && (key !== runKey || (settings.maxBatchSize > 0 && run.length >= settings.maxBatchSize))) {
        steps.push({ key: runKey, run });
        run = [];
      }
      runKey = key;
      run.push(write);
    }
    if (run.length > 0) steps.push({ key: runKey, run });
    return steps;
  }

  /**
   * Runs the steps in order, removing each once done: on failure the array holds what is left.
   * Steps put() queues while this runs are taken too.
   */
  async #runSteps(steps: Step[]): Promise<void> {
    while (steps.length > 0) {
      const step = steps[0]!;
      if ('run' in step) {
        const merged = this.#mergeableRuns(steps);
        await this.#writeRun(merged === 1 ? step.run : steps.slice(0, merged).flatMap((s) => (s as RunStep).run));
        steps.splice(0, merged);
      } else {
        await this.#failed(step.settings, step.record, step.error);
        steps.shift();
      }
    }
  }

  async #writeInBackground(steps: Step[]): Promise<void> {
    try {
      await this.#runSteps(steps);
    } finally {
      // Cleared as the last step completes, so that no put() queues behind a writer that is done.
      this.#writerRunning = false;
    }
  }

  /** How many runs from the head of `steps` on go into one bulkWrite: same namespace, within the size limit. */
  #mergeableRuns(steps: readonly Step[]): number {
    const head = steps[0] as RunStep;
    const { maxBatchSize, rateLimitEveryN } = this.#topicSettings(head.run[0]!.record.topic);
    // Rate limiting counts bulkWrites: merged ones would pause less often than configured.
    if (rateLimitEveryN > 0) return 1;
    const limit = maxBatchSize > 0 ? Math.min(maxBatchSize, COALESCED_RECORDS) : COALESCED_RECORDS;
    let records = head.run.length;
    let count = 1;
    for (; count < steps.length; count++) {
      const next = steps[count]!;
      if (!('run' in next) || next.key !== head.key || records + next.run.length > limit) break;
      records += next.run.length;
    }
    return count;
  }

  async #writeRun(run: readonly RecordWrite[]): Promise<void> {
    if (run.length === 0) return;
    const settings = this.#topicSettings(run[0]!.record.topic);
    const namespace = run[0]!.namespace;
    if (settings.timeseries !== null && !this.#timeseriesReady.has(namespaceKey(namespace))) {
      const timeseries = settings.timeseries;
      await this.#withRetries(settings, async () => {
        await ensureTimeseriesCollection(this.#runCommand, namespace, timeseries);
        return [];
      });
      this.#timeseriesReady.add(namespaceKey(namespace));
    }
    const failed = await this.#withRetries(settings, () => writeRun(this.#bulkWrite, run, settings.ordered));
    for (const { write, error } of failed) await this.#failed(settings, write.record, error);
    this.#batchesWritten += 1;
    if (settings.rateLimitEveryN > 0 && settings.rateLimitTimeoutMs > 0 && this.#batchesWritten % settings.rateLimitEveryN === 0) {
      await this.#sleep(settings.rateLimitTimeoutMs);
    }
  }

  async #withRetries(settings: TopicSettings, attempt: () => Promise<FailedWrite[]>): Promise<FailedWrite[]> {
    let backoff = settings.retryBackoffMs;
    for (let retry = 0; ; retry += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRetriableMongoError(error)) {
          if (error instanceof ConnectError) throw error;
          throw new ConnectError(`Writing to MongoDB failed: ${describeMongoError(error)}`, { code: 'MONGODB_WRITE_FAILED', cause: error });
        }
        if (retry >= settings.maxRetries) {
          // Give the batch back to the worker, which redelivers it after the timeout.
          this.context.timeout(backoff);
          throw new RetriableException(`Writing to MongoDB failed ${retry + 1} times with retriable errors: ${describeMongoError(error)}`, { code: 'MONGODB_RETRIABLE', cause: error });
        }
        this.#log.warn({ err: describeMongoError(error), retry: retry + 1, backoffMs: backoff }, 'retriable MongoDB error; retrying');
        await this.#sleep(backoff);
        backoff = Math.min(Math.max(backoff * 2, 1), MAX_BACKOFF_MS);
      }
    }
  }

  async #failed(settings: TopicSettings, record: SinkRecord, error: Error): Promise<void> {
    const tolerated = settings.tolerance === 'all' || (settings.tolerance === 'data' && (error instanceof DataException || error instanceof WriteFailedError));
    if (!tolerated) {
      throw new ConnectError(`Failed to write ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset} to MongoDB (mongo.errors.tolerance=${settings.tolerance}): ${error.message}`, {
        code: error instanceof DataException ? 'MONGODB_DATA_ERROR' : 'MONGODB_WRITE_FAILED',
        cause: error,
      });
    }
    if (settings.logErrors) this.#log.error({ topic: record.topic, partition: record.kafkaPartition, offset: record.kafkaOffset, err: error.message }, 'record not written');
    const reporter = this.context.errantRecordReporter();
    if (reporter !== null) await reporter.report(record, error);
  }

  #bulkWrite: BulkWriteFn = async (namespace, operations, ordered) => {
    if (this.#overrides.bulkWrite !== undefined) return this.#overrides.bulkWrite(namespace, operations, ordered);
    if (this.#client === null) throw new ConnectError('MongoSinkTask used before start()', { code: 'MONGODB_NOT_STARTED' });
    await this.#client.db(namespace.database).collection(namespace.collection).bulkWrite(operations as Array<AnyBulkWriteOperation<Document>>, { ordered });
  };

  #runCommand: RunCommand = async (database, command) => {
    if (this.#overrides.runCommand !== undefined) return this.#overrides.runCommand(database, command);
    if (this.#client === null) throw new ConnectError('MongoSinkTask used before start()', { code: 'MONGODB_NOT_STARTED' });
    return this.#client.db(database).command(command);
  };

  #sleep(ms: number): Promise<void> {
    return this.#overrides.sleep?.(ms) ?? new Promise((resolve) => setTimeout(resolve, ms));
  }

  async stop(): Promise<void> {
    // Writes still under way finish (or fail) before the client closes; unacknowledged records
    // are not committed and come again after a restart.
    await this.#writing?.catch(() => undefined);
    this.#writing = null;
    this.#writerRunning = false;
    this.#pending = [];
    const client = this.#client;
    this.#client = null;
    await client?.close();
  }
}

function queuedRecords(steps: readonly Step[]): number {
  let records = 0;
  for (const step of steps) records += 'run' in step ? step.run.length : 1;
  return records;
}
