import type { Clock } from '../../util/clock.ts';
import type { AppendEffect, DeferredResponse, Effect, RequestId } from './api-types.ts';
import type { CoordinatorRecord } from './coordinator-record.ts';
import { DeadlineTimers } from './deadline-timers.ts';
import { offsetsPartitionFor } from './offsets-partition.ts';

/** What a coordinator timer does when it fires. */
export type TimerAction =
  | { kind: 'heartbeat'; groupId: string; memberId: string }
  | { kind: 'join'; groupId: string }
  | { kind: 'initial-rebalance'; groupId: string; delayMs: number; remainingMs: number }
  | { kind: 'sync'; groupId: string; generationId: number }
  | { kind: 'offsets-expiration' };

/**
 * The coordinator's side of the driver contract: collects the effects of one call, hands out
 * append ids and runs what waits on an append when the driver reports it, and holds the timers.
 */
export class CoordinatorRuntime {
  readonly timers = new DeadlineTimers<TimerAction>();
  readonly #clock: Clock;
  readonly #numPartitions: number;
  readonly #pendingAppends = new Map<number, (appendError: number) => void>();
  #nextAppendId = 1;
  #out: Effect[] = [];

  constructor(clock: Clock, offsetsTopicNumPartitions: number) {
    this.#clock = clock;
    this.#numPartitions = offsetsTopicNumPartitions;
  }

  now(): number {
    return this.#clock.now();
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.#numPartitions);
  }

  /** Runs one coordinator step and returns the effects it produced. */
  run(body: () => void): Effect[] {
    const saved = this.#out;
    this.#out = [];
    try {
      body();
      return this.#out;
    } finally {
      this.#out = saved;
    }
  }

  respond(requestId: RequestId, response: DeferredResponse): void {
    this.#out.push({ kind: 'respond', requestId, ...response } as Effect);
  }

  /** Asks the driver to write `records` to the group's partition; `done` runs with the outcome. */
  append(groupId: string, records: CoordinatorRecord[], done: (appendError: number) => void): number {
    const appendId = this.#nextAppendId++;
    const effect: AppendEffect = { kind: 'append', appendId, partition: this.partitionFor(groupId), records };
    this.#out.push(effect);
    this.#pendingAppends.set(appendId, done);
    return appendId;
  }

  /** The id the next append will get: compare before and after a step to see whether it wrote. */
  get nextAppendId(): number {
    return this.#nextAppendId;
  }

  /** Runs `then` after append `appendId` completes, after what was already waiting for it. */
  afterAppend(appendId: number, then: (appendError: number) => void): void {
    const first = this.#pendingAppends.get(appendId);
    if (first === undefined) throw new Error(`append ${appendId} is not pending`);
    this.#pendingAppends.set(appendId, (appendError) => {
      first(appendError);
      then(appendError);
    });
  }

  appendCompleted(appendId: number, appendError: number): Effect[] {
    const done = this.#pendingAppends.get(appendId);
    if (done === undefined) throw new Error(`appendCompleted: unknown or already completed append id ${appendId}`);
    this.#pendingAppends.delete(appendId);
    return this.run(() => done(appendError));
  }
}
