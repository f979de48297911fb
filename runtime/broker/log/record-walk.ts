import { CorruptDataError } from '../../util/errors.ts';
import { BATCH_HEADER_SIZE, BATCH_LENGTH, COMPRESSION_MASK, ATTRIBUTES, LOG_OVERHEAD, RECORD_COUNT } from './batch-header.ts';
import type { Compression } from './batch-header.ts';
import { decompress } from './compression.ts';
import type { Cursor } from './varint.ts';
import { readVarint, skipVarint } from './varint.ts';

/**
 * The cleaner's walk over the records of one stored batch: no allocation per record (keys are
 * positions, not views) and no CRC check. Every stored batch had its CRC checked on append or on
 * recovery; the cleaner checks it again only for batches it rewrites (see compaction-filter.ts),
 * so that a rewrite never puts a fresh CRC on damaged bytes. Record framing (lengths) is checked
 * here, so damage that would misplace a key is reported, with file and batch position.
 */
export class RecordWalker {
  /** Bytes holding the records (the batch itself, or its decompressed payload). */
  records: Buffer = Buffer.alloc(0);
  offsetDelta = 0;
  /** Key bytes are records[keyStart, keyStart + keyLength); keyLength -1 is a null key. */
  keyStart = 0;
  keyLength = -1;
  /** -1: a tombstone. */
  valueLength = -1;
  /** The record, length prefix included, is records[recordStart, recordEnd). */
  recordStart = 0;
  recordEnd = 0;
  #cursor: Cursor = { pos: 0 };
  #end = 0;
  #remaining = 0;
  #source = '';
  #batchPosition = 0;

  /** Starts on the batch at `batch[pos]` (decompressing it if needed). */
  open(batch: Buffer, pos: number, source: string, batchPosition: number): void {
    this.#source = source;
    this.#batchPosition = batchPosition;
    const size = LOG_OVERHEAD + batch.readInt32BE(pos + BATCH_LENGTH);
    const codec = (batch.readInt16BE(pos + ATTRIBUTES) & COMPRESSION_MASK) as Compression;
    if (codec === 0) {
      this.records = batch;
      this.#cursor.pos = pos + BATCH_HEADER_SIZE;
      this.#end = pos + size;
    } else {
      this.records = decompress(codec, batch.subarray(pos + BATCH_HEADER_SIZE, pos + size));
      this.#cursor.pos = 0;
      this.#end = this.records.length;
    }
    this.#remaining = batch.readInt32BE(pos + RECORD_COUNT);
  }

  #fail(what: string): never {
    throw new CorruptDataError(`${what} in the record batch at ${this.#source} position ${this.#batchPosition}`, {
      code: 'RECORD_FRAMING_INVALID',
      context: { source: this.#source, position: this.#batchPosition },
    });
  }

  /** Advances to the next record; false after the last (checking that the batch ends there). */
  next(): boolean {
    const cur = this.#cursor;
    const buf = this.records;
    if (this.#remaining === 0) {
      if (cur.pos !== this.#end) this.#fail(`${this.#end - cur.pos} bytes after the last record`);
      return false;
    }
    this.#remaining--;
    if (cur.pos >= this.#end) this.#fail('fewer records than the batch declares');
    this.recordStart = cur.pos;
    const length = readVarint(buf, cur);
    const bodyStart = cur.pos;
    if (length < 1 || length > this.#end - bodyStart) this.#fail(`record length ${length} at record offset ${this.recordStart}`);
    this.recordEnd = bodyStart + length;
    cur.pos++; // attributes
    skipVarint(buf, cur); // timestamp delta
    this.offsetDelta = readVarint(buf, cur);
    this.keyLength = readVarint(buf, cur);
    this.keyStart = cur.pos;
    if (this.keyLength < -1 || this.keyStart + Math.max(this.keyLength, 0) > this.recordEnd) this.#fail(`key length ${this.keyLength}`);
    cur.pos += Math.max(this.keyLength, 0);
    this.valueLength = readVarint(buf, cur);
    if (this.valueLength < -1 || cur.pos + Math.max(this.valueLength, 0) > this.recordEnd) this.#fail(`value length ${this.valueLength}`);
    cur.pos = this.recordEnd;
    return true;
  }
}
