import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRC, compressionOf } from '../../../runtime/broker/log/batch-header.ts';
import { decodeBatch, decodeBatches, encodeBatch } from '../../../runtime/broker/log/records.ts';
import type { TopicConfig } from '../../../runtime/broker/log/topic-config.ts';
import { PartitionLog } from '../../../runtime/broker/storage/partition-log.ts';
import { ManualClock } from '../../../runtime/util/clock.ts';
import { SluiceError } from '../../../runtime/util/errors.ts';
import { batchOf, readAll, tempDir, topicConfig } from './log-fixtures.ts';

async function openLog(overrides: Partial<TopicConfig> = {}, extra: { clock?: ManualClock; dir?: string; highWatermarkFollowsEnd?: boolean } = {}): Promise<PartitionLog> {
  return PartitionLog.open({ dir: extra.dir ?? tempDir(), topic: 'orders', partition: 3, config: topicConfig(overrides), clock: extra.clock, highWatermarkFollowsEnd: extra.highWatermarkFollowsEnd });
}

async function rejection(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

function values(n: number, from = 0, size = 20): { key: string; value: string; timestamp: number }[] {
  return Array.from({ length: n }, (_, i) => ({ key: `k${String(from + i).padStart(4, '0')}`, value: `v${from + i}`.padEnd(size, '.'), timestamp: 1_700_000_000_000 + from + i }));
}

describe('PartitionLog append', () => {
  it('assigns offsets by rewriting only base offset and leader epoch', async () => {
    const log = await openLog();
    const first = batchOf(values(3));
    const second = batchOf(values(2, 3));
    const secondCopy = Buffer.from(second);
    expect(await log.append(first, 7)).toMatchObject({ baseOffset: 0n, lastOffset: 2n, recordCount: 3, batchCount: 1, logAppendTime: -1n });
    expect(await log.append(second, 7)).toMatchObject({ baseOffset: 3n, lastOffset: 4n });
    const stored = (await log.read(3n, 1 << 20)).records;
    expect(stored.length).toBe(secondCopy.length);
    expect(stored.readBigInt64BE(0)).toBe(3n);
    expect(stored.readInt32BE(12)).toBe(7);
    // Every byte outside [0, 8) and [12, 16) is exactly as produced.
    expect(stored.subarray(8, 12).equals(secondCopy.subarray(8, 12))).toBe(true);
    expect(stored.subarray(16).equals(secondCopy.subarray(16))).toBe(true);
    expect(log.logEndOffset).toBe(5n);
    expect(log.highWatermark).toBe(5n);
  });

  it('appends several batches of one request with consecutive offsets', async () => {
    const log = await openLog();
    const result = await log.append(Buffer.concat([batchOf(values(2)), batchOf(values(3, 2)), batchOf(values(1, 5))]), 0);
    expect(result).toMatchObject({ baseOffset: 0n, lastOffset: 5n, batchCount: 3, recordCount: 6 });
    expect((await readAll(log)).map((r) => [r.offset, r.key])).toEqual(values(6).map((v, i) => [i, v.key]));
  });

  it('refuses a batch with a bad CRC, naming the partition and position, and appends nothing', async () => {
    const log = await openLog();
    await log.append(batchOf(values(1)), 0);
    const bad = Buffer.concat([batchOf(values(1)), batchOf(values(1))]);
    const secondStart = bad.length / 2;
    bad[secondStart + 70] ^= 0xff;
    const err = await rejection(log.append(bad, 0));
    expect(err.code).toBe('CORRUPT_MESSAGE');
    expect(err.retriable).toBe(true);
    expect(err.message).toContain('orders-3');
    expect(err.message).toContain(`position ${secondStart}`);
    expect(err.context.batch).toBe(1);
    expect(log.logEndOffset).toBe(1n);
  });

  it('refuses batches above max.message.bytes, with gaps in offsets, or control batches from clients', async () => {
    const log = await openLog({ 'max.message.bytes': 200 });
    expect((await rejection(log.append(batchOf(values(10)), 0))).code).toBe('MESSAGE_TOO_LARGE');
    const gap = encodeBatch({ records: [{ key: null, value: Buffer.from('a') }, { key: null, value: Buffer.from('b'), offsetDelta: 5 }] });
    expect((await rejection(log.append(gap, 0))).code).toBe('INVALID_RECORD');
    const control = encodeBatch({ control: true, records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }] });
    expect((await rejection(log.append(Buffer.from(control), 0))).code).toBe('INVALID_RECORD');
    expect(await log.append(control, 0, { fromClient: false })).toMatchObject({ baseOffset: 0n });
  });

  it('checks CreateTime timestamps against message.timestamp.before/after.max.ms', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await openLog({ 'message.timestamp.after.max.ms': 1000, 'message.timestamp.before.max.ms': 5000 }, { clock });
    expect((await rejection(log.append(batchOf([{ key: 'a', value: 'x', timestamp: 1_002_000 }]), 0))).code).toBe('INVALID_TIMESTAMP');
    expect((await rejection(log.append(batchOf([{ key: 'a', value: 'x', timestamp: 990_000 }]), 0))).code).toBe('INVALID_TIMESTAMP');
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 1_000_900 }, { key: 'b', value: 'y' }]), 0);
    expect(log.logEndOffset).toBe(2n);
  });

  it('stamps LogAppendTime batches with the broker clock and a valid CRC', async () => {
    const clock = new ManualClock(1_234_567);
    const log = await openLog({ 'message.timestamp.type': 'LogAppendTime' }, { clock });
    const batch = batchOf(values(2));
    const crcBefore = batch.readUInt32BE(CRC);
    expect((await log.append(batch, 0)).logAppendTime).toBe(1_234_567n);
    const stored = (await log.read(0n, 1 << 20)).records;
    expect(stored.readUInt32BE(CRC)).not.toBe(crcBefore);
    const decoded = decodeBatch(stored);
    expect(decoded.records.map((r) => r.timestamp)).toEqual([1_234_567n, 1_234_567n]);
  });

  it('recompresses when compression.type names a codec', async () => {
    const log = await openLog({ 'compression.type': 'gzip' });
    await log.append(batchOf(values(4)), 0);
    await log.append(batchOf(values(2, 4), { compression: 1 }), 0);
    const stored = (await log.read(0n, 1 << 20)).records;
    expect([...decodeBatches(stored)].length).toBe(2);
    expect(compressionOf(stored, 0)).toBe(1);
    expect((await readAll(log)).map((r) => r.value)).toEqual(values(6).map((v) => v.value));
  });
});

describe('PartitionLog read', () => {
  it('returns the whole batch holding an offset, then whole batches up to maxBytes', async () => {
    const log = await openLog();
    for (let i = 0; i < 10; i++) await log.append(batchOf(values(5, i * 5)), 0);
    const size = batchOf(values(5)).length;
    const r = await log.read(12n, size * 3 + 10);
    const batches = [...decodeBatches(r.records)];
    expect(batches.map((b) => b.header.baseOffset)).toEqual([10n, 15n, 20n]);
    expect(r.records.length).toBe(size * 3);
    expect(r.nextOffset).toBe(25n);
    expect(r).toMatchObject({ highWatermark: 50n, logStartOffset: 0n, logEndOffset: 50n });
  });

  it('returns a first batch larger than maxBytes whole, unless minOneBatch is false', async () => {
    const log = await openLog();
    await log.append(batchOf(values(20)), 0);
    const full = (await log.read(0n, 10)).records;
    expect([...decodeBatches(full)][0].records.length).toBe(20);
    expect((await log.read(0n, 10, { minOneBatch: false })).records.length).toBe(0);
  });

  it('reads across rolled segments like a consumer', async () => {
    const log = await openLog({ 'segment.bytes': 600, 'index.interval.bytes': 100 });
    for (let i = 0; i < 40; i++) await log.append(batchOf(values(2, i * 2)), 0);
    expect(log.segmentCount).toBeGreaterThan(5);
    const files = fs.readdirSync(log.dir).filter((f) => f.endsWith('.log'));
    expect(files[0]).toBe('00000000000000000000.log');
    expect(files.every((f) => /^\d{20}\.log$/.test(f))).toBe(true);
    expect((await readAll(log, 150)).map((r) => r.offset)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    // Random access into every segment, via the sparse index.
    for (const offset of [0, 17, 33, 58, 79]) {
      const first = [...decodeBatches((await log.read(BigInt(offset), 1)).records)][0];
      expect(Number(first.header.baseOffset)).toBe(offset - (offset % 2));
    }
  });

  it('answers at the log end with nothing and outside the log with OFFSET_OUT_OF_RANGE', async () => {
    const log = await openLog();
    await log.append(batchOf(values(3)), 0);
    expect(await log.read(3n, 100)).toMatchObject({ nextOffset: 3n, records: Buffer.alloc(0) });
    const err = await rejection(log.read(4n, 100));
    expect(err.code).toBe('OFFSET_OUT_OF_RANGE');
    expect(err.context).toMatchObject({ topic: 'orders', partition: 3, offset: 4, logEndOffset: 3 });
    expect((await rejection(log.read(-1n, 100))).code).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('stops at the high watermark (or maxOffset) when replication drives it', async () => {
    const log = await openLog({}, { highWatermarkFollowsEnd: false });
    await log.append(batchOf(values(2)), 0);
    await log.append(batchOf(values(2, 2)), 0);
    expect(log.highWatermark).toBe(0n);
    expect((await log.read(0n, 1 << 20)).records.length).toBe(0);
    log.setHighWatermark(2n);
    expect([...decodeBatches((await log.read(0n, 1 << 20)).records)].length).toBe(1);
    expect([...decodeBatches((await log.read(0n, 1 << 20, { maxOffset: log.logEndOffset })).records)].length).toBe(2);
  });

  it('finds offsets by timestamp (ListOffsets)', async () => {
    const log = await openLog({ 'segment.bytes': 400, 'index.interval.bytes': 50 });
    for (let i = 0; i < 30; i++) await log.append(batchOf([{ key: 'k', value: 'v', timestamp: 1000 + i * 10 }, { key: 'k', value: 'w', timestamp: 1000 + i * 10 + 5 }]), 0);
    expect(await log.offsetForTimestamp(0n)).toEqual({ offset: 0n, timestamp: 1000n });
    expect(await log.offsetForTimestamp(1105n)).toEqual({ offset: 21n, timestamp: 1105n });
    expect(await log.offsetForTimestamp(1106n)).toEqual({ offset: 22n, timestamp: 1110n });
    expect(await log.offsetForTimestamp(5000n)).toBeUndefined();
  });
});

describe('PartitionLog segments', () => {
  it('rolls on segment.ms using the first batch timestamp', async () => {
    const clock = new ManualClock(0);
    const log = await openLog({ 'segment.ms': 1000 }, { clock });
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 5000 }]), 0);
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 5900 }]), 0);
    expect(log.segmentCount).toBe(1);
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 6001 }]), 0);
    expect(log.segmentBaseOffsets).toEqual([0n, 2n]);
  });

  it('rolls when the offset index is full', async () => {
    const log = await openLog({ 'segment.index.bytes': 16, 'index.interval.bytes': 0 });
    for (let i = 0; i < 6; i++) await log.append(batchOf(values(1, i)), 0);
    expect(log.segmentCount).toBeGreaterThan(1);
    expect((await readAll(log)).length).toBe(6);
  });
});

describe('PartitionLog durability', () => {
  it('fsyncs only when flush.messages is reached, and shares fsyncs between concurrent appends', async () => {
    const log = await openLog({ 'flush.messages': 4 });
    await log.append(batchOf(values(3)), 0);
    expect(log.recoveryPoint).toBe(0n);
    await log.append(batchOf(values(1, 3)), 0);
    expect(log.recoveryPoint).toBe(4n);
    const before = log.flushCount;
    const eager = await openLog({ 'flush.messages': 1 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => eager.append(batchOf(values(1, i)), 0)));
    expect(results.map((r) => Number(r.baseOffset))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(eager.recoveryPoint).toBe(20n);
    expect(eager.flushCount).toBeLessThan(20);
    expect(log.flushCount).toBe(before);
  });

  it('fsyncs by time with flush.ms when the scheduler asks', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const log = await openLog({ 'flush.ms': 1000 }, { clock });
    await log.append(batchOf(values(2)), 0);
    expect(await log.maybeFlushByTime()).toBe(false);
    clock.advance(1000);
    expect(await log.maybeFlushByTime()).toBe(true);
    expect(log.recoveryPoint).toBe(2n);
    clock.advance(5000);
    expect(await log.maybeFlushByTime()).toBe(false);
  });

  it('reopens after a clean close without scanning, with checkpoints in their formats', async () => {
    const dir = tempDir();
    const log = await openLog({ 'segment.bytes': 500 }, { dir });
    for (let i = 0; i < 20; i++) await log.append(batchOf(values(2, i * 2)), i < 10 ? 1 : 3);
    await log.close();
    expect(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n1 0\n3 20\n');
    expect(fs.readFileSync(path.join(dir, 'partition.checkpoint'), 'utf8')).toBe(
      '0\nlog-start-offset 0\nrecovery-point 40\nhigh-watermark 40\ncleaner-offset 0\nclean-shutdown 1\n',
    );
    const again = await openLog({ 'segment.bytes': 500 }, { dir });
    expect(again.recovery).toMatchObject({ cleanShutdown: true, scannedBytes: 0 });
    expect(again.logEndOffset).toBe(40n);
    expect(again.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 20n });
    expect(again.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 40n });
    expect((await readAll(again)).map((r) => r.key)).toEqual(values(40).map((v) => v.key));
    expect(fs.readFileSync(path.join(dir, 'partition.checkpoint'), 'utf8')).toContain('clean-shutdown 0');
    await again.append(batchOf(values(1, 40)), 3);
    expect(again.logEndOffset).toBe(41n);
  });

  it('writes concurrent checkpoints one at a time, the last state winning', async () => {
    const log = await openLog();
    await log.append(batchOf(values(3)), 0);
    await Promise.all([...Array.from({ length: 10 }, () => log.checkpoint()), log.flush(), ...Array.from({ length: 10 }, () => log.checkpoint())]);
    await log.checkpoint();
    expect(fs.readFileSync(path.join(log.dir, 'partition.checkpoint'), 'utf8')).toContain('recovery-point 3\n');
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('truncates for replication and moves the log start for DeleteRecords', async () => {
    const log = await openLog({ 'segment.bytes': 300 });
    for (let i = 0; i < 10; i++) await log.append(batchOf(values(2, i * 2)), i < 5 ? 0 : 2);
    await log.truncateTo(11n);
    expect(log.logEndOffset).toBe(10n);
    expect(log.leaderEpochs).toEqual([{ epoch: 0, startOffset: 0 }]);
    expect((await readAll(log)).map((r) => r.offset).at(-1)).toBe(9);
    await log.append(batchOf(values(1, 10)), 4);
    expect(log.logEndOffset).toBe(11n);
    expect(await log.advanceLogStartOffset(5n)).toBe(5n);
    expect((await rejection(log.read(4n, 100))).code).toBe('OFFSET_OUT_OF_RANGE');
    expect((await rejection(log.advanceLogStartOffset(12n))).code).toBe('OFFSET_OUT_OF_RANGE');
    await log.truncateTo(2n);
    expect(log.logStartOffset).toBe(2n);
    expect(log.logEndOffset).toBe(2n);
    expect(log.segmentCount).toBe(1);
  });
});
