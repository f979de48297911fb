/**
 * Resolution of `${provider:path:key}` / `${provider:key}` references in config values (Kafka's
 * ConfigTransformer, same pattern). References to providers that are not configured are left as
 * they are (Kafka does the same) and reported as warnings; a configured provider that has no
 * value for a reference is an error naming the config key, the reference and the provider.
 */
import { ConfigError } from '../../../util/errors.ts';
import type { ConfigProvider } from './config-provider.ts';

// Kafka's ConfigTransformer.DEFAULT_PATTERN.
const VARIABLE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

export interface ConfigVariable {
  /** The reference as written, e.g. `${file:/etc/creds.properties:password}`. */
  text: string;
  provider: string;
  path: string;
  key: string;
}

/** The references in one value, in order. */
export function findVariables(value: string): ConfigVariable[] {
  return [...value.matchAll(VARIABLE)].map((m) => ({ text: m[0], provider: m[1], path: m[2] ?? '', key: m[3] }));
}

export interface ResolvedConfig {
  values: Record<string, string>;
  /** References left unresolved because their provider is not configured. */
  warnings: string[];
}

/** Replaces every reference whose provider is configured; see the module comment for errors. */
export async function resolveConfigVariables(
  configs: Readonly<Record<string, string>>,
  providers: ReadonlyMap<string, ConfigProvider>,
): Promise<ResolvedConfig> {
  // Group lookups by provider and path so each file or directory is read once.
  const wanted = new Map<string, Map<string, Set<string>>>();
  const warnings: string[] = [];
  for (const [configKey, value] of Object.entries(configs)) {
    for (const v of findVariables(value)) {
      if (!providers.has(v.provider)) {
        const configured = [...providers.keys()];
        warnings.push(
          `configuration ${configKey} references ${v.text} but no config provider named "${v.provider}" is configured ` +
            `(config.providers=${configured.join(',')}); the value is used as written`,
        );
        continue;
      }
      const byPath = wanted.get(v.provider) ?? new Map<string, Set<string>>();
      wanted.set(v.provider, byPath);
      const keys = byPath.get(v.path) ?? new Set<string>();
      byPath.set(v.path, keys);
      keys.add(v.key);
    }
  }
  const found = new Map<string, Map<string, Record<string, string>>>();
  for (const [name, byPath] of wanted) {
    const provider = providers.get(name)!;
    const results = new Map<string, Record<string, string>>();
    for (const [path, keys] of byPath) results.set(path, (await provider.get(path, keys)).data);
    found.set(name, results);
  }
  const values: Record<string, string> = {};
  for (const [configKey, value] of Object.entries(configs)) {
    values[configKey] = value.replace(VARIABLE, (text: string, provider: string, path: string | undefined, key: string) => {
      const data = found.get(provider)?.get(path ?? '');
      if (data === undefined) return text;
      const resolved = data[key];
      if (resolved === undefined) {
        const where = path ? ` at path "${path}"` : '';
        throw new ConfigError(`Cannot resolve ${text} in configuration ${configKey}: config provider "${provider}" has no value for "${key}"${where}`, {
          code: 'CONFIG_VARIABLE_UNRESOLVED',
          context: { key: configKey, variable: text, provider, path: path ?? '' },
        });
      }
      return resolved;
    });
  }
  return { values, warnings };
}
