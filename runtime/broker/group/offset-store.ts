/**
 * Committed offsets per group, topic and partition: the materialized view of the offset commit
 * records of __consumer_offsets.
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

export class OffsetStore {
  readonly #byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();

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
}
