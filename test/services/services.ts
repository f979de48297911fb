/**
 * What integration tests call to reach the real peers that the global setup started for them.
 * Declare the services at the top of the test file, then ask for their address:
 *
 *   // @services kafka, elasticsearch
 *   const bootstrap = serviceUrl('kafka');        // "127.0.0.1:PORT"
 *   const esUrl = serviceUrl('elasticsearch');    // "http://127.0.0.1:PORT"
 */
import { readFileSync } from 'node:fs';
import { expect, inject } from 'vitest';
import { SluiceError } from '../../runtime/util/errors.ts';
import { PROVIDED_KEY, SERVICE_ENV, declaredServices } from './catalog.ts';
import type { ServiceName } from './catalog.ts';
import { failureReason, runScript } from './scripts.ts';
import type { ScriptOptions, ScriptResult } from './scripts.ts';

export type { ServiceName } from './catalog.ts';

/** A service a test needs is not there: not declared, or it could not start. Never retriable within a run. */
export class ServiceUnavailableError extends SluiceError {
  constructor(service: ServiceName, reason: string) {
    super('SERVICE_UNAVAILABLE', `service ${service} is not available: ${reason}`, { context: { service } });
  }
}

/**
 * The address of a running service: `host:port` for kafka (KAFKA_BOOTSTRAP), `http://host:port`
 * for elasticsearch, `mongodb://host:port/` for ferretdb and mongo-oplog. Throws
 * ServiceUnavailableError, naming the service and the reason, when there is none.
 */
export function serviceUrl(name: ServiceName): string {
  const state = inject(PROVIDED_KEY)?.[name];
  // Checked per file even when another file of the run declared the service, so that a file
  // passes on its own too.
  const file = expect.getState().testPath;
  if (state === undefined || (file !== undefined && !declaredBy(file).includes(name))) {
    throw new ServiceUnavailableError(
      name,
      `it was not started for this run; put a line "// @services ${name}" at the top of the test file`,
    );
  }
  if (!state.ok) throw new ServiceUnavailableError(name, state.reason);
  return state.value;
}

/** Stops a service, keeping its port and data (outage tests); `startService` brings it back. */
export async function stopService(name: ServiceName): Promise<void> {
  requireManaged(name);
  await runOrThrow(name, 'stop');
}

/** Restarts a service stopped with stopService, on the same address and with its data; waits until it is ready. */
export async function startService(name: ServiceName): Promise<void> {
  requireManaged(name);
  await runOrThrow(name, 'start');
}

/**
 * Runs one of Apache Kafka's command-line tools (`kafka-topics`, `kafka-console-producer`,
 * `kafka-console-consumer`, `kafka-consumer-groups`, `kafka-producer-perf-test`,
 * `kafka-consumer-perf-test`, `connect-standalone`, ...; see test/services/kafka-tool).
 * Resolves with the exit code and output; a non-zero exit is for the test to judge.
 */
export function kafkaTool(tool: string, args: readonly string[], options: ScriptOptions = {}): Promise<ScriptResult> {
  return runScript('kafka-tool', [tool, ...args], options);
}

const declared = new Map<string, ServiceName[]>();
function declaredBy(file: string): ServiceName[] {
  let names = declared.get(file);
  if (names === undefined) {
    names = declaredServices(readFileSync(file, 'utf8'), file);
    declared.set(file, names);
  }
  return names;
}

function requireManaged(name: ServiceName): void {
  serviceUrl(name);
  const state = inject(PROVIDED_KEY)?.[name];
  if (state?.ok && !state.managed) {
    throw new ServiceUnavailableError(
      name,
      `it is an outside service (${SERVICE_ENV[name]} is set), so test/services cannot stop or start it`,
    );
  }
}

async function runOrThrow(name: ServiceName, script: 'stop' | 'start'): Promise<void> {
  const result = await runScript(script, [name], { timeoutMs: 300_000 });
  if (result.exitCode !== 0) throw new ServiceUnavailableError(name, `${script} failed: ${failureReason(result)}`);
}
