import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskDriver, lines, tempDir } from './harness.ts';

let dir: string;
let cleanup: () => Promise<void>;
const drivers: TaskDriver[] = [];
beforeEach(async () => ({ dir, cleanup } = await tempDir('file-window-')));
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
  await cleanup();
});

describe('max.uncommitted.records', () => {
  it('holds polling at the bound until an offset flush, so a crash repeats at most that many records', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 1000));
    const props = { name: 'w', topic: 't', 'file.paths': file, 'batch.size': '100', 'max.uncommitted.records': '150', 'poll.interval.ms': '5' };
    const first = await TaskDriver.start(props);
    drivers.push(first);
    expect(await first.poll()).toHaveLength(100);
    expect(await first.poll()).toHaveLength(50);
    expect(await first.poll()).toHaveLength(0);
    await first.ack(120); // acknowledged but not flushed: still uncommitted
    expect(await first.poll()).toHaveLength(0);
    await first.commit();
    expect(await first.poll()).toHaveLength(100);
    expect(await first.poll()).toHaveLength(20);
    expect(await first.poll()).toHaveLength(0);
    // kill -9 now: 150 records polled after the last committed offset are sent again, no more.
    const second = await TaskDriver.start(props, first.offsets);
    drivers.push(second);
    const again = await second.pollUntil((got) => got.length >= 150, 5);
    expect(again.map((r) => r.value)).toEqual(first.polled.slice(120).map((r) => r.value));
  });

  it('is off by default: polls do not wait for flushes', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines(1, 500));
    const driver = await TaskDriver.start({ name: 'w', topic: 't', 'file.paths': file, 'batch.size': '100', 'poll.interval.ms': '5' });
    drivers.push(driver);
    expect((await driver.pollUntil((got) => got.length >= 500, 10)).length).toBe(500);
  });
});
