import { ConfigError, SluiceError } from '../util/errors.ts';
import { murmur2, toPositive } from '../util/murmur2.ts';
import type { Random } from '../util/random.ts';
import { systemRandom } from '../util/random.ts';

/**
 * The Java producer's built-in partitioning (BuiltInPartitioner, Kafka ≥ 3.3): keyed records go
 * to toPositive(murmur2(key)) % numPartitions over all partitions; records without a key stick to
 * one partition until a batch's worth of bytes went there, then move to a random available one.
 */

/** Partition the Java client picks for a serialized key, whether or not that partition has a leader. */
export function javaPartition(key: Uint8Array, numPartitions: number): number {
  checkPartitionCount(numPartitions);
  return toPositive(murmur2(key)) % numPartitions;
}

function checkPartitionCount(numPartitions: number): void {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    throw new SluiceError('PARTITION_COUNT_INVALID', `partition count must be a positive integer, got ${numPartitions}`);
  }
}

/** Java's `batch.size` default, which is also its sticky batch size. */
export const DEFAULT_STICKY_BATCH_SIZE = 16384;

export interface StickyPartitionerOptions {
  /** Bytes to produce to one partition before switching (Java: the producer's `batch.size`). */
  batchSize?: number;
  /** Source of the random choice among partitions; inject a seeded one in tests and simulations. */
  random?: Random;
}

interface StickyState {
  partition: number;
  producedBytes: number;
}

/**
 * Sticky partitioning for null keys, one sticky partition per topic. Call `partition()` to place a
 * record and `recordAppended()` once its bytes were added to a batch. As in Java, the switch
 * happens once `batchSize` bytes went to the partition if the caller's batch is complete
 * (`batchComplete`), and unconditionally at twice that, so high `linger.ms` does not leave
 * fractional batches behind. The next partition is drawn uniformly from the available partitions
 * (those with a leader), or from all partitions when none is available; it may repeat.
 * Java's adaptive mode (weighting by broker queue depth) is not modelled.
 */
export class StickyPartitioner {
  private readonly batchSize: number;
  private readonly random: Random;
  private readonly sticky = new Map<string, StickyState>();

  constructor(options: StickyPartitionerOptions = {}) {
    const batchSize = options.batchSize ?? DEFAULT_STICKY_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ConfigError(`batch.size must be a positive integer for sticky partitioning, got ${batchSize}`, { context: { key: 'batch.size' } });
    }
    this.batchSize = batchSize;
    this.random = options.random ?? systemRandom;
  }

  /**
   * The current sticky partition of `topic`, chosen now if there is none yet.
   * `available` lists the partition ids that have a leader; empty or omitted means "unknown".
   */
  partition(topic: string, numPartitions: number, available: readonly number[] = []): number {
    const state = this.sticky.get(topic);
    if (state !== undefined && state.partition < numPartitions) return state.partition;
    const partition = this.nextPartition(numPartitions, available);
    this.sticky.set(topic, { partition, producedBytes: 0 });
    return partition;
  }

  /**
   * Accounts `bytes` appended to `partition` of `topic`; switches the sticky partition once enough
   * was produced. Appends to a partition that is no longer the sticky one (a record placed before
   * a switch) are ignored, as Java ignores a stale StickyPartitionInfo.
   */
  recordAppended(topic: string, partition: number, bytes: number, numPartitions: number, available: readonly number[] = [], batchComplete = true): void {
    const state = this.sticky.get(topic);
    if (state === undefined || state.partition !== partition) return;
    state.producedBytes += bytes;
    if ((state.producedBytes >= this.batchSize && batchComplete) || state.producedBytes >= this.batchSize * 2) {
      this.sticky.set(topic, { partition: this.nextPartition(numPartitions, available), producedBytes: 0 });
    }
  }

  private nextPartition(numPartitions: number, available: readonly number[]): number {
    if (available.length > 0) return available[this.random.int(available.length)];
    checkPartitionCount(numPartitions);
    return this.random.int(numPartitions);
  }
}
