/**
 * Kafka's RetryWithToleranceOperator (KIP-298): runs one step of record processing, retrying
 * retriable errors for up to errors.retry.timeout (backoff from 300 ms, doubling, capped at
 * errors.retry.delay.max.ms, with jitter), then either fails the task (errors.tolerance=none:
 * "Tolerance exceeded in error handler") or reports the error and skips the record (all).
 * Converter and transformation stages tolerate any error; the other stages only retriable ones.
 */
import type { Clock } from '../../../util/clock.ts';
import { SluiceError, messageOf } from '../../../util/errors.ts';
import type { Random } from '../../../util/random.ts';
import { ConnectError } from '../../api/index.ts';
import type { ErrorHandlingConfig } from '../connector-config.ts';
import type { TaskMetrics } from '../metrics.ts';
import type { ErrorReporter, ProcessingContext, Stage } from './processing-context.ts';
import { TOLERATE_ALL_STAGES } from './processing-context.ts';

export const RETRIES_DELAY_MIN_MS = 300;

/** Returned by execute() when the error was tolerated and the record is to be skipped. */
export const SKIPPED: unique symbol = Symbol('skipped');

export interface ToleranceOptions {
  config: ErrorHandlingConfig;
  reporters: readonly ErrorReporter[];
  metrics: TaskMetrics;
  clock: Clock;
  random: Random;
  sleep: (ms: number) => Promise<void>;
  /** True once the task is stopping: retries end early. */
  stopping: () => boolean;
}

function isRetriable(error: unknown): boolean {
  return error instanceof SluiceError && error.retriable;
}

export class RetryWithToleranceOperator {
  readonly #options: ToleranceOptions;
  #errors = 0;

  constructor(options: ToleranceOptions) {
    this.#options = options;
  }

  /** Errors seen so far (tolerated or not). */
  get errorCount(): number {
    return this.#errors;
  }

  /**
   * Runs `operation` for `stage`. Returns its value, or SKIPPED when it failed and the error was
   * tolerated (and reported). Throws when the error is not tolerated.
   */
  async execute<T>(stage: Stage, className: string, operation: () => T | Promise<T>, record: Omit<ProcessingContext, 'stage' | 'className' | 'error' | 'attempts'> = {}): Promise<T | typeof SKIPPED> {
    const { config, metrics, clock } = this.#options;
    const deadline = config.retryTimeoutMs < 0 ? Number.POSITIVE_INFINITY : clock.now() + config.retryTimeoutMs;
    let attempt = 0;
    for (;;) {
      try {
        return await operation();
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        metrics.recordFailure();
        if (isRetriable(error) && !this.#options.stopping()) {
          const delay = this.#backoff(attempt, deadline);
          if (delay !== undefined) {
            attempt++;
            metrics.recordRetry();
            await this.#options.sleep(delay);
            continue;
          }
        }
        return this.#fail({ stage, className, error, attempts: attempt, ...record });
      }
    }
  }

  /**
   * The hot path for converters and transforms: no promise unless `operation` returns one or
   * fails with a retriable error while retries are configured. Returns the value, or SKIPPED /
   * throws like execute().
   */
  executeSync<T>(
    stage: Stage,
    className: string,
    operation: () => T | Promise<T>,
    record: Omit<ProcessingContext, 'stage' | 'className' | 'error' | 'attempts'> = {},
  ): T | typeof SKIPPED | Promise<T | typeof SKIPPED> {
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (err) {
      return this.#failedOnce(err, stage, className, operation, record);
    }
    if (result instanceof Promise) return result.catch((err: unknown) => this.#failedOnce(err, stage, className, operation, record));
    return result;
  }

  #failedOnce<T>(
    err: unknown,
    stage: Stage,
    className: string,
    operation: () => T | Promise<T>,
    record: Omit<ProcessingContext, 'stage' | 'className' | 'error' | 'attempts'>,
  ): Promise<T | typeof SKIPPED> {
    const error = err instanceof Error ? err : new Error(String(err));
    if (isRetriable(error) && this.#options.config.retryTimeoutMs !== 0) return this.execute(stage, className, operation, record);
    this.#options.metrics.recordFailure();
    return this.#fail({ stage, className, error, attempts: 0, ...record });
  }

  /** The delay before the next attempt, or undefined when the retry budget is spent. */
  #backoff(attempt: number, deadline: number): number | undefined {
    const { config, clock, random } = this.#options;
    const now = clock.now();
    if (now >= deadline) return undefined;
    const base = Math.min(RETRIES_DELAY_MIN_MS * 2 ** Math.min(attempt, 30), config.retryDelayMaxMs);
    const jittered = base + Math.floor(random.next() * Math.min(base, 1000) * 0.2);
    return Math.min(jittered, deadline - now);
  }

  /**
   * An error that happened outside execute() and may be tolerated whatever its kind (a producer
   * send failure, KIP-779): SKIPPED when errors.tolerance=all, else throws.
   */
  failed(context: ProcessingContext): Promise<typeof SKIPPED> {
    this.#options.metrics.recordFailure();
    return this.#fail(context, true);
  }

  async #fail(context: ProcessingContext, tolerableAnyway = false): Promise<typeof SKIPPED> {
    this.#errors++;
    const { config, metrics, reporters } = this.#options;
    metrics.recordError();
    const tolerable = tolerableAnyway || TOLERATE_ALL_STAGES.has(context.stage) || isRetriable(context.error);
    if (!tolerable) throw context.error;
    if (!config.toleranceAll) {
      throw new ConnectError(`Tolerance exceeded in error handler: ${context.stage} (${context.className}) failed: ${messageOf(context.error)}`, {
        code: 'CONNECT_TOLERANCE_EXCEEDED',
        cause: context.error,
        context: { stage: context.stage, className: context.className },
      });
    }
    for (const reporter of reporters) await reporter.report(context);
    metrics.recordSkipped();
    return SKIPPED;
  }
}
