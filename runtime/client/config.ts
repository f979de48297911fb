import { ConfigError } from '../util/errors.ts';

/**
 * Kafka client configs, by the names Kafka users know (`acks`, `linger.ms`, `group.id`, ...),
 * turned into typed settings for the Sluice client. The worker passes `producer.*`, `consumer.*`
 * and `admin.*` overrides straight through. Every known Java key is either mapped, accepted with
 * a warning (a tuning knob with no equivalent here), or refused (a key whose meaning we cannot
 * honour, such as `transactional.id`). Unknown keys give a warning, as Kafka's clients log.
 */

/** Values as read from a .properties file (strings) or given in code. */
export type ClientConfig = Readonly<Record<string, string | number | boolean | undefined>>;

export type Acks = -1 | 0 | 1;
export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export type AutoOffsetReset = 'earliest' | 'latest' | 'none';
export type IsolationLevel = 'read_uncommitted' | 'read_committed';
export type AssignmentStrategy = 'range' | 'roundrobin';

export interface ClientSettings {
  bootstrapServers: string[];
  clientId: string;
  /** Client-side wait for any one response (request.timeout.ms). */
  requestTimeoutMs: number;
  /** Attempts after the first for a failed retriable request. */
  retries: number;
  /** First retry delay; later ones grow exponentially up to retryBackoffMaxMs. */
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  metadataMaxAgeMs: number;
  connectTimeoutMs: number;
}

export interface ProducerSettings extends ClientSettings {
  acks: Acks;
  lingerMs: number;
  batchSize: number;
  compression: CompressionType;
  idempotent: boolean;
  maxInFlight: number;
  deliveryTimeoutMs: number;
  /** Bytes of records waiting to be sent before `send` waits for room (buffer.memory). */
  bufferMemory: number;
  /** How long `send` may wait for room in the buffer or for metadata before failing. */
  maxBlockMs: number;
  maxRequestSize: number;
  /** partitioner.ignore.keys: place keyed records as if they had no key. */
  ignoreKeys: boolean;
}

export interface ConsumerSettings extends ClientSettings {
  groupId: string | undefined;
  groupInstanceId: string | undefined;
  autoOffsetReset: AutoOffsetReset;
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  maxPollRecords: number;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  maxPartitionFetchBytes: number;
  isolationLevel: IsolationLevel;
  assignmentStrategy: AssignmentStrategy;
  excludeInternalTopics: boolean;
  /** Subscribing to a missing topic asks the broker to create it (when the broker allows it), as Java's consumer does. */
  allowAutoCreateTopics: boolean;
  clientRack: string | undefined;
}

export type AdminSettings = ClientSettings;

export interface Mapped<T> {
  settings: T;
  /** One line per key that was accepted but has no effect, or is unknown. */
  warnings: string[];
}

type Kind = 'producer' | 'consumer' | 'admin';

interface KeySpec {
  /** Clients the key belongs to. */
  clients: readonly Kind[];
  /** Applies the value; absent for keys that are accepted with a warning. */
  apply?: (value: string, target: Record<string, unknown>, key: string) => void;
  /** Why an accepted key has no effect, or why a value is refused. */
  ignored?: string;
  /** Refuses the key (or only some values, when it returns a reason). */
  refuse?: (value: string) => string | undefined;
}

const ALL: readonly Kind[] = ['producer', 'consumer', 'admin'];
const PRODUCER: readonly Kind[] = ['producer'];
const CONSUMER: readonly Kind[] = ['consumer'];

function int(min: number, field: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string, target: Record<string, unknown>, key: string): void => {
    target[field] = parseInteger(key, value, min, max);
  };
}

function bool(field: string) {
  return (value: string, target: Record<string, unknown>, key: string): void => {
    target[field] = parseBoolean(key, value);
  };
}

function oneOf<T extends string>(field: string, allowed: readonly T[], aliases: Record<string, T> = {}) {
  return (value: string, target: Record<string, unknown>, key: string): void => {
    const lower = value.trim().toLowerCase();
    const chosen = aliases[lower] ?? (allowed as readonly string[]).find((a) => a === lower);
    if (chosen === undefined) {
      throw new ConfigError(`invalid value '${value}' for ${key}: expected one of ${allowed.join(', ')}`, { context: { key, value } });
    }
    target[field] = chosen;
  };
}

function text(field: string) {
  return (value: string, target: Record<string, unknown>): void => {
    target[field] = value.trim() === '' ? undefined : value.trim();
  };
}

const tuning = (what: string): KeySpec => ({ clients: ALL, ignored: `${what} is not tunable in the Sluice client` });

const KEYS: Readonly<Record<string, KeySpec>> = {
  'bootstrap.servers': {
    clients: ALL,
    apply: (value, target, key) => {
      target.bootstrapServers = parseBootstrapServers(value, key);
    },
  },
  'client.id': { clients: ALL, apply: text('clientId') },
  'request.timeout.ms': { clients: ALL, apply: int(1, 'requestTimeoutMs') },
  retries: { clients: ALL, apply: int(0, 'retries', 2 ** 31 - 1) },
  'retry.backoff.ms': { clients: ALL, apply: int(0, 'retryBackoffMs') },
  'retry.backoff.max.ms': { clients: ALL, apply: int(0, 'retryBackoffMaxMs') },
  'metadata.max.age.ms': { clients: ALL, apply: int(0, 'metadataMaxAgeMs') },
  'socket.connection.setup.timeout.ms': { clients: ALL, apply: int(1, 'connectTimeoutMs') },
  'security.protocol': {
    clients: ALL,
    refuse: (value) => (value.trim().toUpperCase() === 'PLAINTEXT' ? undefined : `security.protocol=${value} is not supported yet; only PLAINTEXT is`),
  },
  'socket.connection.setup.timeout.max.ms': tuning('the connection setup backoff'),
  'connections.max.idle.ms': tuning('idle connection closing'),
  'receive.buffer.bytes': tuning('the socket receive buffer'),
  'send.buffer.bytes': tuning('the socket send buffer'),
  'reconnect.backoff.ms': tuning('the reconnect backoff'),
  'reconnect.backoff.max.ms': tuning('the reconnect backoff'),
  'client.dns.lookup': tuning('DNS lookup'),
  'default.api.timeout.ms': tuning('the default API timeout (request.timeout.ms and retries bound each call)'),
  'metrics.sample.window.ms': tuning('client metrics'),
  'metrics.num.samples': tuning('client metrics'),
  'metrics.recording.level': tuning('client metrics'),
  'metric.reporters': tuning('client metrics'),
  'auto.include.jmx.reporter': tuning('JMX'),
  'enable.metrics.push': tuning('client metrics push'),
  'interceptor.classes': {
    clients: ['producer', 'consumer'],
    refuse: (value) => (value.trim() === '' ? undefined : 'Java interceptor classes cannot run in the Sluice client'),
  },

  acks: { clients: PRODUCER, apply: oneOf<string>('acksName', ['all', '-1', '0', '1']) },
  'linger.ms': { clients: PRODUCER, apply: int(0, 'lingerMs') },
  'batch.size': { clients: PRODUCER, apply: int(1, 'batchSize', 2 ** 31 - 1) },
  'compression.type': { clients: PRODUCER, apply: oneOf<CompressionType>('compression', ['none', 'gzip', 'snappy', 'lz4', 'zstd']) },
  'enable.idempotence': { clients: PRODUCER, apply: bool('idempotent') },
  'max.in.flight.requests.per.connection': { clients: PRODUCER, apply: int(1, 'maxInFlight', 1000) },
  'delivery.timeout.ms': { clients: PRODUCER, apply: int(1, 'deliveryTimeoutMs') },
  'buffer.memory': { clients: PRODUCER, apply: int(1, 'bufferMemory') },
  'max.block.ms': { clients: PRODUCER, apply: int(0, 'maxBlockMs') },
  'max.request.size': { clients: PRODUCER, apply: int(1, 'maxRequestSize', 2 ** 31 - 1) },
  'partitioner.ignore.keys': { clients: PRODUCER, apply: bool('ignoreKeys') },
  'partitioner.class': {
    clients: PRODUCER,
    refuse: (value) =>
      value.trim() === '' || value.trim() === 'org.apache.kafka.clients.producer.internals.DefaultPartitioner'
        ? undefined
        : `partitioner.class=${value} is not supported: Sluice places records as Java's built-in partitioner does (murmur2 for keys, sticky otherwise)`,
  },
  'partitioner.adaptive.partitioning.enable': { clients: PRODUCER, ignored: 'adaptive partitioning is not modelled; null keys use uniform sticky partitioning' },
  'partitioner.availability.timeout.ms': { clients: PRODUCER, ignored: 'adaptive partitioning is not modelled' },
  'transactional.id': { clients: PRODUCER, refuse: (value) => (value.trim() === '' ? undefined : 'transactions are not supported by the Sluice client') },
  'transaction.timeout.ms': { clients: PRODUCER, ignored: 'transactions are not supported' },
  'compression.gzip.level': { clients: PRODUCER, ignored: 'compression levels are not tunable' },
  'compression.lz4.level': { clients: PRODUCER, ignored: 'compression levels are not tunable' },
  'compression.zstd.level': { clients: PRODUCER, ignored: 'compression levels are not tunable' },
  'key.serializer': { clients: PRODUCER, ignored: 'the Sluice client sends bytes; converters serialize' },
  'value.serializer': { clients: PRODUCER, ignored: 'the Sluice client sends bytes; converters serialize' },
  'metadata.max.idle.ms': { clients: PRODUCER, ignored: 'metadata is refreshed by age only' },

  'group.id': { clients: CONSUMER, apply: text('groupId') },
  'group.instance.id': { clients: CONSUMER, apply: text('groupInstanceId') },
  'auto.offset.reset': { clients: CONSUMER, apply: oneOf<AutoOffsetReset>('autoOffsetReset', ['earliest', 'latest', 'none']) },
  'enable.auto.commit': { clients: CONSUMER, apply: bool('enableAutoCommit') },
  'auto.commit.interval.ms': { clients: CONSUMER, apply: int(1, 'autoCommitIntervalMs') },
  'session.timeout.ms': { clients: CONSUMER, apply: int(1, 'sessionTimeoutMs') },
  'heartbeat.interval.ms': { clients: CONSUMER, apply: int(1, 'heartbeatIntervalMs') },
  'max.poll.interval.ms': { clients: CONSUMER, apply: int(1, 'maxPollIntervalMs') },
  'max.poll.records': { clients: CONSUMER, apply: int(1, 'maxPollRecords') },
  'fetch.min.bytes': { clients: CONSUMER, apply: int(0, 'fetchMinBytes') },
  'fetch.max.bytes': { clients: CONSUMER, apply: int(0, 'fetchMaxBytes') },
  'fetch.max.wait.ms': { clients: CONSUMER, apply: int(0, 'fetchMaxWaitMs') },
  'max.partition.fetch.bytes': { clients: CONSUMER, apply: int(1, 'maxPartitionFetchBytes') },
  'isolation.level': { clients: CONSUMER, apply: oneOf<IsolationLevel>('isolationLevel', ['read_uncommitted', 'read_committed']) },
  'partition.assignment.strategy': {
    clients: CONSUMER,
    apply: (value, target, key) => {
      target.assignmentStrategy = parseAssignmentStrategy(value, key);
    },
  },
  'group.protocol': {
    clients: CONSUMER,
    refuse: (value) => (value.trim().toLowerCase() === 'classic' ? undefined : `group.protocol=${value} is not supported; the Sluice client uses the classic group protocol`),
  },
  'exclude.internal.topics': { clients: CONSUMER, apply: bool('excludeInternalTopics') },
  'client.rack': { clients: CONSUMER, apply: text('clientRack') },
  'allow.auto.create.topics': { clients: CONSUMER, apply: bool('allowAutoCreateTopics') },
  'check.crcs': { clients: CONSUMER, ignored: 'CRC checking is not switchable' },
  'key.deserializer': { clients: CONSUMER, ignored: 'the Sluice client returns bytes; converters deserialize' },
  'value.deserializer': { clients: CONSUMER, ignored: 'the Sluice client returns bytes; converters deserialize' },
};

/** The config keys that `kind` understands (mapped, warned or refused), for "did you mean" help. */
export function knownClientConfigKeys(kind: Kind): string[] {
  return Object.entries(KEYS)
    .filter(([, spec]) => spec.clients.includes(kind))
    .map(([key]) => key);
}

const COMMON_DEFAULTS: ClientSettings = {
  bootstrapServers: [],
  clientId: 'sluice',
  requestTimeoutMs: 30_000,
  retries: 20,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  metadataMaxAgeMs: 300_000,
  connectTimeoutMs: 10_000,
};

/** Kafka 4.x producer defaults. */
const PRODUCER_DEFAULTS: Omit<ProducerSettings, keyof ClientSettings> = {
  acks: -1,
  lingerMs: 5,
  batchSize: 16_384,
  compression: 'none',
  idempotent: true,
  maxInFlight: 5,
  deliveryTimeoutMs: 120_000,
  bufferMemory: 33_554_432,
  maxBlockMs: 60_000,
  maxRequestSize: 1_048_576,
  ignoreKeys: false,
};

/** Kafka 4.x consumer defaults (classic group protocol). */
const CONSUMER_DEFAULTS: Omit<ConsumerSettings, keyof ClientSettings> = {
  groupId: undefined,
  groupInstanceId: undefined,
  autoOffsetReset: 'latest',
  enableAutoCommit: true,
  autoCommitIntervalMs: 5000,
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3000,
  maxPollIntervalMs: 300_000,
  maxPollRecords: 500,
  fetchMinBytes: 1,
  fetchMaxBytes: 52_428_800,
  fetchMaxWaitMs: 500,
  maxPartitionFetchBytes: 1_048_576,
  isolationLevel: 'read_uncommitted',
  assignmentStrategy: 'range',
  excludeInternalTopics: true,
  allowAutoCreateTopics: true,
  clientRack: undefined,
};

function mapConfig(kind: Kind, config: ClientConfig): { target: Record<string, unknown>; warnings: string[] } {
  const target: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [key, raw] of Object.entries(config)) {
    if (raw === undefined) continue;
    const value = String(raw);
    const spec = KEYS[key];
    if (spec === undefined || !spec.clients.includes(kind)) {
      warnings.push(`'${key}' is not a known ${kind} config; it is ignored`);
      continue;
    }
    const refusal = spec.refuse?.(value);
    if (refusal !== undefined) throw new ConfigError(`${key}: ${refusal}`, { code: 'CONFIG_UNSUPPORTED', context: { key, value } });
    if (spec.apply) spec.apply(value, target, key);
    else if (spec.ignored) warnings.push(`'${key}' has no effect: ${spec.ignored}`);
  }
  return { target, warnings };
}

function common(target: Record<string, unknown>): ClientSettings {
  const settings = { ...COMMON_DEFAULTS } as Record<string, unknown>;
  for (const key of Object.keys(COMMON_DEFAULTS)) if (target[key] !== undefined) settings[key] = target[key];
  const result = settings as unknown as ClientSettings;
  if (result.bootstrapServers.length === 0) {
    throw new ConfigError('bootstrap.servers is required: a list of host:port pairs, e.g. 127.0.0.1:9092', { code: 'CONFIG_MISSING', context: { key: 'bootstrap.servers' } });
  }
  return result;
}

function pick<T extends object>(defaults: T, target: Record<string, unknown>): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(defaults)) if (target[key] !== undefined) out[key] = target[key];
  return out as T;
}

export function producerSettings(config: ClientConfig): Mapped<ProducerSettings> {
  const { target, warnings } = mapConfig('producer', config);
  if (target.acksName !== undefined) target.acks = target.acksName === 'all' ? -1 : (Number(target.acksName) as Acks);
  const explicitIdempotence = target.idempotent;
  const settings: ProducerSettings = { ...common(target), ...pick(PRODUCER_DEFAULTS, target) };
  // As in Kafka: idempotence is on by default but yields to conflicting explicit settings; asked
  // for explicitly, the conflict is an error.
  const conflict =
    settings.acks !== -1 ? `acks=${settings.acks === 0 ? '0' : '1'} (needs all)` : settings.maxInFlight > 5 ? `max.in.flight.requests.per.connection=${settings.maxInFlight} (needs at most 5)` : undefined;
  if (conflict !== undefined && settings.idempotent) {
    if (explicitIdempotence === true) {
      throw new ConfigError(`enable.idempotence=true conflicts with ${conflict}`, { context: { key: 'enable.idempotence' } });
    }
    settings.idempotent = false;
  }
  if (settings.deliveryTimeoutMs < settings.lingerMs + settings.requestTimeoutMs) {
    throw new ConfigError(
      `delivery.timeout.ms (${settings.deliveryTimeoutMs}) must be at least linger.ms + request.timeout.ms (${settings.lingerMs + settings.requestTimeoutMs})`,
      { context: { key: 'delivery.timeout.ms' } },
    );
  }
  return { settings, warnings };
}

export function consumerSettings(config: ClientConfig): Mapped<ConsumerSettings> {
  const { target, warnings } = mapConfig('consumer', config);
  const settings: ConsumerSettings = { ...common(target), ...pick(CONSUMER_DEFAULTS, target) };
  if (settings.heartbeatIntervalMs >= settings.sessionTimeoutMs) {
    throw new ConfigError(`heartbeat.interval.ms (${settings.heartbeatIntervalMs}) must be lower than session.timeout.ms (${settings.sessionTimeoutMs})`, {
      context: { key: 'heartbeat.interval.ms' },
    });
  }
  if (settings.groupInstanceId !== undefined && settings.groupId === undefined) {
    throw new ConfigError('group.instance.id needs a group.id', { context: { key: 'group.instance.id' } });
  }
  return { settings, warnings };
}

export function adminSettings(config: ClientConfig): Mapped<AdminSettings> {
  const { target, warnings } = mapConfig('admin', config);
  return { settings: common(target), warnings };
}

/** "host:port,host:port" (spaces allowed, an optional PLAINTEXT:// prefix) into host:port strings. */
export function parseBootstrapServers(value: string, key = 'bootstrap.servers'): string[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.replace(/^plaintext:\/\//i, ''));
  for (const server of servers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(server);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new ConfigError(`invalid address '${server}' in ${key}: expected host:port, e.g. 127.0.0.1:9092`, { context: { key, value } });
    }
  }
  if (servers.length === 0) throw new ConfigError(`${key} is empty: expected host:port pairs, e.g. 127.0.0.1:9092`, { context: { key } });
  return servers;
}

/** Java class names or short names; the first strategy Sluice implements wins, as Java tries them in order. */
function parseAssignmentStrategy(value: string, key: string): AssignmentStrategy {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    const short = name.replace(/^org\.apache\.kafka\.clients\.consumer\./, '').toLowerCase();
    if (short === 'rangeassignor' || short === 'range') return 'range';
    if (short === 'roundrobinassignor' || short === 'roundrobin') return 'roundrobin';
  }
  throw new ConfigError(`${key}=${value}: none of these assignors is supported; use RangeAssignor or RoundRobinAssignor`, {
    code: 'CONFIG_UNSUPPORTED',
    context: { key, value },
  });
}

function parseInteger(key: string, value: string, min: number, max: number): number {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new ConfigError(`invalid value '${value}' for ${key}: expected an integer`, { context: { key, value } });
  const n = Number(trimmed);
  if (n < min || n > max) {
    throw new ConfigError(`invalid value ${trimmed} for ${key}: expected ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}..${max}`}`, {
      context: { key, value },
    });
  }
  return n;
}

function parseBoolean(key: string, value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ConfigError(`invalid value '${value}' for ${key}: expected true or false`, { context: { key, value } });
}
