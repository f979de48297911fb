import type { Random } from '../../util/random.ts';

/** A version-4 UUID string (as Java's UUID.randomUUID().toString()) drawn from an injected Random. */
export function randomUuid(random: Random): string {
  const b = Array.from({ length: 16 }, () => random.int(256));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
