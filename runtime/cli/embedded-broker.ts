/**
 * The integrated broker of `connect-standalone` when bootstrap.servers is absent. It runs on its
 * own event loop (a worker thread running embedded-broker-thread.ts), so connector work never
 * stalls request handling and the other way round (DESIGN.md "One process, several event loops").
 * The launcher creates the thread early (preloadEmbeddedBroker), so the broker's code loads while
 * the Connect runtime loads and checks its configs; the runtime then starts it over a message port.
 */
import { getCompileCacheDir } from 'node:module';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { SluiceError } from '../util/errors.ts';

export interface EmbeddedBrokerOptions {
  dataDir: string;
  listeners: string;
  /** Other server.properties entries (the worker's `broker.*` keys, prefix removed). */
  properties: Readonly<Record<string, string>>;
}

export interface EmbeddedBroker {
  /** host:port for clients. */
  readonly bootstrap: string;
  readonly clusterId: string;
  close(): Promise<void>;
}

/** Messages to the broker thread. */
export type BrokerControlMessage = { type: 'start'; options: EmbeddedBrokerOptions } | { type: 'close' };

/** Messages from the broker thread. */
export type BrokerThreadMessage =
  | { type: 'ready'; bootstrap: string; clusterId: string }
  | { type: 'error'; code: string; message: string; context: Record<string, unknown> }
  | { type: 'closed' };

export interface PreloadedBroker {
  /** Control port to hand to the runtime thread (transfer it). */
  port: MessagePort;
  /** Ends the thread (after the broker was closed, or when it was never started). */
  terminate(): Promise<void>;
}

/**
 * The environment for a thread of this process. Node's compile cache (module.enableCompileCache)
 * covers only the thread that enabled it; a thread started with NODE_COMPILE_CACHE set uses it
 * too, so the broker and runtime threads load their modules from the cache as well.
 */
export function threadEnv(): NodeJS.ProcessEnv {
  const cacheDir = getCompileCacheDir();
  return cacheDir === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: cacheDir };
}

/** Creates the broker thread now; it loads the broker and waits for a start message on `port`. */
export function preloadEmbeddedBroker(): PreloadedBroker {
  const { port1, port2 } = new MessageChannel();
  const thread = new Worker(new URL('./embedded-broker-thread.ts', import.meta.url), { workerData: { port: port1 }, transferList: [port1], env: threadEnv() });
  // An error in the thread surfaces as a start or close failure on the port; the launcher ends it.
  thread.on('error', () => undefined);
  return {
    port: port2,
    terminate: async () => {
      await thread.terminate();
    },
  };
}

/**
 * Starts the broker over a preloaded thread's control port (or in a new thread) and resolves once
 * it listens. A start-up failure (port taken, data directory locked, bad broker.* setting)
 * rejects with the broker's error code and message.
 */
export function startEmbeddedBroker(options: EmbeddedBrokerOptions, preloaded?: MessagePort): Promise<EmbeddedBroker> {
  const port = preloaded ?? preloadEmbeddedBroker().port;
  return new Promise((resolve, reject) => {
    let settled = false;
    let onClosed: (() => void) | null = null;
    port.on('message', (message: BrokerThreadMessage) => {
      if (message.type === 'ready' && !settled) {
        settled = true;
        resolve({
          bootstrap: message.bootstrap,
          clusterId: message.clusterId,
          close: () =>
            new Promise<void>((done) => {
              onClosed = done;
              port.postMessage({ type: 'close' } satisfies BrokerControlMessage);
            }),
        });
      } else if (message.type === 'error' && !settled) {
        settled = true;
        port.close();
        reject(new SluiceError(message.code, message.message, { context: message.context }));
      } else if (message.type === 'closed') {
        port.close();
        (onClosed as (() => void) | null)?.();
      }
    });
    // The thread's end closes the port: before ready it is a start failure, after close it is done.
    port.once('close', () => {
      if (!settled) {
        settled = true;
        reject(new SluiceError('BROKER_START_FAILED', 'the integrated broker thread ended before it was ready'));
      }
      (onClosed as (() => void) | null)?.();
    });
    port.postMessage({ type: 'start', options } satisfies BrokerControlMessage);
  });
}
