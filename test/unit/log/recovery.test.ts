import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TopicConfig } from '../../../runtime/broker/log/topic-config.ts';
import type { SwapStep } from '../../../runtime/broker/storage/cleaned-segment-writer.ts';
import { LogCleaner } from '../../../runtime/broker/storage/log-cleaner.ts';
import { PartitionLog } from '../../../runtime/broker/storage/partition-log.ts';
import { ManualClock } from '../../../runtime/util/clock.ts';
import { SluiceError } from '../../../runtime/util/errors.ts';
import { batchOf, readAll, tempDir, topicConfig } from './log-fixtures.ts';

const config = (overrides: Partial<TopicConfig> = {}): TopicConfig => topicConfig({ 'segment.bytes': 1000, 'index.interval.bytes': 100, ...overrides });

function open(dir: string, overrides: Partial<TopicConfig> = {}, onCorruption?: 'fail' | 'truncate'): Promise<PartitionLog> {
  return PartitionLog.open({ dir, topic: 'events', partition: 0, config: config(overrides), onCorruption });
}

async function filled(dir: string, batches: number, overrides: Partial<TopicConfig> = {}): Promise<PartitionLog> {
  const log = await open(dir, overrides);
  for (let i = 0; i < batches; i++) await log.append(batchOf([{ key: `k${i}`, value: `value-${i}`.padEnd(40, '.') }, { key: `k${i}b`, value: 'second' }]), 0);
  return log;
}

function logFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
}

async function openError(dir: string): Promise<SluiceError> {
  try {
    await open(dir);
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('expected open to fail');
}

describe('recovery after a crash', () => {
  it('rescans from the recovery point, rebuilds indexes and keeps every record', async () => {
    const dir = tempDir();
    const crashed = await filled(dir, 40);
    const expected = await readAll(crashed);
    // No close(): the checkpoint still says the shutdown was not clean.
    for (const f of fs.readdirSync(dir)) if (f.endsWith('index')) fs.unlinkSync(path.join(dir, f));
    const log = await open(dir);
    expect(log.recovery).toMatchObject({ cleanShutdown: false });
    expect(log.recovery?.scannedBytes).toBeGreaterThan(0);
    expect(log.logEndOffset).toBe(80n);
    expect(log.recoveryPoint).toBe(80n);
    expect(await readAll(log, 90)).toEqual(expected);
  });

  it('cuts a torn tail (a batch cut short) and appends after it', async () => {
    const dir = tempDir();
    await filled(dir, 10);
    const active = path.join(dir, logFiles(dir).at(-1) as string);
    const size = fs.statSync(active).size;
    fs.truncateSync(active, size - 7);
    const log = await open(dir);
    expect(log.recovery?.truncated).toMatchObject({ file: active, bytesDropped: size - 7 - (log.recovery?.truncated?.position ?? 0) });
    expect(log.logEndOffset).toBe(18n);
    await log.append(batchOf([{ key: 'after', value: 'crash' }]), 0);
    expect((await readAll(log)).at(-1)).toMatchObject({ offset: 18, key: 'after' });
  });

  it('cuts a tail of zeros, as power loss leaves unwritten pages', async () => {
    const dir = tempDir();
    await filled(dir, 6);
    const active = path.join(dir, logFiles(dir).at(-1) as string);
    fs.appendFileSync(active, Buffer.alloc(4096));
    const log = await open(dir);
    expect(log.recovery?.truncated?.reason).toContain('torn tail');
    expect(log.logEndOffset).toBe(12n);
  });

  it('refuses to open over corruption in the middle of a segment, naming file and position', async () => {
    const dir = tempDir();
    const crashed = await filled(dir, 12);
    const expected = await readAll(crashed);
    const first = path.join(dir, logFiles(dir)[0]);
    const bytes = fs.readFileSync(first);
    const secondBatch = 12 + bytes.readInt32BE(8);
    bytes[secondBatch + 70] ^= 0x01;
    fs.writeFileSync(first, bytes);
    const err = await openError(dir);
    expect(err.code).toBe('LOG_CORRUPT');
    expect(err.context).toMatchObject({ file: first, position: secondBatch, lastValidOffset: 1 });
    expect(err.message).toContain(`${first} at position ${secondBatch}`);
    expect(err.message).toContain('CRC');
    // Nothing was dropped by the failed open.
    expect(fs.readFileSync(first).length).toBe(bytes.length);
    const cut = await open(dir, {}, 'truncate');
    expect(cut.recovery?.truncated).toMatchObject({ file: first, position: secondBatch });
    expect(await readAll(cut)).toEqual(expected.slice(0, 2));
  });

  it('treats a cut-short segment followed by a segment with data as corruption, not a torn tail', async () => {
    const dir = tempDir();
    await filled(dir, 20);
    const files = logFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    const middle = path.join(dir, files[1]);
    fs.truncateSync(middle, fs.statSync(middle).size - 3);
    const err = await openError(dir);
    expect(err.code).toBe('LOG_CORRUPT');
    expect(err.context.file).toBe(middle);
    expect((err.context.resumesAt as { file: string }).file).toBe(path.join(dir, files[2]));
  });

  it('checks the tail after a clean shutdown and cuts it if the file was cut', async () => {
    const dir = tempDir();
    const log = await filled(dir, 5);
    await log.close();
    const active = path.join(dir, logFiles(dir).at(-1) as string);
    fs.truncateSync(active, fs.statSync(active).size - 1);
    const reopened = await open(dir);
    expect(reopened.recovery).toMatchObject({ cleanShutdown: true });
    expect(reopened.recovery?.truncated?.file).toBe(active);
    expect(reopened.logEndOffset).toBe(8n);
  });

  it('rebuilds a missing or garbage index of an older segment on first use', async () => {
    const dir = tempDir();
    const log = await filled(dir, 30);
    const expected = await readAll(log);
    await log.close();
    const indexes = fs.readdirSync(dir).filter((f) => f.endsWith('.index')).sort();
    fs.unlinkSync(path.join(dir, indexes[0]));
    fs.writeFileSync(path.join(dir, indexes[1]), Buffer.from('not an index at all!'));
    const reopened = await open(dir);
    expect(await readAll(reopened, 100)).toEqual(expected);
    expect(fs.existsSync(path.join(dir, indexes[0]))).toBe(true);
    expect(fs.statSync(path.join(dir, indexes[1])).size % 8).toBe(0);
  });

  it('recovers everything from the segments when the checkpoint is unreadable, and removes leftovers', async () => {
    const dir = tempDir();
    const log = await filled(dir, 8);
    const expected = await readAll(log);
    await log.close();
    fs.writeFileSync(path.join(dir, 'partition.checkpoint'), 'garbage');
    fs.writeFileSync(path.join(dir, 'partition.checkpoint.tmp'), 'half');
    fs.writeFileSync(path.join(dir, '00000000000000000099.log.deleted'), 'old');
    fs.writeFileSync(path.join(dir, '00000000000000000077.index'), 'orphan');
    const reopened = await open(dir);
    expect(reopened.recovery?.cleanShutdown).toBe(false);
    expect(reopened.recovery?.removedFiles).toEqual(expect.arrayContaining(['partition.checkpoint.tmp', '00000000000000000099.log.deleted', '00000000000000000077.index']));
    expect(await readAll(reopened)).toEqual(expected);
  });
});

describe('recovery of an interrupted cleaner swap', () => {
  const steps: SwapStep[] = ['cleaned-written', 'indexes-swapped', 'log-swapped', 'indexes-live', 'log-live'];
  for (const step of steps) {
    it(`leaves a valid log when the swap stops after "${step}"`, async () => {
      const dir = tempDir();
      const clock = new ManualClock(1_000_000);
      const compacted = { 'cleanup.policy': ['compact' as const], 'segment.bytes': 600 };
      const log = await PartitionLog.open({ dir, topic: 'events', partition: 0, config: config(compacted), clock });
      for (let i = 0; i < 60; i++) await log.append(batchOf([{ key: `k${i % 5}`, value: `v${i}`, timestamp: clock.now() }]), 0);
      const before = await readAll(log);
      const latest = new Map(before.map((r) => [r.key, r.offset]));
      class Crash extends Error {}
      const cleaner = new LogCleaner({
        dedupeBufferSize: 1 << 20, ioBufferSize: 65536, loadFactor: 0.9, clock,
        onSwapStep: (s) => {
          if (s === step) throw new Crash(step);
        },
      });
      await expect(cleaner.clean(log)).rejects.toBeInstanceOf(Crash);
      const reopened = await PartitionLog.open({ dir, topic: 'events', partition: 0, config: config(compacted), clock });
      const after = await readAll(reopened);
      // Every surviving record is one of the originals, at its offset; every latest value survives.
      const original = new Map(before.map((r) => [r.offset, r]));
      for (const r of after) expect(original.get(r.offset)).toEqual(r);
      for (const [key, offset] of latest) expect(after.some((r) => r.key === key && r.offset === offset)).toBe(true);
      expect(after.map((r) => r.offset)).toEqual([...after.map((r) => r.offset)].sort((a, b) => a - b));
      expect(fs.readdirSync(dir).filter((f) => /\.(cleaned|swap)$/.test(f))).toEqual([]);
      // Segments emptied before the interrupted swap were removed (a single rename each).
      expect(after.length).toBeLessThan(before.length);
      expect(reopened.recovery?.completedSwaps.length).toBe(step === 'log-swapped' || step === 'indexes-live' ? 1 : 0);
    });
  }
});
