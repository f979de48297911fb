/**
 * Produce request bodies (versions 9–11, the flexible ones) with uncompressed v2 record batches,
 * written straight into one buffer. @platformatic/kafka builds the same bytes through a growable
 * buffer with a small allocation per field, and copies the whole batch twice (for the CRC and
 * for the socket): at Connect rates that garbage was most of the producer's cost. The output is
 * byte-for-byte what platformatic's produce createRequest writes (test/unit/client pins it), so
 * idempotence (producer id, epoch, sequences) and transactions keep working unchanged.
 */
import { crc32c } from '@node-rs/crc32';
import { sizeOfVarint, sizeOfVarlong, writeUnsignedVarint, writeVarint, writeVarlong } from '../broker/log/varint.ts';

/** A message as platformatic's producer hands it to the Produce API. */
export interface ProduceMessage {
  topic: string;
  partition?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Map<Buffer, Buffer | null | undefined>;
  timestamp?: bigint;
}

/** The Produce API options platformatic passes along (idempotence, transactions, compression). */
export interface ProduceEncodingOptions {
  producerId?: bigint;
  producerEpoch?: number;
  transactionalId?: string | null;
  compression?: string;
  partitionLeaderEpoch?: number;
  sequences?: { getWithDefault(key: string, fallback: number): number };
}

/**
 * Key of a message whose value is the rest of a record already written in record format (key,
 * value and headers: encodeRecordBody). The producer writes a record with headers that way as
 * soon as its partition is known, so that while it waits for Kafka it holds one Buffer instead of
 * its key, value, header values and a headers Map; platformatic passes key and value through
 * untouched. Recognised by identity; requests that platformatic encodes itself get the real key,
 * value and headers back first (withDecodedRecords).
 */
export const PRE_ENCODED_KEY: Buffer = Buffer.from('sluice.pre-encoded-record');

/** Bytes of a v2 batch before its records: base offset … record count. */
const BATCH_HEADER_BYTES = 61;
/** Offset of the attributes field, where the CRC's range starts. */
const CRC_START = 21;
const ATTRIBUTE_TRANSACTIONAL = 1 << 4;
const INT32_LIMIT = 2 ** 31;

/**
 * Whether `encodeProduceRequest` writes these messages: Buffer (or absent) keys, values and
 * header values, Map headers, bigint (or absent) timestamps, no compression. Anything else is
 * left to platformatic's own encoder.
 */
export function canEncodeFast(messages: readonly ProduceMessage[], options: ProduceEncodingOptions): boolean {
  if (options.compression !== undefined && options.compression !== 'none') return false;
  for (const m of messages) {
    if (m.key != null && !Buffer.isBuffer(m.key)) return false;
    if (m.value != null && !Buffer.isBuffer(m.value)) return false;
    if (m.timestamp !== undefined && typeof m.timestamp !== 'bigint') return false;
    if (m.headers !== undefined && m.headers !== null) {
      if (!(m.headers instanceof Map)) return false;
      if (m.key === PRE_ENCODED_KEY && m.headers.size > 0) return false;
      for (const [name, value] of m.headers) if (!Buffer.isBuffer(name) || (value != null && !Buffer.isBuffer(value))) return false;
    }
  }
  return true;
}

/** Header names as bytes, kept by the caller (names repeat on every record of a flow). */
export type HeaderNameBytes = (name: string) => Buffer;

/** A record's key, value and headers in record format: key, value, header count, then each name and value (null as -1). */
export function encodeRecordBody(
  key: Buffer | undefined,
  value: Buffer | undefined,
  headers: readonly (readonly [name: string, value: Uint8Array | null])[],
  nameBytes: HeaderNameBytes,
): Buffer {
  let size = bytesFieldSize(key) + bytesFieldSize(value) + sizeOfVarint(headers.length);
  for (const [name, headerValue] of headers) {
    const nameLength = nameBytes(name).length;
    size += sizeOfVarint(nameLength) + nameLength + (headerValue === null ? 1 : sizeOfVarint(headerValue.byteLength) + headerValue.byteLength);
  }
  const body = Buffer.allocUnsafe(size);
  let at = writeBytesField(body, 0, key);
  at = writeBytesField(body, at, value);
  at = writeVarint(body, at, headers.length);
  for (const [name, headerValue] of headers) {
    at = writeBytesField(body, at, nameBytes(name));
    if (headerValue === null) {
      body[at++] = 1; // zigzag(-1)
    } else {
      at = writeVarint(body, at, headerValue.byteLength);
      body.set(headerValue, at);
      at += headerValue.byteLength;
    }
  }
  return body;
}

/** The key, value and headers of a body written by encodeRecordBody, as platformatic's encoder takes them. */
export function decodeRecordBody(body: Buffer): { key: Buffer | undefined; value: Buffer | undefined; headers: Map<Buffer, Buffer | undefined> } {
  const cursor = { at: 0 };
  const bytesField = (): Buffer | undefined => {
    const length = readVarInt(body, cursor);
    if (length < 0) return undefined;
    cursor.at += length;
    return body.subarray(cursor.at - length, cursor.at);
  };
  const key = bytesField();
  const value = bytesField();
  const headers = new Map<Buffer, Buffer | undefined>();
  const count = readVarInt(body, cursor);
  for (let i = 0; i < count; i++) {
    const name = bytesField() ?? Buffer.alloc(0);
    headers.set(name, bytesField());
  }
  return { key, value, headers };
}

/** Replaces pre-encoded records with their key, value and headers, for requests platformatic encodes itself. */
export function withDecodedRecords(messages: readonly ProduceMessage[]): void {
  for (const m of messages) {
    if (m.key !== PRE_ENCODED_KEY || !Buffer.isBuffer(m.value)) continue;
    const { key, value, headers } = decodeRecordBody(m.value);
    m.key = key;
    m.value = value;
    m.headers = headers;
  }
}

function readVarInt(bytes: Buffer, cursor: { at: number }): number {
  let zigzag = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[cursor.at++];
    zigzag |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  return (zigzag >>> 1) ^ -(zigzag & 1);
}

/**
 * The Produce request body (after the request header) for `messages`, one record batch per topic
 * partition, as consecutive pieces: the connection joins them with the request header in its one
 * copy of the request, so they are not joined here.
 */
export function encodeProduceRequest(acks: number, timeoutMs: number, messages: readonly ProduceMessage[], options: ProduceEncodingOptions): Buffer[] {
  const now = BigInt(Date.now());
  const topics = groupBy(messages, (m) => m.topic);
  const transactionalId = options.transactionalId == null ? null : Buffer.from(options.transactionalId, 'utf8');
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(5 + (transactionalId?.length ?? 0) + 2 + 4 + 5);
  let at = writeUnsignedVarint(head, 0, transactionalId === null ? 0 : transactionalId.length + 1);
  if (transactionalId !== null) at += transactionalId.copy(head, at);
  at = head.writeInt16BE(acks, at);
  at = head.writeInt32BE(timeoutMs, at);
  at = writeUnsignedVarint(head, at, topics.length + 1);
  parts.push(head.subarray(0, at));
  for (const [topic, topicMessages] of topics) {
    const partitions = groupBy(topicMessages, (m) => m.partition ?? 0);
    const name = Buffer.from(topic, 'utf8');
    const topicHead = Buffer.allocUnsafe(5 + name.length + 5);
    let t = writeUnsignedVarint(topicHead, 0, name.length + 1);
    t += name.copy(topicHead, t);
    t = writeUnsignedVarint(topicHead, t, partitions.length + 1);
    parts.push(topicHead.subarray(0, t));
    for (const [partitionKey, list] of partitions) {
      const partition = Number(partitionKey);
      const batch = encodeRecordBatch(list, topic, partition, options, now);
      const partitionHead = Buffer.allocUnsafe(4 + 5);
      let p = partitionHead.writeInt32BE(partition, 0);
      p = writeUnsignedVarint(partitionHead, p, batch.length + 1);
      parts.push(partitionHead.subarray(0, p), batch, TAGGED_FIELDS_NONE);
    }
    parts.push(TAGGED_FIELDS_NONE);
  }
  parts.push(TAGGED_FIELDS_NONE);
  return parts;
}

const TAGGED_FIELDS_NONE = Buffer.from([0]);

/**
 * Groups in the order platformatic's groupByProperty gives (an object's key order: integer-like
 * keys ascending, then the others as first seen), so the bytes match its encoder's. A request
 * usually holds one topic and partition: then the messages are the one group, uncopied.
 */
function groupBy(messages: readonly ProduceMessage[], keyOf: (m: ProduceMessage) => string | number): Array<[string, readonly ProduceMessage[]]> {
  if (messages.length > 0) {
    const first = keyOf(messages[0]);
    let i = 1;
    while (i < messages.length && keyOf(messages[i]) === first) i++;
    if (i === messages.length) return [[String(first), messages]];
  }
  const buckets = Object.create(null) as Record<string, ProduceMessage[]>;
  for (const m of messages) (buckets[keyOf(m)] ??= []).push(m);
  return Object.entries(buckets);
}

/** One uncompressed v2 record batch holding `messages` (all of one partition), base offset 0. */
export function encodeRecordBatch(messages: readonly ProduceMessage[], topic: string, partition: number, options: ProduceEncodingOptions, now: bigint): Buffer {
  const count = messages.length;
  const firstTimestamp = messages[0].timestamp ?? now;
  let maxTimestamp = firstTimestamp;
  // First pass: each record's body size (its length prefix excluded) and timestamp delta.
  const sizes = new Int32Array(count);
  const deltas: Array<number | bigint> = new Array<number | bigint>(count);
  let total = BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const m = messages[i];
    const ts = m.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const big = ts - firstTimestamp;
    const delta = big >= -INT32_LIMIT && big < INT32_LIMIT ? Number(big) : big;
    deltas[i] = delta;
    let size = 1 + (typeof delta === 'number' ? sizeOfVarint(delta) : sizeOfVarlong(delta)) + sizeOfVarint(i);
    const headers = m.headers;
    if (m.key === PRE_ENCODED_KEY) {
      size += m.value!.length;
    } else {
      size += bytesFieldSize(m.key) + bytesFieldSize(m.value);
      if (headers === undefined || headers === null) {
        size += 1;
      } else {
        size += sizeOfVarint(headers.size);
        for (const [name, value] of headers) size += bytesFieldSize(name) + bytesFieldSize(value);
      }
    }
    sizes[i] = size;
    total += sizeOfVarint(size) + size;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  out.writeBigInt64BE(0n, at);
  at = out.writeInt32BE(total - 12, 8);
  at = out.writeInt32BE(options.partitionLeaderEpoch ?? 0, at);
  at = out.writeInt8(2, at);
  at += 4; // CRC, written last
  at = out.writeInt16BE(options.transactionalId ? ATTRIBUTE_TRANSACTIONAL : 0, at);
  at = out.writeInt32BE(count - 1, at);
  out.writeBigInt64BE(firstTimestamp, at);
  out.writeBigInt64BE(maxTimestamp, at + 8);
  out.writeBigInt64BE(options.producerId ?? -1n, at + 16);
  at += 24;
  at = out.writeInt16BE(options.producerEpoch ?? 0, at);
  at = out.writeInt32BE(options.sequences?.getWithDefault(`${topic}:${partition}`, 0) ?? 0, at);
  at = out.writeInt32BE(count, at);
  for (let i = 0; i < count; i++) {
    const m = messages[i];
    at = writeVarint(out, at, sizes[i]);
    out[at++] = 0;
    const delta = deltas[i];
    at = typeof delta === 'number' ? writeVarint(out, at, delta) : writeVarlong(out, at, delta);
    at = writeVarint(out, at, i);
    if (m.key === PRE_ENCODED_KEY) {
      at += m.value!.copy(out, at);
      continue;
    }
    at = writeBytesField(out, at, m.key);
    at = writeBytesField(out, at, m.value);
    const headers = m.headers;
    if (headers === undefined || headers === null) {
      out[at++] = 0;
    } else {
      at = writeVarint(out, at, headers.size);
      for (const [name, value] of headers) {
        at = writeBytesField(out, at, name);
        at = writeBytesField(out, at, value);
      }
    }
  }
  out.writeUInt32BE(crc32c(out.subarray(CRC_START)) >>> 0, CRC_START - 4);
  return out;
}

function bytesFieldSize(bytes: Buffer | null | undefined): number {
  return bytes == null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

function writeBytesField(out: Buffer, at: number, bytes: Buffer | null | undefined): number {
  if (bytes == null) {
    out[at] = 1; // zigzag(-1)
    return at + 1;
  }
  at = writeVarint(out, at, bytes.length);
  return at + bytes.copy(out, at);
}
