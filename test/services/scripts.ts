/**
 * Runs the shell scripts of test/services (`up`, `stop`, `start`, `down`, `status`, `kafka-tool`)
 * from TypeScript. The scripts are the single implementation; this only spawns them.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SluiceError } from '../../runtime/util/errors.ts';

export const SERVICES_DIR = import.meta.dirname;

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ScriptOptions {
  /** Written to the script's stdin, which is then closed. */
  input?: string;
  /** Killed (SIGTERM) after this long; the result then has exit code 124, like timeout(1). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Called with each chunk of stderr as it arrives (progress of a slow first provisioning). */
  onStderr?: (chunk: string) => void;
}

/** Runs test/services/SCRIPT with ARGS; resolves with its exit code and output, never rejects on a non-zero exit. */
export function runScript(script: string, args: readonly string[], options: ScriptOptions = {}): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(SERVICES_DIR, script), args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new SluiceError('SERVICE_SCRIPT_FAILED', `cannot run test/services/${script}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: timedOut ? 124 : (code ?? (signal ? 128 : 1)), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a script that exits without reading its stdin is no error
    child.stdin.end(options.input ?? '');
  });
}

/** The `export VAR='value'` lines that `up` and `start` print, as a map. */
export function parseExports(stdout: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^export ([A-Za-z_][A-Za-z0-9_]*)='(.*)'$/.exec(line.trim());
    if (match) vars.set(match[1], match[2]);
  }
  return vars;
}

/** The reason a script gave for failing: its last message line on stderr. */
export function failureReason(result: ScriptResult): string {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines.at(-1);
  if (result.exitCode === 124) return `timed out${last ? ` (last message: ${last})` : ''}`;
  return last ? last.replace(/^services: /, '') : `exited with code ${result.exitCode} and no message`;
}
