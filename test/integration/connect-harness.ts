// Runs `connect-standalone` and `sluice broker` as child processes for the Connect worker's
// integration, fault and benchmark tests; collects their output for failure messages.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../services/free-port.ts';

export { freePort };

export const REPO = path.resolve(import.meta.dirname, '../..');
export const CONNECT_STANDALONE = path.join(REPO, 'runtime/cli/bin/connect-standalone.js');
export const SLUICE = path.join(REPO, 'runtime/cli/bin/sluice.js');

export interface Running {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<number | string>;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const child = spawn(process.execPath, [command, ...args], {
    cwd: options.cwd,
    env: { ...process.env, SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output: () => output, exited };
}

/** Starts `sluice broker` and waits until it accepts connections. */
export async function startSluiceBroker(dataDir: string, port: number): Promise<Running> {
  const broker = run(SLUICE, ['broker', '--data-dir', dataDir, '--listeners', `PLAINTEXT://127.0.0.1:${port}`]);
  await waitFor(() => broker.output().includes('broker started'), 60_000, 'sluice broker to start', broker);
  return broker;
}

/** Polls `check` until it holds; fails (with the process output) on timeout or when `process` exits. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, process?: Running): Promise<void> {
  let ended = false;
  void process?.exited.then(() => (ended = true));
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (ended) throw new Error(`waiting for ${what}: the process exited\n${process!.output().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${process ? `\n${process.output().slice(-4000)}` : ''}`);
    await sleep(200);
  }
}

export function readOr(file: string, fallback = ''): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`. Resolves with its exit code. */
export async function stop(process: Running, graceMs = 20_000): Promise<number | string> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return process.exited;
  process.child.kill('SIGTERM');
  const timer = setTimeout(() => process.child.kill('SIGKILL'), graceMs);
  const code = await process.exited;
  clearTimeout(timer);
  return code;
}

export function properties(entries: Record<string, string | number>): string {
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}
