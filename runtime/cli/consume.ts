/** `sluice consume`: prints records of a topic, as kafka-console-consumer does. */
import { once } from 'node:events';
import { KafkaAdmin, KafkaConsumer, topicPartitionKey } from '../client/index.ts';
import type { ConsumerRecord, TopicPartition, TopicPartitionOffset } from '../client/index.ts';
import { ConfigError, messageOf } from '../util/errors.ts';
import { COMMON_OPTIONS, clientConfig, integerOption, keyValuePairs, parseArgs, usage } from './args.ts';
import type { CommandSpec, ParsedArgs } from './args.ts';

export const CONSUME_COMMAND: CommandSpec = {
  command: 'sluice consume',
  summary: 'Print the records of a topic to standard output.',
  options: [
    ...COMMON_OPTIONS,
    { name: 'topic', value: 'required', valueName: 'TOPIC', description: 'The topic to consume.' },
    { name: 'include', value: 'required', valueName: 'REGEX', description: 'Consume every topic whose name matches this regular expression.' },
    { name: 'group', value: 'required', valueName: 'GROUP', description: 'Consumer group to join; its committed offsets are used and updated.' },
    { name: 'from-beginning', description: 'Start at the earliest offset when there is no committed offset (default: the latest).' },
    { name: 'max-messages', value: 'required', valueName: 'N', description: 'Exit after printing N records.' },
    { name: 'partition', value: 'required', valueName: 'N', description: 'Read only this partition (no group).' },
    { name: 'offset', value: 'required', valueName: 'OFFSET', description: "With --partition: a non-negative offset, 'earliest' or 'latest' (default: latest)." },
    { name: 'timeout-ms', value: 'required', valueName: 'MS', description: 'Exit when no record arrived for this long.' },
    {
      name: 'property',
      value: 'required',
      repeatable: true,
      valueName: 'KEY=VALUE',
      description: 'Output: print.key, print.value, print.timestamp, print.headers, print.partition, print.offset, key.separator, line.separator, headers.separator, null.literal.',
    },
    { name: 'formatter-property', value: 'required', repeatable: true, valueName: 'KEY=VALUE', description: 'Same as --property.' },
    { name: 'consumer-property', value: 'required', repeatable: true, valueName: 'KEY=VALUE', description: 'A consumer config; repeatable.' },
    { name: 'consumer.config', value: 'required', valueName: 'FILE', description: 'A properties file of consumer configs.' },
    { name: 'isolation-level', value: 'required', valueName: 'LEVEL', description: 'read_uncommitted (default) or read_committed.' },
  ],
};

/** Renders a record as kafka-console-consumer's DefaultMessageFormatter does. */
export class RecordFormatter {
  private readonly printTimestamp: boolean;
  private readonly printPartition: boolean;
  private readonly printOffset: boolean;
  private readonly printHeaders: boolean;
  private readonly printKey: boolean;
  private readonly printValue: boolean;
  private readonly keySeparator: string;
  private readonly lineSeparator: string;
  private readonly headersSeparator: string;
  private readonly nullLiteral: Buffer;

  constructor(properties: Readonly<Record<string, string>>) {
    const flag = (key: string, fallback: boolean): boolean => (properties[key] === undefined ? fallback : properties[key].trim().toLowerCase() === 'true');
    this.printTimestamp = flag('print.timestamp', false);
    this.printPartition = flag('print.partition', false);
    this.printOffset = flag('print.offset', false);
    this.printHeaders = flag('print.headers', false);
    this.printKey = flag('print.key', false);
    this.printValue = flag('print.value', true);
    this.keySeparator = properties['key.separator'] ?? '\t';
    this.lineSeparator = properties['line.separator'] ?? '\n';
    this.headersSeparator = properties['headers.separator'] ?? ',';
    this.nullLiteral = Buffer.from(properties['null.literal'] ?? 'null', 'utf8');
  }

  format(record: ConsumerRecord): Buffer {
    const fields: Buffer[] = [];
    if (this.printTimestamp) fields.push(Buffer.from(`${record.timestampType}:${record.timestamp}`));
    if (this.printPartition) fields.push(Buffer.from(`Partition:${record.partition}`));
    if (this.printOffset) fields.push(Buffer.from(`Offset:${record.offset}`));
    if (this.printHeaders) {
      if (record.headers.length === 0) fields.push(Buffer.from('NO_HEADERS'));
      else {
        const parts: Buffer[] = [];
        record.headers.forEach(([name, value], i) => {
          if (i > 0) parts.push(Buffer.from(this.headersSeparator));
          parts.push(Buffer.from(`${name}:`), value === null ? this.nullLiteral : Buffer.from(value));
        });
        fields.push(Buffer.concat(parts));
      }
    }
    if (this.printKey) fields.push(record.key ?? this.nullLiteral);
    if (this.printValue) fields.push(record.value ?? this.nullLiteral);
    // Fields are separated by key.separator; the last one ends with line.separator.
    const out: Buffer[] = [];
    fields.forEach((field, i) => out.push(field, Buffer.from(i === fields.length - 1 ? this.lineSeparator : this.keySeparator)));
    return Buffer.concat(out);
  }
}

/** How often printed positions are committed while consuming with --group. */
const COMMIT_INTERVAL_MS = 5000;

export async function runConsume(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  stop: AbortSignal = processStopSignal(),
): Promise<number> {
  const args = parseArgs(CONSUME_COMMAND, argv);
  if (args.has('help')) {
    out.write(usage(CONSUME_COMMAND));
    return 0;
  }
  checkCombinations(args);
  const formatter = new RecordFormatter(keyValuePairs([...args.all('property'), ...args.all('formatter-property')], 'property'));
  const maxMessages = integerOption(args, 'max-messages', 1);
  const timeoutMs = integerOption(args, 'timeout-ms', 0);
  const group = args.get('group');
  const config = await clientConfig(args, {
    defaults: { 'client.id': 'sluice-console-consumer' },
    overrides: consumerOverrides(args, group),
    fileOption: args.has('consumer.config') ? 'consumer.config' : 'command-config',
  });
  const consumer = new KafkaConsumer(config);
  let printed = 0;
  let broken = false;
  const onOutputError = (): void => {
    broken = true;
    consumer.wakeup();
  };
  out.on('error', onOutputError);
  const onStop = (): void => consumer.wakeup();
  stop.addEventListener('abort', onStop);
  const printedPositions = new Map<string, TopicPartitionOffset>();
  const unprinted = new Set<string>();
  try {
    await start(consumer, args, config);
    let lastRecordAt = Date.now();
    let lastCommit = Date.now();
    while (!stop.aborted && !broken && (maxMessages === undefined || printed < maxMessages)) {
      const wait = timeoutMs === undefined ? 1000 : Math.min(1000, Math.max(0, lastRecordAt + timeoutMs - Date.now()));
      const records = await consumer.poll(wait);
      for (const record of records) {
        const key = topicPartitionKey(record.topic, record.partition);
        if (unprinted.has(key)) continue;
        if ((maxMessages !== undefined && printed >= maxMessages) || broken) {
          // Handed out but not printed: the group's next reader starts here.
          unprinted.add(key);
          printedPositions.set(key, { topic: record.topic, partition: record.partition, offset: record.offset });
          continue;
        }
        if (!out.write(formatter.format(record))) await Promise.race([once(out, 'drain'), once(out, 'error')]);
        printed++;
        printedPositions.set(key, { topic: record.topic, partition: record.partition, offset: record.offset + 1n });
      }
      if (records.length > 0) lastRecordAt = Date.now();
      else if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) {
        err.write(`No record received for ${timeoutMs} ms (--timeout-ms); stopping.\n`);
        break;
      }
      if (group !== undefined && Date.now() - lastCommit >= COMMIT_INTERVAL_MS && printedPositions.size > 0) {
        lastCommit = Date.now();
        await consumer.commit([...printedPositions.values()]).catch((error: unknown) => err.write(`Committing offsets failed: ${messageOf(error)}\n`));
      }
    }
    // Commit what was printed, not what was fetched: a record fetched but not printed stays for
    // the next reader. Partitions with nothing printed keep their position, as Java's tool commits.
    if (group !== undefined) {
      for (const { topic, partition } of consumer.assignment()) {
        const position = consumer.position(topic, partition);
        const key = topicPartitionKey(topic, partition);
        if (!printedPositions.has(key) && position !== undefined) printedPositions.set(key, { topic, partition, offset: position });
      }
      if (printedPositions.size > 0) await consumer.commit([...printedPositions.values()]);
    }
  } finally {
    stop.removeEventListener('abort', onStop);
    out.removeListener('error', onOutputError);
    await consumer.close();
    err.write(`Processed a total of ${printed} messages\n`);
  }
  return 0;
}

function checkCombinations(args: ParsedArgs): void {
  const invalid = (message: string): ConfigError => new ConfigError(`${CONSUME_COMMAND.command}: ${message}`, { code: 'CLI_OPTION_INVALID' });
  if (args.has('topic') === args.has('include')) throw invalid('give exactly one of --topic and --include');
  if (args.has('partition') && !args.has('topic')) throw invalid('--partition needs --topic');
  if (args.has('partition') && args.has('group')) throw invalid('--group and --partition cannot be given together');
  if (args.has('offset') && !args.has('partition')) throw invalid('the partition is required when --offset is given');
  if (args.has('offset') && args.has('from-beginning')) throw invalid('--offset and --from-beginning cannot be given together');
  const offset = args.get('offset');
  if (offset !== undefined && offset !== 'earliest' && offset !== 'latest' && !/^\d+$/.test(offset)) {
    throw invalid(`--offset expects a non-negative number, 'earliest' or 'latest', got '${offset}'`);
  }
}

function consumerOverrides(args: ParsedArgs, group: string | undefined): Record<string, string> {
  const config = keyValuePairs(args.all('consumer-property'), 'consumer-property');
  // Positions are committed explicitly (only for printed records), never in the background.
  config['enable.auto.commit'] = 'false';
  if (group !== undefined) config['group.id'] = group;
  if (args.has('from-beginning')) config['auto.offset.reset'] = 'earliest';
  else config['auto.offset.reset'] ??= 'latest';
  const isolation = args.get('isolation-level');
  if (isolation !== undefined) config['isolation.level'] = isolation;
  return config;
}

/** Joins the group, or assigns the partitions to read when there is no group. */
async function start(consumer: KafkaConsumer, args: ParsedArgs, config: Record<string, string>): Promise<void> {
  const topic = args.get('topic');
  const include = args.get('include');
  const pattern = include === undefined ? undefined : compilePattern(include);
  if (args.has('group')) {
    await consumer.subscribe(pattern ?? [topic!]);
    return;
  }
  const partition = integerOption(args, 'partition', 0);
  let partitions: TopicPartition[];
  if (partition !== undefined) {
    partitions = [{ topic: topic!, partition }];
  } else {
    const admin = new KafkaAdmin({ 'bootstrap.servers': config['bootstrap.servers'], 'client.id': config['client.id'] });
    try {
      const topics = pattern === undefined ? [topic!] : (await admin.listTopics()).filter((t) => pattern.test(t));
      partitions = (await admin.describeTopics(topics)).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    } finally {
      await admin.close();
    }
  }
  consumer.assign(partitions);
  const offset = args.get('offset');
  if (offset === 'earliest') consumer.seekToBeginning(partitions);
  else if (offset === 'latest') consumer.seekToEnd(partitions);
  else if (offset !== undefined) consumer.seek(partitions[0].topic, partitions[0].partition, BigInt(offset));
}

function compilePattern(source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new ConfigError(`--include '${source}' is not a valid regular expression: ${messageOf(error)}`, { code: 'CLI_OPTION_INVALID', cause: error });
  }
}

/** Aborted by SIGINT or SIGTERM, so that Ctrl-C ends the consumer cleanly (offsets committed, group left). */
function processStopSignal(): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return controller.signal;
}
