import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  CONTROL_BIT,
  CRC,
  DELETE_HORIZON_BIT,
  LOG_OVERHEAD,
  MAX_TIMESTAMP,
  RECORD_COUNT,
  TIMESTAMP_TYPE_BIT,
  computeBatchCrc,
  compressionOf,
  validateBatch,
} from './batch-header.ts';
import { compress } from './compression.ts';
import type { OffsetMap } from './offset-map.ts';
import { RecordWalker } from './record-walk.ts';
import type { Cursor } from './varint.ts';
import { readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.ts';

/**
 * Decides, batch by batch, what compaction keeps (pure: bytes in, bytes out). A record stays iff
 * it has a key, no later record of the dirty range has the same key, and it is not a tombstone
 * whose delete horizon has passed. A tombstone that stays gets a delete horizon (KIP-534: now +
 * delete.retention.ms, stored as the batch's base timestamp with attribute bit 6) the first time a
 * pass keeps it; a later pass after the horizon drops it. Rewritten batches keep base offset,
 * last offset delta, producer fields and codec; the records kept are copied verbatim unless a new
 * horizon moves their timestamp deltas.
 */
export interface FilterStats {
  recordsRead: number;
  recordsKept: number;
  keylessDropped: number;
  tombstonesDropped: number;
}

export interface FilterContext {
  map: OffsetMap;
  now: number;
  deleteRetentionMs: number;
  /** Named in errors (file path). */
  source: string;
  stats: FilterStats;
}

export type FilterOutcome =
  | { kind: 'keep'; tombstoneHorizon: number }
  | { kind: 'drop' }
  | { kind: 'rewrite'; bytes: Buffer; tombstoneHorizon: number };

export function newFilterStats(): FilterStats {
  return { recordsRead: 0, recordsKept: 0, keylessDropped: 0, tombstonesDropped: 0 };
}

// Per-batch scratch, reused so that filtering allocates nothing for records it only inspects.
let keptStarts = new Int32Array(1024);
let keptEnds = new Int32Array(1024);
let keptCount = 0;
let records: Uint8Array = new Uint8Array(0);
const walker = new RecordWalker();

function keep(start: number, end: number): void {
  if (keptCount === keptStarts.length) {
    const starts = new Int32Array(keptCount * 2);
    const ends = new Int32Array(keptCount * 2);
    starts.set(keptStarts);
    ends.set(keptEnds);
    keptStarts = starts;
    keptEnds = ends;
  }
  keptStarts[keptCount] = start;
  keptEnds[keptCount] = end;
  keptCount++;
}

const cur: Cursor = { pos: 0 };
let attributesAt = 0;

/** Timestamp delta of the record at `start`; leaves attributesAt and cur.pos (the fields after the delta) set. */
function readTimestampDelta(start: number): bigint {
  cur.pos = start;
  readVarint(records, cur);
  attributesAt = cur.pos++;
  return readVarlong(records, cur);
}

/**
 * Filters the stored batch at `buf[pos]` (whose file position is `position`, for errors). The
 * CRC is checked only when the batch is rewritten: kept batches are copied with their own CRC,
 * dropped ones do not matter.
 */
export function filterBatch(buf: Buffer, pos: number, ctx: FilterContext, position = pos): FilterOutcome {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  // Transaction markers carry no user key; without transactions to expire they stay.
  if ((attributes & CONTROL_BIT) !== 0) return { kind: 'keep', tombstoneHorizon: Infinity };
  const hasHorizon = (attributes & DELETE_HORIZON_BIT) !== 0;
  const baseTimestamp = buf.readBigInt64BE(pos + BASE_TIMESTAMP);
  const batchBase = Number(buf.readBigInt64BE(pos + BASE_OFFSET));
  const horizonPassed = hasHorizon && ctx.now >= Number(baseTimestamp);
  const map = ctx.map;
  const stats = ctx.stats;
  let total = 0;
  let tombstonesKept = 0;
  keptCount = 0;
  walker.open(buf, pos, ctx.source, position);
  records = walker.records;
  while (walker.next()) {
    total++;
    if (walker.keyLength < 0) {
      stats.keylessDropped++;
      continue;
    }
    if (map.getRange(records, walker.keyStart, walker.keyStart + walker.keyLength) > batchBase + walker.offsetDelta) continue;
    if (walker.valueLength < 0) {
      if (horizonPassed) {
        stats.tombstonesDropped++;
        continue;
      }
      tombstonesKept++;
    }
    keep(walker.recordStart, walker.recordEnd);
  }
  stats.recordsRead += total;
  stats.recordsKept += keptCount;

  if (keptCount === 0) return { kind: 'drop' };
  const needsHorizon = tombstonesKept > 0 && !hasHorizon;
  const horizon = needsHorizon ? ctx.now + ctx.deleteRetentionMs : hasHorizon && tombstonesKept > 0 ? Number(baseTimestamp) : Infinity;
  if (keptCount === total && !needsHorizon) return { kind: 'keep', tombstoneHorizon: horizon };
  validateBatch(buf, pos, { source: ctx.source, position });
  return { kind: 'rewrite', bytes: rebuild(buf, pos, attributes, baseTimestamp, needsHorizon ? BigInt(horizon) : undefined), tombstoneHorizon: horizon };
}

function rebuild(buf: Buffer, pos: number, attributes: number, baseTimestamp: bigint, newBase: bigint | undefined): Buffer {
  const logAppendTime = (attributes & TIMESTAMP_TYPE_BIT) !== 0;
  let maxTimestamp = logAppendTime ? buf.readBigInt64BE(pos + MAX_TIMESTAMP) : -1n;
  const deltas: bigint[] = new Array(keptCount);
  let recordsSize = 0;
  for (let i = 0; i < keptCount; i++) {
    const delta = readTimestampDelta(keptStarts[i]);
    deltas[i] = delta;
    const timestamp = baseTimestamp + delta;
    if (!logAppendTime && timestamp > maxTimestamp) maxTimestamp = timestamp;
    if (newBase === undefined) recordsSize += keptEnds[i] - keptStarts[i];
    else {
      const body = 1 + sizeOfVarlong(timestamp - newBase) + (keptEnds[i] - cur.pos);
      recordsSize += sizeOfVarint(body) + body;
    }
  }

  const codec = compressionOf(buf, pos);
  const plain = codec === 0;
  const out = Buffer.allocUnsafe((plain ? BATCH_HEADER_SIZE : 0) + recordsSize);
  let at = plain ? BATCH_HEADER_SIZE : 0;
  for (let i = 0; i < keptCount; i++) {
    const start = keptStarts[i];
    const end = keptEnds[i];
    if (newBase === undefined) {
      out.set(records.subarray(start, end), at);
      at += end - start;
      continue;
    }
    readTimestampDelta(start);
    const rest = cur.pos;
    const delta = baseTimestamp + deltas[i] - newBase;
    const body = 1 + sizeOfVarlong(delta) + (end - rest);
    at = writeVarint(out, at, body);
    out[at++] = records[attributesAt];
    at = writeVarlong(out, at, delta);
    out.set(records.subarray(rest, end), at);
    at += end - rest;
  }

  let batch: Buffer;
  if (plain) batch = out;
  else {
    const compressed = compress(codec, out);
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    compressed.copy(batch, BATCH_HEADER_SIZE);
  }
  buf.copy(batch, 0, pos, pos + BATCH_HEADER_SIZE);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt16BE(newBase === undefined ? attributes : attributes | DELETE_HORIZON_BIT, ATTRIBUTES);
  if (newBase !== undefined) batch.writeBigInt64BE(newBase, BASE_TIMESTAMP);
  batch.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP);
  batch.writeInt32BE(keptCount, RECORD_COUNT);
  batch.writeUInt32BE(computeBatchCrc(batch, 0), CRC);
  return batch;
}
