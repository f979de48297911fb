/**
 * `${env:VAR}`: an environment variable (Kafka's EnvVarConfigProvider). Param `allowlist.pattern`:
 * a regular expression the whole variable name must match (default: every variable).
 */
import { ConfigError } from '../../../util/errors.ts';
import type { ConfigData, ConfigProvider } from './config-provider.ts';
import { providerError } from './config-provider.ts';

export const ALLOWLIST_PATTERN_CONFIG = 'allowlist.pattern';

export class EnvVarConfigProvider implements ConfigProvider {
  readonly #env: Readonly<Record<string, string | undefined>>;
  #allow: RegExp | null = null;

  /** `env` is captured at construction, as Kafka captures System.getenv(). */
  constructor(env: Readonly<Record<string, string | undefined>> = process.env) {
    this.#env = { ...env };
  }

  configure(params: Readonly<Record<string, string>>): void {
    const pattern = params[ALLOWLIST_PATTERN_CONFIG];
    try {
      this.#allow = new RegExp(`^(?:${pattern ?? '.*'})$`, 's');
    } catch (err) {
      throw new ConfigError(`Invalid value ${JSON.stringify(pattern)} for configuration ${ALLOWLIST_PATTERN_CONFIG}: not a regular expression`, {
        cause: err,
        context: { key: ALLOWLIST_PATTERN_CONFIG },
      });
    }
  }

  /** True when the variable may be read (for error messages). */
  allows(name: string): boolean {
    return this.#allow !== null && this.#allow.test(name);
  }

  async get(path: string, keys: ReadonlySet<string>): Promise<ConfigData> {
    if (this.#allow === null) throw providerError('EnvVarConfigProvider', 'used before configure()');
    if (path !== '') throw providerError('EnvVarConfigProvider', `Path is not supported for EnvVarConfigProvider, invalid value '${path}'`, { path });
    const data: Record<string, string> = {};
    for (const key of keys) {
      const value = this.#env[key];
      if (value !== undefined && this.#allow.test(key)) data[key] = value;
    }
    return { data };
  }
}
