/**
 * Config providers (Kafka's KIP-297 ConfigProvider): named sources of values that configs reference
 * as `${provider:path:key}` or `${provider:key}`, so secrets stay out of config files and REST bodies.
 */
import { ConfigError } from '../../../util/errors.ts';

export interface ConfigData {
  /** The values found; keys asked for but absent are simply missing. */
  data: Record<string, string>;
  /** How long (ms) the values may be cached, when the source says. */
  ttl?: number;
}

export interface ConfigProvider {
  /** Receives the `config.providers.<name>.param.*` settings, prefix removed. */
  configure(params: Readonly<Record<string, string>>): void;
  /** The values of `keys` under `path` ("" when the reference has no path). */
  get(path: string, keys: ReadonlySet<string>): Promise<ConfigData>;
  close?(): void | Promise<void>;
}

/** A provider failure (unreadable file, path not allowed...) naming the provider and the path. */
export function providerError(provider: string, message: string, context: Record<string, unknown> = {}, cause?: unknown): ConfigError {
  return new ConfigError(`${provider}: ${message}`, { code: 'CONFIG_PROVIDER_FAILED', cause, context: { provider, ...context } });
}
