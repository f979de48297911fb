/**
 * `allowed.paths` of the file and directory providers: a comma-separated list of absolute,
 * existing paths; a referenced path must lie inside one of them (compared by path components,
 * after normalisation, so `..` cannot escape and `/etc/kafka` does not allow `/etc/kafka2`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../util/errors.ts';

export const ALLOWED_PATHS_CONFIG = 'allowed.paths';

export class AllowedPaths {
  readonly #roots: string[] | null;

  /** `configValue` is the raw `allowed.paths` setting; unset or empty allows every path. */
  constructor(configValue: string | undefined) {
    if (configValue === undefined || configValue === '') {
      this.#roots = null;
      return;
    }
    this.#roots = configValue.split(',').map((entry) => {
      const normalised = path.normalize(entry.trim());
      if (!path.isAbsolute(normalised)) {
        throw new ConfigError(`Path ${normalised} in ${ALLOWED_PATHS_CONFIG} is not absolute`, { context: { key: ALLOWED_PATHS_CONFIG, value: entry } });
      }
      if (!existsSync(normalised)) {
        throw new ConfigError(`Path ${normalised} in ${ALLOWED_PATHS_CONFIG} does not exist`, { context: { key: ALLOWED_PATHS_CONFIG, value: entry } });
      }
      return normalised;
    });
  }

  /** The path to use, or null when it lies outside every allowed path. */
  resolve(untrusted: string): string | null {
    if (this.#roots === null) return untrusted;
    const normalised = path.normalize(untrusted);
    const inside = (root: string) => {
      const rel = path.relative(root, normalised);
      return path.isAbsolute(normalised) && !rel.startsWith('..') && !path.isAbsolute(rel);
    };
    return this.#roots.some(inside) ? normalised : null;
  }
}
