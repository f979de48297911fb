import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { DecodedRecord } from '../../../runtime/broker/log/records.ts';
import { decodeBatches, encodeBatch } from '../../../runtime/broker/log/records.ts';
import type { TopicConfig } from '../../../runtime/broker/log/topic-config.ts';
import { TOPIC_CONFIG } from '../../../runtime/broker/log/topic-config.ts';
import type { PartitionLog } from '../../../runtime/broker/storage/partition-log.ts';

/** Shared helpers of the log tests: temp directories, batches, full reads. */
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'sluice-log-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function topicConfig(overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { ...TOPIC_CONFIG.defaults(), ...overrides };
}

export interface SimpleRecord {
  key: string | null;
  /** null: tombstone. */
  value: string | null;
  timestamp?: number;
}

export function batchOf(records: SimpleRecord[], options: { compression?: 0 | 1 | 2 | 3 | 4; producerId?: bigint } = {}): Buffer {
  return encodeBatch({
    compression: options.compression,
    producerId: options.producerId,
    producerEpoch: options.producerId === undefined ? undefined : 0,
    baseSequence: options.producerId === undefined ? undefined : 0,
    records: records.map((r) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: r.timestamp === undefined ? undefined : BigInt(r.timestamp),
    })),
  });
}

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

function simple(r: DecodedRecord): ReadRecord {
  return {
    offset: Number(r.offset),
    key: r.key === null ? null : Buffer.from(r.key).toString(),
    value: r.value === null ? null : Buffer.from(r.value).toString(),
    timestamp: Number(r.timestamp),
  };
}

/** Every record from the log start to the high watermark, reading like a consumer. */
export async function readAll(log: PartitionLog, maxBytes = 64 * 1024): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const result = await log.read(offset, maxBytes);
    if (result.records.length === 0) break;
    for (const batch of decodeBatches(result.records)) for (const r of batch.records) if (r.offset >= offset) out.push(simple(r));
    offset = result.nextOffset;
  }
  return out;
}
