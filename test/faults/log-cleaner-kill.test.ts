import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../runtime/broker/log/records.ts';
import type { Rec } from './log-fault-helpers.ts';
import { kill9, openLog, readAll, startChild, tempLogDir } from './log-fault-helpers.ts';

const compacted = { 'cleanup.policy': ['compact' as const] };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function populated(): Promise<{ dir: string; before: Rec[] }> {
  const dir = tempLogDir();
  dirs.push(dir);
  const log = await openLog(dir, compacted);
  for (let i = 0; i < 600; i++) {
    const records = [0, 1, 2].map((j) => ({ key: Buffer.from(`key-${(i * 3 + j) % 37}`), value: (i * 3 + j) % 11 === 0 ? null : Buffer.from(`value-${i * 3 + j}-${'p'.repeat(j * 20)}`), timestamp: BigInt(Date.now()) }));
    await log.append(encodeBatch({ records }), 0);
  }
  log.roll();
  const before = await readAll(log);
  await log.close();
  return { dir, before };
}

async function expectValidLog(dir: string, before: Rec[]): Promise<Rec[]> {
  const log = await openLog(dir, compacted);
  const after = await readAll(log);
  await log.close();
  const original = new Map(before.map((r) => [r.offset, r]));
  const latest = new Map(before.map((r) => [r.key, r.offset]));
  // Only original records, at their offsets, in order; every key's latest record survives.
  for (const r of after) expect(original.get(r.offset)).toEqual(r);
  expect(after.map((r) => r.offset)).toEqual([...after.map((r) => r.offset)].sort((a, b) => a - b));
  const present = new Set(after.map((r) => r.offset));
  for (const [key, offset] of latest) expect(present.has(offset), `latest ${key}@${offset}`).toBe(true);
  expect(fs.readdirSync(dir).filter((f) => /\.(cleaned|swap)$/.test(f))).toEqual([]);
  return after;
}

describe('kill -9 of the log cleaner', () => {
  for (const step of ['cleaned-written', 'indexes-swapped', 'log-swapped', 'indexes-live', 'log-live']) {
    it(`leaves a valid log when killed at swap step "${step}"`, async () => {
      const { dir, before } = await populated();
      const child = startChild('log-cleaner.ts', [dir, step]);
      const { signal } = await child.exited;
      expect(signal).toBe('SIGKILL');
      const after = await expectValidLog(dir, before);
      expect(after.length).toBeLessThan(before.length);
      // A later pass completes the job.
      const finisher = startChild('log-cleaner.ts', [dir, 'none']);
      await finisher.waitFor((l) => l.startsWith('cleaned'));
      expect((await finisher.exited).code).toBe(0);
      const final = await expectValidLog(dir, before);
      expect(new Set(final.map((r) => r.key)).size).toBe(final.length);
    });
  }

  it('leaves a valid log when killed at random moments', async () => {
    const { dir, before } = await populated();
    for (let round = 0; round < 4; round++) {
      const child = startChild('log-cleaner.ts', [dir, 'none']);
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 400));
      await kill9(child);
      await expectValidLog(dir, before);
    }
  });
});
