/**
 * The source task loop (Kafka's WorkerSourceTask): poll the task, run each record through the
 * transformation chain and the converters, send it, and commit source offsets every
 * offset.flush.interval.ms — only up to records Kafka acknowledged (SubmittedRecords). On stop
 * the loop waits up to offset.flush.timeout.ms for outstanding acknowledgements, then commits a
 * last time, so a graceful stop neither loses nor repeats records.
 */
import type { ProducerRecord, RecordHeader, RecordMetadata } from '../../client/index.ts';
import { messageOf } from '../../util/errors.ts';
import type { Header, SourceRecord, SourceTask } from '../api/index.ts';
import { ConnectError } from '../api/index.ts';
import type { SourceOffsetStore } from '../offsets/index.ts';
import { ConnectorOffsetReader } from '../offsets/index.ts';
import type { RetryWithToleranceOperator } from './errors/retry-with-tolerance.ts';
import { SKIPPED } from './errors/retry-with-tolerance.ts';
import type { TaskMetrics } from './metrics.ts';
import type { SubmittedRecord } from './submitted-records.ts';
import { SubmittedRecords } from './submitted-records.ts';
import type { TaskConverters } from './task-converters.ts';
import type { TransformationStage } from './transformation-chain.ts';
import type { WorkerTaskOptions } from './worker-task.ts';
import { WorkerTask, taskIdString } from './worker-task.ts';

/** What a source task needs from a producer (KafkaProducer fits). */
export interface RecordProducer {
  send(record: ProducerRecord): Promise<RecordMetadata>;
  /** Callback form of send, used when present: no promise per record. Calls `done` exactly once, with `context`. */
  sendWithCallback?<C>(record: ProducerRecord, done: (error: Error | null, metadata: RecordMetadata | null, context: C) => void, context: C): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Records in flight before the loop stops polling and waits for acknowledgements. */
const MAX_OUTSTANDING = 4_000;

export interface WorkerSourceTaskOptions extends WorkerTaskOptions {
  task: SourceTask;
  taskConfig: Readonly<Record<string, string>>;
  converters: TaskConverters;
  transforms: ReadonlyArray<TransformationStage<SourceRecord>>;
  producer: RecordProducer;
  offsetStore: SourceOffsetStore;
  operator: RetryWithToleranceOperator;
  metrics: TaskMetrics;
  flushIntervalMs: number;
  flushTimeoutMs: number;
  /** Called with each topic the task wrote to for the first time (topic tracking). */
  onTopic: (topic: string) => void;
  /** Called when the task is done with its transforms and other resources. */
  closeResources: () => Promise<void>;
}

export class WorkerSourceTask extends WorkerTask {
  readonly #options: WorkerSourceTaskOptions;
  readonly #task: SourceTask;
  readonly #submitted = new SubmittedRecords();
  readonly #topics = new Set<string>();
  readonly #commitsRecords: boolean;
  #sendError: Error | null = null;
  #written = 0;
  #commitTimer: NodeJS.Timeout | undefined;
  #committing: Promise<void> = Promise.resolve();
  #started = false;
  /** Set once a converter answered asynchronously: records then always go through #transformAndConvert. */
  #slowPath = false;
  /** Per header position, the last header converted there and its bytes (see #transformAndConvertFast). */
  readonly #headerCache: Array<{ header: Header; topic: string; converted: RecordHeader } | undefined> = [];
  /** Wakes #waitForRoom once acknowledgements brought the outstanding records below the low mark. */
  #roomWaiter: (() => void) | null = null;

  constructor(options: WorkerSourceTaskOptions) {
    super(options);
    this.#options = options;
    this.#task = options.task;
    // Only call commitRecord per record when the task overrides SourceTask's no-op.
    this.#commitsRecords = this.#task.commitRecord !== inheritedCommitRecord(this.#task);
  }

  protected async execute(): Promise<void> {
    const { taskConfig, offsetStore } = this.#options;
    this.#task.initialize({ configs: () => taskConfig, offsetStorageReader: () => new ConnectorOffsetReader(offsetStore, this.id.connector) });
    await this.#task.start(taskConfig);
    this.#started = true;
    this.logger.info(`${taskIdString(this.id)} source task finished initialization and start`);
    this.listener.onStartup(this.id);
    if (this.isPaused()) this.listener.onPause(this.id);
    this.#commitTimer = setInterval(() => void this.commitOffsets(), this.#options.flushIntervalMs);
    while (!this.stopping()) {
      if (this.#sendError) throw this.#sendError;
      if (this.isPaused()) {
        await this.sleep(1000);
        continue;
      }
      const records = await this.#poll();
      if (records === null || records.length === 0) continue;
      await this.#send(records);
      this.#flushWriteMetric();
    }
    if (this.#sendError) throw this.#sendError;
  }

  async #poll(): Promise<SourceRecord[] | null> {
    const started = this.clock.now();
    try {
      const records = await this.#task.poll();
      this.#options.metrics.recordPoll(records?.length ?? 0, this.clock.now() - started);
      return records;
    } catch (err) {
      if (err instanceof ConnectError && err.retriable) {
        this.logger.warn({ err }, `${taskIdString(this.id)} poll failed with a retriable error; polling again`);
        await this.sleep(100);
        return null;
      }
      throw err;
    }
  }

  async #send(records: readonly SourceRecord[]): Promise<void> {
    const { producer } = this.#options;
    // Indexed: the loop awaits, so a for-of iterator would not be optimised away.
    for (let r = 0; r < records.length; r++) {
      const original = records[r];
      const submitted = this.#submitted.submit(original.sourcePartition, original.sourceOffset);
      // The fast path runs transforms and converters directly; any error (or an asynchronous
      // converter) sends the record through the error handler instead.
      let converted: ProducerRecord | null | undefined = this.#slowPath ? undefined : this.#transformAndConvertFast(original);
      if (converted === undefined) converted = await this.#transformAndConvert(original);
      if (converted === null) {
        this.#dropped(original, submitted);
        continue;
      }
      if (!this.#topics.has(converted.topic)) {
        this.#topics.add(converted.topic);
        this.#options.onTopic(converted.topic);
      }
      // The source record stays alive until the acknowledgement only when the task wants it back
      // (commitRecord); otherwise it can be collected while the send is in flight.
      submitted.sourceRecord = this.#commitsRecords ? original : null;
      submitted.topic = converted.topic;
      if (producer.sendWithCallback !== undefined) {
        producer.sendWithCallback(converted, this.#onSent, submitted);
      } else {
        void producer.send(converted).then(
          (metadata) => this.#onSent(null, metadata, submitted),
          (err: unknown) => this.#onSent(err instanceof Error ? err : new Error(String(err)), null, submitted),
        );
      }
      if (this.#submitted.outstanding >= MAX_OUTSTANDING) await this.#waitForRoom();
      if (this.#sendError || this.stopping()) break;
    }
    this.#options.metrics.setActive(this.#submitted.outstanding);
  }

  /**
   * Transforms and converts without the error handler: the producer record, null when a transform
   * dropped it, or undefined when something threw or answered asynchronously (then the slow path
   * runs the record again, through the error handler).
   */
  #transformAndConvertFast(original: SourceRecord): ProducerRecord | null | undefined {
    const { transforms, converters } = this.#options;
    try {
      let record: SourceRecord | null = original;
      for (let i = 0; i < transforms.length && record !== null; i++) record = transforms[i].apply(record);
      if (record === null) return null;
      let headers: RecordHeader[] | undefined;
      if (record.headers.size > 0) {
        // Exact size: pushing onto [] would give each record's list room for 17 entries.
        headers = new Array<RecordHeader>(record.headers.size);
        let i = 0;
        for (const header of record.headers) {
          // A task often gives every record the same header object (a file's name): its
          // converted bytes are reused while the same (frozen) header comes again.
          const cached = this.#headerCache[i];
          if (cached !== undefined && cached.header === header && cached.topic === record.topic) {
            headers[i++] = cached.converted;
            continue;
          }
          const bytes = converters.header.fromConnectHeader(record.topic, header.key, header.schema, header.value);
          if (bytes instanceof Promise) return this.#goSlow(bytes);
          const converted: RecordHeader = [header.key, bytes];
          // Only a frozen header with a primitive value cannot change under the cache.
          if (Object.isFrozen(header) && (header.value === null || typeof header.value !== 'object')) this.#headerCache[i] = { header, topic: record.topic, converted };
          headers[i++] = converted;
        }
      }
      const key = converters.key.fromConnectData(record.topic, record.headers, record.keySchema, record.key);
      if (key instanceof Promise) return this.#goSlow(key);
      const value = converters.value.fromConnectData(record.topic, record.headers, record.valueSchema, record.value);
      if (value instanceof Promise) return this.#goSlow(value);
      return producerRecord(record, key, value, headers);
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

  /** Transforms and converts through the error handler; null when dropped or skipped. */
  async #transformAndConvert(original: SourceRecord): Promise<ProducerRecord | null> {
    const { transforms, operator } = this.#options;
    let record: SourceRecord | null = original;
    for (const stage of transforms) {
      const current: SourceRecord = record;
      let next = operator.executeSync('TRANSFORMATION', stage.className, () => stage.apply(current), { sourceRecord: original });
      if (next instanceof Promise) next = await next;
      if (next === SKIPPED || next === null) return null;
      record = next;
    }
    return this.#convert(record, original);
  }

  /** Converts key, value and headers; null when a converter failed and the error was tolerated. */
  async #convert(record: SourceRecord, original: SourceRecord): Promise<ProducerRecord | null> {
    const { converters, operator } = this.#options;
    const context = { sourceRecord: original };
    let headers: RecordHeader[] | undefined;
    if (record.headers.size > 0) {
      headers = [];
      for (const header of record.headers) {
        let bytes = operator.executeSync(
          'HEADER_CONVERTER',
          converters.headerClass,
          () => converters.header.fromConnectHeader(record.topic, header.key, header.schema, header.value),
          context,
        );
        if (bytes instanceof Promise) bytes = await bytes;
        if (bytes === SKIPPED) return null;
        headers.push([header.key, bytes]);
      }
    }
    let key = operator.executeSync('KEY_CONVERTER', converters.keyClass, () => converters.key.fromConnectData(record.topic, record.headers, record.keySchema, record.key), context);
    if (key instanceof Promise) key = await key;
    if (key === SKIPPED) return null;
    let value = operator.executeSync(
      'VALUE_CONVERTER',
      converters.valueClass,
      () => converters.value.fromConnectData(record.topic, record.headers, record.valueSchema, record.value),
      context,
    );
    if (value instanceof Promise) value = await value;
    if (value === SKIPPED) return null;
    return producerRecord(record, key, value, headers);
  }

  /** One callback for every send: what it needs travels with the record's SubmittedRecord. */
  readonly #onSent = (error: Error | null, metadata: RecordMetadata | null, submitted: SubmittedRecord): void => {
    if (error === null) this.#acked(submitted.sourceRecord, submitted, metadata!);
    else void this.#sendFailed(submitted.sourceRecord, submitted, submitted.topic, error);
    // Done with it: a record acknowledged behind an unacknowledged one may wait in SubmittedRecords.
    submitted.sourceRecord = null;
  };

  /** A record that will never reach Kafka (dropped by a transform, or skipped after an error): its offset may be committed. */
  #dropped(original: SourceRecord | null, submitted: SubmittedRecord): void {
    this.#submitted.ack(submitted);
    this.#wakeForRoom();
    if (this.#commitsRecords && original !== null) void this.#commitRecord(original, null);
  }

  #acked(original: SourceRecord | null, submitted: SubmittedRecord, metadata: RecordMetadata): void {
    this.#submitted.ack(submitted);
    this.#wakeForRoom();
    this.#written++;
    if (this.#commitsRecords && original !== null) {
      void this.#commitRecord(original, { topic: metadata.topic, partition: metadata.partition, offset: Number(metadata.offset), timestamp: Number(metadata.timestamp) });
    }
  }

  async #sendFailed(original: SourceRecord | null, submitted: SubmittedRecord, topic: string, err: unknown): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    try {
      // errors.tolerance=all also covers producer failures (KIP-779): report, skip, move on.
      const wrapped = new ConnectError(`Unrecoverable exception from producer send callback for ${topic}: ${messageOf(error)}`, { cause: error });
      await this.#options.operator.failed({ stage: 'KAFKA_PRODUCE', className: 'KafkaProducer', error: wrapped, attempts: 0, ...(original === null ? {} : { sourceRecord: original }) });
      this.#dropped(original, submitted);
    } catch (failure) {
      this.#sendError ??= failure instanceof Error ? failure : error;
      this.wake();
      this.#roomWaiter?.();
    }
  }

  async #commitRecord(record: SourceRecord, metadata: Parameters<SourceTask['commitRecord']>[1]): Promise<void> {
    try {
      await this.#task.commitRecord(record, metadata);
    } catch (err) {
      this.logger.error({ err }, `${taskIdString(this.id)} exception thrown while calling task.commitRecord()`);
    }
  }

  /** Waits until acknowledgements bring the outstanding records down to half the limit (or a send failed, or a second passed). */
  async #waitForRoom(): Promise<void> {
    if (this.#submitted.outstanding < MAX_OUTSTANDING / 2 || this.#sendError) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#roomWaiter = resolve;
      timer = setTimeout(resolve, 1000);
    });
    clearTimeout(timer);
    this.#roomWaiter = null;
  }

  #wakeForRoom(): void {
    if (this.#roomWaiter !== null && this.#submitted.outstanding < MAX_OUTSTANDING / 2) this.#roomWaiter();
  }

  #flushWriteMetric(): void {
    if (this.#written > 0) {
      this.#options.metrics.recordWrite(this.#written);
      this.#written = 0;
    }
  }

  /** Writes the committable offsets to the offset store, then tells the task (SourceTask.commit). */
  commitOffsets(): Promise<void> {
    const next = this.#committing.then(() => this.#commit());
    this.#committing = next.catch(() => undefined);
    return next;
  }

  async #commit(): Promise<void> {
    this.#flushWriteMetric();
    const { offsets } = this.#submitted.committable();
    this.#options.metrics.setActive(this.#submitted.outstanding);
    if (offsets.length === 0) return;
    const started = this.clock.now();
    try {
      await this.#options.offsetStore.write(this.id.connector, offsets);
      this.#options.metrics.recordCommit(true, this.clock.now() - started);
      this.logger.debug({ partitions: offsets.length }, `${taskIdString(this.id)} committed offsets`);
    } catch (err) {
      this.#options.metrics.recordCommit(false, this.clock.now() - started);
      this.logger.error({ err }, `${taskIdString(this.id)} failed to commit offsets`);
      return;
    }
    try {
      await this.#task.commit();
    } catch (err) {
      this.logger.error({ err }, `${taskIdString(this.id)} exception thrown while calling task.commit()`);
    }
  }

  protected signalStop(): void {
    if (this.#started) void Promise.resolve(this.#task.stop()).catch((err: unknown) => this.logger.warn({ err }, `${taskIdString(this.id)} stop() failed`));
  }

  protected async close(failed: boolean): Promise<void> {
    clearInterval(this.#commitTimer);
    const { producer, flushTimeoutMs } = this.#options;
    if (!failed) {
      const all = await this.#submitted.awaitAllAcked(flushTimeoutMs);
      if (!all) this.logger.warn({ outstanding: this.#submitted.outstanding }, `${taskIdString(this.id)}: not every record was acknowledged within offset.flush.timeout.ms (${flushTimeoutMs}); their offsets are not committed`);
    }
    this.#flushWriteMetric();
    await this.commitOffsets();
    if (!this.stopping() || failed) {
      // A failed task did not get its stop() call from the worker yet.
      try {
        if (this.#started) await this.#task.stop();
      } catch (err) {
        this.logger.warn({ err }, `${taskIdString(this.id)} stop() failed`);
      }
    }
    await producer.close().catch((err: unknown) => this.logger.warn({ err }, `${taskIdString(this.id)}: closing the producer failed`));
    await this.#options.closeResources();
  }
}

function producerRecord(record: SourceRecord, key: Uint8Array | null, value: Uint8Array | null, headers: RecordHeader[] | undefined): ProducerRecord {
  const out: ProducerRecord = { topic: record.topic, key, value };
  if (record.kafkaPartition !== null) out.partition = record.kafkaPartition;
  if (headers !== undefined) out.headers = headers;
  if (record.timestamp !== null) out.timestamp = record.timestamp;
  return out;
}

/** The base-most commitRecord in the task's prototype chain (SourceTask's no-op). */
function inheritedCommitRecord(task: SourceTask): unknown {
  let proto = Object.getPrototypeOf(task) as object | null;
  let found: unknown;
  while (proto !== null && proto !== Object.prototype) {
    if (Object.hasOwn(proto, 'commitRecord')) found = (proto as { commitRecord: unknown }).commitRecord;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return found;
}
