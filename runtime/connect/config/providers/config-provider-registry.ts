/**
 * `config.providers=file,env,directory` with `config.providers.<name>.class` (Kafka's class
 * names, their simple names, or our short names file/env/directory) and
 * `config.providers.<name>.param.<param>` settings. Other providers register here.
 */
import { ConfigError } from '../../../util/errors.ts';
import { originalsWithPrefix } from '../prefix.ts';
import type { ConfigProvider } from './config-provider.ts';
import { DirectoryConfigProvider } from './directory-config-provider.ts';
import { EnvVarConfigProvider } from './env-var-config-provider.ts';
import { FileConfigProvider } from './file-config-provider.ts';

export const CONFIG_PROVIDERS_CONFIG = 'config.providers';

export interface ConfigProviderPlugin {
  /** Kafka's fully qualified class name, or ours. */
  className: string;
  aliases: readonly string[];
  create(options: ConfigProviderOptions): ConfigProvider;
}

export interface ConfigProviderOptions {
  /** Environment for the env provider (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

const plugins: ConfigProviderPlugin[] = [
  {
    className: 'org.apache.kafka.common.config.provider.FileConfigProvider',
    aliases: ['FileConfigProvider', 'file'],
    create: () => new FileConfigProvider(),
  },
  {
    className: 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    aliases: ['EnvVarConfigProvider', 'env'],
    create: (options) => new EnvVarConfigProvider(options.env),
  },
  {
    className: 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
    aliases: ['DirectoryConfigProvider', 'directory'],
    create: () => new DirectoryConfigProvider(),
  },
];

/** Makes another provider class available to `config.providers.<name>.class`. */
export function registerConfigProvider(plugin: ConfigProviderPlugin): void {
  const names = [plugin.className, ...plugin.aliases];
  if (plugins.some((p) => names.includes(p.className) || p.aliases.some((a) => names.includes(a)))) {
    throw new ConfigError(`Config provider class ${plugin.className} is already registered`, { code: 'CONFIG_DEFINITION' });
  }
  plugins.push(plugin);
}

/** Class names accepted for `config.providers.<name>.class`. */
export function availableConfigProviders(): string[] {
  return plugins.map((p) => p.className);
}

/**
 * Creates and configures the providers a worker config names. Errors (as ConfigError) name the
 * key: a provider without a `.class`, an unknown class (listing the available ones), a bad param.
 */
export function createConfigProviders(
  props: Readonly<Record<string, string>>,
  options: ConfigProviderOptions = {},
): Map<string, ConfigProvider> {
  const providers = new Map<string, ConfigProvider>();
  const names = (props[CONFIG_PROVIDERS_CONFIG] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    const classKey = `${CONFIG_PROVIDERS_CONFIG}.${name}.class`;
    const className = props[classKey]?.trim();
    if (className === undefined || className === '') {
      throw new ConfigError(`${CONFIG_PROVIDERS_CONFIG} names "${name}" but ${classKey} is not set (e.g. ${classKey}=${plugins[0].className})`, {
        code: 'CONFIG_MISSING',
        context: { key: classKey },
      });
    }
    const plugin = plugins.find((p) => p.className === className || p.aliases.includes(className));
    if (!plugin) {
      throw new ConfigError(
        `Invalid value "${className}" for configuration ${classKey}: unknown config provider class; available: ${availableConfigProviders().join(', ')}`,
        { code: 'CONFIG_INVALID', context: { key: classKey, value: className } },
      );
    }
    const provider = plugin.create(options);
    const paramPrefix = `${CONFIG_PROVIDERS_CONFIG}.${name}.param.`;
    try {
      provider.configure(originalsWithPrefix(props, paramPrefix));
    } catch (err) {
      const e = err as ConfigError;
      throw new ConfigError(`Config provider "${name}" (${className}, settings ${paramPrefix}*): ${e.message}`, {
        code: e.code ?? 'CONFIG_INVALID',
        cause: err,
        context: { ...e.context, provider: name },
      });
    }
    providers.set(name, provider);
  }
  return providers;
}
