/**
 * Starts the REST API on the worker's listeners. `/admin` endpoints are served on the main
 * listeners, unless `admin.listeners` is set: then only there, and nowhere when it is empty (as
 * in Kafka Connect). A listener that cannot be bound is a ConfigError naming the key, and
 * nothing stays half-started.
 */
import { ConfigError } from '../../util/errors.ts';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { WorkerConfig } from '../worker/worker-config.ts';
import { LISTENERS_CONFIG } from '../worker/worker-config.ts';
import { buildConnectRestApp, type ConnectRestAppOptions } from './app.ts';
import type { CorsSettings } from './cors.ts';
import { advertisedUrl, parseListeners, urlOf, type AdvertisedSettings, type Listener } from './listeners.ts';

export const ADMIN_LISTENERS_CONFIG = 'admin.listeners';

export interface RestServerSettings {
  /** `listeners`: http://HOST:PORT entries (port 0 picks a free port). */
  listeners: readonly string[];
  /** `admin.listeners`: null → /admin on the main listeners; [] → /admin disabled. */
  adminListeners?: readonly string[] | null;
  advertised?: AdvertisedSettings;
  cors?: CorsSettings;
}

export type ConnectRestServerOptions = Omit<ConnectRestAppOptions, 'serve'> & RestServerSettings;

export interface RunningRestServer {
  /** Base URLs of the main listeners as bound (a port 0 resolved). */
  urls: string[];
  /** Base URLs of the admin listeners (empty when /admin is on the main listeners or disabled). */
  adminUrls: string[];
  /** rest.advertised.* or the first main listener. */
  advertisedUrl: string;
  close(): Promise<void>;
}

/** The REST settings of a parsed worker config. */
export function restServerSettings(config: WorkerConfig): RestServerSettings {
  return {
    listeners: config.getList(LISTENERS_CONFIG) ?? [],
    adminListeners: config.getList(ADMIN_LISTENERS_CONFIG),
    advertised: {
      listener: config.getString('rest.advertised.listener'),
      hostName: config.getString('rest.advertised.host.name'),
      port: config.getInt('rest.advertised.port'),
    },
    cors: { allowOrigin: config.getString('access.control.allow.origin') ?? '', allowMethods: config.getString('access.control.allow.methods') ?? '' },
  };
}

async function listen(app: FastifyInstance, listener: Listener, key: string, value: readonly string[]): Promise<{ host: string; port: number }> {
  try {
    await app.listen({ host: listener.host, port: listener.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'no such local address' : String(code);
    throw new ConfigError(`${key}: cannot listen on ${listener.text} (${why})`, { code: 'LISTENER_UNAVAILABLE', cause: err, context: { key, value: value.join(',') } });
  }
  const address = app.server.address() as AddressInfo;
  return { host: listener.host, port: address.port };
}

export async function startRestServer(options: ConnectRestServerOptions): Promise<RunningRestServer> {
  const { listeners, adminListeners, advertised, ...appOptions } = options;
  const main = parseListeners(listeners, LISTENERS_CONFIG);
  if (main.length === 0) throw new ConfigError(`${LISTENERS_CONFIG} is empty; give at least one listener such as http://127.0.0.1:8083`, { code: 'CONFIG_INVALID', context: { key: LISTENERS_CONFIG } });
  const admin = adminListeners === null || adminListeners === undefined ? null : parseListeners(adminListeners, ADMIN_LISTENERS_CONFIG);

  const apps: FastifyInstance[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(apps.map((app) => app.close()));
  };
  try {
    const urls: string[] = [];
    let first: { host: string; port: number } | undefined;
    for (const listener of main) {
      const app = buildConnectRestApp({ ...appOptions, serve: { main: true, admin: admin === null } });
      apps.push(app);
      const bound = await listen(app, listener, LISTENERS_CONFIG, listeners);
      first ??= bound;
      urls.push(urlOf('http', bound.host, bound.port));
    }
    const adminUrls: string[] = [];
    for (const listener of admin ?? []) {
      const app = buildConnectRestApp({ ...appOptions, serve: { main: false, admin: true } });
      apps.push(app);
      const bound = await listen(app, listener, ADMIN_LISTENERS_CONFIG, adminListeners ?? []);
      adminUrls.push(urlOf('http', bound.host, bound.port));
    }
    const advertisedAt = advertisedUrl(first!, advertised);
    options.logger?.info({ urls, adminUrls, advertisedUrl: advertisedAt }, `REST server listening on ${urls.join(', ')}`);
    let closing: Promise<void> | undefined;
    return {
      urls,
      adminUrls,
      advertisedUrl: advertisedAt,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
