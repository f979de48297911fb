/**
 * What source and sink task loops share (Kafka's WorkerTask): the target state (running or
 * paused) the herder sets, stop requests, status reporting through a listener, and interruptible
 * waits so that a stop never waits for a timer.
 */
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';

export interface ConnectorTaskId {
  connector: string;
  task: number;
}

export function taskIdString(id: ConnectorTaskId): string {
  return `${id.connector}-${id.task}`;
}

/** Status changes of a task, reported to the herder (Kafka's TaskStatus.Listener). */
export interface TaskStatusListener {
  onStartup(id: ConnectorTaskId): void;
  onPause(id: ConnectorTaskId): void;
  onResume(id: ConnectorTaskId): void;
  onFailure(id: ConnectorTaskId, error: Error): void;
  onShutdown(id: ConnectorTaskId): void;
}

export type TaskTargetState = 'STARTED' | 'PAUSED';

export interface WorkerTaskOptions {
  id: ConnectorTaskId;
  logger: Logger;
  clock: Clock;
  listener: TaskStatusListener;
  initialState: TaskTargetState;
}

export abstract class WorkerTask {
  readonly id: ConnectorTaskId;
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  protected readonly listener: TaskStatusListener;
  #target: TaskTargetState;
  #stopping = false;
  #wakers = new Set<() => void>();
  #done: Promise<void> | null = null;
  #failed: Error | null = null;

  protected constructor(options: WorkerTaskOptions) {
    this.id = options.id;
    this.logger = options.logger;
    this.clock = options.clock;
    this.listener = options.listener;
    this.#target = options.initialState;
  }

  /** Starts the loop; the promise settles when the task has stopped (never rejects). */
  run(): Promise<void> {
    this.#done ??= this.#execute();
    return this.#done;
  }

  async #execute(): Promise<void> {
    try {
      await this.execute();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.#failed = error;
      this.logger.error({ err: error }, `${taskIdString(this.id)} failed; it will not recover until manually restarted`);
      this.listener.onFailure(this.id, error);
    } finally {
      try {
        await this.close(this.#failed !== null);
      } catch (err) {
        this.logger.warn({ err }, `closing ${taskIdString(this.id)} failed`);
      }
      if (this.#failed === null) this.listener.onShutdown(this.id);
    }
  }

  /** The task's main loop; returns when stopping() becomes true, throws to fail the task. */
  protected abstract execute(): Promise<void>;

  /** Releases clients and writes final offsets; `failed` says whether execute() threw. */
  protected abstract close(failed: boolean): Promise<void>;

  /** Asks the task's own code to stop (SourceTask.stop); called once by stop(). */
  protected abstract signalStop(): void;

  get failure(): Error | null {
    return this.#failed;
  }

  get targetState(): TaskTargetState {
    return this.#target;
  }

  get isStopping(): boolean {
    return this.#stopping;
  }

  protected stopping(): boolean {
    return this.#stopping;
  }

  protected isPaused(): boolean {
    return this.#target === 'PAUSED';
  }

  transitionTo(state: TaskTargetState): void {
    if (state === this.#target || this.#stopping) return;
    this.#target = state;
    if (state === 'PAUSED') this.listener.onPause(this.id);
    else this.listener.onResume(this.id);
    this.onTargetStateChanged(state);
    this.wake();
  }

  /** Hook for loops that pause something besides their own polling (sink consumers). */
  protected onTargetStateChanged(_state: TaskTargetState): void {}

  /** Requests a stop; resolves once the loop ended or `timeoutMs` passed (true when it ended). */
  async stop(timeoutMs: number): Promise<boolean> {
    if (!this.#stopping) {
      this.#stopping = true;
      try {
        this.signalStop();
      } catch (err) {
        this.logger.warn({ err }, `stopping ${taskIdString(this.id)} raised an error`);
      }
      this.wake();
    }
    const done = this.#done ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ended = await Promise.race([done.then(() => true), timedOut]);
    clearTimeout(timer);
    return ended;
  }

  /** Resolves after `ms`, or earlier on stop or state change. */
  protected sleep(ms: number): Promise<void> {
    if (this.#stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  protected wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }
}
