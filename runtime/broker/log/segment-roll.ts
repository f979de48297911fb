import type { TopicConfig } from './topic-config.ts';
import { isCompacted } from './topic-config.ts';

/**
 * When the active segment must be closed before an append (Kafka's LogSegment.shouldRoll): it
 * would outgrow segment.bytes, it is older than segment.ms (minus its jitter; for compacted
 * topics also max.compaction.lag.ms, so that the cleaner can reach old records), an index is full,
 * or the new offsets would not fit the index's int32 relative offsets. An empty segment never rolls.
 */
export interface ActiveSegmentState {
  baseOffset: number;
  size: number;
  /** Max timestamp of the segment's first batch, -1 when it has none (Kafka's rollingBasedTimestamp). */
  firstBatchTimestamp: number;
  /** Clock time the segment was created (or opened), for timestamp-less batches. */
  createdAt: number;
  /** Random per-segment amount subtracted from segment.ms, below segment.jitter.ms. */
  rollJitterMs: number;
  indexFull: boolean;
}

export interface IncomingAppend {
  size: number;
  maxTimestamp: number;
  lastOffset: number;
}

export type RollReason = 'segment.bytes' | 'segment.ms' | 'index-full' | 'offset-overflow';

const INT32_MAX = 0x7fffffff;

export function maxSegmentMs(config: Pick<TopicConfig, 'segment.ms' | 'max.compaction.lag.ms' | 'cleanup.policy'>): number {
  return isCompacted(config) ? Math.min(config['segment.ms'], config['max.compaction.lag.ms']) : config['segment.ms'];
}

export function rollReason(
  segment: ActiveSegmentState,
  incoming: IncomingAppend,
  config: Pick<TopicConfig, 'segment.bytes' | 'segment.ms' | 'max.compaction.lag.ms' | 'cleanup.policy'>,
  now: number,
): RollReason | undefined {
  if (segment.size === 0) return undefined;
  if (segment.size > config['segment.bytes'] - incoming.size) return 'segment.bytes';
  const waited = segment.firstBatchTimestamp >= 0 ? incoming.maxTimestamp - segment.firstBatchTimestamp : now - segment.createdAt;
  if (waited > maxSegmentMs(config) - segment.rollJitterMs) return 'segment.ms';
  if (segment.indexFull) return 'index-full';
  if (incoming.lastOffset - segment.baseOffset > INT32_MAX) return 'offset-overflow';
  return undefined;
}
