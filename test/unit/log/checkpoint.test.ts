import { describe, expect, it } from 'vitest';
import { formatLeaderEpochCheckpoint, formatPartitionCheckpoint, parseLeaderEpochCheckpoint, parsePartitionCheckpoint } from '../../../runtime/broker/log/checkpoint-format.ts';
import { parsePartitionDirName, parseSegmentFileName, partitionDirName, segmentFileName } from '../../../runtime/broker/log/file-names.ts';
import { LeaderEpochCache } from '../../../runtime/broker/log/leader-epoch-cache.ts';
import { hasCode } from '../../../runtime/util/errors.ts';

describe('checkpoint formats', () => {
  it('round-trip the partition checkpoint and reject damaged ones with file and line', () => {
    const state = { logStartOffset: 5, recoveryPoint: 90, highWatermark: 88, cleanerOffset: 40, cleanShutdown: true };
    expect(parsePartitionCheckpoint(formatPartitionCheckpoint(state), 'f')).toEqual(state);
    for (const bad of ['1\n', '0\nlog-start-offset x\n', '0\nlog-start-offset 1\n', '0\nsurprise 1\n']) {
      let caught: unknown;
      try {
        parsePartitionCheckpoint(bad, '/data/t-0/partition.checkpoint');
      } catch (err) {
        caught = err;
      }
      expect(hasCode(caught, 'CHECKPOINT_CORRUPT'), bad).toBe(true);
      expect((caught as Error).message).toContain('/data/t-0/partition.checkpoint line');
    }
  });

  it('write the leader epoch checkpoint in Kafka format', () => {
    const text = formatLeaderEpochCheckpoint([{ epoch: 0, startOffset: 0 }, { epoch: 4, startOffset: 120 }]);
    expect(text).toBe('0\n2\n0 0\n4 120\n');
    expect(parseLeaderEpochCheckpoint(text, 'f')).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 4, startOffset: 120 }]);
    expect(() => parseLeaderEpochCheckpoint('0\n3\n0 0\n', 'f')).toThrow(/declares 3 entries/);
  });
});

describe('file names', () => {
  it('name segments by 20-digit base offset and partitions by topic and number', () => {
    expect(segmentFileName(368769, 'log')).toBe('00000000000000368769.log');
    expect(segmentFileName(0, 'timeindex', 'swap')).toBe('00000000000000000000.timeindex.swap');
    expect(parseSegmentFileName('00000000000000368769.index.cleaned')).toEqual({ baseOffset: 368769, kind: 'index', suffix: 'cleaned' });
    expect(parseSegmentFileName('368769.log')).toBeUndefined();
    expect(parseSegmentFileName('00000000000000000000.snapshot')).toBeUndefined();
    expect(partitionDirName('my-topic', 12)).toBe('my-topic-12');
    expect(parsePartitionDirName('my-topic-12')).toEqual({ topic: 'my-topic', partition: 12 });
    expect(parsePartitionDirName('topics')).toBeUndefined();
  });
});

describe('LeaderEpochCache', () => {
  it('tracks epoch starts and answers OffsetsForLeaderEpoch', () => {
    const cache = new LeaderEpochCache();
    expect(cache.assign(1, 0)).toBe(true);
    expect(cache.assign(1, 5)).toBe(false);
    expect(cache.assign(0, 7)).toBe(false);
    expect(cache.assign(3, 10)).toBe(true);
    expect(cache.assign(5, 20)).toBe(true);
    expect(cache.endOffsetFor(1, 30)).toEqual({ epoch: 1, endOffset: 10 });
    expect(cache.endOffsetFor(2, 30)).toEqual({ epoch: 1, endOffset: 10 });
    expect(cache.endOffsetFor(4, 30)).toEqual({ epoch: 3, endOffset: 20 });
    expect(cache.endOffsetFor(9, 30)).toEqual({ epoch: 5, endOffset: 30 });
    expect(new LeaderEpochCache([{ epoch: 2, startOffset: 4 }]).endOffsetFor(1, 9)).toEqual({ epoch: -1, endOffset: -1 });
    expect(cache.epochForOffset(15)).toBe(3);
  });

  it('forgets epochs cut off by truncation at either end', () => {
    const cache = new LeaderEpochCache([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }, { epoch: 5, startOffset: 20 }]);
    expect(cache.truncateFromEnd(15)).toBe(true);
    expect(cache.entries).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }]);
    expect(cache.truncateFromStart(12)).toBe(true);
    expect(cache.entries).toEqual([{ epoch: 3, startOffset: 12 }]);
    expect(cache.assign(4, 12)).toBe(true);
    expect(cache.entries).toEqual([{ epoch: 4, startOffset: 12 }]);
  });
});
