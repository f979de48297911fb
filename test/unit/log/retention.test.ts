import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { planRetention } from '../../../runtime/broker/log/retention.ts';
import type { RetentionInput } from '../../../runtime/broker/log/retention.ts';
import { rollReason } from '../../../runtime/broker/log/segment-roll.ts';
import { PartitionLog } from '../../../runtime/broker/storage/partition-log.ts';
import { ManualClock } from '../../../runtime/util/clock.ts';
import { hasCode } from '../../../runtime/util/errors.ts';
import { batchOf, readAll, tempDir, topicConfig } from './log-fixtures.ts';

const base = (overrides: Partial<RetentionInput> = {}): RetentionInput => ({
  segments: [
    { baseOffset: 0, size: 100, largestTimestamp: 1000 },
    { baseOffset: 10, size: 100, largestTimestamp: 2000 },
    { baseOffset: 20, size: 100, largestTimestamp: 3000 },
    { baseOffset: 30, size: 50, largestTimestamp: 4000 },
  ],
  logStartOffset: 0,
  logEndOffset: 35,
  highWatermark: 35,
  config: { 'cleanup.policy': ['delete'], 'retention.ms': -1, 'retention.bytes': -1 },
  now: 10_000,
  ...overrides,
});

describe('planRetention', () => {
  it('deletes the oldest segments whose newest record is older than retention.ms', () => {
    const plan = planRetention(base({ config: { 'cleanup.policy': ['delete'], 'retention.ms': 7500, 'retention.bytes': -1 } }));
    expect(plan).toEqual({ deleteCount: 2, reason: 'retention.ms', rollFirst: false, newLogStartOffset: 20 });
  });

  it('deletes oldest segments while the log stays at or above retention.bytes without them', () => {
    expect(planRetention(base({ config: { 'cleanup.policy': ['delete'], 'retention.ms': -1, 'retention.bytes': 150 } }))).toMatchObject({ deleteCount: 2, reason: 'retention.bytes', newLogStartOffset: 20 });
    expect(planRetention(base({ config: { 'cleanup.policy': ['delete'], 'retention.ms': -1, 'retention.bytes': 351 } })).deleteCount).toBe(0);
  });

  it('rolls first when every segment expired, and never deletes the empty active one', () => {
    const plan = planRetention(base({ config: { 'cleanup.policy': ['delete'], 'retention.ms': 1, 'retention.bytes': -1 } }));
    expect(plan).toEqual({ deleteCount: 4, reason: 'retention.ms', rollFirst: true, newLogStartOffset: 35 });
    const emptyActive = base({ config: { 'cleanup.policy': ['delete'], 'retention.ms': 1, 'retention.bytes': -1 } });
    emptyActive.segments = [...emptyActive.segments.slice(0, 3), { baseOffset: 30, size: 0, largestTimestamp: -1 }];
    emptyActive.logEndOffset = 30;
    emptyActive.highWatermark = 30;
    expect(planRetention(emptyActive)).toMatchObject({ deleteCount: 3, rollFirst: false, newLogStartOffset: 30 });
  });

  it('keeps segments not wholly below the high watermark', () => {
    expect(planRetention(base({ highWatermark: 15, config: { 'cleanup.policy': ['delete'], 'retention.ms': 1, 'retention.bytes': -1 } })).deleteCount).toBe(1);
  });

  it('applies time and size limits only with the delete policy; the log start offset always', () => {
    const compactOnly = { 'cleanup.policy': ['compact' as const], 'retention.ms': 1, 'retention.bytes': 1 };
    expect(planRetention(base({ config: compactOnly })).deleteCount).toBe(0);
    expect(planRetention(base({ config: compactOnly, logStartOffset: 22 }))).toMatchObject({ deleteCount: 2, reason: 'log-start-offset', newLogStartOffset: 22 });
    expect(planRetention(base({ config: { ...compactOnly, 'cleanup.policy': ['compact', 'delete'] } })).deleteCount).toBe(4);
  });
});

describe('rollReason', () => {
  const config = { 'segment.bytes': 1000, 'segment.ms': 100, 'max.compaction.lag.ms': 2 ** 63, 'cleanup.policy': ['delete' as const] };
  const segment = { baseOffset: 0, size: 500, firstBatchTimestamp: 1000, createdAt: 0, rollJitterMs: 0, indexFull: false };
  it('rolls on size, age, a full index and relative offset overflow; never an empty segment', () => {
    expect(rollReason(segment, { size: 400, maxTimestamp: 1050, lastOffset: 10 }, config, 0)).toBeUndefined();
    expect(rollReason(segment, { size: 501, maxTimestamp: 1050, lastOffset: 10 }, config, 0)).toBe('segment.bytes');
    expect(rollReason(segment, { size: 1, maxTimestamp: 1101, lastOffset: 10 }, config, 0)).toBe('segment.ms');
    expect(rollReason({ ...segment, rollJitterMs: 60 }, { size: 1, maxTimestamp: 1041, lastOffset: 10 }, config, 0)).toBe('segment.ms');
    expect(rollReason({ ...segment, firstBatchTimestamp: -1 }, { size: 1, maxTimestamp: -1, lastOffset: 10 }, config, 101)).toBe('segment.ms');
    expect(rollReason({ ...segment, indexFull: true }, { size: 1, maxTimestamp: 1000, lastOffset: 10 }, config, 0)).toBe('index-full');
    expect(rollReason(segment, { size: 1, maxTimestamp: 1000, lastOffset: 2 ** 31 }, config, 0)).toBe('offset-overflow');
    expect(rollReason({ ...segment, size: 0, indexFull: true }, { size: 5000, maxTimestamp: 9999, lastOffset: 10 }, config, 0)).toBeUndefined();
    const compacted = { ...config, 'segment.ms': 10_000, 'max.compaction.lag.ms': 50, 'cleanup.policy': ['compact' as const] };
    expect(rollReason(segment, { size: 1, maxTimestamp: 1051, lastOffset: 10 }, compacted, 0)).toBe('segment.ms');
  });
});

describe('PartitionLog.applyRetention', () => {
  it('deletes whole expired segments, advances the log start offset and refuses reads below it', async () => {
    const clock = new ManualClock(100_000);
    const dir = tempDir();
    const log = await PartitionLog.open({ dir, topic: 't', partition: 0, clock, config: topicConfig({ 'segment.bytes': 300, 'retention.ms': 10_000, 'file.delete.delay.ms': 0 }) });
    for (let i = 0; i < 12; i++) {
      await log.append(batchOf([{ key: 'k', value: `value-${i}`.padEnd(60, '-'), timestamp: clock.now() }]), 0);
      clock.advance(2000);
    }
    const segmentsBefore = log.segmentCount;
    expect(segmentsBefore).toBeGreaterThan(3);
    const result = await log.applyRetention();
    expect(result.reason).toBe('retention.ms');
    expect(result.deletedSegments).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(segmentsBefore - result.deletedSegments);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets[0]);
    expect(log.logStartOffset).toBe(result.logStartOffset);
    const remaining = await readAll(log);
    expect(remaining[0].offset).toBe(Number(log.logStartOffset));
    expect(remaining.every((r) => r.timestamp >= clock.now() - 10_000 - 2 * 2000)).toBe(true);
    await expect(log.read(0n, 100)).rejects.toSatisfy((err: unknown) => hasCode(err, 'OFFSET_OUT_OF_RANGE'));
    const logFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(logFiles.length).toBe(log.segmentCount);
    expect(fs.readdirSync(dir).some((f) => f.endsWith('.deleted'))).toBe(false);
  });

  it('rolls and empties a log whose every record expired, keeping its end offset', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await PartitionLog.open({ dir: tempDir(), topic: 't', partition: 0, clock, config: topicConfig({ 'retention.ms': 1000 }) });
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: clock.now() }, { key: 'b', value: 'y', timestamp: clock.now() }]), 0);
    clock.advance(5000);
    expect(await log.applyRetention()).toMatchObject({ deletedSegments: 1, logStartOffset: 2n });
    expect(log.logEndOffset).toBe(2n);
    expect(log.segmentBaseOffsets).toEqual([2n]);
    expect(await readAll(log)).toEqual([]);
    await log.append(batchOf([{ key: 'c', value: 'z', timestamp: clock.now() }]), 0);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([2]);
  });

  it('keeps .deleted files until file.delete.delay.ms passes', async () => {
    const clock = new ManualClock(1_000_000);
    const dir = tempDir();
    const log = await PartitionLog.open({ dir, topic: 't', partition: 0, clock, config: topicConfig({ 'retention.bytes': 0, 'segment.bytes': 100, 'file.delete.delay.ms': 500 }) });
    for (let i = 0; i < 3; i++) await log.append(batchOf([{ key: 'a', value: 'x'.repeat(80), timestamp: clock.now() }]), 0);
    await log.applyRetention();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log.deleted')).length).toBeGreaterThan(0);
    // The delay runs on a real timer; a generous delay and a polled end keep this stable on a busy machine.
    await vi.waitFor(() => expect(fs.readdirSync(dir).filter((f) => f.endsWith('.deleted'))).toEqual([]), { timeout: 5000, interval: 50 });
  });
});
