import { BATCH_LENGTH, CONTROL_BIT, Compression, LOG_OVERHEAD, TIMESTAMP_TYPE_BIT, TRANSACTIONAL_BIT, compressionOf } from './batch-header.ts';
import { decodeBatch, encodeBatch } from './records.ts';
import type { CompressionTypeName } from './topic-config.ts';

/**
 * compression.type other than "producer": batches in another codec are re-encoded in the topic's
 * codec, as Kafka's broker does. This is the one append case that decodes records, and only for
 * topics that ask for it.
 */
const CODEC_OF: Record<Exclude<CompressionTypeName, 'producer'>, Compression> = {
  uncompressed: Compression.None,
  gzip: Compression.Gzip,
  snappy: Compression.Snappy,
  lz4: Compression.Lz4,
  zstd: Compression.Zstd,
};

/** The topic's target codec, or undefined for "producer" (store as produced). */
export function targetCodec(type: CompressionTypeName): Compression | undefined {
  return type === 'producer' ? undefined : CODEC_OF[type];
}

/** Whether any batch of `buf` (already validated) uses a codec other than `codec`. */
export function needsRecompression(buf: Buffer, codec: Compression): boolean {
  for (let pos = 0; pos < buf.length; pos += LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)) {
    if (compressionOf(buf, pos) !== codec) return true;
  }
  return false;
}

/** Re-encodes every batch of `buf` in `codec`, keeping offsets deltas, timestamps and producer fields. */
export function recompress(buf: Buffer, codec: Compression, source: string): Buffer {
  const out: Buffer[] = [];
  for (let pos = 0; pos < buf.length; pos += LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)) {
    if (compressionOf(buf, pos) === codec) {
      out.push(buf.subarray(pos, pos + LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)));
      continue;
    }
    const { header, records } = decodeBatch(buf, pos, { source });
    const attributes = header.attributes;
    out.push(
      encodeBatch({
        baseOffset: header.baseOffset,
        partitionLeaderEpoch: header.partitionLeaderEpoch,
        compression: codec,
        logAppendTime: (attributes & TIMESTAMP_TYPE_BIT) !== 0,
        transactional: (attributes & TRANSACTIONAL_BIT) !== 0,
        control: (attributes & CONTROL_BIT) !== 0,
        producerId: header.producerId,
        producerEpoch: header.producerEpoch,
        baseSequence: header.baseSequence,
        lastOffsetDelta: header.lastOffsetDelta,
        records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
      }),
    );
  }
  return out.length === 1 ? out[0] : Buffer.concat(out);
}
