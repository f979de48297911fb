/**
 * Entry of the integrated broker's worker thread (see embedded-broker.ts): starts the broker from
 * workerData, reports ready or the start-up error, and closes it cleanly when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startBroker } from '../broker/server/broker.ts';
import { createLogger } from '../observability/logger.ts';
import { SluiceError, messageOf } from '../util/errors.ts';
import type { BrokerThreadMessage, EmbeddedBrokerOptions } from './embedded-broker.ts';

const options = workerData as EmbeddedBrokerOptions;
const port = parentPort!;
const send = (message: BrokerThreadMessage): void => port.postMessage(message);

try {
  const broker = await startBroker({
    config: { properties: options.properties, dataDir: options.dataDir, listeners: options.listeners },
    logger: createLogger(),
  });
  const host = broker.listeners[0].host === '' || broker.listeners[0].host === '0.0.0.0' ? '127.0.0.1' : broker.listeners[0].host;
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'close') return;
    void broker
      .close()
      .catch(() => undefined)
      .finally(() => {
        send({ type: 'closed' });
        port.close();
      });
  });
  send({ type: 'ready', bootstrap: `${host.includes(':') ? `[${host}]` : host}:${broker.port}`, clusterId: broker.clusterId });
} catch (err) {
  const code = err instanceof SluiceError ? err.code : 'BROKER_START_FAILED';
  const context = err instanceof SluiceError ? err.context : {};
  send({ type: 'error', code, message: messageOf(err), context: JSON.parse(JSON.stringify(context)) as Record<string, unknown> });
  port.close();
}
