/**
 * `${directory:/path/to/dir:file}`: the content of a file in a directory, e.g. a mounted
 * Kubernetes secret (Kafka's DirectoryConfigProvider). Only regular files; content is not trimmed.
 * Params: `allowed.paths`.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../../../util/errors.ts';
import { ALLOWED_PATHS_CONFIG, AllowedPaths } from './allowed-paths.ts';
import type { ConfigData, ConfigProvider } from './config-provider.ts';
import { providerError } from './config-provider.ts';

const NAME = 'DirectoryConfigProvider';

export class DirectoryConfigProvider implements ConfigProvider {
  #allowed: AllowedPaths | null = null;

  configure(params: Readonly<Record<string, string>>): void {
    this.#allowed = new AllowedPaths(params[ALLOWED_PATHS_CONFIG]);
  }

  async get(dirPath: string, keys: ReadonlySet<string>): Promise<ConfigData> {
    if (this.#allowed === null) throw providerError(NAME, 'used before configure()');
    if (dirPath === '') return { data: {} };
    const dir = this.#allowed.resolve(dirPath);
    if (dir === null) throw providerError(NAME, `path ${dirPath} is outside ${ALLOWED_PATHS_CONFIG}`, { path: dirPath });
    const dirStat = await stat(dir).catch(() => null);
    if (!dirStat?.isDirectory()) throw providerError(NAME, `path ${dirPath} is not a directory`, { path: dirPath });
    const data: Record<string, string> = {};
    for (const key of keys) {
      // A key names a file directly inside the directory, never a path elsewhere.
      if (key === '' || key.includes('/') || key.includes(path.sep) || key === '.' || key === '..') continue;
      const file = path.join(dir, key);
      const fileStat = await stat(file).catch(() => null);
      if (!fileStat?.isFile()) continue;
      try {
        data[key] = await readFile(file, 'utf8');
      } catch (err) {
        throw providerError(NAME, `Could not read file ${file} for property ${key}: ${messageOf(err)}`, { path: dirPath, key }, err);
      }
    }
    return { data };
  }
}
