/**
 * Finding where a record ends in the bytes read so far (pure; no I/O). Lines end at LF, with a CR
 * before it dropped; CSV records end at an LF outside quotes, so a quoted field may hold line
 * breaks. A framer remembers how far it has scanned the current record, so bytes are scanned
 * once however many reads a long record takes.
 */

export const LF = 0x0a;
export const CR = 0x0d;

/** One record in the window: content is [start, end), the next record starts at `next`. */
export interface Frame {
  start: number;
  end: number;
  next: number;
  /** Line breaks consumed, the terminator included (0 for an unterminated last record). */
  lines: number;
}

export interface Framer {
  /**
   * The record starting at `from` in `window` (whose length is what was read), or null when its
   * end is not in the window yet. With `final` (no more bytes will come) an unterminated record
   * at the end is complete. The frame is the framer's own, overwritten by the next call (one
   * object per framer, not one per line).
   */
  next(window: Buffer, from: number, final: boolean): Frame | null;
  /** Bytes of the current, incomplete record scanned so far. */
  readonly pending: number;
  /** Forget the current record's scan state (it was taken or skipped). */
  reset(): void;
}

function contentEnd(window: Buffer, from: number, lf: number): number {
  return lf > from && window[lf - 1] === CR ? lf - 1 : lf;
}

function setFrame(frame: Frame, start: number, end: number, next: number, lines: number): Frame {
  frame.start = start;
  frame.end = end;
  frame.next = next;
  frame.lines = lines;
  return frame;
}

export class LineFramer implements Framer {
  #scanned = 0;
  readonly #frame: Frame = { start: 0, end: 0, next: 0, lines: 0 };

  get pending(): number {
    return this.#scanned;
  }

  next(window: Buffer, from: number, final: boolean): Frame | null {
    const lf = window.indexOf(LF, from + this.#scanned);
    if (lf !== -1) {
      this.#scanned = 0;
      return setFrame(this.#frame, from, contentEnd(window, from, lf), lf + 1, 1);
    }
    this.#scanned = window.length - from;
    if (final && window.length > from) {
      this.#scanned = 0;
      const end = window[window.length - 1] === CR ? window.length - 1 : window.length;
      return setFrame(this.#frame, from, end, window.length, 0);
    }
    return null;
  }

  reset(): void {
    this.#scanned = 0;
  }
}

/** CSV records: LF inside a quoted field belongs to the field. */
export class CsvFramer implements Framer {
  readonly #quote: number;
  readonly #escape: number;
  #scanned = 0;
  #inQuote = false;
  #escaped = false;
  #breaks = 0;
  readonly #frame: Frame = { start: 0, end: 0, next: 0, lines: 0 };

  /** `quote` and `escape` are single characters (escape may be ''), encoded as one byte each. */
  constructor(quote: string, escape: string) {
    this.#quote = Buffer.from(quote, 'latin1')[0];
    this.#escape = escape === '' ? -1 : Buffer.from(escape, 'latin1')[0];
  }

  get pending(): number {
    return this.#scanned;
  }

  next(window: Buffer, from: number, final: boolean): Frame | null {
    const quote = this.#quote;
    const escape = this.#escape;
    let i = from + this.#scanned;
    const n = window.length;
    for (; i < n; i++) {
      const c = window[i];
      if (this.#escaped) {
        this.#escaped = false;
        if (c === LF) this.#breaks++;
        continue;
      }
      if (this.#inQuote) {
        if (c === escape && escape !== quote) this.#escaped = true;
        else if (c === quote) this.#inQuote = false;
        else if (c === LF) this.#breaks++;
        continue;
      }
      if (c === quote) this.#inQuote = true;
      else if (c === LF) {
        const frame = setFrame(this.#frame, from, contentEnd(window, from, i), i + 1, this.#breaks + 1);
        this.reset();
        return frame;
      }
    }
    this.#scanned = n - from;
    if (final && n > from) {
      const frame = setFrame(this.#frame, from, window[n - 1] === CR ? n - 1 : n, n, this.#breaks);
      this.reset();
      return frame;
    }
    return null;
  }

  reset(): void {
    this.#scanned = 0;
    this.#inQuote = false;
    this.#escaped = false;
    this.#breaks = 0;
  }
}
