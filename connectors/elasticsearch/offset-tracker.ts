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

/** One tracked record; mark it done through the tracker. */
export interface OffsetEntry {
  readonly offset: number;
  done: boolean;
  /** The partition state it belongs to; detached when the partition is closed. */
  readonly owner: PartitionOffsets;
}

class PartitionOffsets {
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

  /** Starts tracking a record at its original (pre-transform) coordinates. */
  add(topic: string, partition: number, offset: number): OffsetEntry {
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
    const entry: OffsetEntry = { offset, done: false, owner: state };
    state.entries.push(entry);
    this.#pending++;
    return entry;
  }

  /** Marks a record done; marking twice, or after its partition was closed, does nothing. */
  markDone(entry: OffsetEntry): void {
    if (entry.done || entry.owner.closed) return;
    entry.done = true;
    this.#pending--;
    entry.owner.advance();
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
