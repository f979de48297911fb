import { CorruptDataError } from '../../util/errors.ts';
import { BATCH_HEADER_SIZE, BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP, validateBatch } from './batch-header.ts';

/**
 * Walks the batches of a chunk of segment bytes, as recovery and index rebuilding do: each batch
 * is validated (length, magic, CRC-32C, count, last offset delta) and must follow the previous
 * one's offsets and fit the segment's int32 relative offsets. Pure: the storage layer reads the
 * chunks and decides what a failure means (see runtime/broker/storage/README.md).
 */
export interface ScannedBatch {
  /** File position of the batch. */
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface ScanResult {
  /** Bytes of whole valid batches from the start of the chunk. */
  consumed: number;
  /** Why the walk stopped before the chunk's end: more bytes needed for the next batch, or an invalid one. */
  stop: 'end' | 'need-more' | 'invalid';
  /** Total size of the batch that did not fit the chunk ('need-more'). */
  needed?: number;
  error?: CorruptDataError;
}

export interface ScanOptions {
  /** What to name in errors, usually the `.log` file. */
  source: string;
  /** File position of chunk[0]. */
  chunkPosition: number;
  segmentBaseOffset: number;
  /** The next batch must start at or after this offset (previous last offset + 1). */
  nextOffset: number;
}

const INT32_MAX = 0x7fffffff;

function offsetError(options: ScanOptions, position: number, what: string): CorruptDataError {
  return new CorruptDataError(`${what} in record batch at ${options.source} position ${position}`, {
    code: 'BATCH_OFFSET_INVALID',
    context: { source: options.source, position },
  });
}

/** Validates batches from chunk[0]; `onBatch` sees each valid one. Updates nothing on failure. */
export function scanChunk(chunk: Buffer, options: ScanOptions, onBatch: (batch: ScannedBatch) => void): ScanResult {
  let at = 0;
  let next = options.nextOffset;
  while (at < chunk.length) {
    const position = options.chunkPosition + at;
    if (chunk.length - at < LOG_OVERHEAD) return { consumed: at, stop: 'need-more', needed: BATCH_HEADER_SIZE };
    const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH);
    if (size >= BATCH_HEADER_SIZE && size > chunk.length - at) return { consumed: at, stop: 'need-more', needed: size };
    try {
      validateBatch(chunk, at, { source: options.source, position });
    } catch (err) {
      if (err instanceof CorruptDataError) return { consumed: at, stop: 'invalid', error: err };
      throw err;
    }
    const baseOffset = Number(chunk.readBigInt64BE(at));
    const lastOffset = baseOffset + chunk.readInt32BE(at + LAST_OFFSET_DELTA);
    if (baseOffset < next) return { consumed: at, stop: 'invalid', error: offsetError(options, position, `base offset ${baseOffset} is below the expected ${next}`) };
    if (lastOffset - options.segmentBaseOffset > INT32_MAX) {
      return { consumed: at, stop: 'invalid', error: offsetError(options, position, `last offset ${lastOffset} is too far above the segment base ${options.segmentBaseOffset}`) };
    }
    onBatch({ position, size, baseOffset, lastOffset, maxTimestamp: Number(chunk.readBigInt64BE(at + MAX_TIMESTAMP)) });
    next = lastOffset + 1;
    at += size;
  }
  return { consumed: at, stop: 'end' };
}

/**
 * The first position ≥ `from` in `chunk` where a complete, valid batch with base offset ≥
 * `minOffset` starts, or -1. Used after a failure to tell a torn tail (nothing valid follows)
 * from corruption in the middle of the log.
 */
export function findValidBatch(chunk: Buffer, from: number, minOffset: number): number {
  for (let at = Math.max(0, from); at + BATCH_HEADER_SIZE <= chunk.length; at++) {
    if (chunk[at + MAGIC] !== 2) continue;
    const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH);
    if (size < BATCH_HEADER_SIZE || size > chunk.length - at) continue;
    if (Number(chunk.readBigInt64BE(at)) < minOffset) continue;
    try {
      validateBatch(chunk, at, { source: 'resync', position: at });
      return at;
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
    }
  }
  return -1;
}
