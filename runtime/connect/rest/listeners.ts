/**
 * The worker's `listeners` and `admin.listeners` (http://HOST:PORT, comma separated) and the URL
 * other workers and users are told (`rest.advertised.listener`, `.host.name`, `.port`).
 * Sluice binds to loopback by default (http://127.0.0.1:8083), unlike Kafka Connect's
 * `http://:8083`; an empty host keeps Kafka's meaning, all interfaces.
 */
import os from 'node:os';
import { ConfigError } from '../../util/errors.ts';

export interface Listener {
  /** As written in the config, for messages. */
  text: string;
  host: string;
  port: number;
}

const LISTENER = /^(https?):\/\/(\[[^\]]*\]|[^:/\s]*):(\d{1,5})\/?$/i;
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export function parseListeners(values: readonly string[], key: string): Listener[] {
  return values.map((raw) => {
    const text = raw.trim();
    const match = LISTENER.exec(text);
    if (match === null) {
      throw new ConfigError(`${key}: "${text}" is not a listener URL; expected http://HOST:PORT, e.g. http://127.0.0.1:8083`, { code: 'CONFIG_INVALID', context: { key, value: text } });
    }
    const [, scheme, hostPart, portText] = match;
    if (scheme.toLowerCase() === 'https') {
      throw new ConfigError(`${key}: "${text}" is an https listener, which this worker does not serve yet; use http and put a TLS-terminating proxy in front`, {
        code: 'CONFIG_INVALID',
        context: { key, value: text },
      });
    }
    const port = Number(portText);
    if (port > 65535) throw new ConfigError(`${key}: port ${port} of "${text}" is out of range (0-65535)`, { code: 'CONFIG_INVALID', context: { key, value: text } });
    const host = hostPart.replace(/^\[|\]$/g, '');
    return { text, host: host === '' ? '0.0.0.0' : host, port };
  });
}

export function urlOf(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface AdvertisedSettings {
  /** rest.advertised.listener: http or https. */
  listener?: string | null;
  /** rest.advertised.host.name. */
  hostName?: string | null;
  /** rest.advertised.port. */
  port?: number | null;
}

/** The advertised URL: the settings given, else the first listener (its bound port), a wildcard host replaced by this machine's name. */
export function advertisedUrl(first: { host: string; port: number }, advertised: AdvertisedSettings = {}): string {
  const scheme = advertised.listener ?? 'http';
  const host = advertised.hostName ?? (WILDCARDS.has(first.host) ? os.hostname() : first.host);
  return urlOf(scheme, host, advertised.port ?? first.port);
}
