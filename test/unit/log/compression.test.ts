import zlib from 'node:zlib';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { compressFrameSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { Compression } from '../../../runtime/broker/log/batch-header.ts';
import { compress, decompress } from '../../../runtime/broker/log/compression.ts';
import { hasCode } from '../../../runtime/util/errors.ts';

/*
 * Golden inputs are built by hand from the format specifications, so they do not depend on the
 * encoders under test: RFC 1952/1951 (gzip with a stored deflate block), the snappy format
 * description and snappy-java's stream header (xerial framing as the Java producer writes it),
 * the LZ4 frame format (KIP-57), RFC 8878 (zstd raw block). Bytes from independent encoders
 * (@platformatic/kafka's WASM snappy/lz4, kafkajs-style gzip) are decoded too, and our output is
 * read back by those independent decoders.
 */

const hello = Buffer.from('hello');
const bytes = (...parts: Array<number[] | string | Uint8Array>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const XERIAL_HEADER = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1];

// gzip: header (no name, OS unknown), stored block (BFINAL=1, LEN=5, NLEN=~5), CRC-32 0x3610a686, ISIZE 5.
const GZIP_HELLO = bytes([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff], [0x01, 0x05, 0x00, 0xfa, 0xff], 'hello', [0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0]);
// snappy raw block: preamble 5, literal tag (5-1)<<2.
const SNAPPY_HELLO = bytes([0x05, 0x10], 'hello');
// snappy raw block with a copy: preamble 12, literal "abcd", copy-1 (length 8, offset 4) → "abcdabcdabcd".
const SNAPPY_COPY = bytes([0x0c, 0x0c], 'abcd', [0x11, 0x04]);
// LZ4 frame: magic, FLG 0x60 (v1, independent blocks), BD 0x40 (64 KiB), header checksum 0x82.
const LZ4_HEADER = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];
const LZ4_STORED_HELLO = bytes(LZ4_HEADER, [0x05, 0x00, 0x00, 0x80], 'hello', [0, 0, 0, 0]);
// LZ4 compressed block: token 0x44 (4 literals, match length 8) "abcd" offset 4; token 0x50 with 5 final literals.
const LZ4_MATCH = bytes(LZ4_HEADER, [0x0d, 0, 0, 0, 0x44], 'abcd', [0x04, 0x00, 0x50], 'xyzwv', [0, 0, 0, 0]);
// zstd: magic, FHD 0x20 (single segment, 1-byte content size) = 5, raw last block of 5 bytes.
const ZSTD_HELLO = bytes([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x05, 0x29, 0x00, 0x00], 'hello');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function expectCorrupt(fn: () => unknown, code: string, position?: number): void {
  const err = thrown(fn);
  expect(hasCode(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  if (position !== undefined) expect((err as { context: { position: number } }).context.position).toBe(position);
}

const codecs = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd] as const;
const sample = Buffer.from(Array.from({ length: 3000 }, (_, i) => `record-${i % 97}:${'x'.repeat(i % 13)};`).join(''));

describe('compression codecs', () => {
  it.each(codecs)('codec %d round-trips empty, small and multi-block data', (codec) => {
    for (const data of [Buffer.alloc(0), hello, sample]) {
      expect(decompress(codec, compress(codec, data)).equals(data)).toBe(true);
    }
  });

  it('decodes hand-built gzip, snappy, lz4 and zstd streams', () => {
    expect(decompress(Compression.Gzip, GZIP_HELLO).toString()).toBe('hello');
    expect(decompress(Compression.Snappy, bytes(XERIAL_HEADER, [0, 0, 0, 7], SNAPPY_HELLO)).toString()).toBe('hello');
    expect(decompress(Compression.Snappy, bytes(XERIAL_HEADER, [0, 0, 0, 7], SNAPPY_HELLO, [0, 0, 0, 8], SNAPPY_COPY)).toString()).toBe('helloabcdabcdabcd');
    expect(decompress(Compression.Lz4, LZ4_STORED_HELLO).toString()).toBe('hello');
    expect(decompress(Compression.Lz4, LZ4_MATCH).toString()).toBe('abcdabcdabcdxyzwv');
    expect(decompress(Compression.Zstd, ZSTD_HELLO).toString()).toBe('hello');
  });

  it('accepts raw unframed snappy, as snappy-java does when the xerial magic is absent', () => {
    expect(decompress(Compression.Snappy, SNAPPY_COPY).toString()).toBe('abcdabcdabcd');
    const raw = compressionsAlgorithms.snappy.compressSync(sample);
    expect(decompress(Compression.Snappy, raw).equals(sample)).toBe(true);
  });

  it('accepts concatenated xerial streams (a second header where a chunk length would be)', () => {
    const stream = bytes(XERIAL_HEADER, [0, 0, 0, 7], SNAPPY_HELLO, XERIAL_HEADER, [0, 0, 0, 8], SNAPPY_COPY);
    expect(decompress(Compression.Snappy, stream).toString()).toBe('helloabcdabcdabcd');
  });

  it('writes snappy exactly as snappy-java SnappyOutputStream: header, then [int32 length][block] per 32 KiB', () => {
    const data = Buffer.concat([sample, sample, sample, sample, sample, sample]);
    expect(data.length).toBeGreaterThan(3 * 32768);
    const out = compress(Compression.Snappy, data);
    expect([...out.subarray(0, 16)]).toEqual(XERIAL_HEADER);
    const chunks: Buffer[] = [];
    for (let pos = 16; pos < out.length; ) {
      const length = out.readInt32BE(pos);
      chunks.push(compressionsAlgorithms.snappy.decompressSync(out.subarray(pos + 4, pos + 4 + length)));
      pos += 4 + length;
    }
    const full = Math.floor(data.length / 32768);
    expect(chunks.map((c) => c.length)).toEqual([...Array.from({ length: full }, () => 32768), data.length - full * 32768]);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    // @platformatic/kafka's own xerial reader agrees.
    expect(compressionsAlgorithms.snappy.decompressSync(out).equals(data)).toBe(true);
  });

  it('writes LZ4 frames the Java client can read: version 1, independent blocks, block size code 4 to 7', () => {
    const out = compress(Compression.Lz4, sample);
    expect(out.readUInt32LE(0)).toBe(0x184d2204);
    expect(out[4] & 0xe0).toBe(0x60);
    expect((out[5] >> 4) & 7).toBeGreaterThanOrEqual(4);
    expect(compressionsAlgorithms.lz4.decompressSync(out).equals(sample)).toBe(true);
  });

  it('decodes what independent encoders produce', () => {
    expect(decompress(Compression.Lz4, compressionsAlgorithms.lz4.compressSync(sample)).equals(sample)).toBe(true);
    expect(decompress(Compression.Gzip, zlib.gzipSync(sample, { level: 9 })).equals(sample)).toBe(true);
    expect(decompress(Compression.Zstd, zlib.zstdCompressSync(sample, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 19 } })).equals(sample)).toBe(true);
    expect(compressionsAlgorithms.zstd.decompressSync(compress(Compression.Zstd, sample)).equals(sample)).toBe(true);
    expect(compressionsAlgorithms.gzip.decompressSync(compress(Compression.Gzip, sample)).equals(sample)).toBe(true);
  });

  it('accepts views into a larger buffer without copying them first', () => {
    const framed = Buffer.concat([Buffer.from([1, 2, 3]), LZ4_STORED_HELLO, Buffer.from([9])]);
    const view = new Uint8Array(framed.buffer, framed.byteOffset + 3, LZ4_STORED_HELLO.length);
    expect(decompress(Compression.Lz4, view).toString()).toBe('hello');
  });
});

describe('decompression bounds', () => {
  const MiB = 1024 * 1024;
  const zeros = Buffer.alloc(4 * MiB);

  it.each([Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd])('codec %d refuses output above maxBytes', (codec) => {
    const small = compress(codec, zeros);
    expect(small.length).toBeLessThan(MiB);
    expectCorrupt(() => decompress(codec, small, { maxBytes: MiB }), 'DECOMPRESSED_TOO_LARGE');
    expect(decompress(codec, small, { maxBytes: 4 * MiB }).length).toBe(4 * MiB);
  });

  it('checks a snappy block preamble before decoding it', () => {
    // Claims 2^31 bytes of output in a 7-byte block.
    const bomb = bytes([0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x00]);
    expectCorrupt(() => decompress(Compression.Snappy, bomb), 'DECOMPRESSED_TOO_LARGE', 0);
    expectCorrupt(() => decompress(Compression.Snappy, bytes(XERIAL_HEADER, [0, 0, 0, 7], bomb)), 'DECOMPRESSED_TOO_LARGE', 20);
  });

  it('bounds the total of many small chunks', () => {
    const chunk = bytes([0, 0, 0, 7], SNAPPY_HELLO);
    const stream = Buffer.concat([Buffer.from(XERIAL_HEADER), ...Array.from({ length: 10 }, () => chunk)]);
    expect(decompress(Compression.Snappy, stream, { maxBytes: 50 }).length).toBe(50);
    expectCorrupt(() => decompress(Compression.Snappy, stream, { maxBytes: 49 }), 'DECOMPRESSED_TOO_LARGE');
  });

  it('bounds uncompressed payloads too', () => {
    expectCorrupt(() => decompress(Compression.None, hello, { maxBytes: 4 }), 'DECOMPRESSED_TOO_LARGE');
  });
});

describe('corrupt compressed data', () => {
  it('names snappy framing errors with their byte position', () => {
    expectCorrupt(() => decompress(Compression.Snappy, bytes(XERIAL_HEADER, [0, 0, 0, 9], SNAPPY_HELLO)), 'COMPRESSION_INVALID', 16);
    expectCorrupt(() => decompress(Compression.Snappy, bytes(XERIAL_HEADER, [0, 0])), 'COMPRESSION_INVALID', 16);
    expectCorrupt(() => decompress(Compression.Snappy, bytes(XERIAL_HEADER.slice(0, 12))), 'COMPRESSION_INVALID');
    // Copy whose offset reaches before the start of the output.
    expectCorrupt(() => decompress(Compression.Snappy, bytes([0x0c, 0x0c], 'abcd', [0x11, 0x09])), 'COMPRESSION_INVALID', 0);
    // Block that decodes to fewer bytes than its preamble claims.
    expectCorrupt(() => decompress(Compression.Snappy, bytes([0x06, 0x10], 'hello')), 'COMPRESSION_INVALID', 0);
  });

  it('names LZ4 frame errors with their byte position', () => {
    expectCorrupt(() => decompress(Compression.Lz4, bytes([0x04, 0x22, 0x4d, 0x19], [0x60, 0x40, 0x82])), 'COMPRESSION_INVALID', 0);
    expectCorrupt(() => decompress(Compression.Lz4, LZ4_STORED_HELLO.subarray(0, 14)), 'COMPRESSION_INVALID', 7);
    expectCorrupt(() => decompress(Compression.Lz4, LZ4_STORED_HELLO.subarray(0, 9)), 'COMPRESSION_INVALID', 7);
    // A block larger than the frame's 64 KiB maximum.
    expectCorrupt(() => decompress(Compression.Lz4, bytes(LZ4_HEADER, [0x01, 0x00, 0x01, 0x00])), 'COMPRESSION_INVALID', 7);
    // Wrong header checksum: the native decoder refuses it.
    expectCorrupt(() => decompress(Compression.Lz4, bytes([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x83], [0x05, 0x00, 0x00, 0x80], 'hello', [0, 0, 0, 0])), 'COMPRESSION_INVALID', 0);
  });

  it('reports gzip and zstd garbage as COMPRESSION_INVALID', () => {
    expectCorrupt(() => decompress(Compression.Gzip, GZIP_HELLO.subarray(0, 12)), 'COMPRESSION_INVALID');
    expectCorrupt(() => decompress(Compression.Gzip, hello), 'COMPRESSION_INVALID');
    expectCorrupt(() => decompress(Compression.Zstd, ZSTD_HELLO.subarray(0, 10)), 'COMPRESSION_INVALID');
  });

  it('refuses codec ids Kafka does not define', () => {
    expectCorrupt(() => decompress(5 as Compression, hello), 'COMPRESSION_UNSUPPORTED');
    expectCorrupt(() => compress(7 as Compression, hello), 'COMPRESSION_UNSUPPORTED');
  });

  it('lz4-napi frames concatenated with a skippable frame decode as one stream', () => {
    const skippable = bytes([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const stream = Buffer.concat([compressFrameSync(Buffer.from('abc')), skippable, LZ4_STORED_HELLO]);
    expect(decompress(Compression.Lz4, stream).toString()).toBe('abchello');
  });
});
