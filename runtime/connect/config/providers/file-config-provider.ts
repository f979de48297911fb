/**
 * `${file:/path/to/file.properties:key}`: a key of a properties file (Kafka's FileConfigProvider).
 * Params: `allowed.paths`.
 */
import { readFile } from 'node:fs/promises';
import { messageOf } from '../../../util/errors.ts';
import { parseProperties } from '../properties.ts';
import { ALLOWED_PATHS_CONFIG, AllowedPaths } from './allowed-paths.ts';
import type { ConfigData, ConfigProvider } from './config-provider.ts';
import { providerError } from './config-provider.ts';

const NAME = 'FileConfigProvider';

export class FileConfigProvider implements ConfigProvider {
  #allowed: AllowedPaths | null = null;

  configure(params: Readonly<Record<string, string>>): void {
    this.#allowed = new AllowedPaths(params[ALLOWED_PATHS_CONFIG]);
  }

  async get(path: string, keys: ReadonlySet<string>): Promise<ConfigData> {
    if (this.#allowed === null) throw providerError(NAME, 'used before configure()');
    if (path === '') return { data: {} };
    const file = this.#allowed.resolve(path);
    if (file === null) throw providerError(NAME, `path ${path} is outside ${ALLOWED_PATHS_CONFIG}`, { path });
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw providerError(NAME, `Could not read properties from file ${path}: ${messageOf(err)}`, { path }, err);
    }
    const entries = parseProperties(text, path).entries;
    const data: Record<string, string> = {};
    for (const key of keys) {
      const value = entries.get(key);
      if (value !== undefined) data[key] = value;
    }
    return { data };
  }
}
