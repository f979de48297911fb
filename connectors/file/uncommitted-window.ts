/**
 * Bounds how many records may be out with their offsets not yet committed
 * (max.uncommitted.records), which bounds what a crash (kill -9) can make the task send again.
 * Each emitted record's offset is queued per partition in emission order; after an offset flush
 * (SourceTask.commit) the committed offsets are read from the store and every queued record up to
 * the first one carrying that offset is dropped. Matching the first equal offset (rather than a
 * later one, possible after a truncation repeats positions) can only keep more queued, never
 * fewer, so the bound holds.
 */
import type { OffsetStorageReader, SourceMap, SourceRecord } from '../../runtime/connect/api/index.ts';
import { LINE_FIELD, POSITION_FIELD } from './file-offsets.ts';

interface Queue {
  partition: SourceMap;
  offsets: SourceMap[];
  head: number;
}

function sameOffset(a: SourceMap, b: SourceMap): boolean {
  return a[POSITION_FIELD] === b[POSITION_FIELD] && a[LINE_FIELD] === b[LINE_FIELD];
}

export class UncommittedWindow {
  readonly #limit: number;
  readonly #queues = new Map<SourceMap, Queue>();
  #count = 0;

  /** `limit` 0: no bound (nothing is tracked). */
  constructor(limit: number) {
    this.#limit = limit;
  }

  get bounded(): boolean {
    return this.#limit > 0;
  }

  /** Records the next poll may return (Infinity when unbounded). */
  room(): number {
    return this.#limit > 0 ? Math.max(0, this.#limit - this.#count) : Infinity;
  }

  get uncommitted(): number {
    return this.#count;
  }

  emitted(records: readonly SourceRecord[]): void {
    if (this.#limit === 0) return;
    for (const r of records) {
      if (r.sourcePartition === null || r.sourceOffset === null) continue;
      let queue = this.#queues.get(r.sourcePartition);
      if (queue === undefined) {
        queue = { partition: r.sourcePartition, offsets: [], head: 0 };
        this.#queues.set(r.sourcePartition, queue);
      }
      queue.offsets.push(r.sourceOffset);
      this.#count++;
    }
  }

  /** Drops what the store now holds as committed. */
  async refresh(store: OffsetStorageReader): Promise<void> {
    if (this.#limit === 0 || this.#queues.size === 0) return;
    const queues = [...this.#queues.values()];
    const stored = await store.offsets(queues.map((q) => q.partition));
    queues.forEach((queue, i) => {
      const committed = stored[i].offset;
      if (committed === null) return;
      let at = -1;
      for (let k = queue.head; k < queue.offsets.length; k++) {
        if (sameOffset(queue.offsets[k], committed)) {
          at = k;
          break;
        }
      }
      if (at === -1) return;
      this.#count -= at + 1 - queue.head;
      queue.head = at + 1;
      if (queue.head === queue.offsets.length) this.#queues.delete(queue.partition);
      else if (queue.head > 1024) {
        queue.offsets = queue.offsets.slice(queue.head);
        queue.head = 0;
      }
    });
  }
}
