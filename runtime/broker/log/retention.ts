import type { TopicConfig } from './topic-config.ts';
import { hasDeletePolicy } from './topic-config.ts';

/**
 * Which of the oldest segments retention deletes (Kafka's UnifiedLog.deleteOldSegments). Three
 * rules, applied to the oldest segments in order while they hold: segments entirely below the log
 * start offset (after DeleteRecords) always go; with the "delete" policy, segments whose newest
 * record is older than retention.ms, and the oldest segments while the log stays at or above
 * retention.bytes without them. A segment is deletable only when all of it is below the high
 * watermark; the empty active segment never is. When every segment goes, the active one must be
 * rolled first so that the log keeps an (empty) active segment at its end offset.
 */
export interface RetentionSegment {
  baseOffset: number;
  size: number;
  /** Largest timestamp in the segment, or the file's modification time when it has none. */
  largestTimestamp: number;
}

export interface RetentionInput {
  segments: readonly RetentionSegment[];
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  config: Pick<TopicConfig, 'cleanup.policy' | 'retention.ms' | 'retention.bytes'>;
  now: number;
}

export type RetentionReason = 'log-start-offset' | 'retention.ms' | 'retention.bytes';

export interface RetentionPlan {
  /** The oldest `deleteCount` segments are deleted. */
  deleteCount: number;
  reason: RetentionReason | undefined;
  /** True when every segment is deleted: roll the active segment first. */
  rollFirst: boolean;
  /** Log start offset once they are gone. */
  newLogStartOffset: number;
}

function deletable(input: RetentionInput, predicate: (s: RetentionSegment, i: number) => boolean): number {
  const { segments, highWatermark, logEndOffset } = input;
  let count = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const last = i === segments.length - 1;
    const upperBound = last ? logEndOffset : segments[i + 1].baseOffset;
    if (last && s.size === 0) break;
    if (highWatermark < upperBound || !predicate(s, i)) break;
    count++;
  }
  return count;
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const { segments, config, now } = input;
  const plan = (deleteCount: number, reason: RetentionReason | undefined): RetentionPlan => {
    const rollFirst = deleteCount > 0 && deleteCount === segments.length;
    const nextBase = rollFirst ? input.logEndOffset : deleteCount > 0 ? segments[deleteCount].baseOffset : input.logStartOffset;
    return { deleteCount, reason, rollFirst, newLogStartOffset: Math.max(input.logStartOffset, nextBase) };
  };

  const belowStart = deletable(input, (_s, i) => (i + 1 < segments.length ? segments[i + 1].baseOffset : input.logEndOffset) <= input.logStartOffset);
  if (belowStart > 0) return plan(belowStart, 'log-start-offset');
  if (!hasDeletePolicy(config)) return plan(0, undefined);

  const retentionMs = config['retention.ms'];
  if (retentionMs >= 0) {
    const expired = deletable(input, (s) => now - s.largestTimestamp > retentionMs);
    if (expired > 0) return plan(expired, 'retention.ms');
  }

  const retentionBytes = config['retention.bytes'];
  if (retentionBytes >= 0) {
    let excess = segments.reduce((sum, s) => sum + s.size, 0) - retentionBytes;
    const oversize = deletable(input, (s) => {
      if (excess - s.size < 0) return false;
      excess -= s.size;
      return true;
    });
    if (oversize > 0) return plan(oversize, 'retention.bytes');
  }
  return plan(0, undefined);
}
