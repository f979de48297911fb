// Log engine benchmark: append and read throughput of PartitionLog next to raw sequential fs
// writes/reads of the same bytes in the same 16 KiB chunks (same disk, same cache state, both
// ending with one fsync), and one compaction pass next to a plain decode-scan of the same log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBatches, encodeBatch } from '../../runtime/broker/log/records.ts';
import { TOPIC_CONFIG } from '../../runtime/broker/log/topic-config.ts';
import type { TopicConfig } from '../../runtime/broker/log/topic-config.ts';
import { LogCleaner } from '../../runtime/broker/storage/log-cleaner.ts';
import { PartitionLog } from '../../runtime/broker/storage/partition-log.ts';
import type { Bench, Row } from './table.ts';
import { printTable } from './table.ts';

const BATCH_BYTES = 16 * 1024;
const MB = 1e6;

interface BatchSet {
  batches: Buffer[];
  recordsPerBatch: number;
}

/** Distinct batches of `recordSize`-byte values, each as close to 16 KiB as whole records allow. */
function makeBatches(recordSize: number, count: number, keySpace: number, seed: number): BatchSet {
  const value = Buffer.alloc(recordSize, 0x61);
  const probe = encodeBatch({ records: [{ key: Buffer.from('key-0000000'), value, timestamp: 0n }] });
  const perRecord = probe.length - 61;
  const recordsPerBatch = Math.max(1, Math.floor((BATCH_BYTES - 61) / (perRecord + 2)));
  const batches: Buffer[] = [];
  let n = seed;
  for (let b = 0; b < count; b++) {
    const records = [];
    for (let r = 0; r < recordsPerBatch; r++) {
      records.push({ key: Buffer.from(`key-${String(n % keySpace).padStart(7, '0')}`), value, timestamp: BigInt(1_700_000_000_000 + n) });
      n++;
    }
    batches.push(encodeBatch({ records }));
  }
  return { batches, recordsPerBatch };
}

function config(overrides: Partial<TopicConfig>): TopicConfig {
  return { ...TOPIC_CONFIG.defaults(), 'message.timestamp.after.max.ms': 2 ** 63, ...overrides };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Raw anchor: the same buffers written with writeSync in order, one fsync at the end. */
function rawWrite(file: string, set: BatchSet, rounds: number): number {
  const fd = fs.openSync(file, 'w+');
  const start = performance.now();
  let position = 0;
  for (let i = 0; i < rounds; i++) {
    const batch = set.batches[i % set.batches.length];
    position += fs.writeSync(fd, batch, 0, batch.length, position);
  }
  fs.fsyncSync(fd);
  const seconds = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  return seconds;
}

/**
 * Raw anchor: the file read back sequentially in 16 KiB chunks, each into a fresh buffer the
 * caller could keep (as a fetch response must), or all into one reused buffer (the bare syscall).
 */
function rawRead(file: string, reuse: boolean): number {
  const fd = fs.openSync(file, 'r');
  let chunk = Buffer.allocUnsafe(BATCH_BYTES);
  const start = performance.now();
  let position = 0;
  for (;;) {
    if (!reuse) chunk = Buffer.allocUnsafe(BATCH_BYTES);
    const n = fs.readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    position += n;
  }
  const seconds = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  return seconds;
}

async function logWrite(dir: string, set: BatchSet, rounds: number): Promise<{ seconds: number; log: PartitionLog }> {
  const log = await PartitionLog.open({ dir, topic: 'bench', partition: 0, config: config({}) });
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await log.append(set.batches[i % set.batches.length], 0);
  await log.flush();
  return { seconds: (performance.now() - start) / 1000, log };
}

async function logRead(log: PartitionLog, maxBytes: number): Promise<number> {
  const start = performance.now();
  let offset = 0n;
  const end = log.highWatermark;
  while (offset < end) offset = (await log.read(offset, maxBytes)).nextOffset;
  return (performance.now() - start) / 1000;
}

async function throughput(root: string, recordSize: number, totalBytes: number, reps: number): Promise<Row[]> {
  const set = makeBatches(recordSize, 64, 1 << 30, 0);
  const batchSize = set.batches[0].length;
  const rounds = Math.ceil(totalBytes / batchSize);
  const bytes = rounds * batchSize;
  const records = rounds * set.recordsPerBatch;
  const w = { raw: [] as number[], ours: [] as number[] };
  const r = { raw: [] as number[], reused: [] as number[], ours: [] as number[], fetch: [] as number[] };
  for (let rep = 0; rep < reps; rep++) {
    const rawFile = path.join(root, `raw-${recordSize}-${rep}.bin`);
    const dir = path.join(root, `log-${recordSize}-${rep}`);
    w.raw.push(rawWrite(rawFile, set, rounds));
    const { seconds, log } = await logWrite(dir, set, rounds);
    w.ours.push(seconds);
    // Both files were just written: both reads are warm.
    r.raw.push(rawRead(rawFile, false));
    r.reused.push(rawRead(rawFile, true));
    r.ours.push(await logRead(log, BATCH_BYTES));
    r.fetch.push(await logRead(log, 1024 * 1024));
    await log.close();
    fs.rmSync(rawFile);
    fs.rmSync(dir, { recursive: true });
  }
  const label = `${recordSize} B records, ${batchSize} B batches, ${(bytes / MB).toFixed(0)} MB`;
  const rows: Row[] = [];
  const pair = (what: string, ours: number, anchor: number, anchorName: string, target?: number): void => {
    rows.push({ case: `${what} ${label}`, metric: 'MB/s', ours: bytes / MB / ours, anchor: bytes / MB / anchor, anchorName, higherIsBetter: true, target });
    rows.push({ case: `${what} ${label}`, metric: 'records/s', ours: records / ours, anchor: records / anchor, anchorName, higherIsBetter: true, target });
  };
  pair('append', median(w.ours), median(w.raw), 'raw writeSync 16 KiB + fsync', 0.7);
  pair('read (16 KiB fetches)', median(r.ours), median(r.raw), 'raw readSync 16 KiB, fresh buffer each', 0.8);
  pair('read (16 KiB fetches)', median(r.ours), median(r.reused), 'raw readSync 16 KiB, one reused buffer');
  pair('read (1 MiB fetches)', median(r.fetch), median(r.raw), 'raw readSync 16 KiB, fresh buffer each');
  return rows;
}

/** The log's segment files read in 1 MiB chunks, every record decoded and touched. */
function decodeScan(log: PartitionLog): { seconds: number; records: number } {
  const files = fs.readdirSync(log.dir).filter((f) => f.endsWith('.log')).sort();
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let records = 0;
  let checksum = 0;
  const start = performance.now();
  for (const file of files) {
    const fd = fs.openSync(path.join(log.dir, file), 'r');
    let position = 0;
    let carry = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, carry, chunk.length - carry, position);
      position += n;
      const available = carry + n;
      if (available === 0) break;
      let used = 0;
      for (const batch of decodeBatches(chunk.subarray(0, available))) {
        for (const record of batch.records) {
          records++;
          checksum += (record.key?.length ?? 0) + (record.value?.length ?? 0);
        }
        used += 12 + batch.header.batchLength;
      }
      carry = available - used;
      chunk.copy(chunk, 0, used, available);
      if (n === 0) break;
    }
    fs.closeSync(fd);
  }
  if (checksum < 0) throw new Error('unreachable');
  return { seconds: (performance.now() - start) / 1000, records };
}

async function compaction(root: string, totalBytes: number): Promise<Row[]> {
  const recordSize = 1000;
  const probe = makeBatches(recordSize, 1, 1, 0);
  const batchCount = Math.ceil(totalBytes / probe.batches[0].length);
  const totalRecords = batchCount * probe.recordsPerBatch;
  const liveKeys = Math.floor(totalRecords / 10);
  const dir = path.join(root, 'compaction');
  const log = await PartitionLog.open({
    dir,
    topic: 'bench-compacted',
    partition: 0,
    config: config({ 'cleanup.policy': ['compact'], 'segment.bytes': Math.max(1 << 20, Math.floor(totalBytes / 8)) }),
  });
  for (let b = 0; b < batchCount; b++) {
    await log.append(makeBatches(recordSize, 1, liveKeys, b * probe.recordsPerBatch).batches[0], 0);
  }
  log.roll();
  await log.flush();
  const bytesBefore = log.sizeInBytes;

  const scan = decodeScan(log);
  if (scan.records !== totalRecords) throw new Error(`decode-scan saw ${scan.records} records, expected ${totalRecords}`);
  const cleaner = new LogCleaner({ dedupeBufferSize: 128 * 1024 * 1024, ioBufferSize: 512 * 1024, loadFactor: 0.9 });
  const start = performance.now();
  const result = await cleaner.clean(log);
  const seconds = (performance.now() - start) / 1000;
  if (result === undefined || result.stats.recordsKept !== liveKeys) throw new Error(`compaction kept ${result?.stats.recordsKept} records, expected ${liveKeys}`);
  await log.close();
  fs.rmSync(dir, { recursive: true });
  const label = `compaction ${(bytesBefore / 2 ** 30).toFixed(2)} GiB, ${recordSize} B values, ${totalRecords} records, 10% live keys`;
  return [
    { case: label, metric: 'seconds', ours: seconds, anchor: scan.seconds, anchorName: 'decode-scan of the same log', higherIsBetter: false, target: 0.5 },
    { case: label, metric: 'MB/s', ours: bytesBefore / MB / seconds, anchor: bytesBefore / MB / scan.seconds, anchorName: 'decode-scan of the same log', higherIsBetter: true },
  ];
}

export const logBench: Bench = {
  name: 'log',
  async run({ smoke }) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-log-'));
    try {
      const total = smoke ? 8 * 2 ** 20 : 256 * 2 ** 20;
      const reps = smoke ? 1 : 5;
      // Untimed warm-up, so that neither side's first case pays for JIT compilation.
      await throughput(root, 100, 4 * 2 ** 20, 1);
      const rows = [...(await throughput(root, 100, total, reps)), ...(await throughput(root, 1024, total, reps)), ...(await compaction(root, smoke ? 16 * 2 ** 20 : 2 ** 30))];
      printTable(rows);
      process.stdout.write(
        `\nappend/read: median of ${reps} runs after a warm-up, each writing a new file; raw and ours alternate and read back warm. ` +
          'Ratios below 1 for throughput mean ours is slower; the seconds row shows anchor/ours (0.5 = twice the decode-scan time).\n',
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};
