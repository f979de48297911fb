import { IndexEntries, indexFileChecker } from './index-entries.ts';

/**
 * Kafka's sparse offset index (`.index`): 8-byte big-endian entries of (int32 offset relative to
 * the segment's base offset, int32 byte position in the `.log` file). An entry (o, p) says "the
 * batch starting at p ends at or after offset o", so a lookup takes the last entry with o ≤ target
 * and scans forward from p.
 */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface IndexPosition {
  /** Absolute offset of the entry (base offset when no entry precedes the target). */
  offset: number;
  position: number;
}

const relativeOffsetAt = (buf: Buffer, at: number): number => buf.readInt32BE(at);

export class OffsetIndex {
  readonly baseOffset: number;
  readonly #entries: IndexEntries;

  constructor(baseOffset: number, maxIndexBytes: number, initial?: Buffer) {
    this.baseOffset = baseOffset;
    this.#entries = new IndexEntries(OFFSET_INDEX_ENTRY_SIZE, maxIndexBytes, initial);
  }

  get maxEntries(): number {
    return this.#entries.maxEntries;
  }

  get entries(): number {
    return this.#entries.count;
  }

  get isFull(): boolean {
    return this.#entries.isFull;
  }

  /** Size in bytes of the file form. */
  get sizeInBytes(): number {
    return this.#entries.sizeInBytes;
  }

  lastEntry(): IndexPosition {
    if (this.#entries.count === 0) return { offset: this.baseOffset, position: 0 };
    return this.#entry(this.#entries.count - 1);
  }

  #entry(i: number): IndexPosition {
    const buf = this.#entries.buffer;
    const at = this.#entries.at(i);
    return { offset: this.baseOffset + buf.readInt32BE(at), position: buf.readInt32BE(at + 4) };
  }

  /** Appends (offset, position); both must exceed the last entry's. Returns false when full. */
  append(offset: number, position: number): boolean {
    if (this.isFull) return false;
    if (this.#entries.count > 0) {
      const last = this.lastEntry();
      if (offset <= last.offset || position <= last.position) {
        throw new RangeError(`index entry (${offset}, ${position}) does not follow (${last.offset}, ${last.position})`);
      }
    }
    const at = this.#entries.push();
    this.#entries.buffer.writeInt32BE(offset - this.baseOffset, at);
    this.#entries.buffer.writeInt32BE(position, at + 4);
    return true;
  }

  /** The last entry whose offset is ≤ `target`, or (base offset, 0) when there is none. */
  lookup(target: number): IndexPosition {
    const found = this.#entries.lastAtOrBelow(target - this.baseOffset, relativeOffsetAt);
    return found < 0 ? { offset: this.baseOffset, position: 0 } : this.#entry(found);
  }

  /** Drops entries pointing at or beyond `position` (the log was truncated there). */
  truncateToPosition(position: number): void {
    this.#entries.truncateWhile((i) => this.#entry(i).position >= position);
  }

  /** The file form: exactly `entries` entries. The view is valid until the next append. */
  bytes(): Buffer {
    return this.#entries.bytes();
  }

  /**
   * Loads a `.index` file, checking what a torn or stale file would break: whole entries,
   * offsets and positions strictly increasing, positions inside the log.
   */
  static load(baseOffset: number, maxIndexBytes: number, file: Buffer, logSize: number, source: string): OffsetIndex {
    const fail = indexFileChecker('offset index', source, file, OFFSET_INDEX_ENTRY_SIZE);
    let previousOffset = -1;
    let previousPosition = -1;
    for (let i = 0, at = 0; at < file.length; i++, at += OFFSET_INDEX_ENTRY_SIZE) {
      const relative = file.readInt32BE(at);
      const position = file.readInt32BE(at + 4);
      if (relative <= previousOffset) fail(`relative offset ${relative} does not exceed ${previousOffset}`, i);
      if (position <= previousPosition) fail(`position ${position} does not exceed ${previousPosition}`, i);
      if (position >= logSize) fail(`position ${position} is beyond the log size ${logSize}`, i);
      previousOffset = relative;
      previousPosition = position;
    }
    return new OffsetIndex(baseOffset, Math.max(maxIndexBytes, file.length), file);
  }
}
