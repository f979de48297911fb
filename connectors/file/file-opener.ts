/**
 * Sets up reading of one open file at a start position: skips a UTF-8 byte order mark, picks the
 * framer and the value parser, and for CSV reads the header row (and the rows schema inference
 * samples) from the start of the file, also when resuming in the middle of it.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Schema } from '../../runtime/connect/api/index.ts';
import type { Charset } from './charset.ts';
import { UTF8_BOM, isUtf8Charset } from './charset.ts';
import type { CsvDialect } from './csv-fields.ts';
import { FileCursor } from './file-cursor.ts';
import { readHead } from './file-identity.ts';
import { FileRecordReader } from './file-record-reader.ts';
import type { FileSourceSettings } from './file-source-config.ts';
import type { Framer } from './framing.ts';
import { CsvFramer, LF, LineFramer } from './framing.ts';
import type { BadLineError } from './errors.ts';
import { FileFormatError } from './errors.ts';
import type { FileRecordContext, RecordFactory } from './record-factory.ts';
import type { ValueParser } from './value-parsers.ts';
import { CsvParser, JsonLinesParser, LinesParser, ValueParseError, csvLayout, splitRow } from './value-parsers.ts';

export interface OpenOptions {
  handle: FileHandle;
  context: FileRecordContext;
  /** Where to start: a committed offset, 0, or the end. */
  position: number;
  line: number;
  settings: FileSourceSettings;
  charset: Charset;
  factory: RecordFactory;
  /** The file will not grow (spool mode): an unterminated first row is complete. */
  final: boolean;
  /** The file's size now (sizes the read buffer). */
  size: number;
  /** The file's first bytes, when the caller read them already. */
  head?: Buffer;
  onSkip: (error: BadLineError) => void;
  /** Called with header columns that value.schema does not have. */
  onIgnoredColumns?: (columns: string[]) => void;
}

const LINES = new LinesParser();

function framerFor(settings: FileSourceSettings): Framer {
  return settings.format === 'csv' ? new CsvFramer(settings.csv.quote, settings.csv.escape) : new LineFramer();
}

/** Where the content starts: after a UTF-8 byte order mark, if any. */
export function contentStart(head: Buffer, charsetName: string): number {
  return isUtf8Charset(charsetName) && head.length >= 3 && head.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
}

/**
 * A reader for the file, or null when a CSV file has no complete first row yet (tail mode: try
 * again when it grew). Throws FileFormatError for a CSV header that cannot work.
 */
export async function openRecordReader(o: OpenOptions): Promise<FileRecordReader | null> {
  const { settings } = o;
  const head = o.head ?? (await readHead(o.handle));
  const start = contentStart(head, settings.charset);
  const position = Math.max(o.position, start);
  let parser: ValueParser;
  if (settings.format === 'csv') {
    const csv = await csvParser(o, start);
    if (csv === null) return null;
    parser = csv;
  } else if (settings.format === 'json') parser = new JsonLinesParser(settings.valueSchema, settings.schemaGeneration);
  else parser = LINES;
  // Room for what is there now (plus a little), so small files get small buffers; growing files grow it.
  const initialBytes = Math.max(o.final ? 1024 : 64 * 1024, o.size - position + 1);
  const cursor = new FileCursor(o.handle, framerFor(settings), position, o.line, { maxLineBytes: settings.maxLineBytes, initialBytes });
  return new FileRecordReader({
    cursor,
    charset: o.charset,
    charsetName: settings.charset,
    parser,
    factory: o.factory,
    context: o.context,
    policy: settings.badLinePolicy,
    maxLineBytes: settings.maxLineBytes,
    head,
    onSkip: o.onSkip,
  });
}

/** Reads the first rows (header and inference samples) with a cursor of its own. */
async function csvParser(o: OpenOptions, start: number): Promise<CsvParser | null> {
  const { settings } = o;
  const dialect: CsvDialect = settings.csv;
  const declared: Schema | null = settings.valueSchema;
  const wantHeader = settings.csv.header;
  const sampleRows = settings.schemaGeneration ? settings.schemaGenerationRows : declared === null && !wantHeader ? 1 : 0;
  const cursor = new FileCursor(o.handle, framerFor(settings), start, 1, { maxLineBytes: settings.maxLineBytes, initialBytes: Math.min(64 * 1024, o.size + 1) });
  let header: string[] | null = null;
  const samples: string[][] = [];
  let complete = false;
  while (!complete && (samples.length < sampleRows || (wantHeader && header === null))) {
    const { items, atEnd } = await cursor.take(1, o.final);
    const item = items[0];
    if (item === undefined) {
      complete = atEnd;
      if (atEnd) break;
      continue;
    }
    if (item.kind === 'too-long') {
      if (wantHeader && header === null) throw new FileFormatError(`the CSV header row is ${item.length} bytes, more than max.line.bytes=${settings.maxLineBytes}`, o.context.path);
      continue;
    }
    const text = o.charset.decode(item.window, item.start, item.end);
    if (text === null) {
      if (wantHeader && header === null) throw new FileFormatError(`the CSV header row is not valid ${settings.charset}`, o.context.path);
      continue;
    }
    if (text.trim() === '') continue;
    let row: string[];
    try {
      row = splitRow(text, dialect);
    } catch (err) {
      if (wantHeader && header === null) throw new FileFormatError(`the CSV header row: ${(err as Error).message}`, o.context.path, err);
      continue;
    }
    if (wantHeader && header === null) header = row;
    else samples.push(row);
  }
  if (wantHeader && header === null) {
    // No header row yet: a growing file is tried again later; a finished empty file has no records.
    if (!o.final) return null;
    header = [];
  }
  if (!wantHeader && declared === null && samples.length === 0) {
    if (!o.final) return null;
  }
  try {
    const layout = csvLayout(header, declared, settings.schemaGeneration ? samples : null, samples[0]?.length ?? 0);
    if (layout.ignored.length > 0) o.onIgnoredColumns?.(layout.ignored);
    return new CsvParser(dialect, layout, wantHeader ? start : -1);
  } catch (err) {
    if (err instanceof ValueParseError) throw new FileFormatError(err.message, o.context.path, err);
    throw err;
  }
}

/**
 * Where a file's last complete line ends, and how many lines come before that (start.position
 * =end for a file without an offset: the line numbers of what follows stay right).
 */
export async function endOfLastLine(handle: FileHandle, size: number): Promise<{ position: number; line: number }> {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  let lastLf = -1;
  for (let at = 0; at < size; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - at), at);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      lines++;
      lastLf = at + i;
    }
    at += bytesRead;
  }
  return { position: lastLf + 1, line: lines + 1 };
}
