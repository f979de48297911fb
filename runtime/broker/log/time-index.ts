import { IndexEntries, indexFileChecker } from './index-entries.ts';

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

const timestampAt = (buf: Buffer, at: number): number => Number(buf.readBigInt64BE(at));

export class TimeIndex {
  readonly baseOffset: number;
  readonly #entries: IndexEntries;

  constructor(baseOffset: number, maxIndexBytes: number, initial?: Buffer) {
    this.baseOffset = baseOffset;
    this.#entries = new IndexEntries(TIME_INDEX_ENTRY_SIZE, maxIndexBytes, initial);
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

  get sizeInBytes(): number {
    return this.#entries.sizeInBytes;
  }

  #entry(i: number): TimestampOffset {
    const buf = this.#entries.buffer;
    const at = this.#entries.at(i);
    return { timestamp: timestampAt(buf, at), offset: this.baseOffset + buf.readInt32BE(at + 8) };
  }

  lastEntry(): TimestampOffset | undefined {
    return this.#entries.count === 0 ? undefined : this.#entry(this.#entries.count - 1);
  }

  /**
   * Appends (timestamp, offset) when the timestamp exceeds the last entry's (Kafka's maybeAppend);
   * returns whether an entry was added.
   */
  maybeAppend(timestamp: number, offset: number): boolean {
    const last = this.lastEntry();
    if (last !== undefined && (timestamp <= last.timestamp || offset < last.offset)) return false;
    if (this.isFull) return false;
    const at = this.#entries.push();
    this.#entries.buffer.writeBigInt64BE(BigInt(timestamp), at);
    this.#entries.buffer.writeInt32BE(offset - this.baseOffset, at + 8);
    return true;
  }

  /** The last entry with timestamp ≤ `target`, or undefined (scan from the segment start). */
  lookup(target: number): TimestampOffset | undefined {
    const found = this.#entries.lastAtOrBelow(target, timestampAt);
    return found < 0 ? undefined : this.#entry(found);
  }

  /** Drops entries whose offset is ≥ `offset` (the log was truncated there). */
  truncateToOffset(offset: number): void {
    this.#entries.truncateWhile((i) => this.#entry(i).offset >= offset);
  }

  bytes(): Buffer {
    return this.#entries.bytes();
  }

  /** Loads a `.timeindex` file: whole entries, timestamps and offsets never decreasing. */
  static load(baseOffset: number, maxIndexBytes: number, file: Buffer, source: string): TimeIndex {
    const fail = indexFileChecker('time index', source, file, TIME_INDEX_ENTRY_SIZE);
    let previousTimestamp = -Infinity;
    let previousOffset = 0;
    for (let i = 0, at = 0; at < file.length; i++, at += TIME_INDEX_ENTRY_SIZE) {
      const timestamp = timestampAt(file, at);
      const relative = file.readInt32BE(at + 8);
      if (timestamp <= previousTimestamp) fail(`timestamp ${timestamp} does not exceed ${previousTimestamp}`, i);
      if (relative < previousOffset) fail(`relative offset ${relative} is below ${previousOffset}`, i);
      previousTimestamp = timestamp;
      previousOffset = relative;
    }
    return new TimeIndex(baseOffset, Math.max(maxIndexBytes, file.length), file);
  }
}
