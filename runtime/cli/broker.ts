import { startBroker } from '../broker/server/broker.ts';
import { resolveBrokerConfig } from '../broker/server/broker-config.ts';
import { tuneHeapForBroker } from '../broker/server/heap-tuning.ts';
import { propertiesToRecord } from '../connect/config/properties.ts';
import { readPropertiesFile } from '../connect/config/properties-file.ts';
import { createLogger } from '../observability/logger.ts';
import { ConfigError } from '../util/errors.ts';

/**
 * `sluice broker`: a single-node Kafka-compatible broker.
 *   sluice broker --data-dir DIR --listeners PLAINTEXT://127.0.0.1:9092 [--config server.properties] [--override key=value ...]
 * server.properties is read as Kafka reads it; --override entries win over the file, and
 * --data-dir / --listeners win over both. SIGINT/SIGTERM shut down cleanly (logs flushed and
 * marked clean, so the next start skips recovery).
 */
export const USAGE = `Usage: sluice broker [--data-dir DIR] [--listeners PLAINTEXT://HOST:PORT[,...]] [--config server.properties] [--override key=value ...]

  --data-dir DIR       where topics, offsets and meta.properties live (overrides log.dirs)
  --listeners LIST     listeners to open, e.g. PLAINTEXT://127.0.0.1:9092 (overrides listeners)
  --config FILE        a Kafka server.properties; keys that do not apply are reported and ignored
  --override KEY=VALUE a server.properties entry that wins over the file (repeatable)
`;

interface BrokerArgs {
  dataDir?: string;
  listeners?: string;
  configFile?: string;
  overrides: Record<string, string>;
  help: boolean;
}

const FLAGS = ['--data-dir', '--listeners', '--config', '--override', '--help'];

export function parseBrokerArgs(argv: readonly string[]): BrokerArgs {
  const args: BrokerArgs = { overrides: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`${flag} needs a value\n${USAGE}`, { code: 'CLI_ARGUMENT_MISSING', context: { flag } });
      return next;
    };
    switch (flag) {
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--listeners':
        args.listeners = value();
        break;
      case '--config':
        args.configFile = value();
        break;
      case '--override': {
        const entry = value();
        const eq = entry.indexOf('=');
        if (eq <= 0) throw new ConfigError(`--override needs key=value, got "${entry}"`, { code: 'CLI_ARGUMENT_INVALID', context: { flag } });
        args.overrides[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
        break;
      }
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new ConfigError(`unknown option ${arg} (options: ${FLAGS.join(', ')})\n${USAGE}`, { code: 'CLI_ARGUMENT_UNKNOWN', context: { arg } });
    }
  }
  return args;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseBrokerArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const fileProps = args.configFile === undefined ? {} : propertiesToRecord(await readPropertiesFile(args.configFile));
  const config = resolveBrokerConfig({ properties: { ...fileProps, ...args.overrides }, dataDir: args.dataDir, listeners: args.listeners });
  const broker = await startBroker({ config, logger: createLogger() });
  tuneHeapForBroker();
  // Handlers stay installed during shutdown so that a second signal (a supervisor repeating it)
  // cannot kill the process half-way through flushing.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await broker.close();
  return 0;
}
