/** `sluice topics`: create, list, describe, alter and delete topics, as kafka-topics does. */
import { KafkaAdmin } from '../client/index.ts';
import type { TopicDescription } from '../client/index.ts';
import { ConfigError, SluiceError } from '../util/errors.ts';
import { COMMON_OPTIONS, clientConfig, ignoreBrokenPipe, integerOption, keyValuePairs, oneAction, parseArgs, required, usage } from './args.ts';
import type { CommandSpec } from './args.ts';

export const TOPICS_COMMAND: CommandSpec = {
  command: 'sluice topics',
  summary: 'Create, delete, describe, or change a topic.',
  options: [
    ...COMMON_OPTIONS,
    { name: 'create', description: 'Create a new topic.' },
    { name: 'list', description: 'List all available topics.' },
    { name: 'describe', description: 'List details for the given topics (all topics when --topic is absent).' },
    { name: 'alter', description: 'Add partitions to a topic, or change its configs.' },
    { name: 'delete', description: 'Delete a topic.' },
    { name: 'topic', value: 'required', valueName: 'TOPIC', description: 'The topic; a regular expression for --list, --describe and --delete.' },
    { name: 'partitions', value: 'required', valueName: 'N', description: 'Number of partitions for --create, or the new total for --alter.' },
    { name: 'replication-factor', value: 'required', valueName: 'N', description: 'Replication factor for --create (default: the broker default).' },
    { name: 'config', value: 'required', repeatable: true, valueName: 'KEY=VALUE', description: 'A topic config override for --create or --alter; repeatable.' },
    { name: 'delete-config', value: 'required', repeatable: true, valueName: 'KEY', description: 'A topic config override to remove with --alter; repeatable.' },
    { name: 'if-not-exists', description: 'With --create: do nothing when the topic exists.' },
    { name: 'if-exists', description: 'With --alter, --describe or --delete: do nothing when the topic does not exist.' },
    { name: 'exclude-internal', description: 'Leave internal topics (__consumer_offsets, ...) out of --list and --describe.' },
  ],
};

const ACTIONS = ['create', 'list', 'describe', 'alter', 'delete'] as const;

export async function runTopics(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(TOPICS_COMMAND, argv);
  if (args.has('help')) {
    out.write(usage(TOPICS_COMMAND));
    return 0;
  }
  const action = oneAction(TOPICS_COMMAND, args, ACTIONS);
  ignoreBrokenPipe(out);
  const admin = new KafkaAdmin(await clientConfig(args, { defaults: { 'client.id': 'sluice-topics' } }));
  try {
    switch (action) {
      case 'create':
        return await create(admin, args, out);
      case 'list':
        return await list(admin, args, out);
      case 'describe':
        return await describe(admin, args, out);
      case 'alter':
        return await alter(admin, args, out);
      default:
        return await remove(admin, args);
    }
  } finally {
    await admin.close();
  }
}

type Args = ReturnType<typeof parseArgs>;

async function create(admin: KafkaAdmin, args: Args, out: NodeJS.WritableStream): Promise<number> {
  const name = required(TOPICS_COMMAND, args, 'topic', 'with --create');
  const partitions = integerOption(args, 'partitions', 1);
  const replicationFactor = integerOption(args, 'replication-factor', 1);
  const created = await admin.createTopics(
    [{ name, partitions, replicationFactor, configs: keyValuePairs(args.all('config'), 'config') }],
    { ifNotExists: args.has('if-not-exists') },
  );
  if (created.length > 0) out.write(`Created topic ${name}.\n`);
  return 0;
}

async function matchingTopics(admin: KafkaAdmin, args: Args, includeInternal: boolean): Promise<string[]> {
  const all = await admin.listTopics({ includeInternal });
  const pattern = args.get('topic');
  if (pattern === undefined) return all;
  if (all.includes(pattern)) return [pattern];
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    return [];
  }
  return all.filter((t) => regex.test(t));
}

async function list(admin: KafkaAdmin, args: Args, out: NodeJS.WritableStream): Promise<number> {
  for (const topic of await matchingTopics(admin, args, !args.has('exclude-internal'))) out.write(`${topic}\n`);
  return 0;
}

async function existingTopics(admin: KafkaAdmin, args: Args, includeInternal: boolean): Promise<string[]> {
  const topics = await matchingTopics(admin, args, includeInternal);
  const pattern = args.get('topic');
  if (topics.length === 0 && pattern !== undefined && !args.has('if-exists')) {
    throw new SluiceError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${pattern}' does not exist as expected`, { context: { topic: pattern } });
  }
  return topics;
}

async function describe(admin: KafkaAdmin, args: Args, out: NodeJS.WritableStream): Promise<number> {
  const names = await existingTopics(admin, args, !args.has('exclude-internal'));
  for (const topic of await admin.describeTopics(names)) out.write(await describeTopic(admin, topic));
  return 0;
}

/** kafka-topics' layout: a tab-separated summary line, then one indented line per partition. */
async function describeTopic(admin: KafkaAdmin, topic: TopicDescription): Promise<string> {
  const overrides = (await admin.describeTopicConfigs(topic.name))
    .filter((c) => c.source !== 'DEFAULT_CONFIG' && c.value !== null)
    .map((c) => `${c.name}=${c.sensitive ? '<sensitive>' : c.value}`);
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  const lines = [`Topic: ${topic.name}\tTopicId: ${kafkaUuid(topic.id)}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${overrides.join(',')}`];
  for (const p of topic.partitions) {
    const leader = p.leader < 0 ? 'none' : String(p.leader);
    // Eligible leader replicas (KIP-966) come from DescribeTopicPartitions, which this tool does
    // not use: N/A, as kafka-topics prints when it cannot ask.
    lines.push(`\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\tElr: N/A\tLastKnownElr: N/A`);
  }
  return `${lines.join('\n')}\n`;
}

/** Kafka prints topic ids as URL-safe base64 of the 16 bytes, without padding. */
function kafkaUuid(id: string): string {
  const hex = id.replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex, 'hex').toString('base64url') : id;
}

async function alter(admin: KafkaAdmin, args: Args, out: NodeJS.WritableStream): Promise<number> {
  const partitions = integerOption(args, 'partitions', 1);
  const set = keyValuePairs(args.all('config'), 'config');
  const removed = args.all('delete-config');
  if (partitions === undefined && Object.keys(set).length === 0 && removed.length === 0) {
    throw new ConfigError(`${TOPICS_COMMAND.command}: --alter needs --partitions, --config or --delete-config`, { code: 'CLI_OPTION_MISSING' });
  }
  required(TOPICS_COMMAND, args, 'topic', 'with --alter');
  for (const name of await existingTopics(admin, args, false)) {
    if (partitions !== undefined) {
      const [current] = await admin.describeTopics([name]);
      if (partitions < current.partitions.length) {
        throw new SluiceError('INVALID_PARTITIONS', `The number of partitions for a topic can only be increased. Topic ${name} currently has ${current.partitions.length} partitions, ${partitions} would not be an increase.`, {
          context: { topic: name },
        });
      }
      if (partitions > current.partitions.length) await admin.createPartitions(name, partitions);
    }
    await admin.alterTopicConfigs(name, set, removed);
    if (partitions !== undefined) out.write(`Adding partitions succeeded!\n`);
    if (Object.keys(set).length + removed.length > 0) out.write(`Completed updating config for topic ${name}.\n`);
  }
  return 0;
}

async function remove(admin: KafkaAdmin, args: Args): Promise<number> {
  required(TOPICS_COMMAND, args, 'topic', 'with --delete');
  const names = await existingTopics(admin, args, false);
  await admin.deleteTopics(names);
  return 0;
}
