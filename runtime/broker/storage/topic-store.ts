import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { systemClock } from '../../util/clock.ts';
import { CorruptDataError, SluiceError, messageOf } from '../../util/errors.ts';
import type { Random } from '../../util/random.ts';
import { systemRandom } from '../../util/random.ts';
import type { CleaningPlan } from '../log/compaction-plan.ts';
import { pickFilthiest } from '../log/compaction-plan.ts';
import { parsePartitionDirName, partitionDirName, validateTopicName } from '../log/file-names.ts';
import type { LogManagerConfig } from '../log/log-manager-config.ts';
import { LOG_MANAGER_CONFIG, isLogBrokerKey } from '../log/log-manager-config.ts';
import type { TopicConfig } from '../log/topic-config.ts';
import { TOPIC_CONFIG, TOPIC_CONFIG_SYNONYMS, isCompacted, parseTopicOverrides, resolveTopicConfig, topicDefaultsFromBroker } from '../log/topic-config.ts';
import { SerialFileWriter, unlinkIfExists } from './fs-util.ts';
import type { SwapStep } from './cleaned-segment-writer.ts';
import type { CleanResult } from './log-cleaner.ts';
import { LogCleaner } from './log-cleaner.ts';
import { PartitionLog } from './partition-log.ts';
import type { RetentionResult } from './partition-log.ts';

/**
 * The topics of one broker data directory: `<dataDir>/<topic>-<partition>/` per partition and
 * `<dataDir>/topics/<topic>.json` per topic (id, partition count, config overrides), written
 * atomically. Runs the background jobs Kafka's LogManager runs: flush by time, retention,
 * checkpoints and the log cleaner.
 */
export interface TopicStoreOptions {
  dataDir: string;
  /** Broker properties: the log manager's keys (log.flush.*, log.cleaner.*, ...) and topic defaults (log.retention.hours, ...). Other keys are ignored. */
  brokerConfig?: Readonly<Record<string, unknown>>;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** See PartitionLogOptions.onCorruption. */
  onCorruption?: 'fail' | 'truncate';
  /** See PartitionLogOptions.highWatermarkFollowsEnd. */
  highWatermarkFollowsEnd?: boolean;
  /** See PartitionLogOptions.syncData. */
  syncData?: (fd: number) => Promise<void>;
  /** Fault tests: called between the renames of a cleaner swap. */
  onCleanerSwapStep?: (step: SwapStep, segment: string) => void;
}

export interface TopicDescription {
  name: string;
  /** Kafka's topic id form: a random UUID in URL-safe base64 without padding (22 characters). */
  topicId: string;
  partitions: number;
  /** Per-topic overrides as stored (strings, Kafka's formatting). */
  configs: Record<string, string>;
}

export type ConfigSource = 'DYNAMIC_TOPIC_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG';

export interface DescribedConfig {
  name: string;
  value: string;
  source: ConfigSource;
  /** The broker key that supplied the value, for STATIC_BROKER_CONFIG. */
  synonym?: string;
}

interface TopicFile {
  version: 1;
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
}

interface Topic {
  description: TopicDescription;
  overrides: Partial<TopicConfig>;
  config: TopicConfig;
  partitions: PartitionLog[];
}

const TOPICS_DIR = 'topics';

function topicError(code: string, message: string, topic: string, retriable = false): SluiceError {
  return new SluiceError(code, message, { retriable, context: { topic } });
}

function newTopicId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}

export class TopicStore {
  readonly dataDir: string;
  readonly logManagerConfig: LogManagerConfig;
  readonly brokerTopicDefaults: Partial<TopicConfig>;
  readonly #brokerRaw: Readonly<Record<string, unknown>>;
  readonly #options: TopicStoreOptions;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger | undefined;
  readonly #topics = new Map<string, Topic>();
  readonly #cleaner: LogCleaner;
  #timers: NodeJS.Timeout[] = [];
  #cleanerLoop: Promise<void> | undefined;
  #cleanerWake: (() => void) | undefined;
  #closing = false;
  #lastCheckpoint = new WeakMap<PartitionLog, string>();
  readonly #files = new SerialFileWriter();

  private constructor(options: TopicStoreOptions) {
    this.#options = options;
    this.dataDir = options.dataDir;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#logger = options.logger;
    const raw = options.brokerConfig ?? {};
    this.#brokerRaw = raw;
    const own: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) if (LOG_MANAGER_CONFIG.keys.has(key)) own[key] = value;
    this.logManagerConfig = LOG_MANAGER_CONFIG.resolve(LOG_MANAGER_CONFIG.parseOverrides(own));
    this.brokerTopicDefaults = topicDefaultsFromBroker(raw);
    this.#cleaner = new LogCleaner({
      dedupeBufferSize: this.logManagerConfig['log.cleaner.dedupe.buffer.size'],
      ioBufferSize: this.logManagerConfig['log.cleaner.io.buffer.size'],
      loadFactor: this.logManagerConfig['log.cleaner.io.buffer.load.factor'],
      clock: this.#clock,
      logger: this.#logger,
      onSwapStep: options.onCleanerSwapStep,
    });
  }

  /** Opens the data directory: every stored topic and its partitions (with crash recovery). */
  static async open(options: TopicStoreOptions): Promise<TopicStore> {
    const store = new TopicStore(options);
    await store.#load();
    return store;
  }

  /** Whether a broker property is one the log layer reads (for the broker's unknown-key check). */
  static isBrokerKey(name: string): boolean {
    return isLogBrokerKey(name);
  }

  #topicFile(name: string): string {
    return path.join(this.dataDir, TOPICS_DIR, `${name}.json`);
  }

  async #load(): Promise<void> {
    fs.mkdirSync(path.join(this.dataDir, TOPICS_DIR), { recursive: true });
    for (const entry of fs.readdirSync(path.join(this.dataDir, TOPICS_DIR))) {
      const file = path.join(this.dataDir, TOPICS_DIR, entry);
      if (entry.endsWith('.tmp')) unlinkIfExists(file);
      else if (entry.endsWith('.json.deleting')) await this.#finishDelete(entry.slice(0, -'.json.deleting'.length));
    }
    const names = fs.readdirSync(path.join(this.dataDir, TOPICS_DIR)).filter((e) => e.endsWith('.json'));
    for (const entry of names) {
      const file = path.join(this.dataDir, TOPICS_DIR, entry);
      const stored = this.#parseTopicFile(fs.readFileSync(file, 'utf8'), file);
      const overrides = parseTopicOverrides(stored.configs);
      const config = resolveTopicConfig(this.brokerTopicDefaults, overrides);
      const topic: Topic = { description: { name: stored.name, topicId: stored.topicId, partitions: stored.partitions, configs: stored.configs }, overrides, config, partitions: [] };
      for (let p = 0; p < stored.partitions; p++) topic.partitions.push(await this.#openPartition(stored.name, p, config));
      this.#topics.set(stored.name, topic);
    }
    for (const entry of fs.readdirSync(this.dataDir)) {
      const parsed = parsePartitionDirName(entry);
      if (parsed !== undefined && !this.#topics.has(parsed.topic)) {
        this.#logger?.error({ dir: path.join(this.dataDir, entry) }, 'partition directory of no known topic; left untouched');
      }
    }
  }

  #parseTopicFile(text: string, file: string): TopicFile {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new CorruptDataError(`topic file ${file} is not valid JSON: ${messageOf(err)}`, { code: 'TOPIC_FILE_CORRUPT', cause: err, context: { file } });
    }
    const t = parsed as Partial<TopicFile>;
    if (t.version !== 1 || typeof t.name !== 'string' || typeof t.topicId !== 'string' || !Number.isInteger(t.partitions) || typeof t.configs !== 'object' || t.configs === null) {
      throw new CorruptDataError(`topic file ${file} lacks version 1, name, topicId, partitions or configs`, { code: 'TOPIC_FILE_CORRUPT', context: { file } });
    }
    return t as TopicFile;
  }

  async #openPartition(topic: string, partition: number, config: TopicConfig): Promise<PartitionLog> {
    return PartitionLog.open({
      dir: path.join(this.dataDir, partitionDirName(topic, partition)),
      topic,
      partition,
      config,
      clock: this.#clock,
      random: this.#random,
      logger: this.#logger?.child({ topic, partition }),
      onCorruption: this.#options.onCorruption,
      highWatermarkFollowsEnd: this.#options.highWatermarkFollowsEnd,
      syncData: this.#options.syncData,
    });
  }

  async #writeTopicFile(d: TopicDescription): Promise<void> {
    const file: TopicFile = { version: 1, name: d.name, topicId: d.topicId, partitions: d.partitions, configs: d.configs };
    await this.#files.write(this.#topicFile(d.name), () => `${JSON.stringify(file, null, 2)}\n`);
  }

  // --- topics --------------------------------------------------------------------------------

  topicNames(): string[] {
    return [...this.#topics.keys()].sort();
  }

  describeTopic(name: string): TopicDescription | undefined {
    const topic = this.#topics.get(name);
    return topic === undefined ? undefined : { ...topic.description, configs: { ...topic.description.configs } };
  }

  #topic(name: string): Topic {
    const topic = this.#topics.get(name);
    if (topic === undefined) throw topicError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`, name, true);
    return topic;
  }

  /** Effective configuration of a topic. */
  topicConfig(name: string): TopicConfig {
    return this.#topic(name).config;
  }

  /** Every topic key with its value and where the value comes from, as DescribeConfigs reports it. */
  describeConfigs(name: string): DescribedConfig[] {
    const topic = this.#topic(name);
    const out: DescribedConfig[] = [];
    for (const def of TOPIC_CONFIG.keys.values()) {
      const key = def.name as keyof TopicConfig;
      const value = TOPIC_CONFIG.format({ [key]: topic.config[key] } as Partial<TopicConfig>)[key];
      if (key in topic.overrides) out.push({ name: key, value, source: 'DYNAMIC_TOPIC_CONFIG' });
      else if (key in this.brokerTopicDefaults) {
        const synonym = TOPIC_CONFIG_SYNONYMS[key].find((s) => this.#brokerRaw[s.name] !== undefined)?.name;
        out.push({ name: key, value, source: 'STATIC_BROKER_CONFIG', synonym });
      } else out.push({ name: key, value, source: 'DEFAULT_CONFIG' });
    }
    return out;
  }

  /** CreateTopics. With validateOnly, checks everything and creates nothing. */
  async createTopic(name: string, partitions: number, configs: Readonly<Record<string, unknown>> = {}, options: { validateOnly?: boolean } = {}): Promise<TopicDescription> {
    validateTopicName(name);
    if (this.#topics.has(name)) throw topicError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`, name);
    if (!Number.isInteger(partitions) || partitions < 1) throw topicError('INVALID_PARTITIONS', `topic ${name}: number of partitions must be at least 1, got ${partitions}`, name);
    for (let p = 0; p < partitions; p++) {
      if (fs.existsSync(path.join(this.dataDir, partitionDirName(name, p)))) {
        throw topicError('TOPIC_ALREADY_EXISTS', `topic ${name}: directory ${partitionDirName(name, p)} already exists in ${this.dataDir} without a topic file; remove it or pick another name`, name);
      }
    }
    const overrides = parseTopicOverrides(configs);
    const config = resolveTopicConfig(this.brokerTopicDefaults, overrides);
    const description: TopicDescription = { name, topicId: newTopicId(), partitions, configs: TOPIC_CONFIG.format(overrides) };
    if (options.validateOnly === true) return description;
    // The topic file first: a crash before the partitions exist recreates them on open.
    await this.#writeTopicFile(description);
    const topic: Topic = { description, overrides, config, partitions: [] };
    this.#topics.set(name, topic);
    for (let p = 0; p < partitions; p++) topic.partitions.push(await this.#openPartition(name, p, config));
    this.#logger?.info({ topic: name, partitions, configs: description.configs }, 'created topic');
    return this.describeTopic(name) as TopicDescription;
  }

  /** CreatePartitions: grows the topic to `total` partitions. */
  async createPartitions(name: string, total: number): Promise<void> {
    const topic = this.#topic(name);
    const current = topic.partitions.length;
    if (!Number.isInteger(total) || total <= current) {
      throw topicError('INVALID_PARTITIONS', `topic ${name} has ${current} partitions; the new count must be larger, got ${total}`, name);
    }
    topic.description = { ...topic.description, partitions: total };
    await this.#writeTopicFile(topic.description);
    for (let p = current; p < total; p++) topic.partitions.push(await this.#openPartition(name, p, topic.config));
  }

  /**
   * IncrementalAlterConfigs: sets and deletes overrides (a deleted key falls back to the broker
   * default). All changes are validated before any is applied.
   */
  async alterTopicConfig(name: string, changes: { set?: Readonly<Record<string, unknown>>; delete?: readonly string[] }, options: { validateOnly?: boolean } = {}): Promise<void> {
    const topic = this.#topic(name);
    const next: Partial<TopicConfig> = { ...topic.overrides, ...parseTopicOverrides(changes.set ?? {}) };
    for (const key of changes.delete ?? []) {
      TOPIC_CONFIG.get(key);
      delete (next as Record<string, unknown>)[key];
    }
    const config = resolveTopicConfig(this.brokerTopicDefaults, next);
    if (options.validateOnly === true) return;
    topic.description = { ...topic.description, configs: TOPIC_CONFIG.format(next) };
    await this.#writeTopicFile(topic.description);
    topic.overrides = next;
    topic.config = config;
    for (const partition of topic.partitions) partition.updateConfig(config);
    this.#wakeCleaner();
  }

  /** DeleteTopics: the topic disappears at once; its files are removed before this resolves. */
  async deleteTopic(name: string): Promise<void> {
    const topic = this.#topic(name);
    this.#topics.delete(name);
    // The marker makes the deletion finish on the next open if this process dies half-way.
    await this.#files.write(`${this.#topicFile(name)}.deleting`, () => `${topic.description.partitions}\n`);
    for (const partition of topic.partitions) await partition.deleteFiles();
    await this.#finishDelete(name);
    this.#logger?.info({ topic: name }, 'deleted topic');
  }

  async #finishDelete(name: string): Promise<void> {
    for (const entry of fs.readdirSync(this.dataDir)) {
      if (parsePartitionDirName(entry)?.topic === name) fs.rmSync(path.join(this.dataDir, entry), { recursive: true, force: true });
    }
    unlinkIfExists(this.#topicFile(name));
    unlinkIfExists(`${this.#topicFile(name)}.deleting`);
  }

  /** The log of one partition; UNKNOWN_TOPIC_OR_PARTITION if there is none. */
  partition(topic: string, partition: number): PartitionLog {
    const log = this.#topics.get(topic)?.partitions[partition];
    if (log === undefined) {
      throw new SluiceError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic}-${partition} does not exist`, { retriable: true, context: { topic, partition } });
    }
    return log;
  }

  /** Every partition log, topic by topic. */
  partitions(): PartitionLog[] {
    return [...this.#topics.values()].flatMap((t) => t.partitions);
  }

  // --- background jobs -----------------------------------------------------------------------

  /** Retention for every partition (log.retention.check.interval.ms). */
  async runRetention(): Promise<RetentionResult[]> {
    const results: RetentionResult[] = [];
    for (const log of this.partitions()) {
      try {
        const r = await log.applyRetention();
        if (r.deletedSegments > 0) results.push(r);
      } catch (err) {
        this.#logger?.error({ err, topic: log.topic, partition: log.partition }, 'retention failed');
      }
    }
    return results;
  }

  /** flush.ms for every partition (log.flush.scheduler.interval.ms). */
  async flushDue(): Promise<number> {
    let flushed = 0;
    for (const log of this.partitions()) {
      try {
        if (await log.maybeFlushByTime()) flushed++;
      } catch (err) {
        this.#logger?.error({ err, topic: log.topic, partition: log.partition }, 'scheduled flush failed');
      }
    }
    return flushed;
  }

  /** fsyncs every partition. */
  async flushAll(): Promise<void> {
    await Promise.all(this.partitions().map((log) => log.flush()));
  }

  /** Writes the checkpoint of every partition whose offsets changed since the last one. */
  async checkpointAll(): Promise<void> {
    for (const log of this.partitions()) {
      const state = `${log.logStartOffset} ${log.recoveryPoint} ${log.highWatermark} ${log.cleanerOffset}`;
      if (this.#lastCheckpoint.get(log) === state) continue;
      try {
        await log.checkpoint();
        this.#lastCheckpoint.set(log, state);
      } catch (err) {
        this.#logger?.error({ err, topic: log.topic, partition: log.partition }, 'checkpoint failed');
      }
    }
  }

  /** The cleaning plan of every compacted partition. */
  cleaningPlans(): { log: PartitionLog; plan: CleaningPlan }[] {
    return this.partitions()
      .filter((log) => isCompacted(log.config))
      .map((log) => ({ log, plan: this.#cleaner.plan(log) }));
  }

  /** One cleaner pass over the log that needs it most; undefined when none does. */
  async runCleaner(): Promise<CleanResult | undefined> {
    const chosen = pickFilthiest(this.cleaningPlans());
    if (chosen === undefined) return undefined;
    return this.#cleaner.clean(chosen.log);
  }

  #wakeCleaner(): void {
    this.#cleanerWake?.();
  }

  /** Starts the periodic jobs with the intervals of the log manager config. */
  start(): void {
    const c = this.logManagerConfig;
    const every = (ms: number, job: () => Promise<unknown>, name: string): void => {
      if (ms >= 2 ** 31) return; // Long.MAX_VALUE-like intervals mean "never"
      let running = false;
      const timer = setInterval(() => {
        if (running || this.#closing) return;
        running = true;
        job()
          .catch((err: unknown) => this.#logger?.error({ err }, `${name} failed`))
          .finally(() => {
            running = false;
          });
      }, Math.max(1, ms));
      timer.unref();
      this.#timers.push(timer);
    };
    every(c['log.flush.scheduler.interval.ms'], () => this.flushDue(), 'flush');
    every(c['log.retention.check.interval.ms'], () => this.runRetention(), 'retention');
    every(Math.min(c['log.flush.offset.checkpoint.interval.ms'], c['log.flush.start.offset.checkpoint.interval.ms'], c['replica.high.watermark.checkpoint.interval.ms']) || 1, () => this.checkpointAll(), 'checkpoint');
    if (c['log.cleaner.enable']) this.#cleanerLoop = this.#runCleanerLoop(c['log.cleaner.backoff.ms']);
  }

  async #runCleanerLoop(backoffMs: number): Promise<void> {
    while (!this.#closing) {
      let cleaned: CleanResult | undefined;
      try {
        cleaned = await this.runCleaner();
      } catch (err) {
        this.#logger?.error({ err }, 'log cleaner pass failed');
      }
      if (cleaned !== undefined || this.#closing) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs);
        timer.unref();
        this.#cleanerWake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#cleanerWake = undefined;
    }
  }

  /** Stops the jobs and closes every partition cleanly (flush, clean-shutdown checkpoint). */
  async close(): Promise<void> {
    this.#closing = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#wakeCleaner();
    await this.#cleanerLoop;
    const errors: unknown[] = [];
    for (const log of this.partitions()) {
      try {
        await log.close();
      } catch (err) {
        errors.push(err);
        this.#logger?.error({ err, topic: log.topic, partition: log.partition }, 'closing partition failed');
      }
    }
    if (errors.length > 0) throw new SluiceError('LOG_CLOSE_FAILED', `${errors.length} partition(s) failed to close cleanly: ${messageOf(errors[0])}`, { cause: errors[0] });
  }
}
