/**
 * Which __consumer_offsets partition owns a group. Kafka computes
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`; reproducing Java's String.hashCode
 * and Utils.abs exactly keeps a group on the same partition as a Kafka broker would put it.
 */

/** Java's String.hashCode: s[0]*31^(n-1) + ... over UTF-16 code units, in 32-bit two's complement. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: like Math.abs, except that Integer.MIN_VALUE maps to 0 instead of itself. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

export function offsetsPartitionFor(groupId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
