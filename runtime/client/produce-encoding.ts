/**
 * Produce request bodies (versions 9–11, the flexible ones) and v2 record batches, written
 * straight into buffers from the producer's own records (key, value and header values copied
 * once, into the batch): no message object, headers Map or growable buffer per record, and no
 * copy of a batch for its CRC. The request layout is the one
 * platformatic's produce createRequest writes (test/unit/client pins the bytes against it).
 */
import { crc32c } from '@node-rs/crc32';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { sizeOfVarint, sizeOfVarlong, writeUnsignedVarint, writeVarint, writeVarlong } from '../broker/log/varint.ts';
import type { CompressionType } from './config.ts';
import type { RecordHeader } from './types.ts';

/** What a batch needs of a record: bytes, headers and a timestamp (the producer's pending records fit). */
export interface RecordToEncode {
  key: Buffer | undefined;
  value: Buffer | undefined;
  headers: readonly RecordHeader[] | undefined;
  timestamp: bigint;
}

/** Who wrote a batch, for the broker's idempotence check: -1, -1, -1 without idempotence. */
export interface BatchIdentity {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** One partition's batch, encoded. */
export interface EncodedBatch {
  topic: string;
  partition: number;
  bytes: Buffer;
}

/** Bytes of a v2 batch before its records: base offset … record count. */
const BATCH_HEADER_BYTES = 61;
/** Offset of the attributes field, where the CRC's range starts. */
const CRC_START = 21;
const INT32_LIMIT = 2 ** 31;

/** Header names as bytes, kept by the caller (names repeat on every record of a flow). */
export type HeaderNameBytes = (name: string) => Buffer;

/**
 * The Produce request body (after the request header) carrying `batches` (at most one per
 * partition), as consecutive pieces: the connection joins them with the request header in its
 * one copy of the request, so they are not joined here. Topics keep the order in which they first
 * appear, partitions their order within a topic.
 */
export function encodeProduceRequest(acks: number, timeoutMs: number, batches: readonly EncodedBatch[]): Buffer[] {
  const topics = new Map<string, EncodedBatch[]>();
  for (const batch of batches) {
    const list = topics.get(batch.topic);
    if (list === undefined) topics.set(batch.topic, [batch]);
    else list.push(batch);
  }
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(1 + 2 + 4 + 5);
  head[0] = 0; // transactional id: null
  let at = head.writeInt16BE(acks, 1);
  at = head.writeInt32BE(timeoutMs, at);
  at = writeUnsignedVarint(head, at, topics.size + 1);
  parts.push(head.subarray(0, at));
  for (const [topic, list] of topics) {
    const name = Buffer.from(topic, 'utf8');
    const topicHead = Buffer.allocUnsafe(5 + name.length + 5);
    let t = writeUnsignedVarint(topicHead, 0, name.length + 1);
    t += name.copy(topicHead, t);
    t = writeUnsignedVarint(topicHead, t, list.length + 1);
    parts.push(topicHead.subarray(0, t));
    for (const { partition, bytes } of list) {
      const partitionHead = Buffer.allocUnsafe(4 + 5);
      let p = partitionHead.writeInt32BE(partition, 0);
      p = writeUnsignedVarint(partitionHead, p, bytes.length + 1);
      parts.push(partitionHead.subarray(0, p), bytes, TAGGED_FIELDS_NONE);
    }
    parts.push(TAGGED_FIELDS_NONE);
  }
  parts.push(TAGGED_FIELDS_NONE);
  return parts;
}

const TAGGED_FIELDS_NONE = Buffer.from([0]);

/**
 * One v2 record batch holding `records` (all of one partition), base offset 0, compressed with
 * `compression` (the records section only, as the format wants). Header names come as bytes from
 * `nameBytes` (names repeat on every record of a flow, so the caller keeps them).
 */
export function encodeRecordBatch(records: readonly RecordToEncode[], identity: BatchIdentity, compression: CompressionType, nameBytes: HeaderNameBytes): Buffer {
  const count = records.length;
  const firstTimestamp = records[0].timestamp;
  let maxTimestamp = firstTimestamp;
  // First pass: each record's body size (its length prefix excluded) and timestamp delta.
  const sizes = new Int32Array(count);
  const deltas: Array<number | bigint> = new Array<number | bigint>(count);
  let recordBytes = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    const ts = r.timestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const big = ts - firstTimestamp;
    const delta = big >= -INT32_LIMIT && big < INT32_LIMIT ? Number(big) : big;
    deltas[i] = delta;
    let size = 1 + (typeof delta === 'number' ? sizeOfVarint(delta) : sizeOfVarlong(delta)) + sizeOfVarint(i);
    size += bytesFieldSize(r.key) + bytesFieldSize(r.value);
    const headers = r.headers;
    if (headers === undefined) {
      size += 1;
    } else {
      size += sizeOfVarint(headers.length);
      // Indexed, not destructured: destructuring a header walks an iterator per header.
      for (let h = 0; h < headers.length; h++) size += bytesFieldSize(nameBytes(headers[h][0])) + bytesFieldSize(headers[h][1]);
    }
    sizes[i] = size;
    recordBytes += sizeOfVarint(size) + size;
  }
  const compressed = compression !== 'none';
  // Uncompressed, the records go straight after the header in the one output buffer.
  const out = Buffer.allocUnsafe(compressed ? recordBytes : BATCH_HEADER_BYTES + recordBytes);
  let at = compressed ? 0 : BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    at = writeVarint(out, at, sizes[i]);
    out[at++] = 0;
    const delta = deltas[i];
    at = typeof delta === 'number' ? writeVarint(out, at, delta) : writeVarlong(out, at, delta);
    at = writeVarint(out, at, i);
    at = writeBytesField(out, at, r.key);
    at = writeBytesField(out, at, r.value);
    const headers = r.headers;
    if (headers === undefined) {
      out[at++] = 0;
      continue;
    }
    at = writeVarint(out, at, headers.length);
    for (let h = 0; h < headers.length; h++) {
      at = writeBytesField(out, at, nameBytes(headers[h][0]));
      at = writeBytesField(out, at, headers[h][1]);
    }
  }
  let batch = out;
  if (compressed) {
    const body = compressionsAlgorithms[compression].compressSync(out);
    batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + body.length);
    body.copy(batch, BATCH_HEADER_BYTES);
  }
  const total = batch.length;
  batch.writeBigInt64BE(0n, 0);
  at = batch.writeInt32BE(total - 12, 8);
  at = batch.writeInt32BE(-1, at); // partition leader epoch: the broker sets it
  at = batch.writeInt8(2, at);
  at += 4; // CRC, written last
  at = batch.writeInt16BE(compressionsAlgorithms[compression].bitmask, at);
  at = batch.writeInt32BE(count - 1, at);
  batch.writeBigInt64BE(firstTimestamp, at);
  batch.writeBigInt64BE(maxTimestamp, at + 8);
  batch.writeBigInt64BE(identity.producerId, at + 16);
  at += 24;
  at = batch.writeInt16BE(identity.producerEpoch, at);
  at = batch.writeInt32BE(identity.baseSequence, at);
  batch.writeInt32BE(count, at);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC_START - 4);
  return batch;
}

function bytesFieldSize(bytes: Uint8Array | null | undefined): number {
  return bytes == null ? 1 : sizeOfVarint(bytes.byteLength) + bytes.byteLength;
}

function writeBytesField(out: Buffer, at: number, bytes: Uint8Array | null | undefined): number {
  if (bytes == null) {
    out[at] = 1; // zigzag(-1)
    return at + 1;
  }
  at = writeVarint(out, at, bytes.byteLength);
  out.set(bytes, at);
  return at + bytes.byteLength;
}
