import { Producer } from '@platformatic/kafka';
import type { Broker, ClusterMetadata } from '@platformatic/kafka';
import type { Logger } from '../observability/logger.ts';
import { backoffDelay } from '../util/backoff.ts';
import { systemRandom } from '../util/random.ts';
import { baseOptions } from './base-options.ts';
import { producerSettings } from './config.ts';
import type { ClientConfig, ProducerSettings } from './config.ts';
import { KafkaClientError, KafkaConnectionError, wrapKafkaError } from './errors.ts';
import { ProduceSender } from './produce-sender.ts';
import { StickyPartitioner, javaPartition } from './partitioner.ts';
import { RecordAccumulator } from './record-accumulator.ts';
import { topicPartitionKey } from './types.ts';
import type { ProducerRecord, RecordHeader, RecordMetadata } from './types.ts';

/** Bytes a v2 record costs beyond its key, value and headers (length, attributes, deltas, counts). */
const RECORD_OVERHEAD = 21;
/** Header names whose bytes are kept for reuse (a set of names recurs on every record of a flow). */
const HEADER_NAME_CACHE_SIZE = 1024;

interface TopicInfo {
  partitions: number;
  /** Partitions that have a leader. */
  available: number[];
  fetchedAt: number;
  /** The accumulator's key of each partition, made once rather than per record. */
  partitionKeys: string[];
  /** Each partition's leader, undefined while it has none. */
  leaders: Array<Broker | undefined>;
}

interface Pending {
  topic: string;
  partition: number;
  key: Buffer | undefined;
  value: Buffer | undefined;
  headers: readonly RecordHeader[] | undefined;
  timestamp: bigint;
  bytes: number;
  enqueuedAt: number;
  settled: boolean;
  done: SendCallback<unknown>;
  /** Handed back to `done` (spares a caller a closure per record). */
  context: unknown;
}

/** Called once per record: with the error, or with its partition and offset once acknowledged. */
export type SendCallback<C = undefined> = (error: Error | null, metadata: RecordMetadata | null, context: C) => void;

export interface KafkaProducerOptions {
  /** Receives config warnings and delivery problems. */
  logger?: Logger;
}

/**
 * The Kafka producer of Sluice, with the Java producer's behaviour — Java's partitioner (murmur2
 * for keys, sticky for null keys), batching by `linger.ms` and `batch.size`, idempotence with up
 * to `max.in.flight.requests.per.connection` requests in flight (ProduceSender), `buffer.memory`
 * back pressure and `delivery.timeout.ms`. @platformatic/kafka underneath keeps the connections
 * and the metadata; Produce requests are written and answered here. `send` resolves once the
 * broker acknowledged the record (per `acks`) with the offset it got, so callers commit their own
 * source positions only then.
 */
export class KafkaProducer {
  readonly settings: ProducerSettings;
  private readonly client: Producer;
  private readonly sticky: StickyPartitioner;
  private readonly accumulator: RecordAccumulator<Pending>;
  private readonly logger: Logger | undefined;
  private readonly topics = new Map<string, TopicInfo>();
  private readonly topicLookups = new Map<string, Promise<TopicInfo>>();
  private readonly headerNames = new Map<string, Buffer>();
  private lastTimestampMs = Number.NaN;
  private lastTimestamp = 0n;
  private queuedRequests: Pending[][] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly sender: ProduceSender<Pending>;
  /** Set once the sender knows the Produce version (and its producer id, with idempotence). */
  private senderStarted = false;
  private senderStarting: Promise<void> | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Bytes of records accepted and not yet settled (waiting or in flight). */
  private bufferedBytes = 0;
  /** Sends that had to wait (metadata or buffer room); later sends queue behind them to keep order. */
  private admissionQueue: Promise<unknown> = Promise.resolve();
  private admissionsWaiting = 0;
  private closed = false;

  constructor(config: ClientConfig, options: KafkaProducerOptions = {}) {
    const { settings, warnings } = producerSettings(config);
    this.settings = settings;
    this.logger = options.logger;
    for (const warning of warnings) this.logger?.warn(`producer config: ${warning}`);
    // Metadata and producer id requests retry inside platformatic; bound them so they stop around delivery.timeout.ms.
    const retries = Math.max(1, Math.ceil(settings.deliveryTimeoutMs / Math.max(100, settings.retryBackoffMaxMs)));
    this.client = new Producer({
      ...baseOptions(settings, retries),
      acks: settings.acks,
      // Idempotence (sequences, retries in order) is the sender's; platformatic would limit every
      // connection to one request in flight for it.
      idempotent: false,
      maxInflights: settings.maxInFlight,
      autocreateTopics: true,
    });
    this.sender = new ProduceSender<Pending>(
      this.client,
      settings,
      {
        leader: (topic, partition) => this.topics.get(topic)?.leaders[partition],
        refreshMetadata: (topics) => this.refreshTopics(topics),
        complete: (records, error, baseOffset) => this.complete(records, error, baseOffset),
        wake: () => this.drain(),
        nameBytes: this.nameBytes,
      },
      this.logger,
    );
    this.sticky = new StickyPartitioner({ batchSize: settings.batchSize });
    this.accumulator = new RecordAccumulator(settings.batchSize, settings.maxRequestSize);
  }

  /** Sends one record; resolves with its partition and offset once acknowledged. */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      this.sendWithCallback(record, (error, metadata) => (error === null ? resolve(metadata!) : reject(error)));
    });
  }

  /**
   * Sends one record and calls `done` once: with its partition and offset when acknowledged, or
   * with the error (also for a record refused up front). As Java's send(record, callback); it
   * spares a streaming caller a promise per record, and `context`, handed back to `done`, a
   * closure per record.
   */
  sendWithCallback<C = undefined>(record: ProducerRecord, done: SendCallback<C>, context?: C): void {
    let pending: Pending;
    try {
      if (this.closed) throw new KafkaClientError('PRODUCER_CLOSED', `cannot send to ${record.topic}: the producer is closed`);
      pending = this.prepare(record, done as SendCallback<unknown>, context);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)), null, context as C);
      return;
    }
    const info = this.topics.get(record.topic);
    if (this.admissionsWaiting === 0 && this.senderStarted && info !== undefined && this.isFresh(info) && this.hasRoom(pending.bytes)) {
      this.admitOrFail(pending, record.partition, info);
      return;
    }
    this.admissionsWaiting++;
    // The queue orders admissions only: the next record waits until this one is accumulated,
    // not until it is acknowledged (else queued records would go out one per round trip).
    this.admissionQueue = this.admissionQueue
      .then(async () => {
        try {
          const topic = await this.topicInfo(record.topic);
          await this.startSender();
          await this.waitForRoom(pending.bytes, record.topic);
          this.admitOrFail(pending, record.partition, topic);
        } finally {
          this.admissionsWaiting--;
        }
      })
      .catch((err: unknown) => this.refuse(pending, err));
  }

  /** Fails a record that was never admitted (its bytes were never counted). */
  private refuse(pending: Pending, err: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    this.callBack(pending, err instanceof Error ? err : new Error(String(err)), null);
  }

  /** A callback that throws must not stop the others of its request from being called. */
  private callBack(pending: Pending, error: Error | null, metadata: RecordMetadata | null): void {
    try {
      pending.done(error, metadata, pending.context);
    } catch (err) {
      this.logger?.error({ err, topic: pending.topic }, 'a send callback threw');
    }
  }

  /** Sends everything waiting now and resolves when every accepted record is settled. */
  async flush(): Promise<void> {
    await this.admissionQueue;
    this.drain();
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Number of partitions of `topic` (looked up, and auto-created if the broker allows it). */
  async partitionCount(topic: string): Promise<number> {
    return (await this.topicInfo(topic)).partitions;
  }

  /** Flushes, then closes the connections. Records sent after close are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.sender.close();
      clearTimeout(this.lingerTimer);
      try {
        await this.client.close(true);
      } catch (err) {
        this.logger?.warn({ err }, 'closing the producer failed');
      }
    }
  }

  private prepare(record: ProducerRecord, done: SendCallback<unknown>, context: unknown): Pending {
    if (typeof record.topic !== 'string' || record.topic === '') throw new KafkaClientError('INVALID_RECORD', 'a record needs a topic');
    const key = toBuffer(record.key);
    const value = toBuffer(record.value);
    let bytes = RECORD_OVERHEAD + (key?.length ?? 0) + (value?.length ?? 0);
    const headers = record.headers !== undefined && record.headers.length > 0 ? record.headers : undefined;
    if (headers !== undefined) {
      // Indexed, not destructured: destructuring a header walks an iterator per header.
      for (let h = 0; h < headers.length; h++) bytes += this.nameBytes(headers[h][0]).length + (headers[h][1]?.byteLength ?? 0) + 2;
    }
    if (bytes > this.settings.maxRequestSize) {
      throw new KafkaClientError('RECORD_TOO_LARGE', `a record for ${record.topic} is ${bytes} bytes, more than max.request.size (${this.settings.maxRequestSize})`, {
        context: { topic: record.topic, bytes },
      });
    }
    if (bytes > this.settings.bufferMemory) {
      throw new KafkaClientError('RECORD_TOO_LARGE', `a record for ${record.topic} is ${bytes} bytes, more than buffer.memory (${this.settings.bufferMemory})`, {
        context: { topic: record.topic, bytes },
      });
    }
    const timestamp = typeof record.timestamp === 'bigint' ? record.timestamp : this.timestampOf(record.timestamp ?? Date.now());
    return {
      topic: record.topic,
      partition: -1,
      key,
      value,
      headers,
      timestamp,
      bytes,
      enqueuedAt: 0,
      settled: false,
      done,
      context,
    };
  }

  /** The timestamp as a bigint; records of one millisecond share it rather than each allocating one. */
  private timestampOf(ms: number): bigint {
    if (ms !== this.lastTimestampMs) {
      this.lastTimestamp = BigInt(ms);
      this.lastTimestampMs = ms;
    }
    return this.lastTimestamp;
  }

  private readonly nameBytes = (name: string): Buffer => {
    let bytes = this.headerNames.get(name);
    if (bytes === undefined) {
      if (this.headerNames.size >= HEADER_NAME_CACHE_SIZE) this.headerNames.clear();
      bytes = Buffer.from(name, 'utf8');
      this.headerNames.set(name, bytes);
    }
    return bytes;
  };

  /** Admits the record, or calls its callback with why it cannot be (closed, bad partition). */
  private admitOrFail(pending: Pending, explicitPartition: number | undefined, info: TopicInfo): void {
    if (this.closed) {
      this.refuse(pending, new KafkaClientError('PRODUCER_CLOSED', `cannot send to ${pending.topic}: the producer is closed`));
      return;
    }
    let partition: number;
    try {
      partition = this.choosePartition(pending, explicitPartition, info);
    } catch (err) {
      this.refuse(pending, err);
      return;
    }
    pending.partition = partition;
    const sticky = explicitPartition === undefined && (pending.key === undefined || this.settings.ignoreKeys);
    pending.enqueuedAt = Date.now();
    this.bufferedBytes += pending.bytes;
    const full = this.accumulator.append(info.partitionKeys[partition], pending, pending.bytes, pending.enqueuedAt);
    if (sticky) {
      this.sticky.recordAppended(pending.topic, partition, pending.bytes, info.partitions, info.available);
    }
    if (full) this.drain();
    else this.scheduleLinger();
  }

  private choosePartition(pending: Pending, explicitPartition: number | undefined, info: TopicInfo): number {
    if (explicitPartition !== undefined) {
      if (!Number.isInteger(explicitPartition) || explicitPartition < 0 || explicitPartition >= info.partitions) {
        throw new KafkaClientError('INVALID_PARTITION', `partition ${explicitPartition} of ${pending.topic} is not in the range [0...${info.partitions})`, {
          context: { topic: pending.topic, partition: explicitPartition },
        });
      }
      return explicitPartition;
    }
    if (pending.key !== undefined && !this.settings.ignoreKeys) return javaPartition(pending.key, info.partitions);
    return this.sticky.partition(pending.topic, info.partitions, info.available);
  }

  private scheduleLinger(): void {
    if (this.lingerTimer !== undefined) return;
    const oldest = this.accumulator.oldestAppend ?? Date.now();
    const delay = Math.max(0, oldest + this.settings.lingerMs - Date.now());
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.drain();
    }, delay);
  }

  /** Resolves the Produce version and the producer id once, before the first record is admitted. */
  private async startSender(): Promise<void> {
    if (this.senderStarted) return;
    this.senderStarting ??= this.sender.start().finally(() => (this.senderStarting = undefined));
    await this.senderStarting;
    this.senderStarted = true;
  }

  /**
   * Sends as many requests as max.in.flight allows. Records stay in the accumulator while every
   * slot is taken (as they wait for the Java producer's sender), so a request formed when a slot
   * frees up carries a batch of every partition that has records waiting. While the sender sends
   * failed batches again, records waiting longer than delivery.timeout.ms fail.
   */
  private drain(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    while (this.sender.ready) {
      if (this.queuedRequests.length === 0) {
        if (this.accumulator.isEmpty) break;
        this.queuedRequests.push(...this.accumulator.drain());
      }
      if (!this.sender.trySend(this.queuedRequests[0])) break;
      this.queuedRequests.shift();
    }
    if (this.sender.recovering) this.expireWaiting();
    this.notifyIdle();
  }

  /** Fails records that waited to be sent for longer than delivery.timeout.ms. */
  private expireWaiting(): void {
    if (!this.accumulator.isEmpty) this.queuedRequests.push(...this.accumulator.drain());
    const cutoff = Date.now() - this.settings.deliveryTimeoutMs;
    if (!this.queuedRequests.some((request) => request.some((p) => p.enqueuedAt < cutoff))) return;
    const kept: Pending[][] = [];
    for (const request of this.queuedRequests) {
      const live = request.filter((p) => p.enqueuedAt >= cutoff);
      const expired = request.filter((p) => p.enqueuedAt < cutoff);
      if (expired.length > 0) {
        const error = new KafkaConnectionError('KAFKA_TIMEOUT', `expiring ${expired.length} record(s) for ${describePartitions(expired)}: delivery.timeout.ms (${this.settings.deliveryTimeoutMs}) elapsed while waiting to be sent`, {
          context: { topic: expired[0].topic },
        });
        for (const pending of expired) this.settle(pending, error);
      }
      if (live.length > 0) kept.push(live);
    }
    this.queuedRequests = kept;
  }

  /** A batch is done: each record gets the base offset plus its position, or the error. */
  private complete(records: readonly Pending[], error: Error | undefined, baseOffset: bigint): void {
    if (error !== undefined) {
      for (const pending of records) this.settle(pending, error);
      return;
    }
    // A running offset: one bigint per record rather than two (BigInt(i), then the sum).
    const known = baseOffset >= 0n;
    let offset = known ? baseOffset : -1n;
    for (const pending of records) {
      this.settle(pending, undefined, offset);
      if (known) offset += 1n;
    }
  }

  private settle(pending: Pending, error: Error | undefined, offset = -1n): void {
    if (pending.settled) return;
    pending.settled = true;
    this.bufferedBytes -= pending.bytes;
    if (error) this.callBack(pending, error, null);
    else this.callBack(pending, null, { topic: pending.topic, partition: pending.partition, offset, timestamp: pending.timestamp });
    while (this.spaceWaiters.length > 0 && this.bufferedBytes < this.settings.bufferMemory) this.spaceWaiters.shift()!();
  }

  private hasRoom(bytes: number): boolean {
    return this.bufferedBytes + bytes <= this.settings.bufferMemory;
  }

  private async waitForRoom(bytes: number, topic: string): Promise<void> {
    const deadline = Date.now() + this.settings.maxBlockMs;
    while (!this.hasRoom(bytes)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new KafkaClientError('BUFFER_EXHAUSTED', `no room in buffer.memory (${this.settings.bufferMemory} bytes) for a record to ${topic} within max.block.ms (${this.settings.maxBlockMs})`, {
          retriable: true,
          context: { topic },
        });
      }
      this.drain();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.spaceWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private isFresh(info: TopicInfo): boolean {
    return Date.now() - info.fetchedAt < this.settings.metadataMaxAgeMs;
  }

  /** Partition count and leaders of `topic`, cached for metadata.max.age.ms; waits up to max.block.ms for the topic to appear. */
  private topicInfo(topic: string): Promise<TopicInfo> {
    const cached = this.topics.get(topic);
    if (cached !== undefined && this.isFresh(cached)) return Promise.resolve(cached);
    let lookup = this.topicLookups.get(topic);
    if (lookup === undefined) {
      lookup = this.lookUpTopic(topic).finally(() => this.topicLookups.delete(topic));
      this.topicLookups.set(topic, lookup);
    }
    return lookup;
  }

  private async lookUpTopic(topic: string): Promise<TopicInfo> {
    const deadline = Date.now() + this.settings.maxBlockMs;
    let lastError: Error | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        // One attempt per call: this loop retries, bounded by max.block.ms.
        const metadata: ClusterMetadata = await this.client.metadata({ topics: [topic], autocreateTopics: true, forceUpdate: attempt > 0 || this.topics.has(topic), retries: 0 });
        const described = metadata.topics.get(topic);
        if (described !== undefined && described.partitionsCount > 0) {
          const info: TopicInfo = {
            partitions: described.partitionsCount,
            available: described.partitions.flatMap((p, index) => (p.leader >= 0 ? [index] : [])),
            fetchedAt: Date.now(),
            partitionKeys: Array.from({ length: described.partitionsCount }, (_, partition) => topicPartitionKey(topic, partition)),
            leaders: described.partitions.map((p) => (p.leader >= 0 ? metadata.brokers.get(p.leader) : undefined)),
          };
          this.topics.set(topic, info);
          return info;
        }
      } catch (err) {
        const wrapped = wrapKafkaError(err, `looking up topic ${topic}`, { topic });
        if (!wrapped.retriable && wrapped.code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw wrapped;
        lastError = wrapped;
      }
      const delay = backoffDelay(attempt, this.settings.retryBackoffMs, Math.max(this.settings.retryBackoffMs, this.settings.retryBackoffMaxMs), systemRandom);
      if (Date.now() + delay > deadline) {
        throw new KafkaClientError('TOPIC_NOT_PRESENT', `topic ${topic} not present in metadata after ${this.settings.maxBlockMs} ms (max.block.ms)`, {
          retriable: true,
          cause: lastError,
          context: { topic },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Reads the topics' metadata again (the sender found a leader moved); errors leave the old entries, and the sender retries. */
  private async refreshTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      const cached = this.topics.get(topic);
      if (cached !== undefined) cached.fetchedAt = 0;
    }
    await Promise.all(topics.map((topic) => this.topicInfo(topic).catch((err: unknown) => this.logger?.warn({ err, topic }, `reading metadata of ${topic} failed`))));
  }

  private isIdle(): boolean {
    return this.sender.idle && this.queuedRequests.length === 0 && this.accumulator.isEmpty && this.admissionsWaiting === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    while (this.idleWaiters.length > 0) this.idleWaiters.shift()!();
  }
}

function toBuffer(bytes: Uint8Array | null | undefined): Buffer | undefined {
  if (bytes === null || bytes === undefined) return undefined;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function describePartitions(request: Pending[]): string {
  const names = [...new Set(request.map((p) => topicPartitionKey(p.topic, p.partition)))];
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}
