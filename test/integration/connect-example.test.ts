// examples/quickstart runs as its README says: one command streams input.txt into a topic of the
// integrated broker and out to data/output.txt (run on a copy, with the ports made free).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, REPO, freePort, readOr, run, stop, waitFor } from './connect-harness.ts';

const processes: Running[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await stop(p);
});

describe('examples/quickstart', () => {
  it('streams input.txt through the integrated broker into data/output.txt', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-example-'));
    cpSync(path.join(REPO, 'examples/quickstart'), dir, { recursive: true });
    const worker = path.join(dir, 'worker.properties');
    const text = readFileSync(worker, 'utf8');
    expect(text).toContain('broker.listeners=PLAINTEXT://127.0.0.1:9092');
    writeFileSync(worker, text.replace('127.0.0.1:9092', `127.0.0.1:${await freePort()}`).replace('127.0.0.1:8083', `127.0.0.1:${await freePort()}`).replace('127.0.0.1:8081', `127.0.0.1:${await freePort()}`));
    const cli = run(CONNECT_STANDALONE, ['worker.properties', 'file-source.properties', 'file-sink.properties'], { cwd: dir });
    processes.push(cli);
    const input = readFileSync(path.join(dir, 'input.txt'), 'utf8');
    await waitFor(() => readOr(path.join(dir, 'data/output.txt')) === input, 120_000, 'data/output.txt to equal input.txt', cli);
    expect(await stop(cli)).toBe(0);
    const offsets = JSON.parse(readFileSync(path.join(dir, 'data/connect.offsets'), 'utf8')) as { offsets: Array<{ offset: { position: number } }> };
    expect(offsets.offsets[0].offset.position).toBe(Buffer.byteLength(input));
  });
});
