import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBatches } from '../../runtime/broker/log/records.ts';
import { TOPIC_CONFIG } from '../../runtime/broker/log/topic-config.ts';
import type { TopicConfig } from '../../runtime/broker/log/topic-config.ts';
import { PartitionLog } from '../../runtime/broker/storage/partition-log.ts';

/** Helpers of the log fault tests: child processes that write or clean a log, and full reads. */
export const FIXTURES = path.join(import.meta.dirname, 'fixtures');

export function tempLogDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-faults-log-'));
}

export interface Child {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first line for which `match` holds. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [path.join(FIXTURES, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.match(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    lines,
    exited,
    waitFor(match, timeoutMs = 60_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child ${script} printed no matching line in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`child ${script} exited (${code ?? signal}) before a matching line; stderr: ${stderr}`));
        });
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

/** kill -9 and wait for the exit. */
export async function kill9(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

export function faultConfig(overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { ...TOPIC_CONFIG.defaults(), 'segment.bytes': 4096, 'index.interval.bytes': 512, ...overrides };
}

export function openLog(dir: string, overrides: Partial<TopicConfig> = {}, onCorruption?: 'fail' | 'truncate'): Promise<PartitionLog> {
  return PartitionLog.open({ dir, topic: 'faults', partition: 0, config: faultConfig(overrides), onCorruption });
}

export interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
}

export async function readAll(log: PartitionLog): Promise<Rec[]> {
  const out: Rec[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const result = await log.read(offset, 64 * 1024);
    if (result.records.length === 0) break;
    for (const batch of decodeBatches(result.records)) {
      for (const r of batch.records) {
        if (r.offset < offset) continue;
        out.push({ offset: Number(r.offset), key: r.key === null ? null : Buffer.from(r.key).toString(), value: r.value === null ? null : Buffer.from(r.value).toString() });
      }
    }
    offset = result.nextOffset;
  }
  return out;
}

/** The log written by log-writer.ts: record n holds "v-n-" and n % 300 x's. */
export function writerValue(offset: number): string {
  return `v-${offset}-${'x'.repeat(offset % 300)}`;
}

/** Segment files in offset order. */
export function segmentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Byte positions of the batches of a segment file (header walk). */
export function batchPositions(file: string): { position: number; size: number; lastOffset: number }[] {
  const bytes = fs.readFileSync(file);
  const out = [];
  for (let at = 0; at + 61 <= bytes.length; ) {
    const size = 12 + bytes.readInt32BE(at + 8);
    if (at + size > bytes.length) break;
    out.push({ position: at, size, lastOffset: Number(bytes.readBigInt64BE(at)) + bytes.readInt32BE(at + 23) });
    at += size;
  }
  return out;
}
