/**
 * Starts a schema registry server: the store first (on Kafka it reads `_schemas` to its end), and
 * only then the HTTP listener, so a client never sees a registry that has not caught up. Used by
 * `sluice registry` and for embedding (connect-standalone).
 */
import net from 'node:net';
import type { Logger } from '../../runtime/observability/logger.ts';
import { ConfigError } from '../../runtime/util/errors.ts';
import type { RegistryOptions } from '../core/index.ts';
import type { RegistryStore } from '../store/backend.ts';
import { KafkaRegistryStore, type KafkaStoreOptions } from '../store/kafka-store.ts';
import { MemoryRegistryStore } from '../store/memory-store.ts';
import { buildRegistryApp } from './app.ts';

export interface StartRegistryOptions {
  /** `listeners`: "http://HOST:PORT" (port 0 picks a free one). */
  listeners: string;
  /** Kafka cluster holding `_schemas`; without it the registry keeps its state in memory only. */
  bootstrapServers?: string;
  /** The config key `listeners` came from, named in start-up errors (e.g. registry.listeners). */
  listenersKey?: string;
  /** `host.name`: how other registries reach this one (default: the listener's host). */
  hostName?: string;
  /** Store settings (topic, group id, timeouts, client properties...). */
  store?: Omit<KafkaStoreOptions, 'bootstrapServers' | 'advertised' | 'logger' | 'registry'>;
  registry?: RegistryOptions;
  bodyLimit?: number;
  logger?: Logger;
}

export interface RunningRegistry {
  /** Base URL clients use, e.g. http://127.0.0.1:8081. */
  url: string;
  port: number;
  store: RegistryStore;
  close(): Promise<void>;
}

interface Listener {
  scheme: string;
  host: string;
  port: number;
}

export function parseListener(value: string, key: string): Listener {
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length !== 1) {
    throw new ConfigError(`${key} must name exactly one listener such as http://127.0.0.1:8081, got "${value}"`, { code: 'CONFIG_INVALID', context: { key, value } });
  }
  let url: URL;
  try {
    url = new URL(entries[0]);
  } catch (err) {
    throw new ConfigError(`${key}: "${entries[0]}" is not a URL like http://127.0.0.1:8081`, { code: 'CONFIG_INVALID', cause: err, context: { key, value } });
  }
  if (url.protocol !== 'http:') {
    throw new ConfigError(`${key}: only http listeners are supported, got "${entries[0]}"`, { code: 'CONFIG_INVALID', context: { key, value } });
  }
  const port = url.port === '' ? 80 : Number(url.port);
  return { scheme: 'http', host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Binds and releases host:port (0: any free port) and answers the port; fails as listen would. */
function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

function listenerError(err: unknown, key: string, value: string, where: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return err;
  return new ConfigError(`${key}: cannot listen on ${where} (${code}${code === 'EADDRINUSE' ? ': the port is already in use' : ''})`, {
    code: 'LISTENER_UNAVAILABLE',
    cause: err,
    context: { key, value },
  });
}

export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const key = options.listenersKey ?? 'listeners';
  const listener = parseListener(options.listeners, key);
  // A busy port fails before the store starts (and joins the leader group); port 0 is resolved
  // here because the advertised URL must be known before joining.
  const where = `${listener.scheme}://${listener.host}:${listener.port}`;
  const port = await probePort(listener.host, listener.port).catch((err: unknown) => {
    throw listenerError(err, key, options.listeners, where);
  });
  const advertisedHost = options.hostName ?? (listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host);
  const store: RegistryStore =
    options.bootstrapServers === undefined
      ? new MemoryRegistryStore(options.registry)
      : await KafkaRegistryStore.start({
          ...options.store,
          bootstrapServers: options.bootstrapServers,
          advertised: { scheme: listener.scheme, host: advertisedHost, port },
          registry: options.registry,
          logger: options.logger,
        });
  const { app } = buildRegistryApp({ store, logger: options.logger, bodyLimit: options.bodyLimit });
  try {
    await app.listen({ host: listener.host, port });
  } catch (err) {
    await Promise.allSettled([app.close(), store.close()]);
    throw listenerError(err, key, options.listeners, `${listener.scheme}://${listener.host}:${port}`);
  }
  const url = `${listener.scheme}://${advertisedHost.includes(':') ? `[${advertisedHost}]` : advertisedHost}:${port}`;
  options.logger?.info({ url, leaderElection: options.bootstrapServers !== undefined }, 'schema registry listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
