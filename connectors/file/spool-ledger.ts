/**
 * Which spooled files may be cleaned up (pure bookkeeping). A file may leave input.path only when
 *   1. it was read to its end (or failed), and
 *   2. the committed offset of its partition reached its last record's offset.
 * The second point also means every record of the file was acknowledged: a worker commits a
 * source offset only once that record and every record before it were acknowledged (Kafka
 * Connect's SubmittedRecords, and ours), and offsets grow line by line. So no per-record
 * commitRecord() is needed (it would cost the worker a call per record and keep every record
 * alive until its acknowledgement). The committed offset is read from the offset store itself
 * each time the worker calls commit() (the store then holds what that flush made durable), not
 * inferred from the order of calls: a commit() may flush offsets taken just before the last
 * acknowledgement arrived, and the store is what a restart will see. The position read is kept,
 * so a file whose reading ends after the last flush of its records (nothing more to flush, so no
 * further commit()) is still cleaned up. Nothing here is a flag on disk; after a crash the same
 * decisions are made again from the offsets and the files.
 */
import type { SourceMap } from '../../runtime/connect/api/index.ts';

export type Outcome = { kind: 'finished' } | { kind: 'failed'; error: Error };

export interface SpoolEntry {
  readonly path: string;
  readonly fileId: string;
  readonly partition: SourceMap;
  emitted: number;
  /** Byte position in the offset of the last record emitted (null: none emitted in this run). */
  lastPosition: number | null;
  /** Set once reading is over. */
  outcome: Outcome | null;
  /** The position the offset store held for its partition at the last commit(). */
  committedPosition: number | null;
  /** A move or delete is under way. */
  cleaning: boolean;
  /** After a failed cleanup: not tried again before this time (ms). */
  retryAt: number;
}

export class SpoolLedger {
  readonly #byPath = new Map<string, SpoolEntry>();

  /** Starts tracking a file being read; `partition` is the object its records carry. */
  start(path: string, fileId: string, partition: SourceMap): SpoolEntry {
    const entry: SpoolEntry = { path, fileId, partition, emitted: 0, lastPosition: null, outcome: null, committedPosition: null, cleaning: false, retryAt: 0 };
    this.#byPath.set(path, entry);
    return entry;
  }

  emitted(entry: SpoolEntry, count: number, lastPosition: number | null): void {
    entry.emitted += count;
    if (lastPosition !== null) entry.lastPosition = lastPosition;
  }

  finish(entry: SpoolEntry, outcome: Outcome): void {
    entry.outcome = outcome;
  }

  /** Whether a file at this path is being read or waits for cleanup. */
  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  get size(): number {
    return this.#byPath.size;
  }

  /** Files with records emitted in this run, not being cleaned up: their committed positions matter. */
  withRecords(): SpoolEntry[] {
    return [...this.#byPath.values()].filter((e) => e.emitted > 0 && !e.cleaning);
  }

  /** The store held `position` for the entry's partition at a commit(). */
  committedAt(entry: SpoolEntry, position: number | null): void {
    entry.committedPosition = position;
  }

  /** Files that may leave input.path at `now`: read, and their last offset committed. */
  cleanable(now: number): SpoolEntry[] {
    return [...this.#byPath.values()].filter((e) => e.outcome !== null && !e.cleaning && e.retryAt <= now && SpoolLedger.committed(e));
  }

  static committed(entry: SpoolEntry): boolean {
    if (entry.emitted === 0 || entry.lastPosition === null) return true;
    return entry.committedPosition !== null && entry.committedPosition >= entry.lastPosition;
  }

  remove(entry: SpoolEntry): void {
    if (this.#byPath.get(entry.path) === entry) this.#byPath.delete(entry.path);
  }
}
