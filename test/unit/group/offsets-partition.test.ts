import { describe, expect, it } from 'vitest';
import { javaStringHashCode, kafkaAbs, offsetsPartitionFor } from '../../../runtime/broker/group/offsets-partition.ts';

describe('__consumer_offsets partition of a group', () => {
  it("reproduces Java's String.hashCode", () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    // The well-known string whose Java hash is Integer.MIN_VALUE.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    // UTF-16 code units, like Java: a supplementary character counts as two.
    expect(javaStringHashCode('😀')).toBe(0xd83d * 31 + 0xde00);
  });

  it("uses Kafka's Utils.abs: MIN_VALUE maps to 0", () => {
    expect(kafkaAbs(-5)).toBe(5);
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(7)).toBe(7);
  });

  it('abs(hashCode) % offsets.topic.num.partitions', () => {
    expect(offsetsPartitionFor('hello', 50)).toBe(22);
    // Negative hash: abs, not a sign-bit mask (that would give 36).
    expect(offsetsPartitionFor('my-group', 50)).toBe(12);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('connect-cluster', 50)).toBe(13);
    expect(offsetsPartitionFor('my-group', 1)).toBe(0);
  });
});
