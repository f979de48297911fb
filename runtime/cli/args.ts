/**
 * Command-line options in the style of Kafka's tools (joptsimple): `--name value` or
 * `--name=value`, flags without values, repeated options such as `--config k=v`. A mistyped
 * option is an error naming it and the closest known options.
 */
import { closestKeys, propertiesToRecord, readPropertiesFile } from '../connect/config/index.ts';
import { ConfigError } from '../util/errors.ts';

export interface OptionSpec {
  /** Without the leading dashes. */
  name: string;
  /** 'none': a flag; 'required': takes a value; 'optional': takes the next token unless it is an option. */
  value?: 'none' | 'required' | 'optional';
  repeatable?: boolean;
  /** Shown in --help, e.g. "HOST:PORT". */
  valueName?: string;
  description: string;
}

export interface CommandSpec {
  /** "sluice topics". */
  command: string;
  summary: string;
  options: readonly OptionSpec[];
}

export class ParsedArgs {
  private readonly values: ReadonlyMap<string, string[]>;

  constructor(values: ReadonlyMap<string, string[]>) {
    this.values = values;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The value of a single-valued option ('' for an optional value left out). */
  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }
}

export const DEFAULT_BOOTSTRAP_SERVER = '127.0.0.1:9092';

/** Options every client command shares. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'bootstrap-server', value: 'required', valueName: 'HOST:PORT', description: `The broker(s) to connect to, comma separated (default: ${DEFAULT_BOOTSTRAP_SERVER}).` },
  { name: 'command-config', value: 'required', valueName: 'FILE', description: 'A properties file of client configs (as for Kafka clients).' },
  { name: 'help', value: 'none', description: 'Print usage information.' },
];

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const known = new Map(spec.options.map((o) => [o.name, o]));
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--') || token === '--') {
      throw new ConfigError(`${spec.command}: unexpected argument '${token}'; options start with --. Run '${spec.command} --help' for the options.`, {
        code: 'CLI_ARGUMENT_UNEXPECTED',
        context: { argument: token, position: i + 1 },
      });
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const option = known.get(name);
    if (option === undefined) throw unknownOption(spec, name);
    const mode = option.value ?? 'none';
    let value: string;
    if (eq !== -1) {
      if (mode === 'none') throw new ConfigError(`${spec.command}: option --${name} takes no value`, { code: 'CLI_OPTION_INVALID', context: { option: name } });
      value = token.slice(eq + 1);
    } else if (mode === 'none') {
      value = '';
    } else if (i + 1 < argv.length && !(argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) {
      value = argv[++i];
    } else if (mode === 'optional') {
      value = '';
    } else {
      throw new ConfigError(`${spec.command}: option --${name} needs a value${option.valueName ? ` (${option.valueName})` : ''}`, {
        code: 'CLI_OPTION_INVALID',
        context: { option: name },
      });
    }
    const previous = values.get(name);
    if (previous !== undefined && !option.repeatable) {
      throw new ConfigError(`${spec.command}: option --${name} is given more than once`, { code: 'CLI_OPTION_INVALID', context: { option: name } });
    }
    values.set(name, [...(previous ?? []), value]);
  }
  return new ParsedArgs(values);
}

function unknownOption(spec: CommandSpec, name: string): ConfigError {
  const close = closestKeys(name, spec.options.map((o) => o.name));
  const hint = close.length > 0 ? `; did you mean ${close.map((c) => `--${c}`).join(', ')}?` : `. Run '${spec.command} --help' for the options.`;
  return new ConfigError(`${spec.command}: unknown option --${name}${hint}`, { code: 'CLI_OPTION_UNKNOWN', context: { option: name, closest: close } });
}

export function usage(spec: CommandSpec): string {
  const rows = spec.options.map((o) => {
    const head = `--${o.name}${o.value === 'required' ? ` <${o.valueName ?? 'VALUE'}>` : o.value === 'optional' ? ` [${o.valueName ?? 'VALUE'}]` : ''}`;
    return [head, o.description];
  });
  const width = Math.min(40, Math.max(...rows.map(([head]) => head.length)) + 2);
  const lines = rows.map(([head, text]) => (head.length + 2 > width ? `  ${head}\n  ${' '.repeat(width)}${text}` : `  ${head.padEnd(width)}${text}`));
  return `Usage: ${spec.command} [options]\n${spec.summary}\n\nOptions:\n${lines.join('\n')}\n`;
}

/** `k=v` pairs of a repeatable option (e.g. --config, --property) as a record; a pair without '=' names the option and the pair. */
export function keyValuePairs(values: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(`--${option} expects key=value, got '${pair}'`, { code: 'CLI_OPTION_INVALID', context: { option, value: pair } });
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** A non-negative integer option value, or a precise error. */
export function integerOption(args: ParsedArgs, name: string, min = 0): number | undefined {
  const raw = args.get(name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(`--${name} expects an integer${min > Number.MIN_SAFE_INTEGER ? ` of at least ${min}` : ''}, got '${raw}'`, {
      code: 'CLI_OPTION_INVALID',
      context: { option: name, value: raw },
    });
  }
  return Number(raw);
}

/**
 * The client config a command runs with, weakest first: the tool's defaults, the properties file
 * (--command-config or the tool's own file option), the overrides from other options, and
 * --bootstrap-server (default 127.0.0.1:9092 unless the file sets bootstrap.servers).
 */
export async function clientConfig(
  args: ParsedArgs,
  layers: { defaults?: Record<string, string>; overrides?: Record<string, string>; fileOption?: string } = {},
): Promise<Record<string, string>> {
  const file = args.get(layers.fileOption ?? 'command-config');
  const fromFile = file === undefined ? {} : propertiesToRecord(await readPropertiesFile(file));
  const bootstrap = args.get('bootstrap-server') ?? fromFile['bootstrap.servers'] ?? DEFAULT_BOOTSTRAP_SERVER;
  return { 'client.id': 'sluice-cli', ...layers.defaults, ...fromFile, ...layers.overrides, 'bootstrap.servers': bootstrap };
}

/** Exactly one of the action flags must be present; returns it. */
export function oneAction(spec: CommandSpec, args: ParsedArgs, actions: readonly string[]): string {
  const given = actions.filter((a) => args.has(a));
  if (given.length !== 1) {
    throw new ConfigError(`${spec.command}: give exactly one of ${actions.map((a) => `--${a}`).join(', ')}${given.length > 1 ? ` (got ${given.map((a) => `--${a}`).join(', ')})` : ''}`, {
      code: 'CLI_ACTION_INVALID',
      context: { actions: given },
    });
  }
  return given[0];
}

/** Fails unless `name` is given; says which action needs it. */
export function required(spec: CommandSpec, args: ParsedArgs, name: string, forWhat: string): string {
  const value = args.get(name);
  if (value === undefined || value === '') {
    throw new ConfigError(`${spec.command}: --${name} is required ${forWhat}`, { code: 'CLI_OPTION_MISSING', context: { option: name } });
  }
  return value;
}

/** A reader that went away (`sluice topics --list | head`) is not an error worth a stack trace. */
export function ignoreBrokenPipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
