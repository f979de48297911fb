/**
 * Automatic restart of FAILED tasks (sluice.task.restart.*; Kafka Connect never restarts them):
 * exponential backoff from `backoffMs`, capped at `backoffMaxMs`, at most `maxAttempts` restarts
 * (-1 = no limit) until the task has run healthy for `healthyAfterMs`, which resets the count.
 * Pure: times are arguments.
 */
export interface TaskRestartConfig {
  enabled: boolean;
  backoffMs: number;
  backoffMaxMs: number;
  maxAttempts: number;
  healthyAfterMs: number;
}

export type RestartDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; reason: string };

export class TaskRestartPolicy {
  readonly #config: TaskRestartConfig;
  #attempts = 0;
  #startedAt: number | null = null;

  constructor(config: TaskRestartConfig) {
    this.#config = config;
  }

  /** The task (re)started at `now`. */
  started(now: number): void {
    this.#startedAt = now;
  }

  /** The task failed at `now`: restart it after a delay, or leave it FAILED. */
  failed(now: number): RestartDecision {
    const { enabled, backoffMs, backoffMaxMs, maxAttempts, healthyAfterMs } = this.#config;
    if (!enabled) return { restart: false, reason: 'automatic restarts are off (sluice.task.restart.enable=false)' };
    if (this.#startedAt !== null && now - this.#startedAt >= healthyAfterMs) this.#attempts = 0;
    if (maxAttempts >= 0 && this.#attempts >= maxAttempts) {
      return { restart: false, reason: `it failed again after ${this.#attempts} automatic restart(s) (sluice.task.restart.max.attempts=${maxAttempts})` };
    }
    const delayMs = Math.min(backoffMaxMs, backoffMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    return { restart: true, delayMs, attempt: this.#attempts };
  }

  /** A manual restart starts the count afresh. */
  reset(): void {
    this.#attempts = 0;
  }
}
