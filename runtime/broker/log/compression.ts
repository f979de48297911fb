import zlib from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompressSync, uncompressSync as snappyUncompressSync } from 'snappy';
import { CorruptDataError } from '../../util/errors.ts';
import { Compression } from './batch-header.ts';
import { readUnsignedVarint } from './varint.ts';

/**
 * The record-batch codecs Kafka clients use, byte-compatible with the Java client: gzip, snappy in
 * xerial framing (raw snappy accepted on read), the LZ4 frame format (KIP-57) and zstd. Every
 * decoder bounds its output, so a small batch cannot expand into gigabytes.
 */

/** Decompressed size above which a batch is refused unless the caller raises the limit. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

export interface DecompressOptions {
  /** Largest decompressed size accepted (bytes); defaults to DEFAULT_MAX_DECOMPRESSED_BYTES. */
  maxBytes?: number;
}

/** Kafka's `compression.type` names, indexed by the codec id of the batch attributes. */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

export function compressionName(codec: number): string {
  return COMPRESSION_NAMES[codec] ?? `unknown codec ${codec}`;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function invalid(codec: number, what: string, position: number, cause?: unknown): never {
  throw new CorruptDataError(`${compressionName(codec)} data invalid at byte ${position} of the compressed payload: ${what}`, {
    code: 'COMPRESSION_INVALID',
    cause,
    context: { codec: compressionName(codec), position },
  });
}

function tooLarge(codec: number, maxBytes: number, position: number): never {
  throw new CorruptDataError(`${compressionName(codec)} payload decompresses to more than ${maxBytes} bytes (limit), at byte ${position} of the compressed payload`, {
    code: 'DECOMPRESSED_TOO_LARGE',
    context: { codec: compressionName(codec), position, maxBytes },
  });
}

function unsupported(codec: number): never {
  throw new CorruptDataError(`compression codec ${codec} is not one of Kafka's codecs (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)`, {
    code: 'COMPRESSION_UNSUPPORTED',
    context: { codec },
  });
}

export function compress(codec: Compression, data: Uint8Array): Buffer {
  switch (codec) {
    case Compression.None:
      return asBuffer(data);
    case Compression.Gzip:
      return zlib.gzipSync(data);
    case Compression.Snappy:
      return xerialSnappyCompress(asBuffer(data));
    case Compression.Lz4:
      return compressFrameSync(asBuffer(data));
    case Compression.Zstd:
      return zlib.zstdCompressSync(data);
    default:
      return unsupported(codec);
  }
}

export function decompress(codec: Compression, data: Uint8Array, options: DecompressOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  switch (codec) {
    case Compression.None:
      if (data.length > maxBytes) tooLarge(codec, maxBytes, 0);
      return asBuffer(data);
    case Compression.Gzip:
      return zlibDecompress(codec, () => zlib.gunzipSync(data, { maxOutputLength: maxBytes }), maxBytes);
    case Compression.Snappy:
      return snappyDecompress(asBuffer(data), maxBytes);
    case Compression.Lz4:
      return lz4Decompress(asBuffer(data), maxBytes);
    case Compression.Zstd:
      return zlibDecompress(codec, () => zlib.zstdDecompressSync(data, { maxOutputLength: maxBytes }), maxBytes);
    default:
      return unsupported(codec);
  }
}

function zlibDecompress(codec: number, run: () => Buffer, maxBytes: number): Buffer {
  try {
    return run();
  } catch (err) {
    // zlib stops inflating once the output would exceed maxOutputLength.
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') tooLarge(codec, maxBytes, 0);
    return invalid(codec, (err as Error).message, 0, err);
  }
}

// --- snappy -----------------------------------------------------------------------------------

/** xerial snappy-java stream header: magic, then int32 version 1 and int32 compatible version 1. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** Chunk size of snappy-java's SnappyOutputStream, which the Java producer uses. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function xerialSnappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  let total = XERIAL_HEADER_SIZE;
  for (let start = 0; start < data.length; start += XERIAL_BLOCK_SIZE) {
    const block = snappyCompressSync(data.subarray(start, Math.min(start + XERIAL_BLOCK_SIZE, data.length)));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
    total += 4 + block.length;
  }
  return Buffer.concat(parts, total);
}

function hasXerialMagic(data: Buffer, pos: number): boolean {
  return data.length - pos >= XERIAL_MAGIC.length && XERIAL_MAGIC.equals(data.subarray(pos, pos + XERIAL_MAGIC.length));
}

/** Like snappy-java's SnappyInputStream: xerial frames (possibly concatenated), else one raw block. */
function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (!hasXerialMagic(data, 0)) return snappyBlock(data, 0, data.length, maxBytes, maxBytes);
  if (data.length < XERIAL_HEADER_SIZE) invalid(Compression.Snappy, 'xerial header truncated', data.length);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (hasXerialMagic(data, pos)) {
      if (data.length - pos < XERIAL_HEADER_SIZE) invalid(Compression.Snappy, 'xerial header truncated', pos);
      pos += XERIAL_HEADER_SIZE;
      continue;
    }
    if (data.length - pos < 4) invalid(Compression.Snappy, 'chunk length truncated', pos);
    const length = data.readInt32BE(pos);
    if (length < 0 || length > data.length - pos - 4) invalid(Compression.Snappy, `chunk length ${length} runs past the end (${data.length - pos - 4} bytes left)`, pos);
    const block = snappyBlock(data, pos + 4, pos + 4 + length, maxBytes - total, maxBytes);
    parts.push(block);
    total += block.length;
    pos += 4 + length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
}

/** One raw snappy block; its varint preamble states the output size, checked against what is left of the limit before decoding. */
function snappyBlock(data: Buffer, start: number, end: number, budget: number, maxBytes: number): Buffer {
  const block = data.subarray(start, end);
  const cur = { pos: 0 };
  let expected: number;
  try {
    expected = readUnsignedVarint(block, cur) >>> 0;
  } catch (err) {
    return invalid(Compression.Snappy, 'block length preamble unreadable', start, err);
  }
  if (expected > budget) tooLarge(Compression.Snappy, maxBytes, start);
  let out: Buffer;
  try {
    out = snappyUncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (err) {
    return invalid(Compression.Snappy, (err as Error).message, start, err);
  }
  if (out.length !== expected) invalid(Compression.Snappy, `block decoded to ${out.length} bytes, preamble says ${expected}`, start);
  return out;
}

// --- lz4 --------------------------------------------------------------------------------------

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
const LZ4_UNCOMPRESSED_BIT = 0x80000000;

/**
 * Walks the frame structure (no decoding) to bound the output by block count × block maximum
 * before handing each frame to the native decoder: lz4-napi itself has no output limit.
 */
function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const frames: Buffer[] = [];
  let bound = 0;
  let pos = 0;
  const fail = (what: string, at: number): never => invalid(Compression.Lz4, what, at);
  while (pos < data.length) {
    if (data.length - pos < 4) fail('frame magic truncated', pos);
    const magic = data.readUInt32LE(pos);
    if (((magic & LZ4_SKIPPABLE_MASK) >>> 0) === LZ4_SKIPPABLE_MAGIC) {
      if (data.length - pos < 8) fail('skippable frame truncated', pos);
      const size = data.readUInt32LE(pos + 4);
      if (size > data.length - pos - 8) fail('skippable frame runs past the end', pos);
      pos += 8 + size;
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) fail(`bad frame magic 0x${magic.toString(16)}`, pos);
    const frameStart = pos;
    if (data.length - pos < 7) fail('frame descriptor truncated', pos);
    const flg = data[pos + 4];
    const bd = data[pos + 5];
    if (flg >> 6 !== 1) fail(`frame version ${flg >> 6} (only 1 exists)`, pos + 4);
    const blockMaxCode = (bd >> 4) & 0x07;
    if (blockMaxCode < 4) fail(`block maximum size code ${blockMaxCode} (4 to 7 are defined)`, pos + 5);
    const blockMax = 1 << (2 * blockMaxCode + 8);
    const blockChecksum = (flg & 0x10) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    pos += 6 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1;
    for (;;) {
      if (data.length - pos < 4) fail('block size truncated', pos);
      const word = data.readUInt32LE(pos);
      if (word === 0) {
        pos += 4 + (contentChecksum ? 4 : 0);
        break;
      }
      const size = (word & ~LZ4_UNCOMPRESSED_BIT) >>> 0;
      if (size > blockMax) fail(`block of ${size} bytes exceeds the frame's block maximum ${blockMax}`, pos);
      const next = pos + 4 + size + (blockChecksum ? 4 : 0);
      if (next > data.length) fail(`block of ${size} bytes runs past the end (${data.length - pos - 4} bytes left)`, pos);
      bound += (word & LZ4_UNCOMPRESSED_BIT) !== 0 ? size : blockMax;
      if (bound > maxBytes) tooLarge(Compression.Lz4, maxBytes, pos);
      pos = next;
    }
    if (pos > data.length) fail('content checksum truncated', pos - 4);
    try {
      frames.push(decompressFrameSync(data.subarray(frameStart, pos)));
    } catch (err) {
      fail(String((err as Error).message ?? err), frameStart);
    }
  }
  if (frames.length === 1) return frames[0];
  return Buffer.concat(frames);
}
