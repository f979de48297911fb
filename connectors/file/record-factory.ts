/**
 * Builds SourceRecords from parsed values (pure): key from `key.field`, timestamp per
 * `timestamp.mode`, headers naming the file and line, and the bad-line records written to
 * `bad.line.topic` with their error headers.
 */
import { basename } from 'node:path';
import type { Header, Schema, SourceMap } from '../../runtime/connect/api/index.ts';
import { ConnectHeaders, Schemas, SourceRecord, Struct } from '../../runtime/connect/api/index.ts';
import type { BadLineReason } from './errors.ts';
import type { FileSourceSettings } from './file-source-config.ts';
import type { FileHeader } from './file-source-config.ts';
import { FILE_LINE_HEADER, FILE_NAME_HEADER, FILE_PATH_HEADER, FILE_POSITION_HEADER } from './file-source-config.ts';
import { parseTimestampText } from './typed-text.ts';
import type { ParsedValue } from './value-parsers.ts';
import { ValueParseError } from './value-parsers.ts';

export const HEADER_BAD_LINE_BYTES = 'file.bad.line.bytes';
export const HEADER_BAD_LINE_TRUNCATED = 'file.bad.line.truncated';
export const ERROR_HEADER_EXCEPTION = '__connect.errors.exception.class.name';
export const ERROR_HEADER_MESSAGE = '__connect.errors.exception.message';
export const ERROR_HEADER_STAGE = '__connect.errors.stage';
export const ERROR_HEADER_CONNECTOR = '__connect.errors.connector.name';
export const ERROR_HEADER_TASK = '__connect.errors.task.id';
/** The stage named in bad-line records (Kafka's stages are the worker's; this one is ours). */
export const BAD_LINE_STAGE = 'FILE_SOURCE_PARSE';

/** What records of one file share: where offsets go and the headers naming the file. */
export interface FileRecordContext {
  partition: SourceMap;
  path: string;
  mtimeMs: number;
  /** The file.path and file.name headers, built once per file (bad-line records carry both). */
  fileHeaders: readonly Header[];
  /** Those of them that records carry (per file.headers). */
  recordHeaders: readonly Header[];
}

function header(key: string, value: unknown, schema: Schema): Header {
  return Object.freeze({ key, schema, value });
}

/** Where a record's line is in its file. */
export interface LineAt {
  line: number;
  position: number;
}

/** A line that did not become a record. */
export interface BadLine extends LineAt {
  reason: BadLineReason;
  message: string;
  /** The line's bytes, or their first max.line.bytes when `truncated`. */
  bytes: Buffer;
  length: number;
  truncated: boolean;
}

function fieldOf(value: unknown, name: string): { schema: Schema | null; value: unknown } | undefined {
  if (value instanceof Struct) {
    const field = value.schema.field(name);
    return field === null ? undefined : { schema: field.schema, value: value.get(field) };
  }
  if (value instanceof Map) return value.has(name) ? { schema: null, value: value.get(name) } : undefined;
  return undefined;
}

/** A timestamp from a field value; null when it is none. */
function timestampOf(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return parseTimestampText(value);
  return null;
}

export class RecordFactory {
  readonly #settings: FileSourceSettings;
  readonly #taskId: string;

  readonly #withLine: boolean;
  readonly #withPosition: boolean;

  constructor(settings: FileSourceSettings) {
    this.#settings = settings;
    this.#taskId = String(settings.taskIndex);
    this.#withLine = settings.headers.includes(FILE_LINE_HEADER);
    this.#withPosition = settings.headers.includes(FILE_POSITION_HEADER);
  }

  /** The context of the records of one file: its headers are built here once, not per record. */
  contextOf(partition: SourceMap, path: string, mtimeMs: number): FileRecordContext {
    const fileHeaders = Object.freeze([header(FILE_PATH_HEADER, path, Schemas.STRING), header(FILE_NAME_HEADER, basename(path), Schemas.STRING)]);
    const recordHeaders = Object.freeze(fileHeaders.filter((h) => this.#settings.headers.includes(h.key as FileHeader)));
    return { partition, path, mtimeMs, fileHeaders, recordHeaders };
  }

  /** The record of one parsed line. Throws ValueParseError when its key or timestamp field is unusable. */
  record(file: FileRecordContext, parsed: ParsedValue, at: LineAt, offset: SourceMap, now: number): SourceRecord {
    const s = this.#settings;
    let keySchema: Schema | null = null;
    let key: unknown = null;
    if (s.keyField !== '') {
      const field = fieldOf(parsed.value, s.keyField);
      if (field !== undefined) {
        keySchema = field.schema;
        key = field.value;
      }
    }
    let timestamp = now;
    if (s.timestampMode === 'FILE_TIME') timestamp = Math.trunc(file.mtimeMs);
    else if (s.timestampMode === 'FIELD') {
      const field = fieldOf(parsed.value, s.timestampField);
      const ts = field === undefined || field.value === null ? null : timestampOf(field.value);
      if (ts === null) {
        throw new ValueParseError(
          field === undefined || field.value === null
            ? `timestamp.field "${s.timestampField}" is missing`
            : `timestamp.field "${s.timestampField}" holds ${JSON.stringify(String(field.value))}, which is not a timestamp (ISO-8601, epoch milliseconds, or a Timestamp/Date)`,
        );
      }
      timestamp = ts;
    }
    return new SourceRecord({
      sourcePartition: file.partition,
      sourceOffset: offset,
      topic: s.topic,
      keySchema,
      key,
      valueSchema: parsed.schema,
      value: parsed.value,
      timestamp,
      headers: this.#recordHeaders(file, at),
    });
  }

  /** The file's own headers are shared by its records; the line and position ones are the only per-line part. */
  #recordHeaders(file: FileRecordContext, at: LineAt): ConnectHeaders {
    const constant = file.recordHeaders;
    const line = this.#withLine ? header(FILE_LINE_HEADER, at.line, Schemas.INT64) : null;
    const position = this.#withPosition ? header(FILE_POSITION_HEADER, at.position, Schemas.INT64) : null;
    // The default (file.name, file.line) as one exact-size array: ConnectHeaders copies what it is given.
    if (constant.length === 1 && line !== null && position === null) return new ConnectHeaders([constant[0], line]);
    const list = [...constant];
    if (line !== null) list.push(line);
    if (position !== null) list.push(position);
    return new ConnectHeaders(list);
  }

  /** All four file headers, whatever file.headers says: a bad line's report names where it is. */
  #allHeaders(file: FileRecordContext, at: LineAt): ConnectHeaders {
    return new ConnectHeaders([...file.fileHeaders, header(FILE_LINE_HEADER, at.line, Schemas.INT64), header(FILE_POSITION_HEADER, at.position, Schemas.INT64)]);
  }

  /** The record of a bad line for bad.line.topic: its text and why it is bad, with the same source offset as a record. */
  badLineRecord(file: FileRecordContext, bad: BadLine, offset: SourceMap, now: number): SourceRecord {
    const s = this.#settings;
    const headers = this.#allHeaders(file, bad)
      .add(HEADER_BAD_LINE_BYTES, bad.length, Schemas.INT64)
      .add(HEADER_BAD_LINE_TRUNCATED, bad.truncated, Schemas.BOOLEAN)
      .add(ERROR_HEADER_EXCEPTION, `FILE_${bad.reason}`, Schemas.STRING)
      .add(ERROR_HEADER_MESSAGE, bad.message, Schemas.STRING)
      .add(ERROR_HEADER_STAGE, BAD_LINE_STAGE, Schemas.STRING)
      .add(ERROR_HEADER_CONNECTOR, s.connectorName, Schemas.STRING)
      .add(ERROR_HEADER_TASK, this.#taskId, Schemas.STRING);
    return new SourceRecord({
      sourcePartition: file.partition,
      sourceOffset: offset,
      topic: s.badLineTopic,
      valueSchema: Schemas.STRING,
      value: bad.bytes.toString('utf8'),
      timestamp: now,
      headers,
    });
  }
}
