/** `sluice produce`: reads lines from stdin and sends each as a record, as kafka-console-producer does. */
import { createInterface } from 'node:readline';
import { KafkaProducer } from '../client/index.ts';
import type { ProducerRecord, RecordHeader } from '../client/index.ts';
import { ConfigError, messageOf } from '../util/errors.ts';
import { COMMON_OPTIONS, clientConfig, integerOption, keyValuePairs, parseArgs, required, usage } from './args.ts';
import type { CommandSpec } from './args.ts';

export const PRODUCE_COMMAND: CommandSpec = {
  command: 'sluice produce',
  summary: 'Read lines from standard input and send each one to a topic.',
  options: [
    ...COMMON_OPTIONS,
    { name: 'topic', value: 'required', valueName: 'TOPIC', description: 'The topic to produce to.' },
    {
      name: 'property',
      value: 'required',
      repeatable: true,
      valueName: 'KEY=VALUE',
      description: 'Line parsing: parse.key, key.separator (tab), parse.headers, headers.delimiter (tab), headers.separator (,), headers.key.separator (:), null.marker, ignore.error.',
    },
    { name: 'reader-property', value: 'required', repeatable: true, valueName: 'KEY=VALUE', description: 'Same as --property.' },
    { name: 'producer-property', value: 'required', repeatable: true, valueName: 'KEY=VALUE', description: 'A producer config (acks, linger.ms, ...); repeatable.' },
    { name: 'producer.config', value: 'required', valueName: 'FILE', description: 'A properties file of producer configs.' },
    { name: 'request-required-acks', value: 'required', valueName: 'ACKS', description: 'all, -1, 0 or 1 (default: -1).' },
    { name: 'acks', value: 'required', valueName: 'ACKS', description: 'Same as --request-required-acks.' },
    { name: 'compression-codec', value: 'optional', valueName: 'CODEC', description: "none, gzip, snappy, lz4 or zstd; given without a value: gzip." },
    { name: 'sync', description: 'Wait for each record to be acknowledged before sending the next.' },
    { name: 'batch-size', value: 'required', valueName: 'BYTES', description: 'batch.size of the producer (default: 16384).' },
    { name: 'timeout', value: 'required', valueName: 'MS', description: 'linger.ms: how long records wait to fill a batch (default: 1000).' },
    { name: 'request-timeout-ms', value: 'required', valueName: 'MS', description: 'request.timeout.ms of the producer (default: 30000).' },
    { name: 'max-block-ms', value: 'required', valueName: 'MS', description: 'max.block.ms: how long to wait for the topic or for buffer room (default: 60000).' },
    { name: 'message-send-max-retries', value: 'required', valueName: 'N', description: 'retries of the producer.' },
  ],
};

export interface ParsedLine {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/**
 * Splits an input line into headers, key and value following kafka-console-producer's
 * LineMessageReader properties, with its defaults and its errors.
 */
export class LineRecordReader {
  private readonly parseKey: boolean;
  private readonly keySeparator: string;
  private readonly parseHeaders: boolean;
  private readonly headersDelimiter: string;
  private readonly headersSeparator: string;
  private readonly headersKeySeparator: string;
  private readonly ignoreError: boolean;
  private readonly nullMarker: string | undefined;

  constructor(properties: Readonly<Record<string, string>>) {
    const flag = (key: string): boolean => properties[key]?.trim().toLowerCase() === 'true';
    this.parseKey = flag('parse.key');
    this.keySeparator = properties['key.separator'] ?? '\t';
    this.parseHeaders = flag('parse.headers');
    this.headersDelimiter = properties['headers.delimiter'] ?? '\t';
    this.headersSeparator = properties['headers.separator'] ?? ',';
    this.headersKeySeparator = properties['headers.key.separator'] ?? ':';
    this.ignoreError = flag('ignore.error');
    this.nullMarker = properties['null.marker'];
    const distinct: Array<[string, string | undefined, string, string | undefined]> = [
      ['headers.delimiter', this.headersDelimiter, 'headers.separator', this.headersSeparator],
      ['headers.delimiter', this.headersDelimiter, 'headers.key.separator', this.headersKeySeparator],
      ['headers.separator', this.headersSeparator, 'headers.key.separator', this.headersKeySeparator],
      ['null.marker', this.nullMarker, 'key.separator', this.keySeparator],
      ['null.marker', this.nullMarker, 'headers.separator', this.headersSeparator],
      ['null.marker', this.nullMarker, 'headers.delimiter', this.headersDelimiter],
      ['null.marker', this.nullMarker, 'headers.key.separator', this.headersKeySeparator],
    ];
    for (const [a, av, b, bv] of distinct) {
      if (av !== undefined && av === bv) throw new ConfigError(`${a} and ${b} may not be equal`, { code: 'CLI_OPTION_INVALID', context: { property: a } });
    }
    for (const [key, value] of [['key.separator', this.keySeparator], ['headers.delimiter', this.headersDelimiter], ['headers.separator', this.headersSeparator], ['headers.key.separator', this.headersKeySeparator]]) {
      if (value === '') throw new ConfigError(`${key} may not be empty`, { code: 'CLI_OPTION_INVALID', context: { property: key } });
    }
  }

  parse(line: string, lineNumber: number): ParsedLine {
    const headers = this.split(this.parseHeaders, line, 0, this.headersDelimiter, 'headers delimiter', lineNumber);
    const headerOffset = headers === undefined ? 0 : headers.length + this.headersDelimiter.length;
    const key = this.split(this.parseKey, line, headerOffset, this.keySeparator, 'key separator', lineNumber);
    const keyOffset = key === undefined ? 0 : key.length + this.keySeparator.length;
    const value = line.slice(headerOffset + keyOffset);
    return {
      key: key === undefined || key === this.nullMarker ? null : Buffer.from(key, 'utf8'),
      value: value === this.nullMarker ? null : Buffer.from(value, 'utf8'),
      headers: headers === undefined || headers === this.nullMarker ? [] : this.splitHeaders(headers, lineNumber),
    };
  }

  private split(enabled: boolean, line: string, start: number, separator: string, what: string, lineNumber: number): string | undefined {
    if (!enabled) return undefined;
    const index = line.indexOf(separator, start);
    if (index === -1) {
      if (this.ignoreError) return undefined;
      throw new ConfigError(`No ${what} found on line number ${lineNumber}: '${line}'`, { code: 'INPUT_INVALID', context: { line: lineNumber } });
    }
    return line.slice(start, index);
  }

  private splitHeaders(text: string, lineNumber: number): RecordHeader[] {
    return text.split(this.headersSeparator).map((pair): RecordHeader => {
      const index = pair.indexOf(this.headersKeySeparator);
      if (index === -1) {
        if (this.ignoreError) return [pair, null];
        throw new ConfigError(`No header key separator found in pair '${pair}' on line number ${lineNumber}`, { code: 'INPUT_INVALID', context: { line: lineNumber } });
      }
      const name = pair.slice(0, index);
      if (name === this.nullMarker) {
        throw new ConfigError(`Header keys should not be equal to the null marker '${this.nullMarker}' as they can't be null`, { code: 'INPUT_INVALID', context: { line: lineNumber } });
      }
      const value = pair.slice(index + this.headersKeySeparator.length);
      return [name, value === this.nullMarker ? null : Buffer.from(value, 'utf8')];
    });
  }
}

/** Records sent but not yet acknowledged before reading pauses. */
const MAX_OUTSTANDING = 10_000;

export async function runProduce(argv: string[], input: NodeJS.ReadableStream = process.stdin, err: NodeJS.WritableStream = process.stderr, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(PRODUCE_COMMAND, argv);
  if (args.has('help')) {
    out.write(usage(PRODUCE_COMMAND));
    return 0;
  }
  const topic = required(PRODUCE_COMMAND, args, 'topic', 'to produce');
  const reader = new LineRecordReader(keyValuePairs([...args.all('property'), ...args.all('reader-property')], 'property'));
  const producer = new KafkaProducer(
    await clientConfig(args, {
      defaults: { 'client.id': 'sluice-console-producer', 'linger.ms': '1000', acks: '-1' },
      overrides: producerOverrides(args),
      fileOption: args.has('producer.config') ? 'producer.config' : 'command-config',
    }),
  );
  let failures = 0;
  const outstanding: Array<Promise<void>> = [];
  const send = (record: ProducerRecord): Promise<void> =>
    producer.send(record).then(
      () => undefined,
      (error: unknown) => {
        failures++;
        err.write(
          `Error when sending message to topic ${topic} with key: ${record.key ? `${record.key.length} bytes` : 'null'}, value: ${record.value ? `${record.value.length} bytes` : 'null'} with error: ${messageOf(error)}\n`,
        );
      },
    );
  try {
    let lineNumber = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      const parsed = reader.parse(line, lineNumber);
      const sent = send({ topic, key: parsed.key, value: parsed.value, headers: parsed.headers });
      if (args.has('sync')) {
        await sent;
        continue;
      }
      outstanding.push(sent);
      if (outstanding.length >= MAX_OUTSTANDING) await outstanding.shift();
    }
    await Promise.all(outstanding);
  } finally {
    await producer.close();
  }
  return failures > 0 ? 1 : 0;
}

function producerOverrides(args: ReturnType<typeof parseArgs>): Record<string, string> {
  const config: Record<string, string> = keyValuePairs(args.all('producer-property'), 'producer-property');
  const acks = args.get('request-required-acks') ?? args.get('acks');
  if (acks !== undefined) config.acks = acks;
  if (args.has('compression-codec')) config['compression.type'] = args.get('compression-codec') || 'gzip';
  const numeric: Array<[string, string]> = [
    ['batch-size', 'batch.size'],
    ['timeout', 'linger.ms'],
    ['request-timeout-ms', 'request.timeout.ms'],
    ['max-block-ms', 'max.block.ms'],
    ['message-send-max-retries', 'retries'],
  ];
  for (const [option, key] of numeric) {
    const value = integerOption(args, option);
    if (value !== undefined) config[key] = String(value);
  }
  // delivery.timeout.ms must cover linger.ms + request.timeout.ms; grow it for a long --timeout, as the tool's user asked for the linger.
  const linger = Number(config['linger.ms'] ?? 1000);
  const requestTimeout = Number(config['request.timeout.ms'] ?? 30_000);
  if (config['delivery.timeout.ms'] === undefined && linger + requestTimeout > 120_000) config['delivery.timeout.ms'] = String(linger + requestTimeout);
  return config;
}
