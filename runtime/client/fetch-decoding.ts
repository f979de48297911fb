/**
 * Decodes the record batches (magic 2) of one partition of a Fetch response straight into
 * ConsumerRecords, each when poll() takes it: one object per record, keys and values as views of
 * the response bytes, one shared empty header list for records without headers, and one
 * timestamp object for consecutive records with the same timestamp. CRCs are checked (Java's check.crcs=true, its default), control batches
 * and — under read_committed — aborted transactions are dropped but still move the position, and
 * a batch cut off at the response's size limit is ignored (the broker sends partial batches at
 * the max.bytes edge; the next fetch starts there).
 */
import { ATTRIBUTES, BASE_OFFSET, BASE_TIMESTAMP, BATCH_HEADER_SIZE, BATCH_LENGTH, COMPRESSION_MASK, CONTROL_BIT, CRC, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, PRODUCER_ID, RECORD_COUNT, TIMESTAMP_TYPE_BIT, TRANSACTIONAL_BIT } from '../broker/log/batch-header.ts';
import type { Compression } from '../broker/log/batch-header.ts';
import { decompress } from '../broker/log/compression.ts';
import { crc32c } from '../broker/log/crc32c.ts';
import { CorruptDataError } from '../util/errors.ts';
import type { ConsumerRecord, RecordHeader } from './types.ts';
import { topicPartitionKey } from './types.ts';

/** The headers of every record that has none: one shared frozen array instead of one per record. */
export const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

/**
 * Fetched records not handed out yet, taken from the front. The consumer holds a fetch as one of
 * these until poll() has handed all of it out.
 */
export interface RecordQueue {
  /** Records not taken yet. */
  readonly size: number;
  /** Moves the next `max` records (or as many as there are) to the end of `out`. */
  takeInto(out: ConsumerRecord[], max: number): void;
}

/** What a fetch returned for one partition, as the consumer buffers it. */
export interface FetchedRecords {
  records: RecordQueue;
  /** Offset to fetch next: one past the last batch seen (control and compacted-away offsets included). */
  nextOffset: bigint;
  /**
   * A corrupt batch stopped decoding: `records` holds those before it and `nextOffset` is its
   * offset, so that the next fetch meets it again (Java's consumer fails every poll there).
   */
  error?: CorruptDataError;
}

/** The same, with the records decoded into an array. */
export interface FetchedPartition {
  records: ConsumerRecord[];
  nextOffset: bigint;
  error?: CorruptDataError;
}

/** A transaction the broker reported aborted in this fetch's range (Fetch response aborted_transactions). */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface DecodeOptions {
  /** read_committed: the response's aborted transactions, whose records are dropped. Absent for read_uncommitted. */
  abortedTransactions?: readonly AbortedTransaction[] | null;
}

/** Control record type of a transaction abort marker (key: int16 version, int16 type). */
const ABORT_MARKER = 0;

/** All records of `data` at or after `fromOffset`, decoded at once (see scanRecordBatches). */
export function decodeRecordBatches(topic: string, partition: number, data: Buffer, fromOffset: bigint, options: DecodeOptions = {}): FetchedPartition {
  const scanned = scanRecordBatches(topic, partition, data, fromOffset, options);
  const records: ConsumerRecord[] = [];
  scanned.records.takeInto(records, scanned.records.size);
  return scanned.error === undefined ? { records, nextOffset: scanned.nextOffset } : { records, nextOffset: scanned.nextOffset, error: scanned.error };
}

/**
 * Checks the batches of `data` (a partition's records field) — CRCs, headers and every record's
 * fields — and returns their records at or after `fromOffset` as a queue that decodes each record
 * only when it is taken. A fetch holds thousands of records that poll() hands out a few hundred
 * at a time; decoded at once, they would outlive several young-generation collections and be
 * copied into the old generation for nothing. A fetch can start mid-batch (compressed batches are
 * served whole), so earlier records are skipped.
 */
export function scanRecordBatches(topic: string, partition: number, data: Buffer, fromOffset: bigint, options: DecodeOptions = {}): FetchedRecords {
  const records = new BatchRecordQueue(topic, partition, fromOffset);
  let nextOffset = fromOffset;
  const aborted = options.abortedTransactions === undefined ? undefined : new AbortedTransactions(options.abortedTransactions);
  let pos = 0;
  while (data.length - pos >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + data.readInt32BE(pos + BATCH_LENGTH);
    // A batch cut off by the response size limit: the next fetch returns it whole.
    if (pos + size > data.length) break;
    const baseOffset = data.readBigInt64BE(pos + BASE_OFFSET);
    const failure = invalidBatch(data, pos, size);
    if (failure !== undefined) {
      const offset = baseOffset > nextOffset ? baseOffset : nextOffset;
      return { records, nextOffset: offset, error: corrupt(topic, partition, offset, failure) };
    }
    const lastOffset = baseOffset + BigInt(data.readInt32BE(pos + LAST_OFFSET_DELTA));
    const start = pos;
    pos += size;
    if (lastOffset < fromOffset) continue;
    if (lastOffset >= nextOffset) nextOffset = lastOffset + 1n;
    const attributes = data.readInt16BE(start + ATTRIBUTES);
    try {
      if (aborted !== undefined && (attributes & TRANSACTIONAL_BIT) !== 0 && aborted.skips(data, start, attributes, lastOffset)) continue;
      if ((attributes & CONTROL_BIT) !== 0) continue;
      const batch = checkedBatch(topic, partition, data, start, size, baseOffset, attributes, fromOffset);
      if (batch.wanted > 0) records.add(batch);
    } catch (err) {
      // A RangeError here comes from reading a malformed control record.
      const error = err instanceof RangeError ? corrupt(topic, partition, baseOffset, `its control record is malformed: ${err.message}`) : err;
      if (!(error instanceof CorruptDataError)) throw err;
      // Only whole batches that passed every check are in the queue: nothing of this one is handed out.
      return { records, nextOffset: baseOffset > fromOffset ? baseOffset : fromOffset, error };
    }
  }
  // As Java's consumer: bytes without one complete batch are an error, not an empty fetch to repeat
  // forever. A broker returns the first batch whole (KIP-74), so its length field must be wrong.
  if (pos === 0 && data.length > 0) {
    return { records, nextOffset: fromOffset, error: corrupt(topic, partition, fromOffset, `the ${data.length} bytes fetched hold no complete record batch`) };
  }
  return { records, nextOffset };
}

/** Why the batch at `pos` cannot be read, or undefined when it is sound. */
function invalidBatch(data: Buffer, pos: number, size: number): string | undefined {
  if (size < BATCH_HEADER_SIZE) return `batch length ${size - LOG_OVERHEAD} is shorter than a batch header`;
  const magic = data[pos + MAGIC];
  if (magic !== 2) return `record batch magic ${magic} is not supported (only magic 2)`;
  const stored = data.readUInt32BE(pos + CRC);
  const computed = crc32c(data.subarray(pos + ATTRIBUTES, pos + size));
  if (stored !== computed) return `stored CRC ${stored} does not match the computed CRC ${computed}`;
  return undefined;
}

function corrupt(topic: string, partition: number, offset: bigint, what: string): CorruptDataError {
  return new CorruptDataError(`record batch of ${topicPartitionKey(topic, partition)} at offset ${offset} is corrupt: ${what}`, {
    code: 'CORRUPT_RECORD',
    context: { topic, partition, offset: String(offset) },
  });
}

/** A data batch whose records all passed the checks, ready to be decoded one by one. */
interface CheckedBatch {
  /** The records' bytes (decompressed). */
  body: Buffer;
  baseOffset: bigint;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  logAppendTime: boolean;
  leaderEpoch: number;
  /** Records in the batch, those before the fetch offset included. */
  count: number;
  /** Records at or after the fetch offset (offsets grow within a batch: the others come first). */
  wanted: number;
}

/** Decompresses one data batch and walks all its records, checking every field without decoding any. */
function checkedBatch(topic: string, partition: number, data: Buffer, start: number, size: number, baseOffset: bigint, attributes: number, fromOffset: bigint): CheckedBatch {
  const codec = (attributes & COMPRESSION_MASK) as Compression;
  const payload = data.subarray(start + BATCH_HEADER_SIZE, start + size);
  let body: Buffer;
  try {
    body = codec === 0 ? payload : decompress(codec, payload);
  } catch (err) {
    throw new CorruptDataError(`record batch of ${topicPartitionKey(topic, partition)} at offset ${baseOffset} cannot be decompressed: ${(err as Error).message}`, {
      code: 'CORRUPT_RECORD',
      cause: err,
      context: { topic, partition, offset: String(baseOffset) },
    });
  }
  const count = data.readInt32BE(start + RECORD_COUNT);
  // Offsets before this delta are skipped (a fetch that starts mid-batch).
  const firstDelta = fromOffset > baseOffset ? Number(fromOffset - baseOffset) : 0;
  const reader = new VarintReader(body);
  let wanted = 0;
  let i = 0;
  try {
    for (; i < count; i++) {
      const length = reader.varint();
      const end = reader.pos + length;
      if (length < 0 || end > body.length) throw new RangeError('record length out of range');
      reader.pos++; // record attributes: unused in magic 2
      reader.varlong();
      const offsetDelta = reader.varint();
      reader.skipBytes(end);
      reader.skipBytes(end);
      const headerCount = reader.varint();
      if (headerCount < 0) throw new RangeError(`header count ${headerCount} is negative`);
      for (let h = 0; h < headerCount; h++) {
        reader.skipBytes(end);
        reader.skipBytes(end);
      }
      if (reader.pos !== end) throw new RangeError('record length does not match its fields');
      if (offsetDelta >= firstDelta) wanted++;
    }
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new CorruptDataError(`record ${i} of ${count} in the batch of ${topicPartitionKey(topic, partition)} at offset ${baseOffset} is malformed: ${err.message}`, {
      code: 'CORRUPT_RECORD',
      context: { topic, partition, offset: String(baseOffset) },
    });
  }
  return {
    body,
    baseOffset,
    baseTimestamp: data.readBigInt64BE(start + BASE_TIMESTAMP),
    maxTimestamp: data.readBigInt64BE(start + MAX_TIMESTAMP),
    logAppendTime: (attributes & TIMESTAMP_TYPE_BIT) !== 0,
    leaderEpoch: data.readInt32BE(start + PARTITION_LEADER_EPOCH),
    count,
    wanted,
  };
}

/**
 * The records of checked batches, decoded as they are taken: one object per record, keys and
 * values as views of the fetched bytes, one shared empty header list for records without headers,
 * and one timestamp (and offset step) for consecutive records that share it.
 */
class BatchRecordQueue implements RecordQueue {
  readonly #topic: string;
  readonly #partition: number;
  readonly #fromOffset: bigint;
  readonly #batches: CheckedBatch[] = [];
  #size = 0;
  /** The batch being taken from, its reader and records left in it (skipped ones included). */
  #batch = 0;
  #reader: VarintReader | null = null;
  #left = 0;
  // Records of a batch mostly share their timestamp with the one before, and follow its offset.
  #lastTimestampDelta = 0;
  #lastTimestamp = 0n;
  #lastOffsetDelta = -1;
  #lastOffset = 0n;

  constructor(topic: string, partition: number, fromOffset: bigint) {
    this.#topic = topic;
    this.#partition = partition;
    this.#fromOffset = fromOffset;
  }

  get size(): number {
    return this.#size;
  }

  add(batch: CheckedBatch): void {
    this.#batches.push(batch);
    this.#size += batch.wanted;
  }

  takeInto(out: ConsumerRecord[], max: number): void {
    let taken = 0;
    while (taken < max && this.#size > 0) {
      if (this.#left === 0) this.#open(this.#batches[this.#batch++]);
      const record = this.#next(this.#batches[this.#batch - 1]);
      if (record === null) continue;
      out.push(record);
      taken++;
      this.#size--;
    }
    // A drained queue keeps no bytes of the fetch.
    if (this.#size === 0) {
      this.#batches.length = 0;
      this.#reader = null;
    }
  }

  #open(batch: CheckedBatch): void {
    this.#reader = new VarintReader(batch.body);
    this.#left = batch.count;
    this.#lastTimestampDelta = 0;
    this.#lastTimestamp = batch.baseTimestamp;
    this.#lastOffsetDelta = -1;
    this.#lastOffset = batch.baseOffset - 1n;
  }

  /** The next record of the batch (its fields were checked), or null when it is before the fetch offset. */
  #next(batch: CheckedBatch): ConsumerRecord | null {
    const reader = this.#reader!;
    this.#left--;
    const end = reader.varint() + reader.pos;
    reader.pos++; // record attributes: unused in magic 2
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const key = reader.bytes(end);
    const value = reader.bytes(end);
    const headerCount = reader.varint();
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      headers = [];
      for (let h = 0; h < headerCount; h++) {
        const name = reader.bytes(end);
        headers.push([name === null ? '' : name.toString('utf8'), reader.bytes(end)]);
      }
    }
    const offset = offsetDelta === this.#lastOffsetDelta + 1 ? this.#lastOffset + 1n : batch.baseOffset + BigInt(offsetDelta);
    this.#lastOffsetDelta = offsetDelta;
    this.#lastOffset = offset;
    if (offset < this.#fromOffset) return null;
    let timestamp: bigint;
    if (batch.logAppendTime) timestamp = batch.maxTimestamp;
    else if (timestampDelta === this.#lastTimestampDelta) timestamp = this.#lastTimestamp;
    else {
      timestamp = batch.baseTimestamp + BigInt(timestampDelta);
      this.#lastTimestampDelta = timestampDelta;
      this.#lastTimestamp = timestamp;
    }
    return {
      topic: this.#topic,
      partition: this.#partition,
      offset,
      timestamp,
      timestampType: batch.logAppendTime ? 'LogAppendTime' : 'CreateTime',
      key,
      value,
      headers,
      leaderEpoch: batch.leaderEpoch,
    };
  }
}

/** Zig-zag varints and length-prefixed byte fields of record batch v2 records. */
class VarintReader {
  pos = 0;
  private readonly buf: Buffer;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  varint(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= buf.length || shift > 28) throw new RangeError('varint out of range');
      const byte = buf[this.pos++];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    return (value >>> 1) ^ -(value & 1);
  }

  /** A zig-zag varlong as a number: timestamp deltas stay far below 2^53. */
  varlong(): number {
    const buf = this.buf;
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= buf.length || scale > 2 ** 63) throw new RangeError('varlong out of range');
      const byte = buf[this.pos++];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
    // Zig-zag: even values are non-negative, odd ones negative.
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** Moves past a varint length and that many bytes (a null field has length -1). */
  skipBytes(end: number): void {
    const length = this.varint();
    if (length < 0) return;
    this.pos += length;
    if (this.pos > end) throw new RangeError('field runs past its record');
  }

  /** A varint length then that many bytes (a view), or null for length -1. */
  bytes(end: number): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    const start = this.pos;
    this.pos += length;
    if (this.pos > end) throw new RangeError('field runs past its record');
    return this.buf.subarray(start, this.pos);
  }
}

/**
 * Java's read_committed filter: a transactional batch is dropped when its producer has an
 * aborted transaction that started at or before the batch, until that producer's abort marker.
 */
class AbortedTransactions {
  /** Not yet reached, by first offset. */
  private readonly pending: AbortedTransaction[];
  private readonly abortedProducers = new Set<bigint>();

  constructor(list: readonly AbortedTransaction[] | null) {
    this.pending = [...(list ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Whether the transactional batch at `start` is dropped; control batches update the state (and are dropped anyway). */
  skips(data: Buffer, start: number, attributes: number, lastOffset: bigint): boolean {
    while (this.pending.length > 0 && this.pending[0].firstOffset <= lastOffset) this.abortedProducers.add(this.pending.shift()!.producerId);
    const producerId = data.readBigInt64BE(start + PRODUCER_ID);
    if ((attributes & CONTROL_BIT) !== 0) {
      if (isAbortMarker(data, start, attributes)) this.abortedProducers.delete(producerId);
      return true;
    }
    return this.abortedProducers.has(producerId);
  }
}

/** The control batch's (single, uncompressed) record has key int16 version, int16 type. */
function isAbortMarker(data: Buffer, start: number, attributes: number): boolean {
  // No record: the cleaner removed the marker and kept the header (the producer's last batch).
  if ((attributes & COMPRESSION_MASK) !== 0 || data.readInt32BE(start + RECORD_COUNT) <= 0) return false;
  const reader = new VarintReader(data.subarray(start + BATCH_HEADER_SIZE, start + LOG_OVERHEAD + data.readInt32BE(start + BATCH_LENGTH)));
  const end = reader.varint() + reader.pos;
  reader.pos++;
  reader.varlong();
  reader.varint();
  const key = reader.bytes(end);
  return key !== null && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER;
}
