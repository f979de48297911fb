/**
 * The integrated broker of `connect-standalone` when bootstrap.servers is absent. It runs on its
 * own event loop (a worker thread running embedded-broker-thread.ts), so connector work never
 * stalls request handling and the other way round (DESIGN.md "One process, several event loops").
 */
import { Worker } from 'node:worker_threads';
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

/** Messages from the broker thread. */
export type BrokerThreadMessage =
  | { type: 'ready'; bootstrap: string; clusterId: string }
  | { type: 'error'; code: string; message: string; context: Record<string, unknown> }
  | { type: 'closed' };

/**
 * Starts the broker thread and resolves once it listens. A start-up failure (port taken, data
 * directory locked, bad broker.* setting) rejects with the broker's error code and message, and
 * the thread is gone.
 */
export function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const thread = new Worker(new URL('./embedded-broker-thread.ts', import.meta.url), { workerData: options });
  return new Promise((resolve, reject) => {
    let settled = false;
    let closing: ((value: void) => void) | null = null;
    const exited = new Promise<void>((done) => thread.once('exit', () => done()));
    thread.on('message', (message: BrokerThreadMessage) => {
      if (message.type === 'ready' && !settled) {
        settled = true;
        resolve({
          bootstrap: message.bootstrap,
          clusterId: message.clusterId,
          close: async () => {
            const closed = new Promise<void>((done) => {
              closing = done;
            });
            thread.postMessage({ type: 'close' });
            await Promise.race([closed, exited]);
            await exited;
          },
        });
      } else if (message.type === 'error' && !settled) {
        settled = true;
        reject(new SluiceError(message.code, message.message, { context: message.context }));
      } else if (message.type === 'closed') {
        (closing as ((value: void) => void) | null)?.();
      }
    });
    thread.once('error', (err) => {
      if (!settled) {
        settled = true;
        reject(new SluiceError('BROKER_START_FAILED', `the integrated broker failed to start: ${err.message}`, { cause: err }));
      }
    });
    thread.once('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new SluiceError('BROKER_START_FAILED', `the integrated broker thread exited with code ${code} before it was ready`));
      }
    });
  });
}
