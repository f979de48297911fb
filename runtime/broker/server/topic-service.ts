import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { SluiceError } from '../../util/errors.ts';
import { BATCH_LENGTH, LOG_OVERHEAD, MAX_TIMESTAMP } from '../log/batch-header.ts';
import { decodeBatch } from '../log/records.ts';
import { parseTopicOverrides, resolveTopicConfig } from '../log/topic-config.ts';
import type { TopicConfig } from '../log/topic-config.ts';
import { ErrorCode } from '../protocol/index.ts';
import type { AppendResult, PartitionLog, WrittenAppend } from '../storage/partition-log.ts';
import { TopicStore } from '../storage/topic-store.ts';
import type { TopicDescription as StoredTopicDescription } from '../storage/topic-store.ts';
import { errorCodeOf } from './error-mapping.ts';
import { hexToKafkaUuid, kafkaUuidToHex } from './kafka-uuid.ts';
import type { ProducerStateTable } from './producer-state.ts';
import { loadProducerState, saveProducerState } from './producer-state-store.ts';
import type { CreatedTopic, PartitionHandle, TopicDescription, TopicFailure, TopicsService } from './topics.ts';

/**
 * Topics for the API handlers, over the log engine's TopicStore (which keeps the topic files,
 * the partition logs and the log background jobs): per partition the idempotent-producer table
 * and append listeners for long-polling fetches, and the admin operations with Kafka's
 * validation and error codes where the store does not decide (replication factor, name
 * collisions, internal topics). A single node leads every partition at leader epoch 0 with
 * itself as the only replica.
 */
export interface TopicServiceOptions {
  dataDir: string;
  /** The broker properties as given: the store reads its log.* keys and topic defaults from them. */
  brokerProperties: Readonly<Record<string, string>>;
  numPartitions: number;
  defaultReplicationFactor: number;
  deleteTopicEnable: boolean;
  clock: Clock;
  logger: Logger;
  /** See PartitionLogOptions.syncData. */
  syncData?: (fd: number) => Promise<void>;
}

export const LEADER_EPOCH = 0;
/** Kafka's internal topics (Topic.isInternal); clients see them flagged and may neither produce to nor delete them. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

const MAX_SCAN_CHUNK = 1024 * 1024;

class Partition implements PartitionHandle {
  readonly topic: string;
  readonly index: number;
  readonly log: PartitionLog;
  readonly internal: boolean;
  readonly producers: ProducerStateTable;
  readonly leaderEpoch = LEADER_EPOCH;
  readonly #listeners = new Set<() => void>();

  constructor(log: PartitionLog, producers: ProducerStateTable) {
    this.topic = log.topic;
    this.index = log.partition;
    this.log = log;
    this.internal = INTERNAL_TOPICS.has(log.topic);
    this.producers = producers;
  }

  append(records: Buffer): Promise<AppendResult> {
    let written: WrittenAppend;
    try {
      written = this.appendWritten(records);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return written.durable === undefined ? Promise.resolve(written.result) : written.durable.then(() => written.result);
  }

  appendWritten(records: Buffer): WrittenAppend {
    const written = this.log.appendWritten(records, LEADER_EPOCH);
    for (const listener of [...this.#listeners]) listener();
    return written;
  }

  onAppend(listener: () => void): () => void {
    const wrapped = (): void => listener();
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  async maxTimestamp(): Promise<{ offset: bigint; timestamp: bigint } | undefined> {
    let best: { batchStart: bigint; timestamp: bigint; records: Buffer; pos: number } | undefined;
    let from = this.log.logStartOffset;
    const end = this.log.highWatermark;
    while (from < end) {
      const { records, nextOffset } = await this.log.read(from, MAX_SCAN_CHUNK, { maxOffset: end });
      if (records.length === 0 || nextOffset <= from) break;
      for (let pos = 0; records.length - pos >= LOG_OVERHEAD; pos += LOG_OVERHEAD + records.readInt32BE(pos + BATCH_LENGTH)) {
        const ts = records.readBigInt64BE(pos + MAX_TIMESTAMP);
        if (best === undefined || ts > best.timestamp) best = { batchStart: records.readBigInt64BE(pos), timestamp: ts, records, pos };
      }
      from = nextOffset;
    }
    if (best === undefined) return undefined;
    // Batch headers locate the batch; its records say which one holds the maximum (first of equals).
    let hit: { offset: bigint; timestamp: bigint } | undefined;
    for (const r of decodeBatch(best.records, best.pos, { source: `${this.topic}-${this.index}` }).records) {
      if (hit === undefined || r.timestamp > hit.timestamp) hit = { offset: r.offset, timestamp: r.timestamp };
    }
    return hit ?? { offset: best.batchStart, timestamp: best.timestamp };
  }
}

function failure(errorCode: number, message: string): TopicFailure {
  return { errorCode, message };
}

function failureOf(err: unknown): TopicFailure {
  if (err instanceof SluiceError) return failure(errorCodeOf(err), err.message);
  throw err;
}

/** Kafka refuses topics whose names differ only in '.' versus '_' (their metric names collide). */
function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}


export class TopicService implements TopicsService {
  readonly #options: TopicServiceOptions;
  readonly #store: TopicStore;
  readonly #partitions = new Map<string, Partition[]>();
  readonly #log: Logger;
  /** Creations in progress, so that concurrent auto-creations of one name share the work. */
  readonly #creating = new Map<string, Promise<CreatedTopic | TopicFailure>>();

  private constructor(options: TopicServiceOptions, store: TopicStore) {
    this.#options = options;
    this.#store = store;
    this.#log = options.logger;
  }

  /**
   * Opens the data directory through the log engine's topic store (log recovery included),
   * restores every partition's producer state and starts the store's background jobs.
   */
  static async open(options: TopicServiceOptions): Promise<TopicService> {
    const store = await TopicStore.open({ dataDir: options.dataDir, brokerConfig: options.brokerProperties, clock: options.clock, logger: options.logger, syncData: options.syncData });
    const service = new TopicService(options, store);
    for (const name of store.topicNames()) service.#wrap(name);
    store.start();
    return service;
  }

  /** (Re)builds the partition handles of a topic, keeping the existing ones. */
  #wrap(name: string): void {
    const count = this.#store.describeTopic(name)?.partitions ?? 0;
    const handles = this.#partitions.get(name) ?? [];
    for (let p = handles.length; p < count; p++) {
      const log = this.#store.partition(name, p);
      handles.push(new Partition(log, loadProducerState(log, this.#log)));
    }
    this.#partitions.set(name, handles);
  }

  #describe(d: StoredTopicDescription): TopicDescription {
    return { name: d.name, topicId: kafkaUuidToHex(d.topicId), partitions: d.partitions, internal: INTERNAL_TOPICS.has(d.name), leaderEpoch: LEADER_EPOCH };
  }

  describe(name: string): TopicDescription | undefined {
    const d = this.#store.describeTopic(name);
    return d === undefined ? undefined : this.#describe(d);
  }

  byId(topicId: string): TopicDescription | undefined {
    const id = hexToKafkaUuid(topicId);
    for (const name of this.#store.topicNames()) {
      const d = this.#store.describeTopic(name);
      if (d?.topicId === id) return this.#describe(d);
    }
    return undefined;
  }

  all(): TopicDescription[] {
    return this.#store.topicNames().map((name) => this.#describe(this.#store.describeTopic(name) as StoredTopicDescription));
  }

  partition(topic: string, index: number): PartitionHandle | undefined {
    return this.#partitions.get(topic)?.[index];
  }

  /** Every partition handle, for the producer-state jobs. */
  *partitions(): Generator<Partition> {
    for (const handles of this.#partitions.values()) yield* handles;
  }

  async autoCreate(name: string): Promise<{ errorCode: number; topic?: TopicDescription }> {
    const created = await this.create({ name, partitions: -1, replicationFactor: -1, configs: {}, validateOnly: false });
    if ('errorCode' in created) {
      // Another request created it first: that is success for auto-creation.
      const existing = this.describe(name);
      return existing === undefined ? { errorCode: created.errorCode } : { errorCode: ErrorCode.NONE, topic: existing };
    }
    this.#log.info({ topic: name, partitions: created.description.partitions }, 'auto-created topic');
    return { errorCode: ErrorCode.NONE, topic: created.description };
  }

  create(request: CreateRequest): Promise<CreatedTopic | TopicFailure> {
    const pending = this.#creating.get(request.name);
    if (pending !== undefined) return pending.then(() => failure(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${request.name}' already exists.`));
    const work = this.#create(request);
    if (!request.validateOnly) {
      this.#creating.set(request.name, work);
      // Both outcomes clear the entry; the caller handles the rejection of `work` itself.
      const done = (): void => void this.#creating.delete(request.name);
      work.then(done, done);
    }
    return work;
  }

  async #create(request: CreateRequest): Promise<CreatedTopic | TopicFailure> {
    const { name } = request;
    const collides = this.#store.topicNames().find((other) => other !== name && collisionKey(other) === collisionKey(name));
    if (collides !== undefined) return failure(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collides}`);
    const partitions = request.partitions === -1 ? this.#options.numPartitions : request.partitions;
    const replicationFactor = request.replicationFactor === -1 ? this.#options.defaultReplicationFactor : request.replicationFactor;
    if (replicationFactor <= 0) return failure(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
    if (replicationFactor > 1) {
      return failure(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.configs)) if (value !== null) raw[key] = value;
    let stored: StoredTopicDescription;
    try {
      stored = await this.#store.createTopic(name, partitions, raw, { validateOnly: request.validateOnly });
    } catch (err) {
      return failureOf(err);
    }
    if (!request.validateOnly) this.#wrap(name);
    const config = request.validateOnly ? resolveTopicConfig(this.#store.brokerTopicDefaults, parseTopicOverrides(raw)) : this.#store.topicConfig(name);
    return { description: this.#describe(stored), config, overrides: new Set(Object.keys(stored.configs)) };
  }

  async delete(name: string): Promise<TopicFailure | undefined> {
    if (this.#store.describeTopic(name) === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (!this.#options.deleteTopicEnable) return failure(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled (delete.topic.enable=false).');
    if (INTERNAL_TOPICS.has(name)) return failure(ErrorCode.INVALID_REQUEST, `internal topic ${name} cannot be deleted`);
    this.#partitions.delete(name);
    try {
      await this.#store.deleteTopic(name);
    } catch (err) {
      return failureOf(err);
    }
    return undefined;
  }

  async addPartitions(name: string, total: number, validateOnly: boolean): Promise<TopicFailure | undefined> {
    const current = this.#store.describeTopic(name)?.partitions;
    if (current === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (total < current) return failure(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${total}.`);
    if (total === current) return failure(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (validateOnly) return undefined;
    try {
      await this.#store.createPartitions(name, total);
    } catch (err) {
      return failureOf(err);
    }
    this.#wrap(name);
    return undefined;
  }

  config(name: string): { config: TopicConfig; overrides: Readonly<Record<string, string>> } | undefined {
    const d = this.#store.describeTopic(name);
    return d === undefined ? undefined : { config: this.#store.topicConfig(name), overrides: d.configs };
  }

  async setConfig(name: string, overrides: Record<string, string>, validateOnly: boolean): Promise<TopicFailure | undefined> {
    const d = this.#store.describeTopic(name);
    if (d === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    const removed = Object.keys(d.configs).filter((key) => !Object.hasOwn(overrides, key));
    try {
      await this.#store.alterTopicConfig(name, { set: overrides, delete: removed }, { validateOnly });
    } catch (err) {
      return failureOf(err);
    }
    return undefined;
  }

  /** Ensures an internal topic exists with these settings (creating it on first start). */
  async ensureInternal(name: string, partitions: number, configs: Record<string, string>): Promise<void> {
    if (this.#store.describeTopic(name) !== undefined) return;
    const created = await this.create({ name, partitions, replicationFactor: 1, configs, validateOnly: false });
    if ('errorCode' in created) throw new SluiceError('INTERNAL_TOPIC_CREATE_FAILED', `cannot create ${name}: ${created.message}`, { context: { topic: name } });
  }

  /** Saves every partition's producer table (clean shutdown and periodic snapshots). */
  async saveProducerStates(): Promise<void> {
    for (const p of this.partitions()) await saveProducerState(p.log, p.producers);
  }

  /** Clean shutdown: producer snapshots, then the store's jobs stopped and every log flushed and marked clean. */
  async close(): Promise<void> {
    await this.saveProducerStates();
    await this.#store.close();
  }
}

interface CreateRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string | null>;
  validateOnly: boolean;
}
