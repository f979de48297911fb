import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { batchPositions, kill9, openLog, readAll, segmentFiles, startChild, tempLogDir, writerValue } from './log-fault-helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function parseAck(line: string): { lastOffset: number; recoveryPoint: number } | undefined {
  const m = /^(\d+) (\d+)$/.exec(line);
  return m === null ? undefined : { lastOffset: Number(m[1]), recoveryPoint: Number(m[2]) };
}

describe('kill -9 of a process appending to a log', () => {
  it('keeps every acknowledged record across repeated kills, with a valid prefix', async () => {
    const dir = tempLogDir();
    dirs.push(dir);
    let acked = -1;
    for (let round = 0; round < 4; round++) {
      const child = startChild('log-writer.ts', [dir, String(2 ** 62), '8192']);
      await child.waitFor((l) => l.startsWith('ready'));
      // Kill somewhere between 30 and 300 acknowledged appends in: mid-append is likely.
      const target = 30 + Math.floor(Math.random() * 270);
      await child.waitFor(() => child.lines.filter((x) => parseAck(x) !== undefined).length >= target);
      await kill9(child);
      for (const line of child.lines) acked = Math.max(acked, parseAck(line)?.lastOffset ?? -1);

      const log = await openLog(dir);
      expect(log.recovery?.cleanShutdown).toBe(false);
      const records = await readAll(log);
      // Offsets 0.. without gaps, each record exactly as written, and nothing acknowledged missing.
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: records.length }, (_, i) => i));
      for (const r of records) expect(r.value).toBe(writerValue(r.offset));
      expect(records.length).toBeGreaterThan(acked);
      await log.close();
    }
  });

  it('keeps everything fsynced (flush.messages=1) when the unflushed tail is lost as in a power cut', async () => {
    const dir = tempLogDir();
    dirs.push(dir);
    const child = startChild('log-writer.ts', [dir, '1', '8192']);
    await child.waitFor(() => child.lines.filter((x) => parseAck(x) !== undefined).length >= 80);
    await kill9(child);
    const acks = child.lines.map(parseAck).filter((a) => a !== undefined);
    const durable = Math.max(...acks.map((a) => a.recoveryPoint));
    // With flush.messages=1 every acknowledgement came after its fsync.
    expect(durable).toBe(Math.max(...acks.map((a) => a.lastOffset)) + 1);

    // Simulate what power loss may do to bytes after the last fsync: garbage in place of the tail.
    const active = segmentFiles(dir).at(-1) as string;
    const batches = batchPositions(active);
    const firstUnsynced = batches.find((b) => b.lastOffset >= durable);
    const cut = firstUnsynced?.position ?? fs.statSync(active).size;
    const garbage = Buffer.alloc(3000, 0);
    garbage.fill(0xa5, 100, 900);
    fs.truncateSync(active, cut);
    fs.appendFileSync(active, garbage);

    const log = await openLog(dir);
    expect(log.recovery?.truncated?.position).toBe(cut);
    const records = await readAll(log);
    expect(records.length).toBeGreaterThanOrEqual(durable);
    for (const r of records) expect(r.value).toBe(writerValue(r.offset));
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: records.length }, (_, i) => i));
    await log.close();
  });
});
