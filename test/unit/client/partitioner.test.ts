import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { StickyPartitioner, javaPartition } from '../../../runtime/client/partitioner.ts';
import { hasCode } from '../../../runtime/util/errors.ts';
import { murmur2, toPositive } from '../../../runtime/util/murmur2.ts';
import type { Random } from '../../../runtime/util/random.ts';
import { seededRandom } from '../../../runtime/util/random.ts';

// kafkajs's Java-compatible murmur2 (BigInt-free Long arithmetic): an independent implementation.
const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;

// apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
const UTILS_TEST_VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('murmur2 (Kafka Utils.murmur2)', () => {
  it.each(UTILS_TEST_VECTORS)('murmur2(%j) = %d', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('agrees with kafkajs on every tail length and on bytes with the high bit set', () => {
    const random = seededRandom(2024);
    for (let length = 0; length < 64; length++) {
      const key = Buffer.from(Array.from({ length }, () => random.int(256)));
      expect(murmur2(key)).toBe(kafkajsMurmur2(key) | 0);
    }
  });

  it('toPositive clears the sign bit, as Java does (not Math.abs)', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-790332482)).toBe(1357151166);
    expect(toPositive(479470107)).toBe(479470107);
  });
});

describe('javaPartition (BuiltInPartitioner.partitionForKey)', () => {
  it('maps the UtilsTest keys to toPositive(hash) % n', () => {
    // Derived by hand from the vectors: toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16.
    expect(javaPartition(Buffer.from('foobar'), 50)).toBe(16);
    // toPositive(-973932308) = 1173551340 → % 12 = 0, % 7 = 3.
    expect(javaPartition(Buffer.from('21'), 12)).toBe(0);
    expect(javaPartition(Buffer.from('21'), 7)).toBe(3);
    // 479470107 % 3 = 0 (digit sum 39), % 10 = 7.
    expect(javaPartition(Buffer.from('abc'), 3)).toBe(0);
    expect(javaPartition(Buffer.from('abc'), 10)).toBe(7);
    expect(javaPartition(Buffer.from('anything'), 1)).toBe(0);
  });

  it('agrees with kafkajs DefaultPartitioner (Java-compatible) for many keys and counts', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(`key-${random.int(1_000_000)}-${i}`);
      const partitions = 1 + random.int(64);
      expect(javaPartition(key, partitions)).toBe(toPositive(kafkajsMurmur2(key)) % partitions);
    }
  });

  it('refuses a partition count that is not a positive integer', () => {
    for (const n of [0, -3, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        javaPartition(Buffer.from('k'), n);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, 'PARTITION_COUNT_INVALID')).toBe(true);
    }
  });
});

/** A Random that replays a scripted sequence of int() results, for exact expectations. */
function scripted(...ints: number[]): Random & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    next: () => 0,
    int: (n) => {
      calls.push(n);
      const v = ints.shift();
      if (v === undefined) throw new Error('scripted random exhausted');
      return v % n;
    },
  };
}

describe('StickyPartitioner (null keys)', () => {
  it('stays on one partition until batch.size bytes went there, then draws a new one (BuiltInPartitionerTest.testStickyPartitioning)', () => {
    const random = scripted(1, 2);
    const sticky = new StickyPartitioner({ batchSize: 300, random });
    const first = sticky.partition('t', 3);
    expect(first).toBe(1);
    for (let i = 0; i < 3; i++) {
      expect(sticky.partition('t', 3)).toBe(1);
      sticky.recordAppended('t', 1, 100, 3);
    }
    // 300 bytes produced: switched.
    expect(sticky.partition('t', 3)).toBe(2);
    expect(random.calls).toEqual([3, 3]);
  });

  it('picks only among available partitions when some have a leader', () => {
    const sticky = new StickyPartitioner({ batchSize: 1, random: seededRandom(11) });
    const available = [2, 5];
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const p = sticky.partition('t', 6, available);
      seen.add(p);
      sticky.recordAppended('t', p, 1, 6, available);
    }
    expect([...seen].sort()).toEqual([2, 5]);
  });

  it('defers the switch while the batch is not complete, but not beyond twice batch.size', () => {
    const sticky = new StickyPartitioner({ batchSize: 100, random: scripted(0, 1) });
    expect(sticky.partition('t', 2)).toBe(0);
    sticky.recordAppended('t', 0, 150, 2, [], false);
    expect(sticky.partition('t', 2)).toBe(0);
    sticky.recordAppended('t', 0, 50, 2, [], false);
    expect(sticky.partition('t', 2)).toBe(1);
  });

  it('ignores appends to a partition that is no longer sticky and keeps topics independent', () => {
    const sticky = new StickyPartitioner({ batchSize: 10, random: scripted(0, 3, 1) });
    expect(sticky.partition('a', 4)).toBe(0);
    expect(sticky.partition('b', 4)).toBe(3);
    sticky.recordAppended('a', 2, 1000, 4);
    expect(sticky.partition('a', 4)).toBe(0);
    sticky.recordAppended('a', 0, 10, 4);
    expect(sticky.partition('a', 4)).toBe(1);
    expect(sticky.partition('b', 4)).toBe(3);
  });

  it('re-draws when the topic shrank below the sticky partition', () => {
    const sticky = new StickyPartitioner({ random: scripted(5, 1) });
    expect(sticky.partition('t', 6)).toBe(5);
    expect(sticky.partition('t', 3)).toBe(1);
  });

  it('spreads batches uniformly over many switches', () => {
    const sticky = new StickyPartitioner({ batchSize: 1, random: seededRandom(42) });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const p = sticky.partition('t', 4);
      counts[p]++;
      sticky.recordAppended('t', p, 1, 4);
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('refuses a batch size below 1 as a config error naming batch.size', () => {
    let err: unknown;
    try {
      new StickyPartitioner({ batchSize: 0 });
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('batch.size');
  });
});
