/**
 * Vitest global setup of the "integration" project. It reads the `// @services` line of every
 * test file selected for this run, starts the union of those services in parallel through
 * test/services/up (which reuses running ones and honours the env overrides), and provides the
 * result to tests (see services.ts: serviceUrl). A service that cannot start does not abort the
 * run: the tests that need it fail, naming it and the reason, and the others still run.
 *
 * The run takes a lease (named by its process id) on what it uses: at teardown, a service that a
 * test run started stops once no live run uses it any more, so runs on one machine can share
 * services; services that someone started by hand (or CI before the tests), or given through the
 * environment, stay. SLUICE_SERVICES_KEEP=1 keeps everything this run used running.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROVIDED_KEY, SERVICE_ENV, declaredServices } from './catalog.ts';
import type { ServiceName, ServiceStates } from './catalog.ts';
import { failureReason, parseExports, runScript } from './scripts.ts';

/** First provisioning downloads and builds several hundred MB; later starts take well under this. */
const UP_TIMEOUT_MS = 20 * 60_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const needs = await servicesNeeded(await selectedFiles(project), project.config.root);
  const names = [...needs.keys()];
  const states: ServiceStates = {};
  const lease = String(process.pid);
  if (names.length > 0) {
    const began = Date.now();
    log(`starting ${names.join(', ')} for ${[...new Set([...needs.values()].flat())].length} test file(s)`);
    await Promise.all(
      names.map(async (name) => {
        const external = process.env[SERVICE_ENV[name]] !== undefined && process.env[SERVICE_ENV[name]] !== '';
        const result = await runScript('up', ['--lease', lease, name], {
          timeoutMs: UP_TIMEOUT_MS,
          onStderr: (chunk) => process.stderr.write(chunk),
        });
        const value = parseExports(result.stdout).get(SERVICE_ENV[name]);
        if (result.exitCode === 0 && value !== undefined) {
          states[name] = { ok: true, value, managed: !external };
          process.env[SERVICE_ENV[name]] = value;
        } else {
          states[name] = { ok: false, reason: failureReason(result) };
        }
      }),
    );
    const failed = names.filter((n) => states[n]?.ok !== true);
    log(
      `ready in ${((Date.now() - began) / 1000).toFixed(1)} s: ${names.filter((n) => !failed.includes(n)).join(', ') || 'none'}` +
        (failed.length > 0 ? `; FAILED: ${failed.join(', ')} (their tests will fail)` : ''),
    );
  }
  project.provide(PROVIDED_KEY, states);

  return async () => {
    if (names.length === 0) return;
    const keep = process.env.SLUICE_SERVICES_KEEP === '1' ? ['--keep'] : [];
    const result = await runScript('down', ['--release', lease, ...keep], { timeoutMs: 120_000 });
    if (result.exitCode !== 0) log(`releasing the services failed: ${failureReason(result)}`);
  };
}

/** The test files of this project that this run selected (CLI filters applied). */
async function selectedFiles(project: TestProject): Promise<string[]> {
  const selected = project.vitest.state.getPaths().filter((file) => project.matchesTestGlob(file));
  if (selected.length > 0) return selected;
  return (await project.globTestFiles()).testFiles;
}

/** Service -> the files that declared it. */
async function servicesNeeded(files: string[], root: string): Promise<Map<ServiceName, string[]>> {
  const needs = new Map<ServiceName, string[]>();
  for (const file of files) {
    const relative = path.relative(root, file);
    for (const name of declaredServices(await readFile(file, 'utf8'), relative)) {
      needs.set(name, [...(needs.get(name) ?? []), relative]);
    }
  }
  return needs;
}

function log(message: string): void {
  process.stderr.write(`[services] ${message}\n`);
}
