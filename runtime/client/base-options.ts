import type { BaseOptions } from '@platformatic/kafka';
import { backoffDelay } from '../util/backoff.ts';
import { systemRandom } from '../util/random.ts';
import type { ClientSettings } from './config.ts';

/**
 * The @platformatic/kafka options every Sluice client shares, from Kafka-named settings.
 * `timeout` is what platformatic sends to the broker as the server-side wait (Produce acks=all,
 * CreateTopics); it stays below the client-side request timeout so the broker answers first.
 */
export function baseOptions(settings: ClientSettings, retries = settings.retries): BaseOptions {
  return {
    clientId: settings.clientId,
    bootstrapBrokers: settings.bootstrapServers,
    connectTimeout: settings.connectTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    timeout: Math.max(1, settings.requestTimeoutMs - Math.min(5000, Math.floor(settings.requestTimeoutMs / 10))),
    retries,
    retryDelay: (_client, _operation, attempt) => backoffDelay(attempt - 1, settings.retryBackoffMs, Math.max(settings.retryBackoffMs, settings.retryBackoffMaxMs), systemRandom),
    metadataMaxAge: settings.metadataMaxAgeMs,
  };
}
