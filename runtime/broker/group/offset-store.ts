/**
 * Committed offsets per group, topic and partition: the materialized view of the offset commit
 * records of __consumer_offsets. It also counts commits written but not yet acknowledged, so that
 * deletions cover them too (Kafka's coordinator sees its own uncommitted writes).
 */
export interface CommittedOffset {
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** undefined = no per-offset expiry (the broker's retention applies). */
  expireTimestamp: number | undefined;
}

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class OffsetStore {
  readonly #byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  readonly #pending = new Map<string, Map<string, { topic: string; partition: number; count: number }>>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.#byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  put(groupId: string, topic: string, partition: number, offset: CommittedOffset): void {
    let topics = this.#byGroup.get(groupId);
    if (topics === undefined) this.#byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, offset);
  }

  delete(groupId: string, topic: string, partition: number): void {
    const topics = this.#byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (topics === undefined || partitions === undefined) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.#byGroup.delete(groupId);
  }

  hasOffsets(groupId: string): boolean {
    return this.#byGroup.has(groupId);
  }

  /** The group's offsets by topic (a live view: copy before deleting while iterating). */
  topicsOf(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.#byGroup.get(groupId) ?? new Map();
  }

  /** Every (topic, partition) the group has an offset for. */
  partitionsOf(groupId: string): { topic: string; partition: number; offset: CommittedOffset }[] {
    const out: { topic: string; partition: number; offset: CommittedOffset }[] = [];
    for (const [topic, partitions] of this.topicsOf(groupId)) {
      for (const [partition, offset] of partitions) out.push({ topic, partition, offset });
    }
    return out;
  }

  /** Counts a commit of the partition as being written (+1) or done being written (-1). */
  trackPending(groupId: string, topic: string, partition: number, delta: number): void {
    let partitions = this.#pending.get(groupId);
    if (partitions === undefined) this.#pending.set(groupId, (partitions = new Map()));
    const key = partitionKey(topic, partition);
    const entry = partitions.get(key) ?? { topic, partition, count: 0 };
    entry.count += delta;
    if (entry.count > 0) partitions.set(key, entry);
    else partitions.delete(key);
    if (partitions.size === 0) this.#pending.delete(groupId);
  }

  hasPending(groupId: string): boolean {
    return this.#pending.has(groupId);
  }

  hasOffsetOrPending(groupId: string, topic: string, partition: number): boolean {
    return this.get(groupId, topic, partition) !== undefined || this.#pending.get(groupId)?.has(partitionKey(topic, partition)) === true;
  }

  /** Every partition with an offset, counting commits still being written. */
  partitionsWithOffsetsOrPending(groupId: string): { topic: string; partition: number }[] {
    const out = this.partitionsOf(groupId).map(({ topic, partition }) => ({ topic, partition }));
    for (const entry of this.#pending.get(groupId)?.values() ?? []) {
      if (this.get(groupId, entry.topic, entry.partition) === undefined) out.push({ topic: entry.topic, partition: entry.partition });
    }
    return out;
  }
}
