import { ConfigError } from '../../util/errors.ts';

/**
 * The group coordinator's settings, named and defaulted as Kafka's broker configs
 * (GroupCoordinatorConfig). The broker's config definition parses them; this is the resolved form.
 */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.max.size */
  maxSize: number;
  /** How long a new member's parked JoinGroup may wait before it is dropped (not a config in Kafka: 5 min). */
  newMemberJoinTimeoutMs: number;
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number;
  /** offsets.retention.minutes, in milliseconds */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (compared with the metadata string's length, as Kafka does) */
  offsetMetadataMaxSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3000,
  maxSize: 2147483647,
  newMemberJoinTimeoutMs: 5 * 60 * 1000,
  offsetsTopicNumPartitions: 50,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxSize: 4096,
});

const KAFKA_KEYS: Record<keyof GroupCoordinatorConfig, string> = {
  minSessionTimeoutMs: 'group.min.session.timeout.ms',
  maxSessionTimeoutMs: 'group.max.session.timeout.ms',
  initialRebalanceDelayMs: 'group.initial.rebalance.delay.ms',
  maxSize: 'group.max.size',
  newMemberJoinTimeoutMs: 'new member join timeout',
  offsetsTopicNumPartitions: 'offsets.topic.num.partitions',
  offsetsRetentionMs: 'offsets.retention.minutes',
  offsetsRetentionCheckIntervalMs: 'offsets.retention.check.interval.ms',
  offsetMetadataMaxSize: 'offset.metadata.max.bytes',
};

const MINIMUMS: Record<keyof GroupCoordinatorConfig, number> = {
  minSessionTimeoutMs: 0,
  maxSessionTimeoutMs: 0,
  initialRebalanceDelayMs: 0,
  maxSize: 1,
  newMemberJoinTimeoutMs: 1,
  offsetsTopicNumPartitions: 1,
  offsetsRetentionMs: 1,
  offsetsRetentionCheckIntervalMs: 1,
  offsetMetadataMaxSize: 0,
};

/** Fills defaults and refuses values Kafka refuses, naming the Kafka key. */
export function resolveGroupCoordinatorConfig(overrides: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig {
  const config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...overrides };
  for (const name of Object.keys(MINIMUMS) as (keyof GroupCoordinatorConfig)[]) {
    const value = config[name];
    if (!Number.isInteger(value) || value < MINIMUMS[name]) {
      throw new ConfigError(`${KAFKA_KEYS[name]} must be an integer ≥ ${MINIMUMS[name]}, got ${value}`, {
        context: { key: KAFKA_KEYS[name], value },
      });
    }
  }
  if (config.minSessionTimeoutMs > config.maxSessionTimeoutMs) {
    throw new ConfigError(
      `group.min.session.timeout.ms (${config.minSessionTimeoutMs}) must not exceed group.max.session.timeout.ms (${config.maxSessionTimeoutMs})`,
      { context: { key: 'group.min.session.timeout.ms' } },
    );
  }
  return config;
}
