import { CorruptDataError } from '../../util/errors.ts';

/**
 * The fixed-size entry array behind Kafka's `.index` and `.timeindex` files. The in-memory form is
 * the file form, so flushing is one write; the buffer grows on demand up to the configured size
 * instead of reserving `segment.index.bytes` for every segment up front.
 */
export class IndexEntries {
  readonly entrySize: number;
  readonly maxEntries: number;
  #buf: Buffer;
  #count = 0;

  constructor(entrySize: number, maxIndexBytes: number, initial?: Buffer) {
    this.entrySize = entrySize;
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize));
    if (initial !== undefined) {
      this.#buf = Buffer.from(initial);
      this.#count = Math.floor(initial.length / entrySize);
    } else {
      this.#buf = Buffer.allocUnsafe(Math.min(Math.floor(4096 / entrySize), this.maxEntries) * entrySize);
    }
  }

  get count(): number {
    return this.#count;
  }

  get isFull(): boolean {
    return this.#count >= this.maxEntries;
  }

  get sizeInBytes(): number {
    return this.#count * this.entrySize;
  }

  /** The backing buffer; replaced when it grows, so do not keep it across `push`. */
  get buffer(): Buffer {
    return this.#buf;
  }

  /** Byte position of entry `i`. */
  at(i: number): number {
    return i * this.entrySize;
  }

  /** Adds one entry slot and returns its byte position for the caller to fill; the caller checks `isFull`. */
  push(): number {
    const at = this.#count * this.entrySize;
    if (at + this.entrySize > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(this.#buf.length * 2, 64 * this.entrySize), this.maxEntries * this.entrySize));
      this.#buf.copy(grown, 0, 0, at);
      this.#buf = grown;
    }
    this.#count++;
    return at;
  }

  /** Index of the last entry whose key (read by `keyAt` at a byte position) is ≤ `target`, or -1; keys must be sorted. */
  lastAtOrBelow(target: number, keyAt: (buf: Buffer, at: number) => number): number {
    let lo = 0;
    let hi = this.#count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(this.#buf, mid * this.entrySize) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Drops trailing entries while `drop(i)` holds (the log was truncated). */
  truncateWhile(drop: (i: number) => boolean): void {
    while (this.#count > 0 && drop(this.#count - 1)) this.#count--;
  }

  /** The file form: exactly `count` entries. The view is valid until the next `push`. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.sizeInBytes);
  }
}

/**
 * Checks that an index file holds whole entries and returns the reporter for entry-level damage,
 * so both index kinds name the file, entry and byte position the same way.
 */
export function indexFileChecker(kind: string, source: string, file: Buffer, entrySize: number): (what: string, entry: number) => never {
  const fail = (what: string, entry: number): never => {
    throw new CorruptDataError(`${kind} ${source} is invalid: ${what} (entry ${entry})`, {
      code: 'INDEX_CORRUPT',
      context: { source, entry, position: entry * entrySize },
    });
  };
  if (file.length % entrySize !== 0) fail(`size ${file.length} is not a multiple of ${entrySize}`, Math.floor(file.length / entrySize));
  return fail;
}
