/**
 * The sink task loop (Kafka's WorkerSinkTask): consume from the connector's group
 * (`connect-<name>`, auto.offset.reset=earliest, no auto-commit), convert and transform each
 * record, put() batches into the task, and every offset.flush.interval.ms ask the task what may
 * be committed (preCommit, which flushes by default) and commit exactly that. Partitions are
 * opened and closed with the group's assignment; revoked partitions are committed first. A
 * RetriableException from put() is retried with the same batch after the task's timeout.
 */
import type { ConsumerRecord, RebalanceListener, TopicPartition as ClientTopicPartition, TopicPartitionOffset as ClientOffset } from '../../client/index.ts';
import { topicPartitionKey } from '../../client/index.ts';
import type { ErrantRecordReporter, SchemaAndValue, SinkTask, SinkTaskContext, TopicPartition, TopicPartitionOffset } from '../api/index.ts';
import { SluiceError } from '../../util/errors.ts';
import { ConnectError, ConnectHeaders, SinkRecord } from '../api/index.ts';
import type { RetryWithToleranceOperator } from './errors/retry-with-tolerance.ts';
import { SKIPPED } from './errors/retry-with-tolerance.ts';
import type { TaskMetrics } from './metrics.ts';
import type { TaskConverters } from './task-converters.ts';
import type { TransformationStage } from './transformation-chain.ts';
import type { TaskTargetState, WorkerTaskOptions } from './worker-task.ts';
import { WorkerTask, taskIdString } from './worker-task.ts';

/** What a sink task needs from a consumer (KafkaConsumer fits). */
export interface RecordConsumer {
  subscribe(topics: readonly string[] | RegExp, listener?: RebalanceListener): Promise<void>;
  poll(timeoutMs: number): Promise<ConsumerRecord[]>;
  commit(offsets?: readonly ClientOffset[]): Promise<void>;
  pause(partitions: readonly ClientTopicPartition[]): void;
  resume(partitions: readonly ClientTopicPartition[]): void;
  assignment(): ClientTopicPartition[];
  position(topic: string, partition: number): bigint | undefined;
  seek(topic: string, partition: number, offset: bigint): void;
  wakeup(): void;
  close(): Promise<void>;
}

export interface WorkerSinkTaskOptions extends WorkerTaskOptions {
  task: SinkTask;
  taskConfig: Readonly<Record<string, string>>;
  subscription: readonly string[] | RegExp;
  converters: TaskConverters;
  transforms: ReadonlyArray<TransformationStage<SinkRecord>>;
  /** Creates the task's consumer; called again when the cluster could not be reached. */
  createConsumer: () => RecordConsumer;
  operator: RetryWithToleranceOperator;
  metrics: TaskMetrics;
  flushIntervalMs: number;
  /** Reports a record to the DLQ / log through the operator (KIP-610), or null when errors are not reported. */
  errantRecordReporter: ((raw: ConsumerRecord, error: Error) => Promise<void>) | null;
  /**
   * Whether the reporter passes consumed records on (a dead letter queue or the error log; the
   * default is true). When false the task gets no reporter, as in Kafka Connect (its
   * errantRecordReporter() is null unless a dead letter queue or the error log is configured):
   * the task handles rejected records by its own settings, and neither it nor the worker keeps
   * records (or their fetched bytes) alive for reports.
   */
  reportsConsumedRecords?: boolean;
  onTopic: (topic: string) => void;
  /** Called when the task is done with its clients (DLQ producer). */
  closeResources: () => Promise<void>;
}

const MAX_POLL_WAIT_MS = 1000;
/** Waits between attempts to reach the cluster again: from the first to the last value. */
const RECONNECT_BACKOFF_MS = [500, 1000, 2000, 5000, 10000];

/**
 * The consumed record behind a record given to put(), for the errant record reporter: tasks may
 * report a record after put() returned (KIP-610), as Java's InternalSinkRecord keeps its
 * ConsumerRecord. A symbol-keyed property rather than a WeakMap: sink tasks buffer many records,
 * and a weak map entry for each costs the garbage collector far more than a property.
 */
const CONSUMED = Symbol('consumed record');

type WithConsumed = SinkRecord & { [CONSUMED]?: ConsumerRecord };

function remember(record: SinkRecord, raw: ConsumerRecord): void {
  (record as WithConsumed)[CONSUMED] = raw;
}

function consumedRecordOf(record: SinkRecord): ConsumerRecord | undefined {
  return (record as WithConsumed)[CONSUMED];
}

function isRetriable(err: unknown): boolean {
  return err instanceof SluiceError && err.retriable;
}

export class WorkerSinkTask extends WorkerTask {
  readonly #options: WorkerSinkTaskOptions;
  readonly #task: SinkTask;
  #consumer: RecordConsumer;
  /** Next offset to commit per partition (last consumed + 1), as the task has seen it. */
  readonly #current = new Map<string, TopicPartitionOffset>();
  readonly #lastCommitted = new Map<string, TopicPartitionOffset>();
  readonly #taskPaused = new Set<string>();
  readonly #topics = new Set<string>();
  #pendingSeeks: TopicPartitionOffset[] = [];
  #commitRequested = false;
  #putTimeoutMs = -1;
  #nextCommit = 0;
  #started = false;
  #closingPartitions = false;
  /** Set once a converter answered asynchronously: records then always go through #convert. */
  #slowPath = false;
  /** Raw records of the batch being put, for the errant record reporter. */
  #batch: readonly ConsumerRecord[] = [];

  /** The errant record reporter, or null when there is none; with one, the consumed record behind each record given to put() is kept for it. */
  readonly #reporter: ((raw: ConsumerRecord, error: Error) => Promise<void>) | null;

  constructor(options: WorkerSinkTaskOptions) {
    super(options);
    this.#options = options;
    this.#task = options.task;
    this.#consumer = options.createConsumer();
    this.#reporter = options.reportsConsumedRecords === false ? null : options.errantRecordReporter;
  }

  #context(): SinkTaskContext {
    const reporter = this.#reporter;
    const errant: ErrantRecordReporter | null =
      reporter === null
        ? null
        : {
            report: async (record, error) => {
              const raw =
                consumedRecordOf(record) ??
                this.#batch.find((r) => r.topic === record.originalTopic && r.partition === record.originalKafkaPartition && Number(r.offset) === record.originalKafkaOffset);
              if (raw === undefined) throw new ConnectError(`errantRecordReporter.report(): ${record.originalTopic}-${record.originalKafkaPartition}@${record.originalKafkaOffset} is not in the batch being put`);
              await reporter(raw, error);
            },
          };
    return {
      configs: () => this.#options.taskConfig,
      offset: (offsets) => {
        this.#pendingSeeks.push(...offsets);
      },
      timeout: (ms) => {
        this.#putTimeoutMs = ms;
      },
      assignment: () => this.#consumer.assignment().map(({ topic, partition }) => ({ topic, partition })),
      pause: (...partitions) => {
        for (const tp of partitions) this.#taskPaused.add(topicPartitionKey(tp.topic, tp.partition));
        this.#consumer.pause(partitions.map(({ topic, partition }) => ({ topic, partition })));
      },
      resume: (...partitions) => {
        for (const tp of partitions) this.#taskPaused.delete(topicPartitionKey(tp.topic, tp.partition));
        if (!this.isPaused()) this.#consumer.resume(partitions.map(({ topic, partition }) => ({ topic, partition })));
      },
      requestCommit: () => {
        this.#commitRequested = true;
      },
      errantRecordReporter: () => errant,
    };
  }

  protected async execute(): Promise<void> {
    const { taskConfig, flushIntervalMs } = this.#options;
    this.#task.initialize(this.#context());
    await this.#task.start(taskConfig);
    this.#started = true;
    this.logger.info(`${taskIdString(this.id)} sink task finished initialization and start`);
    await this.#subscribe();
    this.listener.onStartup(this.id);
    if (this.isPaused()) this.listener.onPause(this.id);
    this.#nextCommit = this.clock.now() + flushIntervalMs;
    while (!this.stopping()) {
      this.#applySeeks();
      const now = this.clock.now();
      if (this.#commitRequested || now >= this.#nextCommit) {
        this.#commitRequested = false;
        this.#nextCommit = now + flushIntervalMs;
        await this.#commit(this.#consumer.assignment());
      }
      let records: ConsumerRecord[];
      try {
        records = await this.#consumer.poll(Math.max(0, Math.min(this.#nextCommit - this.clock.now(), MAX_POLL_WAIT_MS)));
      } catch (err) {
        if (!isRetriable(err) || this.stopping()) throw err;
        await this.#reconnect(err);
        continue;
      }
      if (records.length === 0) continue;
      this.#options.metrics.recordRead(records.length);
      const converted = await this.#convertAll(records);
      await this.#deliver(converted, records);
    }
  }

  /**
   * Joins the group, retrying while the cluster cannot be reached (a broker restarting): Kafka
   * Connect's consumers wait for the cluster too. A consumer whose join failed is replaced.
   */
  async #subscribe(): Promise<void> {
    const { subscription } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#consumer.subscribe(subscription, {
          onPartitionsAssigned: (partitions) => this.#opened(partitions),
          onPartitionsRevoked: (partitions) => this.#revoked(partitions),
        });
        return;
      } catch (err) {
        if (!isRetriable(err) || this.stopping()) throw err;
        const wait = RECONNECT_BACKOFF_MS[Math.min(attempt, RECONNECT_BACKOFF_MS.length - 1)];
        this.logger.warn({ err }, `${taskIdString(this.id)}: cannot join the consumer group yet; trying again in ${wait} ms`);
        await this.#consumer.close().catch(() => undefined);
        await this.sleep(wait);
        if (this.stopping()) throw err;
        this.#consumer = this.#options.createConsumer();
      }
    }
  }

  /** The consumer failed for good (e.g. the cluster went away): close its partitions and join again with a new one. */
  async #reconnect(cause: unknown): Promise<void> {
    this.logger.warn({ err: cause }, `${taskIdString(this.id)}: the consumer failed; records since the last commit will be delivered again`);
    const assigned = this.#consumer.assignment();
    this.#closingPartitions = true;
    await this.#consumer.close().catch(() => undefined);
    this.#closingPartitions = false;
    await this.#task.close(assigned.map(({ topic, partition }) => ({ topic, partition })));
    this.#current.clear();
    this.#lastCommitted.clear();
    this.#options.metrics.setPartitions(0);
    await this.sleep(RECONNECT_BACKOFF_MS[0]);
    if (this.stopping()) return;
    this.#consumer = this.#options.createConsumer();
    await this.#subscribe();
  }

  protected override onTargetStateChanged(state: TaskTargetState): void {
    const assigned = this.#consumer.assignment();
    if (state === 'PAUSED') this.#consumer.pause(assigned);
    else this.#consumer.resume(assigned.filter((tp) => !this.#taskPaused.has(topicPartitionKey(tp.topic, tp.partition))));
    this.#consumer.wakeup();
  }

  async #opened(partitions: ClientTopicPartition[]): Promise<void> {
    for (const { topic, partition } of partitions) {
      const position = this.#consumer.position(topic, partition);
      const key = topicPartitionKey(topic, partition);
      if (position !== undefined) this.#lastCommitted.set(key, { topic, partition, offset: Number(position) });
      if (!this.#topics.has(topic)) {
        this.#topics.add(topic);
        this.#options.onTopic(topic);
      }
    }
    if (this.isPaused()) this.#consumer.pause(partitions);
    this.#options.metrics.setPartitions(this.#consumer.assignment().length);
    await this.#task.open(partitions.map(({ topic, partition }) => ({ topic, partition })));
  }

  async #revoked(partitions: ClientTopicPartition[]): Promise<void> {
    if (this.#closingPartitions) return;
    await this.#commit(partitions);
    await this.#task.close(partitions.map(({ topic, partition }) => ({ topic, partition })));
    for (const { topic, partition } of partitions) {
      const key = topicPartitionKey(topic, partition);
      this.#current.delete(key);
      this.#lastCommitted.delete(key);
      this.#taskPaused.delete(key);
    }
    this.#options.metrics.setPartitions(Math.max(0, this.#consumer.assignment().length - partitions.length));
  }

  #applySeeks(): void {
    if (this.#pendingSeeks.length === 0) return;
    const seeks = this.#pendingSeeks;
    this.#pendingSeeks = [];
    for (const { topic, partition, offset } of seeks) {
      this.logger.info({ topic, partition, offset }, `${taskIdString(this.id)}: rewinding to the offset the task asked for`);
      this.#consumer.seek(topic, partition, BigInt(offset));
      this.#current.set(topicPartitionKey(topic, partition), { topic, partition, offset });
    }
  }

  async #convertAll(records: readonly ConsumerRecord[]): Promise<SinkRecord[]> {
    const out: SinkRecord[] = [];
    for (const raw of records) {
      // The fast path converts and transforms directly; any error (or an asynchronous converter)
      // sends the record through the error handler instead.
      let record: SinkRecord | null | undefined = this.#slowPath ? undefined : this.#convertFast(raw);
      if (record === undefined) record = await this.#convert(raw);
      if (record !== null) out.push(record);
    }
    return out;
  }

  /** The sink record, null when a transform dropped it, undefined when the slow path must run. */
  #convertFast(raw: ConsumerRecord): SinkRecord | null | undefined {
    const { converters, transforms } = this.#options;
    try {
      let headers: ConnectHeaders | null = null;
      if (raw.headers.length > 0) {
        headers = new ConnectHeaders();
        for (const [name, bytes] of raw.headers) {
          const header = converters.header.toConnectHeader(raw.topic, name, bytes);
          if (header instanceof Promise) return this.#goSlow(header);
          headers.add(name, header.value, header.schema);
        }
      }
      const key = converters.key.toConnectData(raw.topic, headers, raw.key);
      if (key instanceof Promise) return this.#goSlow(key);
      const value = converters.value.toConnectData(raw.topic, headers, raw.value);
      if (value instanceof Promise) return this.#goSlow(value);
      let record: SinkRecord | null = sinkRecord(raw, key, value, headers);
      for (let i = 0; i < transforms.length && record !== null; i++) record = transforms[i].apply(record);
      if (record !== null && this.#reporter !== null) remember(record, raw);
      return record;
    } catch {
      return undefined;
    }
  }

  /** A converter answered with a promise: from now on every record takes the (async) slow path. */
  #goSlow(pending: Promise<unknown>): undefined {
    pending.catch(() => undefined);
    this.#slowPath = true;
    return undefined;
  }

  /** One consumed record through the converters and transforms; null when dropped or skipped. */
  async #convert(raw: ConsumerRecord): Promise<SinkRecord | null> {
    const { converters, operator, transforms } = this.#options;
    const context = { consumerRecord: raw };
    let headers: ConnectHeaders | null = null;
    if (raw.headers.length > 0) {
      headers = new ConnectHeaders();
      for (const [name, bytes] of raw.headers) {
        let header = operator.executeSync('HEADER_CONVERTER', converters.headerClass, () => converters.header.toConnectHeader(raw.topic, name, bytes), context);
        if (header instanceof Promise) header = await header;
        if (header === SKIPPED) return null;
        headers.add(name, header.value, header.schema);
      }
    }
    let key = operator.executeSync('KEY_CONVERTER', converters.keyClass, () => converters.key.toConnectData(raw.topic, headers, raw.key), context);
    if (key instanceof Promise) key = await key;
    if (key === SKIPPED) return null;
    let value = operator.executeSync('VALUE_CONVERTER', converters.valueClass, () => converters.value.toConnectData(raw.topic, headers, raw.value), context);
    if (value instanceof Promise) value = await value;
    if (value === SKIPPED) return null;
    let record: SinkRecord | null = sinkRecord(raw, key, value, headers);
    for (const stage of transforms) {
      const current: SinkRecord = record;
      let next = operator.executeSync('TRANSFORMATION', stage.className, () => stage.apply(current), context);
      if (next instanceof Promise) next = await next;
      if (next === SKIPPED || next === null) return null;
      record = next;
    }
    if (this.#reporter !== null) remember(record, raw);
    return record;
  }

  /** put() the batch (retrying RetriableExceptions), then remember the consumed positions. */
  async #deliver(records: readonly SinkRecord[], raw: readonly ConsumerRecord[]): Promise<void> {
    this.#batch = raw;
    const started = this.clock.now();
    for (;;) {
      try {
        if (records.length > 0) await this.#task.put(records);
        break;
      } catch (err) {
        if (!(err instanceof ConnectError && err.retriable) || this.stopping()) throw err;
        const wait = this.#putTimeoutMs >= 0 ? this.#putTimeoutMs : 1000;
        this.#putTimeoutMs = -1;
        this.logger.warn({ err }, `${taskIdString(this.id)}: RetriableException from SinkTask.put(); retrying the same ${records.length} records in ${wait} ms`);
        this.#options.metrics.recordRetry();
        await this.sleep(wait);
        if (this.stopping()) throw err;
      }
    }
    this.#batch = [];
    this.#options.metrics.recordSend(records.length, this.clock.now() - started);
    // A poll returns each partition's records together and in order: only the last one counts.
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i];
      const next = raw[i + 1];
      if (next !== undefined && next.partition === r.partition && next.topic === r.topic) continue;
      this.#current.set(topicPartitionKey(r.topic, r.partition), { topic: r.topic, partition: r.partition, offset: Number(r.offset) + 1 });
    }
    this.#options.metrics.setActive(this.#current.size);
  }

  /** preCommit (flush) and commit the offsets of `partitions` that moved since the last commit. */
  async #commit(partitions: readonly ClientTopicPartition[]): Promise<void> {
    const wanted = new Set(partitions.map((p) => topicPartitionKey(p.topic, p.partition)));
    const current = [...this.#current.entries()].filter(([key]) => wanted.has(key)).map(([, offset]) => offset);
    if (current.length === 0) {
      this.#options.metrics.recordCommitSkipped();
      return;
    }
    const started = this.clock.now();
    let committable: TopicPartitionOffset[];
    try {
      committable = await this.#task.preCommit(current);
    } catch (err) {
      this.#options.metrics.recordCommit(false, this.clock.now() - started);
      this.logger.error({ err }, `${taskIdString(this.id)}: offset commit failed, rewinding to last committed offsets`);
      this.#rewind(current);
      return;
    }
    const changed = committable.filter((o) => {
      const key = topicPartitionKey(o.topic, o.partition);
      return wanted.has(key) && this.#lastCommitted.get(key)?.offset !== o.offset;
    });
    if (changed.length === 0) {
      this.#options.metrics.recordCommitSkipped();
      return;
    }
    try {
      await this.#consumer.commit(changed.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset) })));
      for (const o of changed) this.#lastCommitted.set(topicPartitionKey(o.topic, o.partition), o);
      this.#options.metrics.recordCommit(true, this.clock.now() - started);
      this.logger.debug({ partitions: changed.length }, `${taskIdString(this.id)} committed offsets`);
    } catch (err) {
      this.#options.metrics.recordCommit(false, this.clock.now() - started);
      this.logger.error({ err }, `${taskIdString(this.id)}: committing offsets to the consumer group failed; the records are delivered again after a restart`);
    }
  }

  /** After a failed flush: consume again from the last committed offsets, so nothing unflushed is skipped. */
  #rewind(current: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition } of current) {
      const key = topicPartitionKey(topic, partition);
      const last = this.#lastCommitted.get(key);
      if (last === undefined) continue;
      this.#consumer.seek(topic, partition, BigInt(last.offset));
      this.#current.set(key, last);
    }
  }

  protected signalStop(): void {
    this.#consumer.wakeup();
  }

  protected async close(failed: boolean): Promise<void> {
    const assigned = this.#consumer.assignment();
    try {
      if (this.#started && !failed) {
        this.#closingPartitions = true;
        await this.#commit(assigned);
        await this.#task.close(assigned.map(({ topic, partition }) => ({ topic, partition }) satisfies TopicPartition));
      }
    } finally {
      this.#closingPartitions = true;
      try {
        if (this.#started) await this.#task.stop();
      } finally {
        await this.#consumer.close().catch((err: unknown) => this.logger.warn({ err }, `${taskIdString(this.id)}: closing the consumer failed`));
        await this.#options.closeResources();
      }
    }
  }
}

function sinkRecord(raw: ConsumerRecord, key: SchemaAndValue, value: SchemaAndValue, headers: ConnectHeaders | null): SinkRecord {
  return new SinkRecord({
    topic: raw.topic,
    kafkaPartition: raw.partition,
    keySchema: key.schema,
    key: key.value,
    valueSchema: value.schema,
    value: value.value,
    kafkaOffset: Number(raw.offset),
    timestamp: raw.timestamp < 0n ? null : Number(raw.timestamp),
    timestampType: raw.timestampType,
    headers: headers ?? undefined,
  });
}
