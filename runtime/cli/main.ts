import { SluiceError } from '../util/errors.ts';

/**
 * Runs a CLI entry point: turns thrown errors into one clear line on stderr (code and context,
 * no stack unless SLUICE_DEBUG is set) and a non-zero exit code.
 */
export async function runMain(program: string, main: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    const code = await main(process.argv.slice(2));
    if (code !== 0) process.exitCode = code;
  } catch (err) {
    process.stderr.write(`${program}: ${describe(err)}\n`);
    if (process.env.SLUICE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}

function describe(err: unknown): string {
  if (err instanceof SluiceError) return `error ${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
