/**
 * Which offsets may be committed: per partition, records are tracked in the order put() received
 * them, and the committable offset is one past the last record of the longest prefix that is
 * done (acknowledged by Elasticsearch, or skipped/dead-lettered on purpose). A record still in
 * flight holds back every record after it, so a commit never covers an unacknowledged record.
 *
 * Partitions are keyed by the record's original topic/partition/offset (before transforms), which
 * are what the consumer commits: topic-renaming transforms need no synchronous flush.
 */
import type { TopicPartition, TopicPartitionOffset } from '../../runtime/connect/api/index.ts';
import { topicPartitionKey } from '../../runtime/connect/api/index.ts';

/**
 * One tracked record; mark it done through the tracker. The sink's buffered operation is its own
 * entry: one object per buffered record instead of two.
 */
export interface OffsetEntry {
  /** The record's original offset. */
  readonly offset: number;
  /** False until markDone(). */
  done: boolean;
  /** The partition state it belongs to, set by track() (null before). */
  owner: PartitionOffsets | null;
}

/** The records of one partition in the order put() received them. */
export class PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  entries: OffsetEntry[] = [];
  head = 0;
  /** The offset to commit (next to consume), or null before anything is done. */
  committable: number | null = null;
  closed = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  advance(): void {
    const entries = this.entries;
    let head = this.head;
    while (head < entries.length && entries[head].done) {
      const next = entries[head].offset + 1;
      // Replayed (re-delivered) records can be older than what is already committable.
      if (this.committable === null || next > this.committable) this.committable = next;
      head++;
    }
    if (head === entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (head > 1024 && head * 2 > entries.length) {
      this.entries = entries.slice(head);
      this.head = 0;
    } else {
      this.head = head;
    }
  }

  get pending(): number {
    return this.entries.length - this.head;
  }
}

export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionOffsets>();
  #pending = 0;
  /** The partition of the last record added: consecutive records mostly share it, which saves a key per record. */
  #last: PartitionOffsets | null = null;

  /** Starts tracking a record (`entry`, not done yet) at its original (pre-transform) topic and partition. */
  track<E extends OffsetEntry>(topic: string, partition: number, entry: E): E {
    let state = this.#last;
    if (state === null || state.closed || state.partition !== partition || state.topic !== topic) {
      const key = topicPartitionKey({ topic, partition });
      let known = this.#partitions.get(key);
      if (known === undefined) {
        known = new PartitionOffsets(topic, partition);
        this.#partitions.set(key, known);
      }
      state = known;
      this.#last = known;
    }
    entry.owner = state;
    state.entries.push(entry);
    this.#pending++;
    return entry;
  }

  /** Marks a record done; marking twice, or after its partition was closed, does nothing. */
  markDone(entry: OffsetEntry): void {
    const owner = entry.owner;
    if (entry.done || owner === null || owner.closed) return;
    entry.done = true;
    this.#pending--;
    owner.advance();
  }

  /** Records added and not yet done (over all open partitions). */
  get pending(): number {
    return this.#pending;
  }

  /**
   * The offsets to commit for the given partitions (the consumer's current ones): only
   * partitions with progress, never past what the consumer has read.
   */
  committableOffsets(current: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const tp of current) {
      const state = this.#partitions.get(topicPartitionKey(tp));
      if (state === undefined || state.committable === null) continue;
      out.push({ topic: tp.topic, partition: tp.partition, offset: Math.min(state.committable, tp.offset) });
    }
    return out;
  }

  /** Stops tracking partitions taken from the task; their records no longer count. */
  close(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const key = topicPartitionKey(tp);
      const state = this.#partitions.get(key);
      if (state === undefined) continue;
      state.closed = true;
      let undone = 0;
      for (let i = state.head; i < state.entries.length; i++) if (!state.entries[i].done) undone++;
      this.#pending -= undone;
      this.#partitions.delete(key);
    }
  }
}
