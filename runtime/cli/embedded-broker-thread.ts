/**
 * Entry of the integrated broker's worker thread (see embedded-broker.ts). Loading this module
 * loads the broker; the broker starts when a `start` message with its options arrives on the
 * control port (workerData.port, or the parent port), so the thread can be created early and load
 * in parallel with the Connect runtime. It reports ready or the start-up error, and closes the
 * broker cleanly on `close`.
 */
import type { MessagePort } from 'node:worker_threads';
import { parentPort, workerData } from 'node:worker_threads';
import { startBroker } from '../broker/server/broker.ts';
import { createLogger } from '../observability/logger.ts';
import { SluiceError, messageOf } from '../util/errors.ts';
import type { BrokerControlMessage, BrokerThreadMessage, EmbeddedBrokerOptions } from './embedded-broker.ts';

const control: MessagePort = (workerData as { port?: MessagePort } | null)?.port ?? parentPort!;
const send = (message: BrokerThreadMessage): void => control.postMessage(message);

async function start(options: EmbeddedBrokerOptions): Promise<void> {
  try {
    const broker = await startBroker({
      config: { properties: options.properties, dataDir: options.dataDir, listeners: options.listeners },
      logger: createLogger(),
    });
    const host = broker.listeners[0].host === '' || broker.listeners[0].host === '0.0.0.0' ? '127.0.0.1' : broker.listeners[0].host;
    control.on('message', (message: BrokerControlMessage) => {
      if (message.type !== 'close') return;
      void broker
        .close()
        .catch(() => undefined)
        .finally(() => {
          send({ type: 'closed' });
          control.close();
        });
    });
    send({ type: 'ready', bootstrap: `${host.includes(':') ? `[${host}]` : host}:${broker.port}`, clusterId: broker.clusterId });
  } catch (err) {
    const code = err instanceof SluiceError ? err.code : 'BROKER_START_FAILED';
    const context = err instanceof SluiceError ? err.context : {};
    send({ type: 'error', code, message: messageOf(err), context: JSON.parse(JSON.stringify(context)) as Record<string, unknown> });
    control.close();
  }
}

control.once('message', (message: BrokerControlMessage) => {
  if (message.type === 'start') void start(message.options);
  else control.close();
});
