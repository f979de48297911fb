import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { ConfigError, SluiceError, messageOf } from '../../util/errors.ts';
import { decodeBatch } from '../log/records.ts';
import { BATCH_LENGTH, LOG_OVERHEAD, MAX_TIMESTAMP } from '../log/batch-header.ts';
import { partitionDirName, validateTopicName } from '../log/file-names.ts';
import { parseTopicOverrides, resolveTopicConfig } from '../log/topic-config.ts';
import type { TopicConfig } from '../log/topic-config.ts';
import { ErrorCode } from '../protocol/index.ts';
import { PartitionLog } from '../storage/partition-log.ts';
import type { AppendResult } from '../storage/partition-log.ts';
import { hexToKafkaUuid, kafkaUuidToHex } from './kafka-uuid.ts';
import { randomKafkaUuid } from './meta-properties.ts';
import type { ProducerStateTable } from './producer-state.ts';
import { loadProducerState, saveProducerState } from './producer-state-store.ts';
import { TopicStore } from './topic-store.ts';
import type { StoredTopic } from './topic-store.ts';
import type { CreatedTopic, PartitionHandle, TopicDescription, TopicFailure, TopicsService } from './topics.ts';

/**
 * Topics over the log engine: the catalogue (topic-store.ts), one PartitionLog per partition with
 * its idempotent-producer table, append listeners for long-polling fetches, and the admin
 * operations with Kafka's validation and error codes. A single node leads every partition at
 * leader epoch 0 with itself as the only replica.
 */
export interface TopicServiceOptions {
  dataDir: string;
  /** Topic defaults from server.properties (log.retention.hours, log.segment.bytes, ...). */
  brokerDefaults: Partial<TopicConfig>;
  numPartitions: number;
  defaultReplicationFactor: number;
  deleteTopicEnable: boolean;
  clock: Clock;
  logger: Logger;
}

export const LEADER_EPOCH = 0;
const MAX_SCAN_CHUNK = 1024 * 1024;

class Partition implements PartitionHandle {
  readonly topic: string;
  readonly index: number;
  readonly log: PartitionLog;
  readonly producers: ProducerStateTable;
  readonly leaderEpoch = LEADER_EPOCH;
  readonly #listeners = new Set<() => void>();

  constructor(log: PartitionLog, producers: ProducerStateTable) {
    this.topic = log.topic;
    this.index = log.partition;
    this.log = log;
    this.producers = producers;
  }

  append(records: Buffer): Promise<AppendResult> {
    const before = this.log.logEndOffset;
    const result = this.log.append(records, LEADER_EPOCH);
    if (this.log.logEndOffset !== before) for (const listener of [...this.#listeners]) listener();
    return result;
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

class Topic {
  readonly name: string;
  stored: StoredTopic;
  config: TopicConfig;
  readonly partitions: Partition[];

  constructor(name: string, stored: StoredTopic, config: TopicConfig, partitions: Partition[]) {
    this.name = name;
    this.stored = stored;
    this.config = config;
    this.partitions = partitions;
  }

  describe(): TopicDescription {
    return { name: this.name, topicId: kafkaUuidToHex(this.stored.id), partitions: this.partitions.length, internal: this.stored.internal === true, leaderEpoch: LEADER_EPOCH };
  }
}

function failure(errorCode: number, message: string): TopicFailure {
  return { errorCode, message };
}

/** Kafka refuses topics whose names differ only in '.' versus '_' (their metric names collide). */
function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export class TopicService implements TopicsService {
  readonly #options: TopicServiceOptions;
  readonly #store: TopicStore;
  readonly #topics = new Map<string, Topic>();
  readonly #log: Logger;
  /** Creations in progress, so that concurrent auto-creations of one name share the work. */
  readonly #creating = new Map<string, Promise<CreatedTopic | TopicFailure>>();

  private constructor(options: TopicServiceOptions, store: TopicStore) {
    this.#options = options;
    this.#store = store;
    this.#log = options.logger;
  }

  /** Opens every stored topic's partitions (running log recovery) and restores producer state. */
  static async open(options: TopicServiceOptions): Promise<TopicService> {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const service = new TopicService(options, TopicStore.open(options.dataDir));
    for (const [name, stored] of service.#store.entries()) {
      const config = resolveTopicConfig(options.brokerDefaults, parseTopicOverrides(stored.configs));
      const partitions: Partition[] = [];
      for (let p = 0; p < stored.partitions; p++) partitions.push(await service.#openPartition(name, p, config));
      service.#topics.set(name, new Topic(name, stored, config, partitions));
    }
    return service;
  }

  async #openPartition(topic: string, index: number, config: TopicConfig): Promise<Partition> {
    const log = await PartitionLog.open({
      dir: path.join(this.#options.dataDir, partitionDirName(topic, index)),
      topic,
      partition: index,
      config,
      clock: this.#options.clock,
      logger: this.#log,
    });
    return new Partition(log, loadProducerState(log, this.#log));
  }

  describe(name: string): TopicDescription | undefined {
    return this.#topics.get(name)?.describe();
  }

  byId(topicId: string): TopicDescription | undefined {
    const id = hexToKafkaUuid(topicId);
    for (const t of this.#topics.values()) if (t.stored.id === id) return t.describe();
    return undefined;
  }

  all(): TopicDescription[] {
    return [...this.#topics.values()].map((t) => t.describe());
  }

  partition(topic: string, index: number): PartitionHandle | undefined {
    return this.#topics.get(topic)?.partitions[index];
  }

  /** Every partition log, for the maintenance jobs. */
  *partitions(): Generator<Partition> {
    for (const t of this.#topics.values()) yield* t.partitions;
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

  create(request: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string | null>; validateOnly: boolean; internal?: boolean }): Promise<CreatedTopic | TopicFailure> {
    const pending = this.#creating.get(request.name);
    if (pending !== undefined) return pending.then(() => failure(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${request.name}' already exists.`));
    const work = this.#create(request);
    if (!request.validateOnly) {
      this.#creating.set(request.name, work);
      void work.finally(() => this.#creating.delete(request.name));
    }
    return work;
  }

  async #create(request: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string | null>; validateOnly: boolean; internal?: boolean }): Promise<CreatedTopic | TopicFailure> {
    const { name } = request;
    try {
      validateTopicName(name);
    } catch (err) {
      return failure(ErrorCode.INVALID_TOPIC_EXCEPTION, messageOf(err));
    }
    if (this.#topics.has(name)) return failure(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const collides = [...this.#topics.keys()].find((other) => collisionKey(other) === collisionKey(name));
    if (collides !== undefined) return failure(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collides}`);
    const partitions = request.partitions === -1 ? this.#options.numPartitions : request.partitions;
    if (partitions <= 0) return failure(ErrorCode.INVALID_PARTITIONS, `Number of partitions was set to an invalid non-positive value (${partitions}).`);
    const replicationFactor = request.replicationFactor === -1 ? this.#options.defaultReplicationFactor : request.replicationFactor;
    if (replicationFactor <= 0) return failure(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor must be larger than 0, or -1 to use the default value.`);
    if (replicationFactor > 1) {
      return failure(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.configs)) if (value !== null) raw[key] = value;
    let config: TopicConfig;
    try {
      config = resolveTopicConfig(this.#options.brokerDefaults, parseTopicOverrides(raw));
    } catch (err) {
      if (err instanceof ConfigError) return failure(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
    const stored: StoredTopic = { id: randomKafkaUuid(), partitions, configs: raw, ...(request.internal ? { internal: true } : {}) };
    const topic = new Topic(name, stored, config, []);
    const created: CreatedTopic = { description: { ...topic.describe(), partitions }, config, overrides: new Set(Object.keys(raw)) };
    if (request.validateOnly) return created;
    await this.#store.put(name, stored);
    for (let p = 0; p < partitions; p++) topic.partitions.push(await this.#openPartition(name, p, config));
    this.#topics.set(name, topic);
    return created;
  }

  async delete(name: string): Promise<TopicFailure | undefined> {
    const topic = this.#topics.get(name);
    if (topic === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (!this.#options.deleteTopicEnable) return failure(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled (delete.topic.enable=false).');
    if (topic.stored.internal === true) return failure(ErrorCode.INVALID_REQUEST, `internal topic ${name} cannot be deleted`);
    this.#topics.delete(name);
    await this.#store.remove(name);
    for (const p of topic.partitions) await p.log.deleteFiles();
    this.#log.info({ topic: name }, 'deleted topic');
    return undefined;
  }

  async addPartitions(name: string, total: number, validateOnly: boolean): Promise<TopicFailure | undefined> {
    const topic = this.#topics.get(name);
    if (topic === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    const current = topic.partitions.length;
    if (total < current) return failure(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${total}.`);
    if (total === current) return failure(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (validateOnly) return undefined;
    const stored = { ...topic.stored, partitions: total };
    await this.#store.put(name, stored);
    topic.stored = stored;
    for (let p = current; p < total; p++) topic.partitions.push(await this.#openPartition(name, p, topic.config));
    return undefined;
  }

  config(name: string): { config: TopicConfig; overrides: Readonly<Record<string, string>> } | undefined {
    const topic = this.#topics.get(name);
    return topic === undefined ? undefined : { config: topic.config, overrides: topic.stored.configs };
  }

  async setConfig(name: string, overrides: Record<string, string>, validateOnly: boolean): Promise<TopicFailure | undefined> {
    const topic = this.#topics.get(name);
    if (topic === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    let config: TopicConfig;
    try {
      config = resolveTopicConfig(this.#options.brokerDefaults, parseTopicOverrides(overrides));
    } catch (err) {
      if (err instanceof ConfigError) return failure(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
    if (validateOnly) return undefined;
    const stored = { ...topic.stored, configs: { ...overrides } };
    await this.#store.put(name, stored);
    topic.stored = stored;
    topic.config = config;
    for (const p of topic.partitions) p.log.updateConfig(config);
    return undefined;
  }

  /** Ensures an internal topic exists with these settings (creating it on first start). */
  async ensureInternal(name: string, partitions: number, configs: Record<string, string>): Promise<void> {
    if (this.#topics.has(name)) return;
    const created = await this.create({ name, partitions, replicationFactor: 1, configs, validateOnly: false, internal: true });
    if ('errorCode' in created) throw new SluiceError('INTERNAL_TOPIC_CREATE_FAILED', `cannot create ${name}: ${created.message}`, { context: { topic: name } });
  }

  /** Saves every partition's producer table (clean shutdown and periodic checkpoints). */
  async saveProducerStates(): Promise<void> {
    for (const p of this.partitions()) await saveProducerState(p.log, p.producers);
  }

  /** Clean shutdown: producer snapshots, then every log flushed and marked clean. */
  async close(): Promise<void> {
    await this.saveProducerStates();
    for (const p of this.partitions()) await p.log.close();
  }
}
