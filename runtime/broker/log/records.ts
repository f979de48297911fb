import { CorruptDataError, SluiceError } from '../../util/errors.ts';
import type { BatchHeader } from './batch-header.ts';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_MASK,
  CONTROL_BIT,
  CRC,
  Compression,
  DELETE_HORIZON_BIT,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  NO_PRODUCER_ID,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORD_COUNT,
  RECORDS,
  TIMESTAMP_TYPE_BIT,
  TRANSACTIONAL_BIT,
  computeBatchCrc,
  readBatchHeader,
  validateBatch,
} from './batch-header.ts';
import { compress, decompress } from './compression.ts';
import type { Cursor } from './varint.ts';
import { readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, skipVarint, writeVarint, writeVarlong } from './varint.ts';

/**
 * The record-batch v2 codec (Kafka's DefaultRecordBatch / DefaultRecord) for tools, tests and the
 * log cleaner. The broker's append and fetch paths never use it: they move batches as bytes.
 */

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

export interface RecordInput {
  key: Uint8Array | null;
  /** null is a tombstone. */
  value: Uint8Array | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; absent means Kafka's NO_TIMESTAMP (-1). */
  timestamp?: bigint;
  /** Defaults to the record's index; must increase strictly (compaction leaves gaps). */
  offsetDelta?: number;
}

export interface BatchInput {
  baseOffset?: bigint;
  /** Defaults to -1, as producers send it; the broker overwrites it on append. */
  partitionLeaderEpoch?: number;
  compression?: Compression;
  /** TimestampType LogAppendTime: readers take every record's timestamp from maxTimestamp. */
  logAppendTime?: boolean;
  transactional?: boolean;
  /** Control batch (transaction markers, see control-records.ts). */
  control?: boolean;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** KIP-534: stored as base timestamp with attribute bit 6; record deltas are relative to it. */
  deleteHorizonMs?: bigint;
  /** Defaults to the largest offset delta; the cleaner keeps a batch's original value when it drops its last records. */
  lastOffsetDelta?: number;
  records: RecordInput[];
}

export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  /** Record-level attributes byte (unused by Kafka so far, kept for fidelity). */
  attributes: number;
  offsetDelta: number;
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

export interface DecodeOptions {
  /** What to name in errors: a file, a topic-partition, a request. */
  source?: string;
  /** Bound on the decompressed records of one batch (see compression.ts). */
  maxDecompressedBytes?: number;
}

/** Kafka's RecordBatch.NO_TIMESTAMP / NO_SEQUENCE / NO_PARTITION_LEADER_EPOCH. */
export const NO_TIMESTAMP = -1n;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_PRODUCER_EPOCH = -1;

const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// --- encoding ---------------------------------------------------------------------------------

function invalidInput(what: string): never {
  throw new SluiceError('BATCH_INPUT_INVALID', `cannot encode record batch: ${what}`);
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) invalidInput(`${name} ${value} is outside [${min}, ${max}]`);
  return value;
}

function checkLong(name: string, value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) invalidInput(`${name} ${value} does not fit an int64`);
  return value;
}

function sizeOfBytes(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

function writeBytes(out: Buffer, pos: number, bytes: Uint8Array | null): number {
  if (bytes === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, bytes.length);
  out.set(bytes, pos);
  return pos + bytes.length;
}

/**
 * Encodes one batch with its CRC-32C. Base timestamp is the first record's timestamp (as the Java
 * producer writes it) or the delete horizon; max timestamp is the largest record timestamp.
 */
export function encodeBatch(input: BatchInput): Buffer {
  const records = input.records;
  const count = records.length;
  if (count === 0) invalidInput('a batch needs at least one record');
  const codec = input.compression ?? Compression.None;
  if (!Number.isInteger(codec) || codec < Compression.None || codec > Compression.Zstd) invalidInput(`unknown compression codec ${codec}`);

  const firstTimestamp = records[0].timestamp ?? NO_TIMESTAMP;
  const baseTimestamp = checkLong('delete horizon', input.deleteHorizonMs ?? firstTimestamp);
  let maxTimestamp = firstTimestamp;
  const timestampDeltas = new Array<bigint>(count);
  const offsetDeltas = new Int32Array(count);
  const bodySizes = new Int32Array(count);
  const headerKeyLengths: number[] = [];
  let recordsSize = 0;
  let previousDelta = -1;

  // Pass 1: every record's size, so that the output is allocated once.
  for (let i = 0; i < count; i++) {
    const record = records[i];
    const timestamp = checkLong(`timestamp of record ${i}`, record.timestamp ?? NO_TIMESTAMP);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    // Java computes deltas in wrapping int64 arithmetic; readers wrap back to the same timestamp.
    const timestampDelta = BigInt.asIntN(64, timestamp - baseTimestamp);
    const offsetDelta = checkInt(`offset delta of record ${i}`, record.offsetDelta ?? i, 0, INT32_MAX);
    if (offsetDelta <= previousDelta) invalidInput(`offset delta ${offsetDelta} of record ${i} does not exceed the previous one (${previousDelta})`);
    previousDelta = offsetDelta;
    let body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(record.key) + sizeOfBytes(record.value);
    const headers = record.headers ?? [];
    body += sizeOfVarint(headers.length);
    for (const header of headers) {
      const keyLength = Buffer.byteLength(header.key, 'utf8');
      headerKeyLengths.push(keyLength);
      body += sizeOfVarint(keyLength) + keyLength + sizeOfBytes(header.value);
    }
    timestampDeltas[i] = timestampDelta;
    offsetDeltas[i] = offsetDelta;
    bodySizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  const lastOffsetDelta = checkInt('last offset delta', input.lastOffsetDelta ?? previousDelta, previousDelta, INT32_MAX);

  // Pass 2: write records straight into the batch, or into a scratch buffer to compress.
  const plain = codec === Compression.None;
  const recordsOut = Buffer.allocUnsafe((plain ? RECORDS : 0) + recordsSize);
  let pos = plain ? RECORDS : 0;
  let headerIndex = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i];
    pos = writeVarint(recordsOut, pos, bodySizes[i]);
    recordsOut[pos++] = 0;
    pos = writeVarlong(recordsOut, pos, timestampDeltas[i]);
    pos = writeVarint(recordsOut, pos, offsetDeltas[i]);
    pos = writeBytes(recordsOut, pos, record.key);
    pos = writeBytes(recordsOut, pos, record.value);
    const headers = record.headers ?? [];
    pos = writeVarint(recordsOut, pos, headers.length);
    for (const header of headers) {
      pos = writeVarint(recordsOut, pos, headerKeyLengths[headerIndex++]);
      pos += recordsOut.write(header.key, pos, 'utf8');
      pos = writeBytes(recordsOut, pos, header.value);
    }
  }

  let out: Buffer;
  if (plain) {
    out = recordsOut;
  } else {
    const compressed = compress(codec, recordsOut);
    out = Buffer.allocUnsafe(RECORDS + compressed.length);
    out.set(compressed, RECORDS);
  }

  const attributes =
    codec |
    (input.logAppendTime === true ? TIMESTAMP_TYPE_BIT : 0) |
    (input.transactional === true ? TRANSACTIONAL_BIT : 0) |
    (input.control === true ? CONTROL_BIT : 0) |
    (input.deleteHorizonMs !== undefined ? DELETE_HORIZON_BIT : 0);
  out.writeBigInt64BE(checkLong('base offset', input.baseOffset ?? 0n), BASE_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  out.writeInt32BE(checkInt('partition leader epoch', input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, INT32_MIN, INT32_MAX), PARTITION_LEADER_EPOCH);
  out.writeInt8(2, MAGIC);
  out.writeInt16BE(attributes, ATTRIBUTES);
  out.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA);
  out.writeBigInt64BE(baseTimestamp, BASE_TIMESTAMP);
  out.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP);
  out.writeBigInt64BE(checkLong('producer id', input.producerId ?? NO_PRODUCER_ID), PRODUCER_ID);
  out.writeInt16BE(checkInt('producer epoch', input.producerEpoch ?? NO_PRODUCER_EPOCH, INT16_MIN, INT16_MAX), PRODUCER_EPOCH);
  out.writeInt32BE(checkInt('base sequence', input.baseSequence ?? NO_SEQUENCE, INT32_MIN, INT32_MAX), BASE_SEQUENCE);
  out.writeInt32BE(count, RECORD_COUNT);
  out.writeUInt32BE(computeBatchCrc(out, 0), CRC);
  return out;
}

// --- decoding ---------------------------------------------------------------------------------

/** The records part of one batch, decompressed if needed, with what an error message must name. */
interface RecordsRegion {
  bytes: Buffer;
  /** Absolute position of bytes[0] in the source, or -1 when the bytes were decompressed. */
  base: number;
  source: string;
  batchPosition: number;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function where(region: RecordsRegion, at: number): string {
  return region.base >= 0
    ? `at ${region.source} position ${region.base + at}`
    : `at byte ${at} of the decompressed records of the batch at ${region.source} position ${region.batchPosition}`;
}

function corrupt(region: RecordsRegion, code: string, what: string, at: number, cause?: unknown): never {
  throw new CorruptDataError(`${what} ${where(region, at)}`, {
    code,
    cause,
    context: {
      source: region.source,
      batchPosition: region.batchPosition,
      ...(region.base >= 0 ? { position: region.base + at } : { decompressedPosition: at }),
    },
  });
}

function openRecords(buf: Uint8Array, pos: number, options: DecodeOptions): { attributes: number; region: RecordsRegion } {
  const source = options.source ?? 'buffer';
  const size = validateBatch(buf, pos, { source, position: pos });
  const whole = asBuffer(buf);
  const attributes = whole.readInt16BE(pos + ATTRIBUTES);
  const payload = whole.subarray(pos + BATCH_HEADER_SIZE, pos + size);
  const codec = attributes & COMPRESSION_MASK;
  if (codec === Compression.None) return { attributes, region: { bytes: payload, base: pos + BATCH_HEADER_SIZE, source, batchPosition: pos } };
  let bytes: Buffer;
  try {
    bytes = decompress(codec as Compression, payload, { maxBytes: options.maxDecompressedBytes });
  } catch (err) {
    if (!(err instanceof CorruptDataError)) throw err;
    const inner = typeof err.context.position === 'number' ? err.context.position : 0;
    throw new CorruptDataError(`${err.message}, in the record batch at ${source} position ${pos} (payload starts at ${pos + BATCH_HEADER_SIZE})`, {
      code: err.code,
      cause: err,
      context: { ...err.context, source, batchPosition: pos, position: pos + BATCH_HEADER_SIZE + inner },
    });
  }
  return { attributes, region: { bytes, base: -1, source, batchPosition: pos } };
}

/** Reads a varint, reporting truncation as a truncated record. */
function varint(region: RecordsRegion, cur: Cursor): number {
  try {
    return readVarint(region.bytes, cur);
  } catch (err) {
    return rethrowVarint(region, cur, err);
  }
}

function rethrowVarint(region: RecordsRegion, cur: Cursor, err: unknown): never {
  if (err instanceof CorruptDataError && err.code === 'VARINT_TRUNCATED') corrupt(region, 'RECORD_TRUNCATED', 'record truncated inside a varint', cur.pos, err);
  if (err instanceof CorruptDataError) corrupt(region, 'RECORD_VARINT_INVALID', 'record varint longer than allowed', cur.pos, err);
  throw err;
}

/** Reads a length-prefixed byte field (-1 = null) that must end within the record. */
function bytesField(region: RecordsRegion, cur: Cursor, recordEnd: number, field: string): Uint8Array | null {
  const at = cur.pos;
  const length = varint(region, cur);
  if (length === -1) return null;
  if (length < -1) corrupt(region, 'RECORD_FIELD_LENGTH_INVALID', `${field} length ${length}`, at);
  if (length > recordEnd - cur.pos) corrupt(region, 'RECORD_TRUNCATED', `${field} of ${length} bytes runs past the end of its record`, at);
  const start = cur.pos;
  cur.pos += length;
  return region.bytes.subarray(start, start + length);
}

/** Reads the length prefix of one record and returns where its body ends. */
function recordBody(region: RecordsRegion, cur: Cursor): number {
  const at = cur.pos;
  const length = varint(region, cur);
  if (length < 1) corrupt(region, 'RECORD_LENGTH_INVALID', `record length ${length}`, at);
  if (length > region.bytes.length - cur.pos) corrupt(region, 'RECORD_TRUNCATED', `record of ${length} bytes runs past the end of the batch (${region.bytes.length - cur.pos} left)`, at);
  return cur.pos + length;
}

function checkRecordEnd(region: RecordsRegion, cur: Cursor, recordEnd: number, recordStart: number): void {
  if (cur.pos !== recordEnd) corrupt(region, 'RECORD_LENGTH_MISMATCH', `record declares ${recordEnd - recordStart} bytes but its fields take ${cur.pos - recordStart}`, recordStart);
}

function checkNoTrailingBytes(region: RecordsRegion, cur: Cursor, count: number): void {
  if (cur.pos !== region.bytes.length) {
    corrupt(region, 'RECORDS_TRAILING_BYTES', `${region.bytes.length - cur.pos} bytes follow the batch's ${count} records`, cur.pos);
  }
}

/**
 * Decodes the batch at `pos`: framing and CRC are checked first (validateBatch), then records are
 * decompressed (bounded) and parsed. Keys, values and header values are views into `buf` (or the
 * decompressed bytes), not copies.
 */
export function decodeBatch(buf: Uint8Array, pos = 0, options: DecodeOptions = {}): DecodedBatch {
  const { attributes, region } = openRecords(buf, pos, options);
  const header = readBatchHeader(buf, pos);
  const logAppendTime = (attributes & TIMESTAMP_TYPE_BIT) !== 0;
  const bytes = region.bytes;
  const records: DecodedRecord[] = [];
  const cur: Cursor = { pos: 0 };
  for (let i = 0; i < header.recordCount; i++) {
    if (cur.pos >= bytes.length) corrupt(region, 'RECORD_TRUNCATED', `batch declares ${header.recordCount} records but ends after ${i}`, cur.pos);
    const recordStart = cur.pos;
    const recordEnd = recordBody(region, cur);
    const recordAttributes = bytes[cur.pos++];
    let timestampDelta: bigint;
    try {
      timestampDelta = readVarlong(bytes, cur);
    } catch (err) {
      rethrowVarint(region, cur, err);
    }
    const offsetDelta = varint(region, cur);
    const key = bytesField(region, cur, recordEnd, 'key');
    const value = bytesField(region, cur, recordEnd, 'value');
    const headerAt = cur.pos;
    const headerCount = varint(region, cur);
    if (headerCount < 0 || headerCount > recordEnd - cur.pos) corrupt(region, 'RECORD_HEADER_COUNT_INVALID', `header count ${headerCount}`, headerAt);
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const keyAt = cur.pos;
      const headerKey = bytesField(region, cur, recordEnd, 'header key');
      if (headerKey === null) corrupt(region, 'RECORD_HEADER_KEY_NULL', 'header key is null', keyAt);
      const start = cur.pos - headerKey.length;
      headers.push({ key: bytes.toString('utf8', start, cur.pos), value: bytesField(region, cur, recordEnd, 'header value') });
    }
    checkRecordEnd(region, cur, recordEnd, recordStart);
    records.push({
      offset: header.baseOffset + BigInt(offsetDelta),
      timestamp: logAppendTime ? header.maxTimestamp : BigInt.asIntN(64, header.baseTimestamp + timestampDelta),
      key,
      value,
      headers,
      attributes: recordAttributes,
      offsetDelta,
    });
  }
  checkNoTrailingBytes(region, cur, header.recordCount);
  return { header, records };
}

/**
 * Decodes a concatenation of batches (a segment slice or a Fetch response's records). A trailing
 * partial batch, which Fetch responses may end with, ends the iteration without an error; any
 * complete batch that is invalid throws.
 */
export function* decodeBatches(buf: Uint8Array, options: DecodeOptions = {}): Generator<DecodedBatch> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + view.getInt32(pos + BATCH_LENGTH);
    // A negative or undersized length is corrupt, not partial: let decodeBatch name it.
    if (size >= BATCH_HEADER_SIZE && size > buf.length - pos) return;
    yield decodeBatch(buf, pos, options);
    pos += size;
  }
}

/**
 * What forEachRecordKey shows of one record. The object is reused from record to record and
 * `key` is a view into the batch: copy what must outlive the callback.
 */
export interface RecordKeyView {
  key: Uint8Array | null;
  offsetDelta: number;
  /** false for a tombstone (null value). */
  hasValue: boolean;
  /** The record's bytes, length prefix included, are records[recordStart, recordEnd): a cleaner can copy kept records verbatim. */
  records: Uint8Array;
  recordStart: number;
  recordEnd: number;
}

/**
 * Streams the keys of the batch at `pos` for compaction: validates the batch (CRC included) and
 * decompresses it, but parses only lengths, offset delta and key per record (no timestamps, no
 * headers, no allocation besides the key views). Returns the number of records visited.
 */
export function forEachRecordKey(buf: Uint8Array, pos: number, visit: (record: RecordKeyView) => void, options: DecodeOptions = {}): number {
  const { region } = openRecords(buf, pos, options);
  const bytes = region.bytes;
  const count = asBuffer(buf).readInt32BE(pos + RECORD_COUNT);
  const cur: Cursor = { pos: 0 };
  const view: RecordKeyView = { key: null, offsetDelta: 0, hasValue: false, records: bytes, recordStart: 0, recordEnd: 0 };
  for (let i = 0; i < count; i++) {
    if (cur.pos >= bytes.length) corrupt(region, 'RECORD_TRUNCATED', `batch declares ${count} records but ends after ${i}`, cur.pos);
    const recordStart = cur.pos;
    const recordEnd = recordBody(region, cur);
    cur.pos++; // record attributes
    try {
      skipVarint(bytes, cur); // timestamp delta
    } catch (err) {
      rethrowVarint(region, cur, err);
    }
    view.offsetDelta = varint(region, cur);
    view.key = bytesField(region, cur, recordEnd, 'key');
    const valueAt = cur.pos;
    const valueLength = varint(region, cur);
    if (valueLength < -1) corrupt(region, 'RECORD_FIELD_LENGTH_INVALID', `value length ${valueLength}`, valueAt);
    if (valueLength > recordEnd - cur.pos) corrupt(region, 'RECORD_TRUNCATED', `value of ${valueLength} bytes runs past the end of its record`, valueAt);
    view.hasValue = valueLength >= 0;
    view.recordStart = recordStart;
    view.recordEnd = recordEnd;
    cur.pos = recordEnd;
    visit(view);
  }
  checkNoTrailingBytes(region, cur, count);
  return count;
}
