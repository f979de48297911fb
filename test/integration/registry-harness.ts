/**
 * Helpers for the schema registry tests: a registry in this process or as `sluice registry`
 * processes, each on its own `_schemas` topic and leader group so tests never share state, and a
 * small HTTP client speaking the registry's media type.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pino } from 'pino';
import { startRegistry, type RunningRegistry, type StartRegistryOptions } from '../../schema-registry/http/index.ts';
import { freePort } from '../services/free-port.ts';

export { freePort };

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SLUICE_CLI = path.join(REPO_ROOT, 'runtime/cli/sluice.ts');
export const V1 = 'application/vnd.schemaregistry.v1+json';

export interface RegistryNames {
  topic: string;
  groupId: string;
}

export function uniqueNames(): RegistryNames {
  const id = randomUUID();
  return { topic: `_schemas-${id}`, groupId: `schema-registry-${id}` };
}

export function startTestRegistry(bootstrap: string, names: RegistryNames, options: Partial<StartRegistryOptions> = {}): Promise<RunningRegistry> {
  return startRegistry({
    listeners: 'http://127.0.0.1:0',
    bootstrapServers: bootstrap,
    logger: pino({ level: process.env.SLUICE_LOG_LEVEL ?? 'silent' }),
    ...options,
    store: { topic: names.topic, groupId: names.groupId, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, ...options.store },
  });
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  type: string | null;
}

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': V1, accept: V1, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Raw text (e.g. /schema endpoints, /metrics).
  }
  return { status: response.status, body: parsed, text, type: response.headers.get('content-type') };
}

export interface RegistryProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** Runs `sluice registry` and resolves once it listens. */
export async function spawnRegistry(bootstrap: string, names: RegistryNames, options: { port?: number; overrides?: Record<string, string> } = {}): Promise<RegistryProcess> {
  const port = options.port ?? (await freePort());
  const overrides = Object.entries({
    'kafkastore.topic': names.topic,
    'schema.registry.group.id': names.groupId,
    ...options.overrides,
  }).flatMap(([k, v]) => ['--override', `${k}=${v}`]);
  const child = spawn(process.execPath, [SLUICE_CLI, 'registry', '--listeners', `http://127.0.0.1:${port}`, '--bootstrap-server', bootstrap, ...overrides], {
    env: { ...process.env, SLUICE_LOG_LEVEL: 'info', VITEST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('Schema registry listening on')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`sluice registry exited with code ${code} before it listened:\n${output}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes; the last error or a timeout message fails. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
