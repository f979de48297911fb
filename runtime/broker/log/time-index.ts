import { CorruptDataError } from '../../util/errors.ts';

/**
 * Kafka's time index (`.timeindex`): 12-byte big-endian entries of (int64 timestamp, int32 offset
 * relative to the segment base). Entry (t, o) says "the largest timestamp among batches up to
 * offset o is t"; entries only ever grow in timestamp, so a lookup for T takes the last entry with
 * t ≤ T (or none) and scans forward for the first batch whose max timestamp reaches T.
 */
export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  readonly baseOffset: number;
  readonly maxEntries: number;
  #buf: Buffer;
  #entries = 0;

  constructor(baseOffset: number, maxIndexBytes: number, initial?: Buffer) {
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_SIZE));
    if (initial !== undefined) {
      this.#buf = Buffer.from(initial);
      this.#entries = Math.floor(initial.length / TIME_INDEX_ENTRY_SIZE);
    } else {
      this.#buf = Buffer.allocUnsafe(Math.min(4092, this.maxEntries * TIME_INDEX_ENTRY_SIZE));
    }
  }

  get entries(): number {
    return this.#entries;
  }

  get isFull(): boolean {
    return this.#entries >= this.maxEntries;
  }

  get sizeInBytes(): number {
    return this.#entries * TIME_INDEX_ENTRY_SIZE;
  }

  #entry(i: number): TimestampOffset {
    const at = i * TIME_INDEX_ENTRY_SIZE;
    return { timestamp: Number(this.#buf.readBigInt64BE(at)), offset: this.baseOffset + this.#buf.readInt32BE(at + 8) };
  }

  lastEntry(): TimestampOffset | undefined {
    return this.#entries === 0 ? undefined : this.#entry(this.#entries - 1);
  }

  /**
   * Appends (timestamp, offset) when the timestamp exceeds the last entry's (Kafka's maybeAppend);
   * returns whether an entry was added.
   */
  maybeAppend(timestamp: number, offset: number): boolean {
    const last = this.lastEntry();
    if (last !== undefined && (timestamp <= last.timestamp || offset < last.offset)) return false;
    if (this.isFull) return false;
    const at = this.#entries * TIME_INDEX_ENTRY_SIZE;
    if (at + TIME_INDEX_ENTRY_SIZE > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(this.#buf.length * 2, 64 * TIME_INDEX_ENTRY_SIZE), this.maxEntries * TIME_INDEX_ENTRY_SIZE));
      this.#buf.copy(grown, 0, 0, at);
      this.#buf = grown;
    }
    this.#buf.writeBigInt64BE(BigInt(timestamp), at);
    this.#buf.writeInt32BE(offset - this.baseOffset, at + 8);
    this.#entries++;
    return true;
  }

  /** The last entry with timestamp ≤ `target`, or undefined (scan from the segment start). */
  lookup(target: number): TimestampOffset | undefined {
    let lo = 0;
    let hi = this.#entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (Number(this.#buf.readBigInt64BE(mid * TIME_INDEX_ENTRY_SIZE)) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? undefined : this.#entry(found);
  }

  /** Drops entries whose offset is ≥ `offset` (the log was truncated there). */
  truncateToOffset(offset: number): void {
    while (this.#entries > 0 && this.#entry(this.#entries - 1).offset >= offset) this.#entries--;
  }

  bytes(): Buffer {
    return this.#buf.subarray(0, this.sizeInBytes);
  }

  /** Loads a `.timeindex` file: whole entries, timestamps and offsets never decreasing. */
  static load(baseOffset: number, maxIndexBytes: number, file: Buffer, source: string): TimeIndex {
    const fail = (what: string, entry: number): never => {
      throw new CorruptDataError(`time index ${source} is invalid: ${what} (entry ${entry})`, {
        code: 'INDEX_CORRUPT',
        context: { source, entry, position: entry * TIME_INDEX_ENTRY_SIZE },
      });
    };
    if (file.length % TIME_INDEX_ENTRY_SIZE !== 0) fail(`size ${file.length} is not a multiple of ${TIME_INDEX_ENTRY_SIZE}`, Math.floor(file.length / TIME_INDEX_ENTRY_SIZE));
    let previousTimestamp = -Infinity;
    let previousOffset = 0;
    for (let i = 0, at = 0; at < file.length; i++, at += TIME_INDEX_ENTRY_SIZE) {
      const timestamp = Number(file.readBigInt64BE(at));
      const relative = file.readInt32BE(at + 8);
      if (timestamp <= previousTimestamp) fail(`timestamp ${timestamp} does not exceed ${previousTimestamp}`, i);
      if (relative < previousOffset) fail(`relative offset ${relative} is below ${previousOffset}`, i);
      previousTimestamp = timestamp;
      previousOffset = relative;
    }
    return new TimeIndex(baseOffset, Math.max(maxIndexBytes, file.length), file);
  }
}
