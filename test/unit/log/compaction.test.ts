import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, BASE_TIMESTAMP, DELETE_HORIZON_BIT, LAST_OFFSET_DELTA, compressionOf, setBaseOffset } from '../../../runtime/broker/log/batch-header.ts';
import { filterBatch, newFilterStats } from '../../../runtime/broker/log/compaction-filter.ts';
import type { FilterContext } from '../../../runtime/broker/log/compaction-filter.ts';
import { pickFilthiest, planCleaning } from '../../../runtime/broker/log/compaction-plan.ts';
import type { CleaningInput } from '../../../runtime/broker/log/compaction-plan.ts';
import { OffsetMap } from '../../../runtime/broker/log/offset-map.ts';
import { decodeBatch } from '../../../runtime/broker/log/records.ts';
import { LogCleaner } from '../../../runtime/broker/storage/log-cleaner.ts';
import { PartitionLog } from '../../../runtime/broker/storage/partition-log.ts';
import { ManualClock } from '../../../runtime/util/clock.ts';
import type { SimpleRecord } from './log-fixtures.ts';
import { batchOf, readAll, tempDir, topicConfig } from './log-fixtures.ts';

const compactConfig = { 'cleanup.policy': ['compact' as const], 'min.cleanable.dirty.ratio': 0.5, 'min.compaction.lag.ms': 0, 'max.compaction.lag.ms': 2 ** 63 };

function input(overrides: Partial<CleaningInput> = {}): CleaningInput {
  return {
    segments: [
      { baseOffset: 0, size: 100, largestTimestamp: 1000, firstBatchTimestamp: 900 },
      { baseOffset: 10, size: 100, largestTimestamp: 2000, firstBatchTimestamp: 1900 },
      { baseOffset: 20, size: 100, largestTimestamp: 3000, firstBatchTimestamp: 2900 },
      { baseOffset: 30, size: 40, largestTimestamp: 4000, firstBatchTimestamp: 3900 },
    ],
    logStartOffset: 0,
    cleanerOffset: 10,
    tombstoneHorizon: Infinity,
    config: compactConfig,
    now: 5000,
    ...overrides,
  };
}

describe('planCleaning', () => {
  it('measures the dirty ratio over the cleanable range, never the active segment', () => {
    expect(planCleaning(input())).toEqual({ firstDirtyOffset: 10, firstUncleanableOffset: 30, cleanBytes: 100, dirtyBytes: 200, dirtyRatio: 2 / 3, reason: 'dirty-ratio' });
    expect(planCleaning(input({ cleanerOffset: 20 })).reason).toBeUndefined();
    expect(planCleaning(input({ cleanerOffset: 30 }))).toMatchObject({ dirtyBytes: 0, reason: undefined });
  });

  it('stops the cleanable range at the first segment younger than min.compaction.lag.ms', () => {
    const plan = planCleaning(input({ config: { ...compactConfig, 'min.compaction.lag.ms': 2500 } }));
    expect(plan).toMatchObject({ firstUncleanableOffset: 20, dirtyBytes: 100, dirtyRatio: 0.5, reason: 'dirty-ratio' });
  });

  it('forces a pass when the oldest dirty record exceeds max.compaction.lag.ms', () => {
    const config = { ...compactConfig, 'min.cleanable.dirty.ratio': 0.9, 'max.compaction.lag.ms': 3000 };
    expect(planCleaning(input({ config })).reason).toBe('max-compaction-lag');
    expect(planCleaning(input({ config: { ...config, 'max.compaction.lag.ms': 3200 } })).reason).toBeUndefined();
  });

  it('cleans again once a kept tombstone reaches its delete horizon', () => {
    const clean = input({ cleanerOffset: 30, tombstoneHorizon: 6000 });
    expect(planCleaning(clean).reason).toBeUndefined();
    expect(planCleaning({ ...clean, now: 6000 }).reason).toBe('tombstone-horizon');
  });

  it('plans nothing for delete-only topics', () => {
    expect(planCleaning(input({ config: { ...compactConfig, 'cleanup.policy': ['delete'] } })).reason).toBeUndefined();
  });

  it('picks forced logs first, then the dirtiest', () => {
    const plan = (reason: 'dirty-ratio' | 'max-compaction-lag' | undefined, dirtyRatio: number) => ({ plan: { firstDirtyOffset: 0, firstUncleanableOffset: 0, cleanBytes: 0, dirtyBytes: 0, dirtyRatio, reason } });
    const a = plan('dirty-ratio', 0.6);
    const b = plan('dirty-ratio', 0.9);
    const c = plan('max-compaction-lag', 0.1);
    expect(pickFilthiest([a, b])).toBe(b);
    expect(pickFilthiest([a, b, c])).toBe(c);
    expect(pickFilthiest([plan(undefined, 1)])).toBeUndefined();
  });
});

describe('OffsetMap', () => {
  it('keeps the latest offset per key in a fixed budget', () => {
    const map = new OffsetMap(20 * 1000, 0.5);
    expect(map.maxEntries).toBe(500);
    for (let i = 0; i < 400; i++) map.put(Buffer.from(`key-${i % 200}`), i);
    expect(map.size).toBe(200);
    expect(map.get(Buffer.from('key-5'))).toBe(205);
    expect(map.get(Buffer.from('key-199'))).toBe(399);
    expect(map.get(Buffer.from('key-200'))).toBe(-1);
    expect(map.latestOffset).toBe(399);
    expect(map.hasRoomFor(300)).toBe(true);
    expect(map.hasRoomFor(301)).toBe(false);
    map.clear();
    expect(map.get(Buffer.from('key-5'))).toBe(-1);
  });

  it('tells apart many similar keys of every length', () => {
    const map = new OffsetMap(20 * 200_000);
    expect(map.maxSlots).toBe(200_000);
    const keys: Buffer[] = [];
    for (let i = 0; i < 50_000; i++) keys.push(Buffer.from(`user:${i}`.slice(0, 1 + (i % 12))));
    for (let i = 0; i < 50_000; i++) keys.push(Buffer.from(`${i}`));
    const latest = new Map<string, number>();
    keys.forEach((key, offset) => {
      map.put(key, offset);
      latest.set(key.toString('latin1'), offset);
    });
    expect(map.size).toBe(latest.size);
    for (const [key, offset] of latest) expect(map.get(Buffer.from(key, 'latin1'))).toBe(offset);
  });
});

function filterContext(map: OffsetMap, now: number): FilterContext {
  return { map, now, deleteRetentionMs: 1000, source: 'test.log', stats: newFilterStats() };
}

function at(offset: number, records: SimpleRecord[], compression?: 0 | 1 | 2 | 3 | 4): Buffer {
  const batch = batchOf(records, { compression });
  setBaseOffset(batch, 0, BigInt(offset));
  return batch;
}

describe('filterBatch', () => {
  it('keeps a batch whose records are all latest untouched, and drops a superseded one', () => {
    const map = new OffsetMap(1 << 16);
    map.put(Buffer.from('a'), 10);
    map.put(Buffer.from('b'), 11);
    const latest = at(10, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
    expect(filterBatch(latest, 0, filterContext(map, 0))).toEqual({ kind: 'keep', tombstoneHorizon: Infinity });
    const old = at(0, [{ key: 'a', value: '0' }, { key: 'b', value: '0' }]);
    expect(filterBatch(old, 0, filterContext(map, 0))).toEqual({ kind: 'drop' });
  });

  it('rewrites a batch keeping its base offset, last offset delta and producer fields', () => {
    const map = new OffsetMap(1 << 16);
    map.put(Buffer.from('a'), 20);
    map.put(Buffer.from('b'), 1);
    const batch = at(0, [{ key: 'b', value: 'old-b', timestamp: 5 }, { key: 'b', value: 'new-b', timestamp: 7 }, { key: 'a', value: 'old-a', timestamp: 9 }]);
    const ctx = filterContext(map, 0);
    const outcome = filterBatch(batch, 0, ctx);
    if (outcome.kind !== 'rewrite') throw new Error(`expected a rewrite, got ${outcome.kind}`);
    const decoded = decodeBatch(outcome.bytes);
    expect(decoded.header.baseOffset).toBe(0n);
    expect(decoded.header.lastOffsetDelta).toBe(2);
    expect(decoded.header.recordCount).toBe(1);
    expect(decoded.header.maxTimestamp).toBe(7n);
    expect(decoded.records.map((r) => [r.offset, Buffer.from(r.value as Uint8Array).toString(), r.timestamp])).toEqual([[1n, 'new-b', 7n]]);
    expect(outcome.bytes.readInt32BE(LAST_OFFSET_DELTA)).toBe(2);
    expect(ctx.stats).toEqual({ recordsRead: 3, recordsKept: 1, keylessDropped: 0, tombstonesDropped: 0 });
  });

  it('drops records without a key', () => {
    const map = new OffsetMap(1 << 16);
    map.put(Buffer.from('a'), 1);
    const ctx = filterContext(map, 0);
    const outcome = filterBatch(at(0, [{ key: null, value: 'x' }, { key: 'a', value: 'y' }]), 0, ctx);
    expect(outcome.kind).toBe('rewrite');
    expect(ctx.stats.keylessDropped).toBe(1);
  });

  it('gives a kept tombstone a delete horizon first, and drops it once the horizon passed', () => {
    const map = new OffsetMap(1 << 16);
    map.put(Buffer.from('gone'), 1);
    map.put(Buffer.from('kept'), 0);
    const batch = at(0, [{ key: 'kept', value: 'v', timestamp: 100 }, { key: 'gone', value: null, timestamp: 150 }]);
    const first = filterBatch(batch, 0, filterContext(map, 10_000));
    if (first.kind !== 'rewrite') throw new Error(`expected a rewrite, got ${first.kind}`);
    expect(first.tombstoneHorizon).toBe(11_000);
    expect(first.bytes.readInt16BE(ATTRIBUTES) & DELETE_HORIZON_BIT).toBe(DELETE_HORIZON_BIT);
    expect(first.bytes.readBigInt64BE(BASE_TIMESTAMP)).toBe(11_000n);
    // Record timestamps survive the new base.
    expect(decodeBatch(first.bytes).records.map((r) => r.timestamp)).toEqual([100n, 150n]);
    expect(filterBatch(first.bytes, 0, filterContext(map, 10_999))).toEqual({ kind: 'keep', tombstoneHorizon: 11_000 });
    const ctx = filterContext(map, 11_000);
    const second = filterBatch(first.bytes, 0, ctx);
    if (second.kind !== 'rewrite') throw new Error(`expected a rewrite, got ${second.kind}`);
    expect(decodeBatch(second.bytes).records.map((r) => r.value === null)).toEqual([false]);
    expect(second.tombstoneHorizon).toBe(Infinity);
    expect(ctx.stats.tombstonesDropped).toBe(1);
  });

  it('rewrites compressed batches in their own codec', () => {
    for (const codec of [1, 2, 3, 4] as const) {
      const map = new OffsetMap(1 << 16);
      map.put(Buffer.from('a'), 2);
      map.put(Buffer.from('b'), 1);
      const outcome = filterBatch(at(0, [{ key: 'a', value: 'a0' }, { key: 'b', value: 'b1' }, { key: 'a', value: 'a2' }], codec), 0, filterContext(map, 0));
      if (outcome.kind !== 'rewrite') throw new Error(`expected a rewrite for codec ${codec}`);
      expect(compressionOf(outcome.bytes)).toBe(codec);
      expect(decodeBatch(outcome.bytes).records.map((r) => Number(r.offset))).toEqual([1, 2]);
    }
  });
});

async function compactedLog(clock: ManualClock, overrides = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    dir: tempDir(),
    topic: 'state',
    partition: 0,
    clock,
    config: topicConfig({ 'cleanup.policy': ['compact'], 'segment.bytes': 700, 'delete.retention.ms': 1000, 'file.delete.delay.ms': 0, ...overrides }),
  });
}

function cleaner(clock: ManualClock, dedupeBufferSize = 1 << 20, yieldToOthers?: () => Promise<void>): LogCleaner {
  return new LogCleaner({ dedupeBufferSize, ioBufferSize: 64 * 1024, loadFactor: 0.9, clock, yieldToOthers });
}

describe('LogCleaner', () => {
  it('keeps exactly the latest record per key below the active segment, at its original offset', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock);
    const expected = new Map<string, number>();
    for (let i = 0; i < 120; i++) {
      const key = `key-${(i * 7) % 13}`;
      await log.append(batchOf([{ key, value: `value-${i}`, timestamp: clock.now() }]), 0);
      expected.set(key, i);
    }
    const activeBase = Number(log.segmentBaseOffsets.at(-1));
    const result = await cleaner(clock).clean(log);
    expect(result?.endOffset).toBe(activeBase);
    expect(log.cleanerOffset).toBe(BigInt(activeBase));
    const records = await readAll(log);
    const cleaned = records.filter((r) => r.offset < activeBase);
    expect(new Set(cleaned.map((r) => r.key)).size).toBe(cleaned.length);
    for (const r of records) {
      expect(r.value).toBe(`value-${r.offset}`);
      if (r.offset < activeBase) expect(expected.get(r.key as string) === r.offset || records.some((o) => o.key === r.key && o.offset > r.offset && o.offset >= activeBase)).toBe(true);
    }
    for (const [key, offset] of expected) expect(records.some((r) => r.key === key && r.offset === offset)).toBe(true);
    expect(await cleaner(clock).clean(log)).toBeUndefined();
  });

  it('removes segments whose every record is superseded without reading them again', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock, { 'segment.bytes': 300 });
    for (let round = 0; round < 4; round++) for (let k = 0; k < 12; k++) await log.append(batchOf([{ key: `k${k}`, value: `r${round}`, timestamp: clock.now() }]), 0);
    const appended = Number(log.logEndOffset);
    const result = await cleaner(clock).clean(log);
    expect(result?.segmentsRemoved).toBeGreaterThan(0);
    expect(result?.stats.recordsRead).toBeLessThan(appended - 12);
    const activeBase = Number(log.segmentBaseOffsets.at(-1));
    const cleaned = (await readAll(log)).filter((r) => r.offset < activeBase);
    expect(new Set(cleaned.map((r) => r.key)).size).toBe(cleaned.length);
    expect(cleaned.every((r) => r.value === 'r3' || r.value === 'r2')).toBe(true);
  });

  it('expires tombstones only delete.retention.ms after the pass that first kept them', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock, { 'segment.bytes': 200 });
    await log.append(batchOf([{ key: 'a', value: 'A', timestamp: clock.now() }]), 0);
    await log.append(batchOf([{ key: 'a', value: null, timestamp: clock.now() }]), 0);
    for (let i = 0; i < 6; i++) await log.append(batchOf([{ key: `filler-${i}`, value: 'x'.repeat(40), timestamp: clock.now() }]), 0);
    const c = cleaner(clock);
    await c.clean(log);
    expect((await readAll(log)).filter((r) => r.key === 'a')).toEqual([{ offset: 1, key: 'a', value: null, timestamp: 1_000_000 }]);
    clock.advance(999);
    expect(c.plan(log).reason).toBeUndefined();
    clock.advance(1);
    expect(c.plan(log).reason).toBe('tombstone-horizon');
    await c.clean(log);
    expect((await readAll(log)).filter((r) => r.key === 'a')).toEqual([]);
  });

  it('cleans in several passes when the dedupe buffer holds fewer keys than the log', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock, { 'segment.bytes': 400, 'min.cleanable.dirty.ratio': 0 });
    for (let round = 0; round < 3; round++) for (let k = 0; k < 40; k++) await log.append(batchOf([{ key: `k${k}`, value: `${round}`, timestamp: clock.now() }]), 0);
    const c = cleaner(clock, 20 * 34);
    let passes = 0;
    while ((await c.clean(log)) !== undefined) passes++;
    expect(passes).toBeGreaterThan(1);
    const activeBase = Number(log.segmentBaseOffsets.at(-1));
    expect(log.cleanerOffset).toBe(BigInt(activeBase));
    const cleaned = (await readAll(log)).filter((r) => r.offset < activeBase);
    expect(new Set(cleaned.map((r) => r.key)).size).toBe(cleaned.length);
  });

  it('leaves segments younger than min.compaction.lag.ms alone', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock, { 'min.compaction.lag.ms': 10_000 });
    for (let i = 0; i < 60; i++) await log.append(batchOf([{ key: `k${i % 3}`, value: `v${i}`, timestamp: clock.now() }]), 0);
    expect(await cleaner(clock).clean(log)).toBeUndefined();
    clock.advance(10_001);
    expect(await cleaner(clock).clean(log)).toBeDefined();
  });

  it('lets appends and reads run while it cleans', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock, { 'segment.bytes': 2000 });
    for (let i = 0; i < 400; i++) await log.append(batchOf([{ key: `k${i % 10}`, value: `v${i}`.padEnd(50), timestamp: clock.now() }]), 0);
    let appendedDuringClean = 0;
    let cleaning = true;
    const c = cleaner(clock, 1 << 20, async () => {
      await new Promise((resolve) => setImmediate(resolve));
    });
    const appender = (async () => {
      while (cleaning) {
        await log.append(batchOf([{ key: 'live', value: 'x', timestamp: clock.now() }]), 0);
        await log.read(log.logEndOffset - 1n, 1000);
        appendedDuringClean++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const result = await c.clean(log);
    cleaning = false;
    await appender;
    expect(result?.segmentsRewritten ?? 0).toBeGreaterThan(0);
    expect(appendedDuringClean).toBeGreaterThan(3);
    const records = await readAll(log);
    expect(records.filter((r) => r.key === 'live').length).toBe(appendedDuringClean);
  });

  it('leaves a log that reopens to the same records', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await compactedLog(clock);
    for (let i = 0; i < 100; i++) await log.append(batchOf([{ key: `k${i % 4}`, value: `v${i}`, timestamp: clock.now() }]), 0);
    await cleaner(clock).clean(log);
    const before = await readAll(log);
    await log.close();
    const reopened = await PartitionLog.open({ dir: log.dir, topic: 'state', partition: 0, clock, config: log.config });
    expect(await readAll(reopened)).toEqual(before);
    expect(reopened.cleanerOffset).toBe(log.cleanerOffset);
  });
});

describe('the cleaner on damaged batches', () => {
  it('refuses to rewrite a batch whose CRC does not match, naming file and position', () => {
    const map = new OffsetMap(1 << 16);
    map.put(Buffer.from('a'), 1);
    const batch = at(0, [{ key: 'a', value: 'old' }, { key: 'a', value: 'new' }]);
    batch[batch.length - 1] ^= 0x01;
    expect(() => filterBatch(batch, 0, { ...filterContext(map, 0), source: '/data/t-0/00000000000000000000.log' }, 4096)).toThrow(
      /CRC-32C mismatch .* in record batch at \/data\/t-0\/00000000000000000000.log position 4096/,
    );
  });

  it('reports broken record framing with file and batch position', () => {
    const map = new OffsetMap(1 << 16);
    const batch = at(0, [{ key: 'a', value: 'x' }]);
    batch[61] = 0x7e; // record length far past the batch end
    let caught: unknown;
    try {
      filterBatch(batch, 0, { ...filterContext(map, 0), source: 'seg.log' }, 777);
    } catch (err) {
      caught = err;
    }
    expect((caught as { code?: string }).code).toBe('RECORD_FRAMING_INVALID');
    expect((caught as Error).message).toContain('seg.log position 777');
  });
});
