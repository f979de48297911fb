/**
 * `connect-standalone worker.properties [connector.properties|connector.json ...]`, as Kafka
 * Connect's ConnectStandalone. This launcher runs the Connect runtime (standalone-runtime.ts) on a
 * worker thread with a bounded heap: left to its defaults V8 lets a streaming worker's heap grow
 * to several hundred MB of garbage before collecting; with these limits the whole process stays
 * near 200 MB (see resourceLimits). It turns start-up failures into one error line and a non-zero exit, and SIGTERM /
 * SIGINT into a graceful stop (tasks flush, offsets are written) and exit 0. Everything runs in
 * this one process, so kill -9 stops all of it at once.
 */
import { enableCompileCache } from 'node:module';
import { Worker } from 'node:worker_threads';
import { readPropertiesFile } from '../connect/config/properties-file.ts';
import { SluiceError } from '../util/errors.ts';
import { preloadEmbeddedBroker, threadEnv } from './embedded-broker.ts';
import type { RuntimeMessage } from './standalone-runtime.ts';

export const USAGE = 'Usage: connect-standalone worker.properties [connector.properties|connector.json ...]\n';

/**
 * The runtime thread's old generation, unless SLUICE_CONNECT_HEAP_MB sets it. The limit
 * also sets how far V8 lets the heap grow past its live size before the next full collection:
 * 1.3× at 256 MB, rising to 4× at 2 GB. At 256 MB a streaming worker spent a third of its CPU
 * collecting (file → topic → file, 1M lines: ~960 against ~630 CPU ticks at 1536 MB, peak RSS
 * ~205 against ~215 MB); at 2 GB it used ~440 ticks but peaked near 300 MB.
 *
 * The young generation is 40 MB rather than 24: records in flight (sent, not yet acknowledged;
 * fetched, not yet put) outlived two scavenges of the smaller one, were promoted, and kept V8's
 * concurrent marker busy on the second core that the broker needs. File → topic → file, 1M
 * lines: 361 → 187 scavenges, 47 → 27 full collections, ~650 → ~550 CPU ticks, peak RSS within
 * the run-to-run spread (232–240 MB both ways). 64 MB collected more often again.
 */
const DEFAULT_HEAP_MB = 1536;
const YOUNG_GENERATION_MB = 40;

function resourceLimits(): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  const configured = Number(process.env.SLUICE_CONNECT_HEAP_MB);
  return { maxOldGenerationSizeMb: Number.isInteger(configured) && configured >= 64 ? configured : DEFAULT_HEAP_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
}

/** Whether the worker file leaves bootstrap.servers out (an unreadable file is reported by the runtime). */
async function usesIntegratedBroker(workerFile: string): Promise<boolean> {
  try {
    const servers = (await readPropertiesFile(workerFile)).entries.get('bootstrap.servers');
    return servers === undefined || servers.trim() === '';
  } catch {
    return false;
  }
}

export async function runStandalone(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.some((a) => a.startsWith('-'))) {
    const unknown = argv.find((a) => a.startsWith('-') && a !== '--help' && a !== '-h');
    if (unknown !== undefined) throw new SluiceError('CLI_ARGUMENT_UNKNOWN', `unknown option ${unknown}\n${USAGE}`, { context: { arg: unknown } });
    process.stdout.write(USAGE);
    return argv.length === 0 ? 1 : 0;
  }
  // Node's on-disk compile cache (type-stripped and compiled modules) cuts start-up time by about
  // a third after the first run; the runtime and broker threads get it through threadEnv().
  enableCompileCache();
  // With the integrated broker, its thread loads the broker's code while the runtime loads its own
  // and checks the configs; it starts nothing until the runtime asks.
  const broker = (await usesIntegratedBroker(argv[0])) ? preloadEmbeddedBroker() : undefined;
  const runtime = new Worker(new URL('./standalone-runtime.ts', import.meta.url), {
    workerData: { kind: 'connect-standalone', argv, ...(broker === undefined ? {} : { brokerPort: broker.port }) },
    transferList: broker === undefined ? [] : [broker.port],
    resourceLimits: resourceLimits(),
    env: threadEnv(),
  });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    runtime.postMessage({ type: 'stop', signal });
  };
  const exited = new Promise<number>((resolve) => runtime.once('exit', resolve));
  // A stop asked for during start-up is handled by the runtime once it has started.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const outcome = await new Promise<RuntimeMessage | Error>((resolve) => {
      runtime.on('message', (message: RuntimeMessage) => {
        if (message.type === 'failed' || message.type === 'stopped') resolve(message);
      });
      runtime.once('error', (err) => resolve(err));
      void exited.then((code) => resolve(new SluiceError('CONNECT_RUNTIME_EXITED', `the Connect runtime thread exited unexpectedly (code ${code})`)));
    });
    if (outcome instanceof Error) {
      const code = (outcome as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'OUT_OF_MEMORY' : 'CONNECT_RUNTIME_FAILED';
      const hint = code === 'OUT_OF_MEMORY' ? ` (heap limit ${resourceLimits().maxOldGenerationSizeMb} MB; raise it with SLUICE_CONNECT_HEAP_MB)` : '';
      throw new SluiceError(code, `the Connect runtime failed: ${outcome.message}${hint}`, { cause: outcome });
    }
    if (outcome.type === 'failed') {
      if (process.env.SLUICE_DEBUG && outcome.stack) process.stderr.write(`${outcome.stack}\n`);
      throw new SluiceError(outcome.code, outcome.message);
    }
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // Clients may keep idle sockets or timers on the runtime thread; nothing is left to do there.
    await runtime.terminate();
    await broker?.terminate();
  }
}
