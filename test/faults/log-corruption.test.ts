import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../../runtime/util/errors.ts';
import { batchPositions, kill9, openLog, readAll, segmentFiles, startChild, tempLogDir, writerValue } from './log-fault-helpers.ts';
import type { Rec } from './log-fault-helpers.ts';

/**
 * A log written by a process killed with -9, then damaged on disk before anything reopened it:
 * recovery scans from the killed writer's recovery point, keeps the valid prefix, cuts a damaged
 * tail, and refuses (naming file and position) damage that valid data follows, until the
 * operator asks to cut there.
 */
let dir: string;
let copy: string;
let written: Rec[];

async function writeAndKill(segmentBytes: number): Promise<void> {
  dir = tempLogDir();
  const child = startChild('log-writer.ts', [dir, String(2 ** 62), String(segmentBytes)]);
  await child.waitFor((l) => /^\d+ \d+$/.test(l) && Number(l.split(' ')[0]) >= 400);
  await kill9(child);
  // What was written, read from a copy so that the log itself stays as the kill left it.
  copy = tempLogDir();
  fs.cpSync(dir, copy, { recursive: true });
  const log = await openLog(copy);
  written = await readAll(log);
  await log.close();
}

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(copy, { recursive: true, force: true });
});

async function openFailure(): Promise<SluiceError> {
  try {
    const log = await openLog(dir);
    await log.close();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('expected the open to fail');
}

function expectPrefix(records: Rec[], length: number): void {
  expect(records).toEqual(written.slice(0, length));
  for (const r of records) expect(r.value).toBe(writerValue(r.offset));
}

describe('a damaged tail after kill -9', () => {
  beforeEach(async () => {
    await writeAndKill(1 << 20);
  });

  it('cuts the active segment truncated mid-batch back to its last whole batch', async () => {
    const active = segmentFiles(dir).at(-1) as string;
    const batches = batchPositions(active);
    const victim = batches.at(-2) as { position: number; size: number; lastOffset: number };
    fs.truncateSync(active, victim.position + Math.floor(victim.size / 2));
    const log = await openLog(dir);
    expect(log.recovery?.truncated).toMatchObject({ file: active, position: victim.position });
    const firstLost = (batches.at(-3)?.lastOffset ?? -1) + 1;
    expectPrefix(await readAll(log), firstLost);
    await log.close();
  });

  it('cuts a flipped byte in the last batch as a torn tail', async () => {
    const active = segmentFiles(dir).at(-1) as string;
    const last = batchPositions(active).at(-1) as { position: number; size: number; lastOffset: number };
    const bytes = fs.readFileSync(active);
    bytes[last.position + last.size - 5] ^= 0x10;
    fs.writeFileSync(active, bytes);
    const previous = batchPositions(active).at(-2) as { lastOffset: number };
    const log = await openLog(dir);
    expect(log.recovery?.truncated).toMatchObject({ file: active, position: last.position });
    expectPrefix(await readAll(log), previous.lastOffset + 1);
    await log.close();
  });
});

describe('damage in the middle of the log after kill -9', () => {
  beforeEach(async () => {
    await writeAndKill(8192);
    expect(segmentFiles(dir).length).toBeGreaterThan(3);
  });

  it('refuses a flipped byte in the middle of a segment, naming file and position, and cuts there on request', async () => {
    const file = segmentFiles(dir)[1];
    const batches = batchPositions(file);
    const victim = batches[Math.floor(batches.length / 2)];
    const bytes = fs.readFileSync(file);
    bytes[victim.position + 61 + 3] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const err = await openFailure();
    expect(err.code).toBe('LOG_CORRUPT');
    expect(err.context).toMatchObject({ file, position: victim.position });
    expect(err.message).toContain(`${file} at position ${victim.position}`);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);

    const log = await openLog(dir, {}, 'truncate');
    const previous = batches[batches.indexOf(victim) - 1];
    expectPrefix(await readAll(log), previous.lastOffset + 1);
    expect(segmentFiles(dir).at(-1)).toBe(file);
    await log.close();
  });

  it('refuses a segment cut short in the middle of the log', async () => {
    const file = segmentFiles(dir)[1];
    fs.truncateSync(file, fs.statSync(file).size - 20);
    const err = await openFailure();
    expect(err.code).toBe('LOG_CORRUPT');
    expect(err.context.file).toBe(file);
    expect((err.context.resumesAt as { file: string }).file).toBe(segmentFiles(dir)[2]);
  });
});
