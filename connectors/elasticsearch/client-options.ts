/**
 * @elastic/elasticsearch client options from the sink config: nodes, authentication (basic or
 * API key), TLS, timeouts, compression, idle connections. The client's own retries are off
 * (maxRetries 0): it would retry at once and without jitter, and only some errors; the sink
 * retries everything retriable itself (retry-policy.ts).
 */
import type { ClientOptions } from '@elastic/elasticsearch';
import type { ParsedSinkConfig } from './config.ts';
import {
  CONNECTION_API_KEY_CONFIG,
  CONNECTION_COMPRESSION_CONFIG,
  CONNECTION_PASSWORD_CONFIG,
  CONNECTION_TIMEOUT_MS_CONFIG,
  CONNECTION_URL_CONFIG,
  CONNECTION_USERNAME_CONFIG,
  MAX_CONNECTION_IDLE_TIME_MS_CONFIG,
  READ_TIMEOUT_MS_CONFIG,
  SECURITY_PROTOCOL_CONFIG,
  withScheme,
} from './config.ts';
import { BulkResponseSerializer } from './es-bulk-transport.ts';
import { tlsOptions } from './tls-options.ts';

/** The node URLs: without a scheme → http; if any is https, all are (as Confluent's connector does). */
export function nodeUrls(urls: readonly string[]): string[] {
  const full = urls.map((u) => withScheme(u.trim()).replace(/\/+$/, ''));
  const https = full.some((u) => u.toLowerCase().startsWith('https://'));
  return https ? full.map((u) => u.replace(/^http:\/\//i, 'https://')) : full;
}

export function clientOptions(config: ParsedSinkConfig): ClientOptions {
  const username = config.get(CONNECTION_USERNAME_CONFIG);
  const password = config.get(CONNECTION_PASSWORD_CONFIG);
  const apiKey = config.get(CONNECTION_API_KEY_CONFIG);
  const connectTimeout = config.get(CONNECTION_TIMEOUT_MS_CONFIG);
  const idle = config.get(MAX_CONNECTION_IDLE_TIME_MS_CONFIG);
  const ssl = config.get(SECURITY_PROTOCOL_CONFIG).toUpperCase() === 'SSL';
  const options: ClientOptions = {
    nodes: nodeUrls(config.get(CONNECTION_URL_CONFIG)),
    maxRetries: 0,
    requestTimeout: config.get(READ_TIMEOUT_MS_CONFIG),
    compression: config.get(CONNECTION_COMPRESSION_CONFIG),
    // Dead nodes are tried again after a pause instead of pinging them (the sink retries anyway).
    resurrectStrategy: 'optimistic',
    // Passed to undici's Pool as they are; its `connect` option (connect timeout) is missing from the client's types.
    agent: {
      connect: { timeout: connectTimeout },
      ...(idle >= 0 && { keepAliveTimeout: idle, keepAliveMaxTimeout: idle }),
    } as ClientOptions['agent'],
    name: 'sluice-elasticsearch-sink',
    Serializer: BulkResponseSerializer,
  };
  if (apiKey !== null) options.auth = { apiKey: apiKey.value() };
  else if (username !== null && password !== null) options.auth = { username, password: password.value() };
  if (ssl) {
    // With TLS options the client hands them to the connector as its `connect` settings, so the
    // connect timeout goes there too.
    options.tls = { ...tlsOptions(config), timeout: connectTimeout } as ClientOptions['tls'];
  }
  return options;
}
