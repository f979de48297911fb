import type { FetchedRecords, RecordQueue } from './fetch-decoding.ts';
import { topicPartitionKey } from './types.ts';
import type { ConsumerRecord, TopicPartition } from './types.ts';

/** The buffer of a partition with nothing fetched. */
const EMPTY: RecordQueue = Object.freeze({ size: 0, takeInto: () => undefined });

export type OffsetResetTarget = 'earliest' | 'latest';

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to hand to the application; undefined until committed offsets or the reset policy set it. */
  position: bigint | undefined;
  /** Set by seekToBeginning/seekToEnd: look the offset up instead of using the committed one. */
  resetTo: OffsetResetTarget | undefined;
  paused: boolean;
  /** Revoked by a rebalance; stays assigned (not fetched, not delivered) until the revocation callback ran. */
  revoking: boolean;
  /** Fetched records not handed out yet, all at or after `position`. */
  buffered: RecordQueue;
  /** Where fetching continues once `buffered` is handed out. */
  bufferedNext: bigint | undefined;
  /** Bumped by seeks and resets so that a fetch answered afterwards is discarded. */
  epoch: number;
}

/**
 * The consumer's view of its partitions: assignment, positions, pause flags and fetched records
 * waiting for `poll`. Pure; the consumer driver does the fetching and the group protocol.
 */
export class SubscriptionState {
  private readonly partitions = new Map<string, PartitionState>();
  private nextStart = 0;

  /** Adds partitions with unknown positions; a partition still being revoked starts over. */
  assign(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const key = topicPartitionKey(topic, partition);
      const existing = this.partitions.get(key);
      if (existing !== undefined && !existing.revoking) continue;
      this.partitions.set(key, {
        topic,
        partition,
        position: undefined,
        resetTo: undefined,
        paused: false,
        revoking: false,
        buffered: EMPTY,
        bufferedNext: undefined,
        epoch: (existing?.epoch ?? 0) + 1,
      });
    }
  }

  /** Stops fetching and delivering the partitions; they stay assigned until unassign(). */
  markRevoking(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.get(topic, partition);
      if (state === undefined) continue;
      state.revoking = true;
      this.dropBuffered(state);
    }
  }

  /** Assigned partitions that are not being revoked. */
  owned(): TopicPartition[] {
    return [...this.partitions.values()].filter((s) => !s.revoking).map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Removes partitions; with `onlyRevoking`, only those still marked revoking (not assigned again meanwhile). */
  unassign(partitions: readonly TopicPartition[], onlyRevoking = false): void {
    for (const { topic, partition } of partitions) {
      const key = topicPartitionKey(topic, partition);
      if (!onlyRevoking || this.partitions.get(key)?.revoking === true) this.partitions.delete(key);
    }
  }

  assigned(): TopicPartition[] {
    return [...this.partitions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.partitions.get(topicPartitionKey(topic, partition));
  }

  /** Like get(), but a partition that is not assigned is an error naming it. */
  require(topic: string, partition: number, action: string): PartitionState {
    const state = this.get(topic, partition);
    if (state === undefined) throw new RangeError(`cannot ${action} ${topicPartitionKey(topic, partition)}: the partition is not assigned to this consumer`);
    return state;
  }

  seek(state: PartitionState, offset: bigint): void {
    state.position = offset;
    state.resetTo = undefined;
    this.dropBuffered(state);
  }

  requestReset(state: PartitionState, target: OffsetResetTarget): void {
    state.position = undefined;
    state.resetTo = target;
    this.dropBuffered(state);
  }

  /** Partitions whose position must be looked up (committed offset or reset policy). */
  needingPosition(): PartitionState[] {
    return [...this.partitions.values()].filter((s) => s.position === undefined && !s.revoking);
  }

  /** Partitions to fetch now: position known, not paused, nothing waiting to be handed out. */
  fetchable(): PartitionState[] {
    return [...this.partitions.values()].filter((s) => s.position !== undefined && !s.paused && !s.revoking && waiting(s) === 0);
  }

  /** Stores what a fetch from `fetchOffset` returned, unless the partition moved (seek, reset, revoke) meanwhile. */
  addFetched(topic: string, partition: number, epoch: number, fetchOffset: bigint, fetched: FetchedRecords): boolean {
    const state = this.get(topic, partition);
    if (state === undefined || state.revoking || state.epoch !== epoch || state.position !== fetchOffset || waiting(state) > 0) return false;
    if (fetched.records.size === 0) {
      state.position = fetched.nextOffset;
      return true;
    }
    state.buffered = fetched.records;
    state.bufferedNext = fetched.nextOffset;
    return true;
  }

  /** True when some unpaused partition has records waiting. */
  hasDeliverable(): boolean {
    for (const state of this.partitions.values()) if (!state.paused && waiting(state) > 0) return true;
    return false;
  }

  /**
   * Hands out up to `max` waiting records of unpaused partitions and advances their positions.
   * Partitions take turns across calls so that one busy partition cannot starve the others.
   */
  take(max: number): ConsumerRecord[] {
    const states = [...this.partitions.values()];
    const out: ConsumerRecord[] = [];
    if (states.length === 0) return out;
    const start = this.nextStart % states.length;
    for (let i = 0; i < states.length && out.length < max; i++) {
      const state = states[(start + i) % states.length];
      if (state.paused || waiting(state) === 0) continue;
      state.buffered.takeInto(out, max - out.length);
      if (state.buffered.size === 0) {
        state.buffered = EMPTY;
        state.position = state.bufferedNext;
        state.bufferedNext = undefined;
      } else {
        state.position = out[out.length - 1].offset + 1n;
      }
    }
    this.nextStart = start + 1;
    return out;
  }

  private dropBuffered(state: PartitionState): void {
    state.buffered = EMPTY;
    state.bufferedNext = undefined;
    state.epoch++;
  }
}

/** Fetched records of a partition not handed out yet. */
function waiting(state: PartitionState): number {
  return state.buffered.size;
}
