/**
 * When and how long to retry: `max.retries` retries, the n-th waiting a random time between half
 * and all of `retry.backoff.ms` × 2^(n-1) (exponential backoff with jitter, so tasks that failed
 * together do not retry together), each wait capped at a day as in Confluent's connector.
 * Randomness is injected so tests replay exactly.
 */

/** Uniform numbers in [0, 1); runtime/util/random's Random fits. */
export interface RandomSource {
  next(): number;
}

export const MAX_RETRY_WAIT_MS = 86_400_000;

export class RetryPolicy {
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly #random: RandomSource;

  constructor(maxRetries: number, backoffMs: number, random: RandomSource = { next: Math.random }) {
    this.maxRetries = maxRetries;
    this.backoffMs = backoffMs;
    this.#random = random;
  }

  /** Whether one more retry is allowed after `retriesDone` retries. */
  allows(retriesDone: number): boolean {
    return retriesDone < this.maxRetries;
  }

  /** The wait before retry number `retry` (1 for the first). */
  delayMs(retry: number): number {
    const ceiling = Math.min(MAX_RETRY_WAIT_MS, this.backoffMs * 2 ** Math.min(Math.max(retry - 1, 0), 40));
    return Math.floor(ceiling / 2 + this.#random.next() * (ceiling / 2));
  }
}

/** Something to wait with; tests pass one that does not sleep. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying errors `isRetriable` accepts as the policy allows. The last error is
 * rethrown once retries are used up or when it is not retriable; `onRetry` hears each retry.
 */
export async function withRetries<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  isRetriable: (error: unknown) => boolean,
  sleep: Sleep = realSleep,
  onRetry: (error: unknown, retry: number, delayMs: number) => void = () => {},
): Promise<T> {
  for (let retries = 0; ; retries++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetriable(error) || !policy.allows(retries)) throw error;
      const delay = policy.delayMs(retries + 1);
      onRetry(error, retries + 1, delay);
      await sleep(delay);
    }
  }
}
