/**
 * Turns one open file into SourceRecords: cursor items → decoded text → parsed value → record,
 * every record carrying the offset just past its line. Lines that cannot become records go to
 * the bad-line policy: `skip` (logged), `dlq` (a record for bad.line.topic, carrying the same
 * kind of offset so it is committed in order), or `fail` (reading stops; the caller decides what
 * failing means in its mode).
 */
import type { SourceMap, SourceRecord } from '../../runtime/connect/api/index.ts';
import type { Charset } from './charset.ts';
import type { CursorItem, FileCursor } from './file-cursor.ts';
import type { BadLineReason } from './errors.ts';
import { BadLineError } from './errors.ts';
import { readHead } from './file-identity.ts';
import type { FileOffset } from './file-offsets.ts';
import { FINGERPRINT_BYTES, fingerprintOf, offsetMap } from './file-offsets.ts';
import type { BadLinePolicy } from './file-source-config.ts';
import type { BadLine, FileRecordContext, RecordFactory } from './record-factory.ts';
import type { ValueParser } from './value-parsers.ts';
import { ValueParseError } from './value-parsers.ts';

export interface ReadBatch {
  records: SourceRecord[];
  /** Nothing more could be read now. */
  atEnd: boolean;
  /** A bad line under bad.line.policy=fail; the records before it are in `records`. */
  failure: BadLineError | null;
}

export interface FileRecordReaderOptions {
  cursor: FileCursor;
  charset: Charset;
  charsetName: string;
  parser: ValueParser;
  factory: RecordFactory;
  context: FileRecordContext;
  policy: BadLinePolicy;
  maxLineBytes: number;
  /** The file's first bytes as read when it was opened (for offset fingerprints). */
  head: Buffer;
  /** Logs a skipped bad line. */
  onSkip: (error: BadLineError) => void;
}

export class FileRecordReader {
  readonly #o: FileRecordReaderOptions;
  #head: Buffer;
  #fullFingerprint: string | null = null;
  /** Offset of the last record returned (null before the first). */
  #lastOffset: SourceMap | null = null;
  #failed: BadLineError | null = null;

  constructor(options: FileRecordReaderOptions) {
    this.#o = options;
    this.#head = options.head;
  }

  get context(): FileRecordContext {
    return this.#o.context;
  }

  get cursor(): FileCursor {
    return this.#o.cursor;
  }

  /** Offset carried by the last record returned, or null when none was. */
  get lastOffset(): SourceMap | null {
    return this.#lastOffset;
  }

  get failure(): BadLineError | null {
    return this.#failed;
  }

  /** Whether the file still starts with the bytes this reader saw there (false: rewritten). */
  sameStart(head: Buffer): boolean {
    const n = Math.min(head.length, this.#head.length);
    return head.subarray(0, n).equals(this.#head.subarray(0, n));
  }

  /** Where the next record starts, as a stored offset says it (the line count is of the lines before it). */
  endOffset(): FileOffset {
    const position = this.#o.cursor.position;
    return { position, line: this.#o.cursor.line - 1, fingerprint: this.#fingerprintAt(position), fingerprintBytes: Math.min(position, FINGERPRINT_BYTES) };
  }

  /** The file now reads as another one (after a truncation): start over at `position`. */
  restart(position: number, line: number, head: Buffer): void {
    this.#o.cursor.seek(position, line);
    this.#head = head;
    this.#fullFingerprint = null;
    this.#failed = null;
  }

  async read(max: number, final: boolean): Promise<ReadBatch> {
    if (this.#failed !== null) return { records: [], atEnd: true, failure: this.#failed };
    const { items, atEnd } = await this.#o.cursor.take(max, final);
    if (items.length === 0) return { records: [], atEnd, failure: null };
    const last = items[items.length - 1];
    if (this.#head.length < Math.min(last.nextPosition, FINGERPRINT_BYTES)) this.#head = await readHead(this.#o.cursor.handle);
    const records: SourceRecord[] = [];
    const failure = this.#convert(items, records);
    this.#failed = failure;
    return { records, atEnd: atEnd || failure !== null, failure };
  }

  /** The fingerprint an offset at `position` carries: past the file's first FINGERPRINT_BYTES it is computed once. */
  #fingerprintAt(position: number): string {
    if (position < FINGERPRINT_BYTES) return fingerprintOf(this.#head.subarray(0, position));
    this.#fullFingerprint ??= fingerprintOf(this.#head.subarray(0, FINGERPRINT_BYTES));
    return this.#fullFingerprint;
  }

  /** The offset just past `item`. */
  #offset(item: CursorItem): SourceMap {
    const position = item.nextPosition;
    return offsetMap(position, item.nextLine - 1, this.#fingerprintAt(position), Math.min(position, FINGERPRINT_BYTES));
  }

  #convert(items: CursorItem[], records: SourceRecord[]): BadLineError | null {
    const { charset, parser, factory, context } = this.#o;
    const now = Date.now();
    const first = items[0];
    const last = items[items.length - 1];
    // One validity check over all lines of the batch, instead of one per line.
    const valid = first.kind === 'line' && last.kind === 'line' && first.window === last.window && charset.allValid(first.window, first.start, last.end);
    for (const item of items) {
      if (item.kind === 'too-long') {
        const bad = this.#bad(records, item, 'LINE_TOO_LONG', `the line is ${item.length} bytes, more than max.line.bytes=${this.#o.maxLineBytes}`, item.prefix, item.length, true);
        if (bad !== null) return bad;
        continue;
      }
      const text = valid ? charset.decodeValid(item.window, item.start, item.end) : charset.decode(item.window, item.start, item.end);
      if (text === null) {
        const bytes = item.window.subarray(item.start, item.end);
        const bad = this.#bad(records, item, 'MALFORMED_CHARSET', `the line has bytes that are not valid ${this.#o.charsetName}`, bytes, bytes.length, false);
        if (bad !== null) return bad;
        continue;
      }
      try {
        const parsed = parser.parse(text, item.position);
        if (parsed === null) continue;
        const offset = this.#offset(item);
        records.push(factory.record(context, parsed, item, offset, now));
        this.#lastOffset = offset;
      } catch (err) {
        if (!(err instanceof ValueParseError)) throw err;
        const bytes = item.window.subarray(item.start, item.end);
        const bad = this.#bad(records, item, 'PARSE_ERROR', err.message, bytes, bytes.length, false);
        if (bad !== null) return bad;
      }
    }
    return null;
  }

  /** Applies the policy to a bad line: null to go on, or the error that stops the file. */
  #bad(records: SourceRecord[], item: CursorItem, reason: BadLineReason, message: string, bytes: Buffer, length: number, truncated: boolean): BadLineError | null {
    const { context, policy, factory } = this.#o;
    const error = new BadLineError(reason, message, { path: context.path, line: item.line, position: item.position });
    if (policy === 'fail') return error;
    if (policy === 'skip') {
      this.#o.onSkip(error);
      return null;
    }
    const bad: BadLine = { reason, message, bytes: Buffer.from(bytes), length, truncated, line: item.line, position: item.position };
    const offset = this.#offset(item);
    records.push(factory.badLineRecord(context, bad, offset, Date.now()));
    this.#lastOffset = offset;
    return null;
  }
}
