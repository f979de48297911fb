import { describe, expect, it } from 'vitest';
import { OffsetIndex } from '../../../runtime/broker/log/offset-index.ts';
import { SegmentIndexer } from '../../../runtime/broker/log/segment-indexer.ts';
import { TimeIndex } from '../../../runtime/broker/log/time-index.ts';
import { hasCode } from '../../../runtime/util/errors.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return hasCode(err, 'INDEX_CORRUPT') ? 'INDEX_CORRUPT' : String(err);
  }
  return undefined;
}

describe('offset index', () => {
  it('stores Kafka entries: big-endian int32 relative offset, int32 position', () => {
    const index = new OffsetIndex(1000, 1024);
    index.append(1009, 4096);
    index.append(1020, 9000);
    expect(index.bytes().toString('hex')).toBe('00000009' + '00001000' + '00000014' + '00002328');
  });

  it('finds the last entry at or below the target, or the segment start', () => {
    const index = new OffsetIndex(100, 1024);
    index.append(110, 500);
    index.append(120, 1000);
    index.append(130, 1500);
    expect(index.lookup(99)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(109)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(110)).toEqual({ offset: 110, position: 500 });
    expect(index.lookup(125)).toEqual({ offset: 120, position: 1000 });
    expect(index.lookup(10_000)).toEqual({ offset: 130, position: 1500 });
  });

  it('grows until segment.index.bytes and then reports full', () => {
    const index = new OffsetIndex(0, 8 * 600);
    for (let i = 1; i <= 600; i++) expect(index.append(i, i * 10)).toBe(true);
    expect(index.isFull).toBe(true);
    expect(index.append(601, 6010)).toBe(false);
    expect(index.lookup(333)).toEqual({ offset: 333, position: 3330 });
  });

  it('refuses entries that do not increase', () => {
    const index = new OffsetIndex(0, 1024);
    index.append(5, 100);
    expect(() => index.append(5, 200)).toThrow(RangeError);
    expect(() => index.append(6, 100)).toThrow(RangeError);
  });

  it('drops entries at or past a truncation position', () => {
    const index = new OffsetIndex(0, 1024);
    index.append(5, 100);
    index.append(9, 200);
    index.truncateToPosition(200);
    expect(index.entries).toBe(1);
    expect(index.lastEntry()).toEqual({ offset: 5, position: 100 });
  });

  it('loads a valid file and rejects torn or inconsistent ones', () => {
    const good = new OffsetIndex(50, 1024);
    good.append(60, 100);
    good.append(70, 300);
    const loaded = OffsetIndex.load(50, 1024, Buffer.from(good.bytes()), 1000, 'x.index');
    expect(loaded.lookup(75)).toEqual({ offset: 70, position: 300 });
    expect(codeOf(() => OffsetIndex.load(50, 1024, good.bytes().subarray(0, 12), 1000, 'x.index'))).toBe('INDEX_CORRUPT');
    expect(codeOf(() => OffsetIndex.load(50, 1024, Buffer.alloc(16), 1000, 'x.index'))).toBe('INDEX_CORRUPT');
    expect(codeOf(() => OffsetIndex.load(50, 1024, Buffer.from(good.bytes()), 300, 'x.index'))).toBe('INDEX_CORRUPT');
    const reversed = Buffer.concat([good.bytes().subarray(8, 16), good.bytes().subarray(0, 8)]);
    expect(codeOf(() => OffsetIndex.load(50, 1024, reversed, 1000, 'x.index'))).toBe('INDEX_CORRUPT');
  });
});

describe('time index', () => {
  it('stores Kafka entries: int64 timestamp, int32 relative offset; only growing timestamps', () => {
    const index = new TimeIndex(1000, 1200);
    expect(index.maybeAppend(5000, 1003)).toBe(true);
    expect(index.maybeAppend(5000, 1004)).toBe(false);
    expect(index.maybeAppend(4000, 1005)).toBe(false);
    expect(index.maybeAppend(7000, 1010)).toBe(true);
    expect(index.bytes().toString('hex')).toBe('0000000000001388' + '00000003' + '0000000000001b58' + '0000000a');
  });

  it('finds the last entry at or below a timestamp', () => {
    const index = new TimeIndex(0, 1200);
    index.maybeAppend(100, 10);
    index.maybeAppend(200, 20);
    expect(index.lookup(99)).toBeUndefined();
    expect(index.lookup(150)).toEqual({ timestamp: 100, offset: 10 });
    expect(index.lookup(200)).toEqual({ timestamp: 200, offset: 20 });
    index.truncateToOffset(20);
    expect(index.lastEntry()).toEqual({ timestamp: 100, offset: 10 });
  });

  it('rejects files with decreasing timestamps or a partial entry', () => {
    const index = new TimeIndex(0, 1200);
    index.maybeAppend(100, 10);
    index.maybeAppend(200, 20);
    expect(TimeIndex.load(0, 1200, Buffer.from(index.bytes()), 't').entries).toBe(2);
    const swapped = Buffer.concat([index.bytes().subarray(12), index.bytes().subarray(0, 12)]);
    expect(codeOf(() => TimeIndex.load(0, 1200, swapped, 't'))).toBe('INDEX_CORRUPT');
    expect(codeOf(() => TimeIndex.load(0, 1200, index.bytes().subarray(0, 13), 't'))).toBe('INDEX_CORRUPT');
  });
});

describe('segment indexer', () => {
  it('indexes a batch once more than index.interval.bytes were written since the last entry', () => {
    const indexer = new SegmentIndexer(0, { indexIntervalBytes: 100, maxIndexBytes: 1024 });
    // batches of 60 bytes at positions 0, 60, 120, ...; offsets 0-4, 5-9, ...
    for (let i = 0; i < 6; i++) indexer.add(i * 60, 60, i * 5 + 4, 1000 + i, i * 5 + 4);
    // 120 bytes > 100 before the batch at 120, then again 120 bytes before the batch at 240.
    expect(indexer.index.bytes().toString('hex')).toBe('0000000e' + '00000078' + '00000018' + '000000f0');
    expect(indexer.timeIndex.entries).toBe(2);
    expect(indexer.maxTimestamp).toBe(1005);
    expect(indexer.firstBatchTimestamp).toBe(1000);
    indexer.seal();
    expect(indexer.timeIndex.lastEntry()).toEqual({ timestamp: 1005, offset: 29 });
  });

  it('indexes every batch but the first with index.interval.bytes=0', () => {
    const indexer = new SegmentIndexer(0, { indexIntervalBytes: 0, maxIndexBytes: 1024 });
    for (let i = 0; i < 4; i++) indexer.add(i * 70, 70, i, 5, i);
    expect(indexer.index.entries).toBe(3);
  });
});
