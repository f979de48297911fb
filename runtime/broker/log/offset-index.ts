import { CorruptDataError } from '../../util/errors.ts';

/**
 * Kafka's sparse offset index (`.index`): 8-byte big-endian entries of (int32 offset relative to
 * the segment's base offset, int32 byte position in the `.log` file). An entry (o, p) says "the
 * batch starting at p ends at or after offset o", so a lookup takes the last entry with o ≤ target
 * and scans forward from p. The in-memory form is the file form, so flushing is one write.
 */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface IndexPosition {
  /** Absolute offset of the entry (base offset when no entry precedes the target). */
  offset: number;
  position: number;
}

export class OffsetIndex {
  readonly baseOffset: number;
  readonly maxEntries: number;
  #buf: Buffer;
  #entries = 0;

  constructor(baseOffset: number, maxIndexBytes: number, initial?: Buffer) {
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_SIZE));
    if (initial !== undefined) {
      this.#buf = Buffer.from(initial);
      this.#entries = Math.floor(initial.length / OFFSET_INDEX_ENTRY_SIZE);
    } else {
      this.#buf = Buffer.allocUnsafe(Math.min(4096, this.maxEntries * OFFSET_INDEX_ENTRY_SIZE));
    }
  }

  get entries(): number {
    return this.#entries;
  }

  get isFull(): boolean {
    return this.#entries >= this.maxEntries;
  }

  /** Size in bytes of the file form. */
  get sizeInBytes(): number {
    return this.#entries * OFFSET_INDEX_ENTRY_SIZE;
  }

  lastEntry(): IndexPosition {
    if (this.#entries === 0) return { offset: this.baseOffset, position: 0 };
    return this.#entry(this.#entries - 1);
  }

  #entry(i: number): IndexPosition {
    const at = i * OFFSET_INDEX_ENTRY_SIZE;
    return { offset: this.baseOffset + this.#buf.readInt32BE(at), position: this.#buf.readInt32BE(at + 4) };
  }

  /** Appends (offset, position); both must exceed the last entry's. Returns false when full. */
  append(offset: number, position: number): boolean {
    if (this.isFull) return false;
    const relative = offset - this.baseOffset;
    if (this.#entries > 0) {
      const last = this.lastEntry();
      if (offset <= last.offset || position <= last.position) {
        throw new RangeError(`index entry (${offset}, ${position}) does not follow (${last.offset}, ${last.position})`);
      }
    }
    const at = this.#entries * OFFSET_INDEX_ENTRY_SIZE;
    if (at + OFFSET_INDEX_ENTRY_SIZE > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(this.#buf.length * 2, 64 * OFFSET_INDEX_ENTRY_SIZE), this.maxEntries * OFFSET_INDEX_ENTRY_SIZE));
      this.#buf.copy(grown, 0, 0, at);
      this.#buf = grown;
    }
    this.#buf.writeInt32BE(relative, at);
    this.#buf.writeInt32BE(position, at + 4);
    this.#entries++;
    return true;
  }

  /** The last entry whose offset is ≤ `target`, or (base offset, 0) when there is none. */
  lookup(target: number): IndexPosition {
    const relative = target - this.baseOffset;
    let lo = 0;
    let hi = this.#entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#buf.readInt32BE(mid * OFFSET_INDEX_ENTRY_SIZE) <= relative) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : this.#entry(found);
  }

  /** Drops entries pointing at or beyond `position` (the log was truncated there). */
  truncateToPosition(position: number): void {
    while (this.#entries > 0 && this.#entry(this.#entries - 1).position >= position) this.#entries--;
  }

  /** The file form: exactly `entries` entries. The view is valid until the next append. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.sizeInBytes);
  }

  /**
   * Loads a `.index` file, checking what a torn or stale file would break: whole entries,
   * offsets and positions strictly increasing, positions inside the log.
   */
  static load(baseOffset: number, maxIndexBytes: number, file: Buffer, logSize: number, source: string): OffsetIndex {
    const fail = (what: string, entry: number): never => {
      throw new CorruptDataError(`offset index ${source} is invalid: ${what} (entry ${entry})`, {
        code: 'INDEX_CORRUPT',
        context: { source, entry, position: entry * OFFSET_INDEX_ENTRY_SIZE },
      });
    };
    if (file.length % OFFSET_INDEX_ENTRY_SIZE !== 0) fail(`size ${file.length} is not a multiple of ${OFFSET_INDEX_ENTRY_SIZE}`, Math.floor(file.length / OFFSET_INDEX_ENTRY_SIZE));
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
    const index = new OffsetIndex(baseOffset, Math.max(maxIndexBytes, file.length), file);
    return index;
  }
}
