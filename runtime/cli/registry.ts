/**
 * `sluice registry`: a Confluent-compatible schema registry on a Kafka cluster.
 *   sluice registry --listeners http://127.0.0.1:8081 --bootstrap-server HOST:PORT [--config schema-registry.properties] [--override key=value ...]
 * The properties file uses Confluent's key names (listeners, kafkastore.bootstrap.servers,
 * kafkastore.topic, schema.registry.group.id, host.name, ...); --override entries win over the
 * file, and --listeners / --bootstrap-server win over both. The server listens only once it has
 * read the `_schemas` topic to its end. SIGINT/SIGTERM leave the leader group and close cleanly.
 */
import { startRegistry } from '../../schema-registry/http/index.ts';
import { COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../../schema-registry/core/index.ts';
import { ConfigDef, describeUnknownKey, propertiesToRecord, readPropertiesFile, validators } from '../connect/config/index.ts';
import { createLogger } from '../observability/logger.ts';
import { keyValuePairs, parseArgs, usage, type CommandSpec } from './args.ts';

export const REGISTRY_COMMAND: CommandSpec = {
  command: 'sluice registry',
  summary: 'Run a Confluent-compatible schema registry that stores its schemas in the _schemas topic.',
  options: [
    { name: 'listeners', value: 'required', valueName: 'URL', description: 'Where to listen, e.g. http://127.0.0.1:8081 (overrides listeners; default http://127.0.0.1:8081).' },
    { name: 'bootstrap-server', value: 'required', valueName: 'HOST:PORT', description: 'The Kafka cluster holding _schemas (overrides kafkastore.bootstrap.servers).' },
    { name: 'config', value: 'required', valueName: 'FILE', description: 'A schema-registry.properties file (Confluent key names).' },
    { name: 'override', value: 'required', repeatable: true, valueName: 'KEY=VALUE', description: 'A property that wins over the file; repeatable.' },
    { name: 'help', description: 'Print usage information.' },
  ],
};

const KAFKASTORE_CLIENT_PREFIX = 'kafkastore.';

/** The registry's own keys, named as in Confluent's SchemaRegistryConfig. */
export const REGISTRY_CONFIG = new ConfigDef()
  .define({ name: 'listeners', type: 'LIST', default: 'http://127.0.0.1:8081', importance: 'HIGH', documentation: 'The URL the REST API listens on (one http listener).' })
  .define({ name: 'kafkastore.bootstrap.servers', type: 'LIST', default: '127.0.0.1:9092', importance: 'HIGH', documentation: 'The Kafka cluster holding the schemas topic.' })
  .define({ name: 'kafkastore.topic', type: 'STRING', default: '_schemas', importance: 'HIGH', documentation: 'The compacted, single-partition topic the schemas are stored in.' })
  .define({ name: 'kafkastore.topic.replication.factor', type: 'INT', default: -1, importance: 'HIGH', documentation: 'Replication factor of the schemas topic when it is created (-1: the broker default).' })
  .define({ name: 'kafkastore.timeout.ms', type: 'INT', default: 10_000, validator: validators.atLeast(1), importance: 'MEDIUM', documentation: 'How long a write may take to be stored and read back.' })
  .define({ name: 'kafkastore.init.timeout.ms', type: 'INT', default: 60_000, validator: validators.atLeast(1), importance: 'MEDIUM', documentation: 'How long start-up may take to read the schemas topic to its end.' })
  .define({ name: 'schema.registry.group.id', type: 'STRING', default: 'schema-registry', importance: 'MEDIUM', documentation: 'The group registries elect their leader in.' })
  .define({ name: 'host.name', type: 'STRING', default: null, importance: 'HIGH', documentation: 'The host name other registries use to forward writes here (default: the listener host).' })
  .define({ name: 'leader.eligibility', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'Whether this registry may become the leader.' })
  .define({ name: 'kafkagroup.session.timeout.ms', type: 'INT', default: 10_000, validator: validators.atLeast(1), importance: 'LOW', documentation: 'How long the leader group waits for a silent registry before electing another leader.' })
  .define({ name: 'kafkagroup.heartbeat.interval.ms', type: 'INT', default: 3_000, validator: validators.atLeast(1), importance: 'LOW', documentation: 'How often a registry tells the leader group it is alive.' })
  .define({ name: 'kafkagroup.rebalance.timeout.ms', type: 'INT', default: 300_000, validator: validators.atLeast(1), importance: 'LOW', documentation: 'How long the leader group waits for members to rejoin during an election.' })
  .define({ name: 'leader.election.sticky', type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Keep the current leader when members join.' })
  .define({
    name: 'schema.compatibility.level',
    type: 'STRING',
    default: 'BACKWARD',
    validator: validators.oneOfIgnoreCase(...COMPATIBILITY_LEVELS),
    importance: 'HIGH',
    documentation: 'The compatibility level when none is configured.',
  })
  .define({ name: 'schema.validate.new.schemas', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Check the Avro defaults of newly registered schemas.' })
  .define({ name: 'request.body.max.bytes', type: 'INT', default: 16 * 1024 * 1024, validator: validators.atLeast(1024), importance: 'LOW', documentation: 'Largest request body read; larger ones get 413.' });

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(REGISTRY_COMMAND, argv);
  if (args.has('help')) {
    process.stdout.write(usage(REGISTRY_COMMAND));
    return 0;
  }
  const file = args.get('config');
  const fromFile = file === undefined ? {} : propertiesToRecord(await readPropertiesFile(file));
  const props: Record<string, string> = { ...fromFile, ...keyValuePairs(args.all('override'), 'override') };
  const listeners = args.get('listeners');
  if (listeners !== undefined) props.listeners = listeners;
  const bootstrap = args.get('bootstrap-server');
  if (bootstrap !== undefined) props['kafkastore.bootstrap.servers'] = bootstrap;

  const logger = createLogger();
  const config = REGISTRY_CONFIG.parse(props, file === undefined ? {} : { file });
  for (const unknown of REGISTRY_CONFIG.unknownKeys(props, [KAFKASTORE_CLIENT_PREFIX])) logger.warn(describeUnknownKey(unknown));
  // Other kafkastore.* keys are Kafka client settings (security.protocol, ...), as in Confluent.
  const clientProperties = Object.fromEntries(
    Object.entries(props)
      .filter(([k]) => k.startsWith(KAFKASTORE_CLIENT_PREFIX) && !REGISTRY_CONFIG.has(k))
      .map(([k, v]) => [k.slice(KAFKASTORE_CLIENT_PREFIX.length), v]),
  );
  const replication = config.getInt('kafkastore.topic.replication.factor') ?? -1;
  const registry = await startRegistry({
    listeners: (config.getList('listeners') ?? []).join(','),
    bootstrapServers: (config.getList('kafkastore.bootstrap.servers') ?? []).join(','),
    hostName: config.getString('host.name') ?? undefined,
    bodyLimit: config.getInt('request.body.max.bytes') ?? undefined,
    store: {
      topic: config.getString('kafkastore.topic') ?? '_schemas',
      replicationFactor: replication > 0 ? replication : undefined,
      timeoutMs: config.getInt('kafkastore.timeout.ms') ?? undefined,
      initTimeoutMs: config.getInt('kafkastore.init.timeout.ms') ?? undefined,
      groupId: config.getString('schema.registry.group.id') ?? undefined,
      leaderEligibility: config.getBoolean('leader.eligibility') ?? true,
      stickyElection: config.getBoolean('leader.election.sticky') ?? false,
      sessionTimeoutMs: config.getInt('kafkagroup.session.timeout.ms') ?? undefined,
      heartbeatIntervalMs: config.getInt('kafkagroup.heartbeat.interval.ms') ?? undefined,
      rebalanceTimeoutMs: config.getInt('kafkagroup.rebalance.timeout.ms') ?? undefined,
      clientProperties,
    },
    registry: {
      defaultCompatibility: (config.getString('schema.compatibility.level') ?? 'BACKWARD').toUpperCase() as CompatibilityLevel,
      validateNewSchemas: config.getBoolean('schema.validate.new.schemas') ?? true,
    },
    logger,
  });
  process.stdout.write(`Schema registry listening on ${registry.url}\n`);
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await registry.close();
  return 0;
}
