import { ConfigError } from '../../util/errors.ts';
import { ConfigDefs, atLeast, between, listOf, oneOf, parseConfigValue } from './config-def.ts';
import type { ConfigKeyDef, ConfigValue } from './config-def.ts';

/**
 * Per-topic log settings with Kafka's names, types, defaults and validators (LogConfig). Each key
 * may take its default from a broker-wide setting (Kafka's "server default property"); see
 * topicDefaultsFromBroker.
 */
export type CleanupPolicy = 'delete' | 'compact';
export type TimestampType = 'CreateTime' | 'LogAppendTime';
export type CompressionTypeName = 'uncompressed' | 'zstd' | 'lz4' | 'snappy' | 'gzip' | 'producer';

export interface TopicConfig {
  'cleanup.policy': CleanupPolicy[];
  'compression.type': CompressionTypeName;
  'compression.gzip.level': number;
  'compression.lz4.level': number;
  'compression.zstd.level': number;
  'delete.retention.ms': number;
  'file.delete.delay.ms': number;
  'flush.messages': number;
  'flush.ms': number;
  'index.interval.bytes': number;
  'max.compaction.lag.ms': number;
  'max.message.bytes': number;
  'message.timestamp.type': TimestampType;
  'message.timestamp.before.max.ms': number;
  'message.timestamp.after.max.ms': number;
  'min.cleanable.dirty.ratio': number;
  'min.compaction.lag.ms': number;
  'min.insync.replicas': number;
  'retention.bytes': number;
  'retention.ms': number;
  'segment.bytes': number;
  'segment.index.bytes': number;
  'segment.jitter.ms': number;
  'segment.ms': number;
  'unclean.leader.election.enable': boolean;
}

const LONG_MAX = 2 ** 63;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Kafka's compression level ranges (CompressionType.*.levelValidator). */
const gzipLevel = (v: number): string | undefined => (v === -1 || (v >= 1 && v <= 9) ? undefined : 'must be -1 or between 1 and 9');

const topicDefs: ConfigKeyDef[] = [
  {
    name: 'cleanup.policy', type: 'list', default: ['delete'], importance: 'medium', validValues: '[compact, delete]', validate: listOf(['compact', 'delete']),
    doc: '"delete" drops whole old segments once retention.ms or retention.bytes is exceeded; "compact" keeps only the latest record per key; both may be given ("compact,delete").',
  },
  {
    name: 'compression.type', type: 'string', default: 'producer', importance: 'medium', validValues: '[uncompressed, zstd, lz4, snappy, gzip, producer]',
    validate: oneOf(['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']),
    doc: 'Codec batches are stored with. "producer" (default) stores them exactly as produced; any other value makes the broker recompress batches that use a different codec, which costs a decode and an encode per batch on append.',
  },
  { name: 'compression.gzip.level', type: 'int', default: -1, importance: 'medium', validValues: '[1,...,9] or -1', validate: gzipLevel, doc: 'gzip level used when compression.type=gzip (-1: zlib default).' },
  { name: 'compression.lz4.level', type: 'int', default: 9, importance: 'medium', validValues: '[1,...,17]', validate: between(1, 17), doc: 'lz4 level used when compression.type=lz4.' },
  { name: 'compression.zstd.level', type: 'int', default: 3, importance: 'medium', validValues: '[-131072,...,22]', validate: between(-131072, 22), doc: 'zstd level used when compression.type=zstd.' },
  {
    name: 'delete.retention.ms', type: 'long', default: DAY_MS, importance: 'medium', validValues: '[0,...]', validate: atLeast(0),
    doc: 'How long a tombstone (null value) stays readable in a compacted topic after the cleaner first reaches it; a consumer reading from the start must finish within this time to see every delete.',
  },
  { name: 'file.delete.delay.ms', type: 'long', default: 60000, importance: 'medium', validValues: '[0,...]', validate: atLeast(0), doc: 'Delay between removing a segment from the log (renamed *.deleted) and unlinking its files.' },
  {
    name: 'flush.messages', type: 'long', default: LONG_MAX, importance: 'medium', validValues: '[1,...]', validate: atLeast(1),
    doc: 'Force an fsync once this many records were appended since the last one; the append that reaches the count is acknowledged only after the fsync. 1 makes every acknowledged record survive power loss. See runtime/broker/storage/README.md.',
  },
  {
    name: 'flush.ms', type: 'long', default: LONG_MAX, importance: 'medium', validValues: '[0,...]', validate: atLeast(0),
    doc: 'Force an fsync when the oldest unflushed record is older than this (checked every log.flush.scheduler.interval.ms); acknowledgements do not wait for it.',
  },
  { name: 'index.interval.bytes', type: 'int', default: 4096, importance: 'medium', validValues: '[0,...]', validate: atLeast(0), doc: 'Bytes of batches between two entries of the sparse offset index (and time index).' },
  {
    name: 'max.compaction.lag.ms', type: 'long', default: LONG_MAX, importance: 'medium', validValues: '[1,...]', validate: atLeast(1),
    doc: 'Longest time a record may stay uncompacted: a log whose oldest dirty record is older is cleaned regardless of min.cleanable.dirty.ratio, and its active segment is rolled.',
  },
  { name: 'max.message.bytes', type: 'int', default: 1024 * 1024 + 12, importance: 'medium', validValues: '[0,...]', validate: atLeast(0), doc: 'Largest record batch accepted on append, in bytes after compression.' },
  {
    name: 'message.timestamp.type', type: 'string', default: 'CreateTime', importance: 'medium', validValues: '[CreateTime, LogAppendTime]', validate: oneOf(['CreateTime', 'LogAppendTime']),
    doc: 'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps every batch with the broker\'s clock on append.',
  },
  {
    name: 'message.timestamp.before.max.ms', type: 'long', default: LONG_MAX, importance: 'medium', validValues: '[0,...]', validate: atLeast(0),
    doc: 'With CreateTime, refuse batches whose timestamps are further than this in the past of the broker clock (checked on the batch header: base and max timestamp).',
  },
  {
    name: 'message.timestamp.after.max.ms', type: 'long', default: 3600000, importance: 'medium', validValues: '[0,...]', validate: atLeast(0),
    doc: 'With CreateTime, refuse batches whose max timestamp is further than this in the future of the broker clock.',
  },
  {
    name: 'min.cleanable.dirty.ratio', type: 'double', default: 0.5, importance: 'medium', validValues: '[0,...,1]', validate: between(0, 1),
    doc: 'The cleaner compacts a log only when the uncleaned share of its cleanable bytes reaches this ratio (unless max.compaction.lag.ms forces it).',
  },
  { name: 'min.compaction.lag.ms', type: 'long', default: 0, importance: 'medium', validValues: '[0,...]', validate: atLeast(0), doc: 'Segments holding records younger than this are not compacted yet.' },
  { name: 'min.insync.replicas', type: 'int', default: 1, importance: 'medium', validValues: '[1,...]', validate: atLeast(1), doc: 'Replicas that must hold a record before an acks=all produce succeeds.' },
  {
    name: 'retention.bytes', type: 'long', default: -1, importance: 'medium',
    doc: 'Largest size of one partition before its oldest segments are deleted ("delete" policy); -1: no limit.',
  },
  {
    name: 'retention.ms', type: 'long', default: 7 * DAY_MS, importance: 'medium', validValues: '[-1,...]', validate: atLeast(-1),
    doc: 'Segments whose newest record is older than this are deleted ("delete" policy); -1: no limit.',
  },
  { name: 'segment.bytes', type: 'int', default: 1024 * 1024 * 1024, importance: 'medium', validValues: '[14,...]', validate: atLeast(14), doc: 'Size at which the active segment is closed and a new one started.' },
  { name: 'segment.index.bytes', type: 'int', default: 10 * 1024 * 1024, importance: 'medium', validValues: '[4,...]', validate: atLeast(4), doc: 'Largest offset index of a segment; a full index rolls the segment.' },
  { name: 'segment.jitter.ms', type: 'long', default: 0, importance: 'medium', validValues: '[0,...]', validate: atLeast(0), doc: 'Largest random amount subtracted from segment.ms so that partitions do not all roll at once.' },
  { name: 'segment.ms', type: 'long', default: 7 * DAY_MS, importance: 'medium', validValues: '[1,...]', validate: atLeast(1), doc: 'Age after which the active segment is rolled even if not full, so that retention and compaction can reach it.' },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: false, importance: 'medium', doc: 'Allow a replica outside the ISR to become leader as a last resort, at the cost of losing records.' },
];

export const TOPIC_CONFIG = new ConfigDefs<TopicConfig>('topic', topicDefs);

/**
 * Broker-wide keys that give each topic key its default, first match wins, with the factor that
 * turns the broker key's unit into the topic key's (Kafka's ServerTopicConfigSynonyms).
 */
export const TOPIC_CONFIG_SYNONYMS: Readonly<Record<keyof TopicConfig, readonly { name: string; factor?: number }[]>> = {
  'cleanup.policy': [{ name: 'log.cleanup.policy' }],
  'compression.type': [{ name: 'compression.type' }],
  'compression.gzip.level': [{ name: 'compression.gzip.level' }],
  'compression.lz4.level': [{ name: 'compression.lz4.level' }],
  'compression.zstd.level': [{ name: 'compression.zstd.level' }],
  'delete.retention.ms': [{ name: 'log.cleaner.delete.retention.ms' }],
  'file.delete.delay.ms': [{ name: 'log.segment.delete.delay.ms' }],
  'flush.messages': [{ name: 'log.flush.interval.messages' }],
  'flush.ms': [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
  'index.interval.bytes': [{ name: 'log.index.interval.bytes' }],
  'max.compaction.lag.ms': [{ name: 'log.cleaner.max.compaction.lag.ms' }],
  'max.message.bytes': [{ name: 'message.max.bytes' }],
  'message.timestamp.type': [{ name: 'log.message.timestamp.type' }],
  'message.timestamp.before.max.ms': [{ name: 'log.message.timestamp.before.max.ms' }],
  'message.timestamp.after.max.ms': [{ name: 'log.message.timestamp.after.max.ms' }],
  'min.cleanable.dirty.ratio': [{ name: 'log.cleaner.min.cleanable.ratio' }],
  'min.compaction.lag.ms': [{ name: 'log.cleaner.min.compaction.lag.ms' }],
  'min.insync.replicas': [{ name: 'min.insync.replicas' }],
  'retention.bytes': [{ name: 'log.retention.bytes' }],
  'retention.ms': [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', factor: 60_000 }, { name: 'log.retention.hours', factor: 3_600_000 }],
  'segment.bytes': [{ name: 'log.segment.bytes' }],
  'segment.index.bytes': [{ name: 'log.index.size.max.bytes' }],
  'segment.jitter.ms': [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', factor: 3_600_000 }],
  'segment.ms': [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', factor: 3_600_000 }],
  'unclean.leader.election.enable': [{ name: 'unclean.leader.election.enable' }],
};

/** Every broker key that TOPIC_CONFIG_SYNONYMS reads. */
export const TOPIC_DEFAULT_BROKER_KEYS: ReadonlySet<string> = new Set(Object.values(TOPIC_CONFIG_SYNONYMS).flatMap((list) => list.map((s) => s.name)));

/**
 * Topic defaults as a broker's properties set them: for each topic key, the first broker synonym
 * present in `broker` (converted to the topic key's unit). Keys `broker` does not mention keep
 * Kafka's defaults. Other broker keys are ignored here.
 */
export function topicDefaultsFromBroker(broker: Readonly<Record<string, unknown>>): Partial<TopicConfig> {
  const out: Record<string, ConfigValue> = {};
  for (const [topicKey, synonyms] of Object.entries(TOPIC_CONFIG_SYNONYMS)) {
    const found = synonyms.find((s) => broker[s.name] !== undefined && broker[s.name] !== null);
    if (found === undefined) continue;
    const topicDef = TOPIC_CONFIG.get(topicKey);
    const raw = broker[found.name];
    if (found.factor === undefined) {
      out[topicKey] = parseConfigValue({ ...topicDef, name: found.name }, raw);
    } else {
      const units = parseConfigValue({ name: found.name, type: 'long', default: 0, importance: 'high', doc: '' }, raw) as number;
      out[topicKey] = parseConfigValue(topicDef, units < 0 ? units : units * found.factor);
    }
  }
  return out as Partial<TopicConfig>;
}

/** Parses per-topic overrides (CreateTopics/AlterConfigs values or a stored topic file). */
export function parseTopicOverrides(raw: Readonly<Record<string, unknown>>): Partial<TopicConfig> {
  return TOPIC_CONFIG.parseOverrides(raw);
}

/** The effective configuration of a topic: Kafka defaults, then broker defaults, then overrides. */
export function resolveTopicConfig(brokerDefaults: Partial<TopicConfig>, overrides: Partial<TopicConfig>): TopicConfig {
  const config = TOPIC_CONFIG.resolve(brokerDefaults, overrides);
  checkConsistency(config);
  return config;
}

/** Cross-key rules Kafka enforces (LogConfig.validate...). */
function checkConsistency(config: TopicConfig): void {
  if (config['min.compaction.lag.ms'] > config['max.compaction.lag.ms']) {
    throw new ConfigError(
      `Invalid configuration: min.compaction.lag.ms (${config['min.compaction.lag.ms']}) must not exceed max.compaction.lag.ms (${config['max.compaction.lag.ms']})`,
      { code: 'INVALID_CONFIG', context: { key: 'min.compaction.lag.ms' } },
    );
  }
}

export function isCompacted(config: Pick<TopicConfig, 'cleanup.policy'>): boolean {
  return config['cleanup.policy'].includes('compact');
}

export function hasDeletePolicy(config: Pick<TopicConfig, 'cleanup.policy'>): boolean {
  return config['cleanup.policy'].includes('delete');
}
