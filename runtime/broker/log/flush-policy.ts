import type { TopicConfig } from './topic-config.ts';

/**
 * Kafka's flush rules as pure decisions. flush.messages: once that many offsets were appended since
 * the last fsync, the append that crossed the count waits for an fsync. flush.ms: a background
 * check (every log.flush.scheduler.interval.ms) fsyncs a log whose last fsync is older than that
 * and which has unflushed records; nobody waits for it.
 */
export function flushDueAfterAppend(unflushedOffsets: number, config: Pick<TopicConfig, 'flush.messages'>): boolean {
  return unflushedOffsets >= config['flush.messages'];
}

export function flushDueByTime(now: number, lastFlushAt: number, unflushedOffsets: number, config: Pick<TopicConfig, 'flush.ms'>): boolean {
  return unflushedOffsets > 0 && now - lastFlushAt >= config['flush.ms'];
}
