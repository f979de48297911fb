/**
 * The brokers the client and CLI integration tests run against. Apache Kafka from test/services
 * always; Sluice's own broker (`sluice broker`, started per test file on a free port) too when
 * SLUICE_TEST_BROKERS lists it, e.g. SLUICE_TEST_BROKERS=kafka,sluice. Tests take the bootstrap
 * address from the target, so every scenario runs unchanged against each broker.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import { freePort } from '../services/free-port.ts';

export type BrokerName = 'kafka' | 'sluice';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SLUICE_CLI = path.join(REPO_ROOT, 'runtime/cli/sluice.ts');

/** Broker names selected for this run. */
export function brokerNames(): BrokerName[] {
  const names = (process.env.SLUICE_TEST_BROKERS ?? 'kafka').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) if (name !== 'kafka' && name !== 'sluice') throw new Error(`SLUICE_TEST_BROKERS: unknown broker '${name}' (known: kafka, sluice)`);
  return names as BrokerName[];
}

/**
 * Registers hooks that make the named broker available to the enclosing describe block and
 * returns a getter for its bootstrap address (valid inside tests and later hooks).
 */
export function useBroker(name: BrokerName): () => string {
  let bootstrap: string | undefined;
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let log = '';
  let stopping = false;
  beforeAll(async () => {
    if (name === 'kafka') {
      bootstrap = serviceUrl('kafka');
      return;
    }
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-client-test-broker-'));
    const port = await freePort();
    child = spawn(process.execPath, [SLUICE_CLI, 'broker', '--data-dir', dataDir, '--listeners', `PLAINTEXT://127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn' },
    });
    child.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000)));
    child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000)));
    await waitForPort(port, 30_000, child, () => log);
    // A broker that dies mid-file makes every later test fail with ECONNREFUSED; say why once.
    child.once('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`[client-targets] sluice broker exited (code ${code}, signal ${signal}); last output:\n${log}\n`);
    });
    bootstrap = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    stopping = true;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (bootstrap === undefined) throw new Error(`broker ${name} is not started (useBroker must run in a describe block)`);
    return bootstrap;
  };
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sluice broker exited with ${child.exitCode} before listening:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`sluice broker did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

/** Runs `sluice ARGS...` with optional stdin; never throws on a non-zero exit. */
export async function runSluice(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = execFileAsync(process.execPath, [SLUICE_CLI, ...args], { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SLUICE_LOG_LEVEL: 'error' } });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { exitCode: 0, stdout, stderr };
  } catch (err) {
    const failure = err as { code?: number | string; stdout?: string; stderr?: string };
    return { exitCode: typeof failure.code === 'number' ? failure.code : -1, stdout: failure.stdout ?? '', stderr: `${failure.stderr ?? ''}${typeof failure.code === 'string' ? ` (${failure.code})` : ''}` };
  }
}

/** A topic name unique to this run. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
