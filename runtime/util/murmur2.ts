/**
 * Kafka's 32-bit murmur2 hash, bit-for-bit as org.apache.kafka.common.utils.Utils.murmur2 (Java
 * int arithmetic: Math.imul for multiplication, >>> for unsigned shifts). The Java client places
 * keyed records with it, so every Sluice producer must hash exactly this way.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** murmur2 of `data` as a signed 32-bit integer, equal to what Java returns. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's switch falls through from the highest remaining byte down to the first.
  const tail = length & 3;
  if (tail !== 0) {
    if (tail === 3) h ^= data[whole + 2] << 16;
    if (tail >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which overflows for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}
