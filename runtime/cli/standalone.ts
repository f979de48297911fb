import { ConfigError } from '../util/errors.ts';

/** Starts a standalone worker. Filled in by the Connect worker work (issue 5). */
export async function runStandalone(argv: string[]): Promise<number> {
  throw new ConfigError(`the standalone worker is not available in this build (arguments: ${argv.join(' ')})`, { code: 'NOT_AVAILABLE' });
}
