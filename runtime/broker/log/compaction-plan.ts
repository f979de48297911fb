import type { TopicConfig } from './topic-config.ts';
import { isCompacted } from './topic-config.ts';

/**
 * Whether and how far a compacted log should be cleaned (Kafka's LogCleanerManager rules):
 * - the cleanable range is [log start, first uncleanable offset): never the active segment, never
 *   a segment holding records younger than min.compaction.lag.ms;
 * - the dirty part starts at the cleaner offset (everything below was compacted before);
 * - a log is cleaned when its dirty ratio (dirty bytes / cleanable bytes) reaches
 *   min.cleanable.dirty.ratio, when its oldest dirty record is older than max.compaction.lag.ms,
 *   or when a tombstone kept by an earlier pass has reached its delete horizon.
 */
export interface CleaningSegment {
  baseOffset: number;
  size: number;
  /** Largest batch max timestamp in the segment (-1 if none). */
  largestTimestamp: number;
  /** Max timestamp of its first batch (-1 if none). */
  firstBatchTimestamp: number;
}

export interface CleaningInput {
  /** All segments in offset order; the last one is the active segment. */
  segments: readonly CleaningSegment[];
  logStartOffset: number;
  cleanerOffset: number;
  /** Earliest delete horizon of tombstones kept by previous passes (Infinity if none). */
  tombstoneHorizon: number;
  config: Pick<TopicConfig, 'cleanup.policy' | 'min.cleanable.dirty.ratio' | 'min.compaction.lag.ms' | 'max.compaction.lag.ms'>;
  now: number;
}

export type CleaningReason = 'dirty-ratio' | 'max-compaction-lag' | 'tombstone-horizon';

export interface CleaningPlan {
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  cleanBytes: number;
  dirtyBytes: number;
  dirtyRatio: number;
  /** Why this log should be cleaned now, or undefined when it should not. */
  reason: CleaningReason | undefined;
}

export function planCleaning(input: CleaningInput): CleaningPlan {
  const { segments, config, now } = input;
  const active = segments.at(-1);
  const none: CleaningPlan = { firstDirtyOffset: input.logStartOffset, firstUncleanableOffset: input.logStartOffset, cleanBytes: 0, dirtyBytes: 0, dirtyRatio: 0, reason: undefined };
  if (!isCompacted(config) || active === undefined) return none;

  const firstDirtyOffset = Math.min(Math.max(input.cleanerOffset, input.logStartOffset), active.baseOffset);
  let firstUncleanableOffset = active.baseOffset;
  const minLag = config['min.compaction.lag.ms'];
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i];
    const end = segments[i + 1].baseOffset;
    if (end <= firstDirtyOffset) continue;
    if (minLag > 0 && s.largestTimestamp > now - minLag) {
      firstUncleanableOffset = Math.max(s.baseOffset, firstDirtyOffset);
      break;
    }
  }

  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirtySegment: CleaningSegment | undefined;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i];
    const end = segments[i + 1].baseOffset;
    if (end <= input.logStartOffset) continue;
    if (s.baseOffset >= firstUncleanableOffset) break;
    // A segment holding the first dirty offset counts as dirty, as Kafka counts it.
    if (end <= firstDirtyOffset) cleanBytes += s.size;
    else {
      dirtyBytes += s.size;
      firstDirtySegment ??= s;
    }
  }
  const total = cleanBytes + dirtyBytes;
  const dirtyRatio = total === 0 ? 0 : dirtyBytes / total;

  let reason: CleaningReason | undefined;
  const maxLag = config['max.compaction.lag.ms'];
  if (dirtyBytes > 0 && dirtyRatio >= config['min.cleanable.dirty.ratio']) reason = 'dirty-ratio';
  else if (dirtyBytes > 0 && firstDirtySegment !== undefined && firstDirtySegment.firstBatchTimestamp >= 0 && now - firstDirtySegment.firstBatchTimestamp > maxLag) reason = 'max-compaction-lag';
  else if (total > 0 && now >= input.tombstoneHorizon) reason = 'tombstone-horizon';
  return { firstDirtyOffset, firstUncleanableOffset, cleanBytes, dirtyBytes, dirtyRatio, reason };
}

/** Among several logs' plans, the one to clean first: forced ones by age, then the dirtiest. */
export function pickFilthiest<T extends { plan: CleaningPlan }>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  const rank = (c: T): number => (c.plan.reason === 'max-compaction-lag' ? 2 : c.plan.reason === 'tombstone-horizon' ? 1 : 0);
  for (const c of candidates) {
    if (c.plan.reason === undefined) continue;
    if (best === undefined || rank(c) > rank(best) || (rank(c) === rank(best) && c.plan.dirtyRatio > best.plan.dirtyRatio)) best = c;
  }
  return best;
}
