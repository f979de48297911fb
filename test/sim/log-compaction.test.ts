import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBatches, encodeBatch } from '../../runtime/broker/log/records.ts';
import type { TopicConfig } from '../../runtime/broker/log/topic-config.ts';
import { TOPIC_CONFIG } from '../../runtime/broker/log/topic-config.ts';
import { LogCleaner } from '../../runtime/broker/storage/log-cleaner.ts';
import { PartitionLog } from '../../runtime/broker/storage/partition-log.ts';
import { ManualClock } from '../../runtime/util/clock.ts';
import { hasCode } from '../../runtime/util/errors.ts';
import type { Random } from '../../runtime/util/random.ts';
import { seededRandom } from '../../runtime/util/random.ts';

/**
 * Seeded simulation of one compacted-and-deleted partition: random appends (keys from a small
 * space, some tombstones), clock jumps, cleaner passes (sometimes with a tiny dedupe buffer),
 * retention, clean reopens and crash reopens. After every step the log is read like a consumer
 * and checked against a model of everything appended. Replay one seed with SLUICE_SIM_SEED=n.
 */
interface Appended {
  key: string;
  value: string | null;
  timestamp: number;
}

interface Model {
  appended: Map<number, Appended>;
  latestByKey: Map<string, number>;
  /** Clock time of the first cleaner pass that covered a tombstone while it was its key's latest record. */
  horizonStart: Map<number, number>;
}

const DELETE_RETENTION_MS = 3000;

function simConfig(random: Random): TopicConfig {
  return {
    ...TOPIC_CONFIG.defaults(),
    'cleanup.policy': ['compact', 'delete'],
    'segment.bytes': 250 + random.int(500),
    'index.interval.bytes': random.int(200),
    'retention.ms': 4000 + random.int(8000),
    'delete.retention.ms': DELETE_RETENTION_MS,
    'min.cleanable.dirty.ratio': [0, 0.2, 0.5][random.int(3)],
    'min.compaction.lag.ms': [0, 0, 500][random.int(3)],
    'file.delete.delay.ms': 0,
    'message.timestamp.after.max.ms': 2 ** 63,
  };
}

async function readEverything(log: PartitionLog, random: Random): Promise<{ offset: number; key: string | null; value: string | null; timestamp: number }[]> {
  const out = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const result = await log.read(offset, 1 + random.int(400));
    if (result.records.length === 0) throw new Error(`read at ${offset} returned nothing below the high watermark ${log.highWatermark}`);
    for (const batch of decodeBatches(result.records)) {
      for (const r of batch.records) {
        if (r.offset < offset) continue;
        out.push({
          offset: Number(r.offset),
          key: r.key === null ? null : Buffer.from(r.key).toString(),
          value: r.value === null ? null : Buffer.from(r.value).toString(),
          timestamp: Number(r.timestamp),
        });
      }
    }
    offset = result.nextOffset;
  }
  return out;
}

async function checkInvariants(log: PartitionLog, model: Model, clock: ManualClock, random: Random): Promise<void> {
  const logStart = Number(log.logStartOffset);
  const cleanerOffset = Number(log.cleanerOffset);
  expect(log.highWatermark).toBe(log.logEndOffset);
  const records = await readEverything(log, random);
  let previous = -1;
  const seenInCleanPart = new Set<string>();
  for (const r of records) {
    // Offsets strictly increase, never below the log start offset.
    expect(r.offset).toBeGreaterThan(previous);
    expect(r.offset).toBeGreaterThanOrEqual(logStart);
    previous = r.offset;
    // Every record is exactly what was appended at that offset.
    const original = model.appended.get(r.offset);
    expect(original).toBeDefined();
    expect({ key: r.key, value: r.value, timestamp: r.timestamp }).toEqual(original);
    // The compacted part holds each key at most once.
    if (r.offset < cleanerOffset) {
      expect(seenInCleanPart.has(r.key as string), `key ${r.key} twice below the cleaner offset ${cleanerOffset}`).toBe(false);
      seenInCleanPart.add(r.key as string);
    }
  }
  const present = new Set(records.map((r) => r.offset));
  for (const [key, offset] of model.latestByKey) {
    if (offset < logStart || present.has(offset)) continue;
    const latest = model.appended.get(offset) as Appended;
    // A key's latest value never disappears; its latest tombstone only after delete.retention.ms.
    expect(latest.value, `latest record of ${key} at ${offset} is gone`).toBeNull();
    const start = model.horizonStart.get(offset);
    expect(start, `tombstone ${key}@${offset} vanished before any cleaner pass kept it`).toBeDefined();
    expect(clock.now() - (start as number), `tombstone ${key}@${offset} expired early`).toBeGreaterThanOrEqual(DELETE_RETENTION_MS);
  }
  if (logStart > 0) {
    await expect(log.read(BigInt(logStart - 1), 100)).rejects.toSatisfy((err: unknown) => hasCode(err, 'OFFSET_OUT_OF_RANGE'));
  }
}

interface Coverage {
  passes: number;
  recordsDropped: number;
  tombstonesDropped: number;
  segmentsDeleted: number;
  reopens: number;
}

async function simulate(seed: number, steps: number, coverage: Coverage): Promise<void> {
  const random = seededRandom(seed);
  const clock = new ManualClock(1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-sim-log-${seed}-`));
  const config = simConfig(random);
  const open = (): Promise<PartitionLog> => PartitionLog.open({ dir, topic: 'sim', partition: 0, config, clock, random });
  const model: Model = { appended: new Map(), latestByKey: new Map(), horizonStart: new Map() };
  const keys = 6 + random.int(20);
  let log = await open();
  let step = 0;
  try {
    for (; step < steps; step++) {
      const op = random.int(100);
      if (op < 55) {
        const count = 1 + random.int(5);
        const records = Array.from({ length: count }, () => {
          const key = `key-${random.int(keys)}`;
          return { key, value: random.int(100) < 15 ? null : `v${step}-${random.int(1000)}`, timestamp: clock.now() };
        });
        const result = await log.append(
          encodeBatch({ records: records.map((r) => ({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp: BigInt(r.timestamp) })) }),
          0,
        );
        records.forEach((r, i) => {
          const offset = Number(result.baseOffset) + i;
          model.appended.set(offset, r);
          model.latestByKey.set(r.key, offset);
        });
        clock.advance(random.int(60));
      } else if (op < 75) {
        const small = random.int(4) === 0;
        const cleaner = new LogCleaner({ dedupeBufferSize: small ? 20 * (8 + random.int(20)) : 1 << 20, ioBufferSize: 1024, loadFactor: 0.9, clock, yieldToOthers: () => Promise.resolve() });
        const result = await cleaner.clean(log);
        if (result !== undefined) {
          coverage.passes++;
          coverage.recordsDropped += result.stats.recordsRead - result.stats.recordsKept;
          coverage.tombstonesDropped += result.stats.tombstonesDropped;
          for (const [, offset] of model.latestByKey) {
            if (offset < result.endOffset && model.appended.get(offset)?.value === null && !model.horizonStart.has(offset)) model.horizonStart.set(offset, clock.now());
          }
        }
      } else if (op < 83) {
        coverage.segmentsDeleted += (await log.applyRetention()).deletedSegments;
      } else if (op < 93) {
        clock.advance(random.int(2500));
      } else if (op < 97) {
        await log.close();
        log = await open();
        coverage.reopens++;
      } else {
        // A crash: the process dies without closing; everything written is in the page cache.
        log = await open();
        coverage.reopens++;
        expect(log.recovery?.cleanShutdown).toBe(false);
      }
      await checkInvariants(log, model, clock, random);
    }
    await log.close();
  } catch (err) {
    (err as Error).message = `log simulation failed with seed ${seed} at step ${step} (replay: SLUICE_SIM_SEED=${seed}): ${(err as Error).message}`;
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('log simulation: appends, compaction, retention, reopen', () => {
  const replay = process.env.SLUICE_SIM_SEED;
  const seeds = replay !== undefined ? [Number(replay)] : [1, 2, 3, 4, 5, 6];
  const total: Coverage = { passes: 0, recordsDropped: 0, tombstonesDropped: 0, segmentsDeleted: 0, reopens: 0 };
  for (const seed of seeds) {
    it(`holds every invariant for seed ${seed}`, async () => {
      const coverage: Coverage = { passes: 0, recordsDropped: 0, tombstonesDropped: 0, segmentsDeleted: 0, reopens: 0 };
      await simulate(seed, 250, coverage);
      expect(coverage.passes).toBeGreaterThan(0);
      expect(coverage.recordsDropped).toBeGreaterThan(0);
      for (const key of Object.keys(total) as (keyof Coverage)[]) total[key] += coverage[key];
    });
  }
  it('exercised tombstone expiry, retention and reopening across the seeds', () => {
    expect(total.tombstonesDropped).toBeGreaterThan(0);
    expect(total.segmentsDeleted).toBeGreaterThan(0);
    expect(total.reopens).toBeGreaterThan(0);
  });
});
