import type { Random } from './random.ts';

/** Exponential backoff with full jitter, capped: delay for the given attempt (0-based). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: Random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(ceiling / 2 + random.next() * (ceiling / 2));
}
