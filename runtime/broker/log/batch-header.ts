import { CorruptDataError } from '../../util/errors.ts';
import { crc32c } from './crc32c.ts';

/**
 * The fixed 61-byte header of a Kafka record batch (magic 2). The append path works on these
 * fields only: it validates the batch and rewrites base offset and partition leader epoch (both
 * outside the CRC) without ever decoding records.
 */
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
export const RECORDS = 61;
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength precede the part that batchLength counts. */
export const LOG_OVERHEAD = 12;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;
export const DELETE_HORIZON_BIT = 0x40;

export const Compression = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export const NO_PRODUCER_ID = -1n;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function readBatchHeader(buf: Uint8Array, pos = 0): BatchHeader {
  const v = view(buf);
  return {
    baseOffset: v.getBigInt64(pos + BASE_OFFSET),
    batchLength: v.getInt32(pos + BATCH_LENGTH),
    partitionLeaderEpoch: v.getInt32(pos + PARTITION_LEADER_EPOCH),
    magic: v.getInt8(pos + MAGIC),
    crc: v.getUint32(pos + CRC),
    attributes: v.getInt16(pos + ATTRIBUTES),
    lastOffsetDelta: v.getInt32(pos + LAST_OFFSET_DELTA),
    baseTimestamp: v.getBigInt64(pos + BASE_TIMESTAMP),
    maxTimestamp: v.getBigInt64(pos + MAX_TIMESTAMP),
    producerId: v.getBigInt64(pos + PRODUCER_ID),
    producerEpoch: v.getInt16(pos + PRODUCER_EPOCH),
    baseSequence: v.getInt32(pos + BASE_SEQUENCE),
    recordCount: v.getInt32(pos + RECORD_COUNT),
  };
}

/** Total size on disk/wire of the batch starting at `pos` (12 + batchLength). */
export function batchSize(buf: Uint8Array, pos = 0): number {
  return LOG_OVERHEAD + view(buf).getInt32(pos + BATCH_LENGTH);
}

export function setBaseOffset(buf: Uint8Array, pos: number, offset: bigint): void {
  view(buf).setBigInt64(pos + BASE_OFFSET, offset);
}

export function setPartitionLeaderEpoch(buf: Uint8Array, pos: number, epoch: number): void {
  view(buf).setInt32(pos + PARTITION_LEADER_EPOCH, epoch);
}

/** CRC-32C as Kafka computes it: from attributes to the end of the batch. */
export function computeBatchCrc(buf: Uint8Array, pos = 0): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES, pos + batchSize(buf, pos)));
}

export interface BatchLocation {
  /** What to name in an error: a file, a partition, a request. */
  source: string;
  /** Byte position of the batch within the source. */
  position: number;
}

/**
 * Checks one batch's framing without decoding records: the length fits the buffer and the
 * header, magic is 2, the CRC matches, and the record count agrees with the last offset delta
 * (a batch with no records is only legal when compaction emptied it: count 0 is refused here).
 * Returns the batch's total size.
 */
export function validateBatch(buf: Uint8Array, pos: number, where: BatchLocation, maxSize = Number.MAX_SAFE_INTEGER): number {
  const fail = (code: string, what: string): never => {
    throw new CorruptDataError(`${what} in record batch at ${where.source} position ${where.position}`, {
      code,
      context: { source: where.source, position: where.position },
    });
  };
  if (buf.length - pos < BATCH_HEADER_SIZE) fail('BATCH_TRUNCATED', `only ${buf.length - pos} bytes, fewer than the ${BATCH_HEADER_SIZE}-byte header,`);
  const v = view(buf);
  const batchLength = v.getInt32(pos + BATCH_LENGTH);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) fail('BATCH_LENGTH_INVALID', `batch length ${batchLength} is below the header size`);
  const size = LOG_OVERHEAD + batchLength;
  if (size > maxSize) fail('BATCH_TOO_LARGE', `batch of ${size} bytes exceeds the limit of ${maxSize} bytes`);
  if (size > buf.length - pos) fail('BATCH_TRUNCATED', `batch length ${batchLength} runs past the end (${buf.length - pos - LOG_OVERHEAD} bytes available)`);
  const magic = v.getInt8(pos + MAGIC);
  if (magic !== 2) fail('BATCH_MAGIC_UNSUPPORTED', `magic ${magic} (only 2 is supported)`);
  const stored = v.getUint32(pos + CRC);
  const actual = crc32c(buf.subarray(pos + ATTRIBUTES, pos + size));
  if (stored !== actual) fail('BATCH_CRC_MISMATCH', `CRC-32C mismatch (stored ${stored}, computed ${actual})`);
  const count = v.getInt32(pos + RECORD_COUNT);
  const lastOffsetDelta = v.getInt32(pos + LAST_OFFSET_DELTA);
  if (count <= 0) fail('BATCH_RECORD_COUNT_INVALID', `record count ${count}`);
  // Producers always write contiguous deltas; only compaction leaves gaps (count < delta + 1).
  if (lastOffsetDelta < count - 1) fail('BATCH_LAST_OFFSET_DELTA_INVALID', `last offset delta ${lastOffsetDelta} is below record count ${count} - 1`);
  return size;
}

export function compressionOf(buf: Uint8Array, pos = 0): Compression {
  return (view(buf).getInt16(pos + ATTRIBUTES) & COMPRESSION_MASK) as Compression;
}
