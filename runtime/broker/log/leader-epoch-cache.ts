import type { EpochEntry } from './checkpoint-format.ts';

/**
 * Which leader epoch wrote which offsets: (epoch, first offset) pairs in increasing order, as
 * Kafka's LeaderEpochFileCache keeps them. Replication uses it to answer OffsetsForLeaderEpoch and
 * to find where a follower's log diverges. Pure: the storage layer persists `entries`.
 */
export class LeaderEpochCache {
  #entries: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    this.#entries = entries.map((e) => ({ ...e }));
  }

  get entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  latest(): EpochEntry | undefined {
    return this.#entries.at(-1);
  }

  /**
   * Records that `epoch` starts at `startOffset`. Returns true when the cache changed (the caller
   * then persists it). Epochs below the latest are ignored; a re-assignment of the latest epoch
   * at a lower offset (after truncation) replaces it.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const latest = this.latest();
    if (latest !== undefined) {
      if (epoch < latest.epoch) return false;
      if (epoch === latest.epoch) {
        if (startOffset >= latest.startOffset) return false;
        this.#entries.pop();
      }
    }
    // Drop entries that would start at or after the new one: their offsets were truncated away.
    while (this.#entries.length > 0 && (this.#entries.at(-1) as EpochEntry).startOffset >= startOffset) this.#entries.pop();
    this.#entries.push({ epoch, startOffset });
    return true;
  }

  /**
   * Kafka's endOffsetFor: the largest epoch ≤ `requested` and the offset where the next epoch
   * starts (or `logEndOffset` for the latest epoch). Undefined epoch/offset (-1, -1) when the
   * requested epoch precedes every known one.
   */
  endOffsetFor(requested: number, logEndOffset: number): { epoch: number; endOffset: number } {
    const latest = this.latest();
    if (latest === undefined) return { epoch: -1, endOffset: -1 };
    if (requested >= latest.epoch) return { epoch: latest.epoch, endOffset: logEndOffset };
    let i = this.#entries.length - 1;
    while (i >= 0 && this.#entries[i].epoch > requested) i--;
    if (i < 0) return { epoch: -1, endOffset: -1 };
    return { epoch: this.#entries[i].epoch, endOffset: this.#entries[i + 1].startOffset };
  }

  /** The epoch that wrote `offset`, or -1 when no entry covers it. */
  epochForOffset(offset: number): number {
    for (let i = this.#entries.length - 1; i >= 0; i--) if (this.#entries[i].startOffset <= offset) return this.#entries[i].epoch;
    return -1;
  }

  /** The log was truncated to end before `offset`: entries starting there or later go. */
  truncateFromEnd(offset: number): boolean {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.startOffset < offset);
    return this.#entries.length !== before;
  }

  /** The log now starts at `offset`: entries wholly below it go, the one covering it starts there. */
  truncateFromStart(offset: number): boolean {
    let changed = false;
    while (this.#entries.length > 1 && this.#entries[1].startOffset <= offset) {
      this.#entries.shift();
      changed = true;
    }
    const first = this.#entries[0];
    if (first !== undefined && first.startOffset < offset) {
      first.startOffset = offset;
      changed = true;
    }
    return changed;
  }
}
