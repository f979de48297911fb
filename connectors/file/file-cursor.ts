/**
 * Reads one open file from a byte position and cuts it into records with a Framer, keeping
 * line-exact positions: every item says at which byte and line it starts and at which byte the
 * next one starts, which is what a committed offset holds. Memory stays bounded by
 * max.line.bytes: a record longer than that is skipped to its line end while only a prefix of
 * it is kept (for the bad-line report), so a 10 MB line never sits in memory whole.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Frame, Framer } from './framing.ts';
import { LF } from './framing.ts';

/** A complete record: bytes [start, end) of `window` (valid until the cursor reads again). */
export interface LineItem {
  kind: 'line';
  window: Buffer;
  start: number;
  end: number;
  /** File byte position of its first byte, and 1-based number of its first line. */
  position: number;
  line: number;
  /** Where the next record starts: byte position and line number (the offset to commit). */
  nextPosition: number;
  nextLine: number;
}

/** A record longer than max.line.bytes: skipped whole, with its first bytes kept. */
export interface TooLongItem {
  kind: 'too-long';
  prefix: Buffer;
  /** Its length in bytes, terminator excluded. */
  length: number;
  position: number;
  line: number;
  nextPosition: number;
  nextLine: number;
}

export type CursorItem = LineItem | TooLongItem;

export interface CursorOptions {
  maxLineBytes: number;
  /** Bytes asked for per read, once reads keep filling the buffer. */
  readBytes?: number;
  /**
   * The buffer's first size (default readBytes). A small file gets a small buffer: a megabyte
   * per file of a spool of thousands of small files is mostly garbage for the collector.
   */
  initialBytes?: number;
  /** Bytes of a too-long record kept for the report. */
  prefixBytes?: number;
}

interface Skipping {
  position: number;
  line: number;
  length: number;
  prefix: Buffer;
}

const DEFAULT_READ_BYTES = 1 << 20;

export class FileCursor {
  readonly #handle: FileHandle;
  readonly #framer: Framer;
  readonly #maxLineBytes: number;
  readonly #readBytes: number;
  readonly #prefixBytes: number;
  #buffer: Buffer;
  /** The filled part of #buffer; records are found in it. */
  #window: Buffer;
  /** File position of #buffer[0]. */
  #base: number;
  /** Index in the window of the next record's first byte. */
  #consumed = 0;
  #line: number;
  #skipping: Skipping | null = null;
  /** The last read filled all the room it had: more is probably there, so the buffer may grow. */
  #lastReadFull = false;
  /** Line item objects, reused by every take() (at most its largest `max` of them). */
  readonly #pool: LineItem[] = [];
  #pooledInUse = 0;

  constructor(handle: FileHandle, framer: Framer, position: number, line: number, options: CursorOptions) {
    this.#handle = handle;
    this.#framer = framer;
    this.#maxLineBytes = options.maxLineBytes;
    this.#readBytes = options.readBytes ?? DEFAULT_READ_BYTES;
    this.#prefixBytes = Math.min(options.prefixBytes ?? options.maxLineBytes, options.maxLineBytes);
    this.#buffer = Buffer.allocUnsafe(Math.max(1024, Math.min(options.initialBytes ?? this.#readBytes, this.#readBytes)));
    this.#window = this.#buffer.subarray(0, 0);
    this.#base = position;
    this.#line = line;
  }

  get handle(): FileHandle {
    return this.#handle;
  }

  /** Where the next record starts (bytes of an incomplete record read ahead do not count). */
  get position(): number {
    return this.#skipping?.position ?? this.#base + this.#consumed;
  }

  /** The 1-based line number of the next record. */
  get line(): number {
    return this.#skipping?.line ?? this.#line;
  }

  /** File position up to which bytes were read. */
  get readPosition(): number {
    return this.#base + this.#window.length;
  }

  /** Restarts at another position (after a truncation), dropping what was read. */
  seek(position: number, line: number): void {
    this.#base = position;
    this.#line = line;
    this.#consumed = 0;
    this.#window = this.#buffer.subarray(0, 0);
    this.#skipping = null;
    this.#framer.reset();
  }

  /**
   * Up to `max` records from what is buffered and what can be read now. `final`: the file will
   * not grow (spool mode, or a rotated file being finished), so an unterminated last record is
   * complete. Items point into the read buffer and their objects are reused, so they must be used
   * before the next call; it returns what is buffered before reading again (reading moves the
   * buffer's bytes), so a batch may be short. `atEnd`: nothing more could be read now.
   */
  async take(max: number, final: boolean): Promise<{ items: CursorItem[]; atEnd: boolean }> {
    const items: CursorItem[] = [];
    this.#pooledInUse = 0;
    for (;;) {
      this.#scan(items, max, false);
      if (items.length > 0) return { items, atEnd: false };
      if ((await this.#readMore()) === 0) {
        if (final) this.#scan(items, max, true);
        return { items, atEnd: true };
      }
    }
  }

  #scan(items: CursorItem[], max: number, final: boolean): void {
    const window = this.#window;
    while (items.length < max) {
      if (this.#skipping !== null) {
        if (!this.#skipTo(items, window, final)) return;
        continue;
      }
      const from = this.#consumed;
      if (from >= window.length) return;
      const frame = this.#framer.next(window, from, final);
      if (frame === null) {
        if (this.#framer.pending > this.#maxLineBytes) this.#startSkipping(window, from);
        return;
      }
      if (frame.end - frame.start > this.#maxLineBytes) this.#tooLong(items, window, frame);
      else {
        const item = this.#lineItem();
        item.window = window;
        item.start = frame.start;
        item.end = frame.end;
        item.position = this.#base + frame.start;
        item.line = this.#line;
        item.nextPosition = this.#base + frame.next;
        item.nextLine = this.#line + frame.lines;
        items.push(item);
      }
      this.#consumed = frame.next;
      this.#line += frame.lines;
    }
  }

  /** A line item from the pool (items live until the next take(), so their objects are reused). */
  #lineItem(): LineItem {
    let item = this.#pool[this.#pooledInUse];
    if (item === undefined) {
      item = { kind: 'line', window: this.#window, start: 0, end: 0, position: 0, line: 0, nextPosition: 0, nextLine: 0 };
      this.#pool.push(item);
    }
    this.#pooledInUse++;
    return item;
  }

  #tooLong(items: CursorItem[], window: Buffer, frame: Frame): void {
    items.push({
      kind: 'too-long',
      prefix: Buffer.from(window.subarray(frame.start, frame.start + this.#prefixBytes)),
      length: frame.end - frame.start,
      position: this.#base + frame.start,
      line: this.#line,
      nextPosition: this.#base + frame.next,
      nextLine: this.#line + frame.lines,
    });
  }

  /** The record at `from` is already longer than allowed: keep its prefix, drop the rest as it comes. */
  #startSkipping(window: Buffer, from: number): void {
    this.#skipping = {
      position: this.#base + from,
      line: this.#line,
      length: window.length - from,
      prefix: Buffer.from(window.subarray(from, from + this.#prefixBytes)),
    };
    this.#framer.reset();
    this.#consumed = window.length;
  }

  /**
   * Drops bytes of the record being skipped up to its line end (an LF, even inside CSV quotes: a
   * record that long is resynchronised on lines). True when the record ended.
   */
  #skipTo(items: CursorItem[], window: Buffer, final: boolean): boolean {
    const skip = this.#skipping!;
    const from = this.#consumed;
    const lf = window.indexOf(LF, from);
    if (lf === -1 && !final) {
      skip.length += window.length - from;
      this.#consumed = window.length;
      return false;
    }
    const stop = lf === -1 ? window.length : lf;
    const endsWithCr = stop > from ? window[stop - 1] === 0x0d : false;
    skip.length += stop - from - (endsWithCr ? 1 : 0);
    const next = lf === -1 ? window.length : lf + 1;
    const lines = lf === -1 ? 0 : 1;
    items.push({
      kind: 'too-long',
      prefix: skip.prefix,
      length: skip.length,
      position: skip.position,
      line: skip.line,
      nextPosition: this.#base + next,
      nextLine: skip.line + lines,
    });
    this.#line = skip.line + lines;
    this.#consumed = next;
    this.#skipping = null;
    return true;
  }

  /**
   * Moves the unconsumed bytes to the front and reads. The buffer doubles while reads keep
   * filling it (up to readBytes), and whenever an incomplete record takes half of it (up to what
   * one record of max.line.bytes needs: longer ones are skipped).
   */
  async #readMore(): Promise<number> {
    const keep = this.#window.length - this.#consumed;
    if (this.#consumed > 0) {
      this.#buffer.copy(this.#buffer, 0, this.#consumed, this.#window.length);
      this.#base += this.#consumed;
      this.#consumed = 0;
    }
    const size = this.#buffer.length;
    if ((this.#lastReadFull && size < this.#readBytes) || size - keep < size / 2) {
      const grown = Buffer.allocUnsafe(size * 2);
      this.#buffer.copy(grown, 0, 0, keep);
      this.#buffer = grown;
    }
    const room = this.#buffer.length - keep;
    const { bytesRead } = await this.#handle.read(this.#buffer, keep, room, this.#base + keep);
    this.#lastReadFull = bytesRead === room;
    this.#window = this.#buffer.subarray(0, keep + bytesRead);
    return bytesRead;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}
