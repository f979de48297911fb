import { ConfigError } from '../../util/errors.ts';
import { closestKeys } from '../../util/config/closest-keys.ts';
import { ConfigDefs, atLeast, formatConfigValue } from '../log/config-def.ts';
import type { ConfigKeyDef, ConfigValue } from '../log/config-def.ts';
import { LOG_MANAGER_CONFIG } from '../log/log-manager-config.ts';
import type { LogManagerConfig } from '../log/log-manager-config.ts';
import { TOPIC_DEFAULT_BROKER_KEYS, topicDefaultsFromBroker } from '../log/topic-config.ts';
import type { TopicConfig } from '../log/topic-config.ts';
import type { GroupCoordinatorConfig } from '../group/index.ts';
import { resolveGroupCoordinatorConfig } from '../group/index.ts';

/**
 * The broker's own server.properties keys (names, types and defaults as Kafka's KafkaConfig), the
 * Kafka keys that do not apply to a single-node Sluice broker (accepted with a warning so that a
 * stock Kafka server.properties starts), and the resolution of everything into typed settings.
 * Log keys come from the log engine's definitions (LOG_MANAGER_CONFIG, topic-default synonyms).
 */
export interface BrokerServerConfig {
  listeners: string[];
  'advertised.listeners': string[];
  'listener.security.protocol.map': string[];
  'controller.listener.names': string[];
  'log.dirs': string[];
  'log.dir': string;
  'node.id': number;
  'broker.id': number;
  'broker.rack': string;
  'num.partitions': number;
  'default.replication.factor': number;
  'auto.create.topics.enable': boolean;
  'delete.topic.enable': boolean;
  'socket.request.max.bytes': number;
  'connections.max.idle.ms': number;
  'offsets.topic.num.partitions': number;
  'offsets.topic.replication.factor': number;
  'offsets.topic.segment.bytes': number;
  'offsets.retention.minutes': number;
  'offsets.retention.check.interval.ms': number;
  'offset.metadata.max.bytes': number;
  'group.min.session.timeout.ms': number;
  'group.max.session.timeout.ms': number;
  'group.initial.rebalance.delay.ms': number;
  'group.max.size': number;
  'producer.id.expiration.ms': number;
  'producer.id.expiration.check.interval.ms': number;
}

const INT_MAX = 2147483647;

const serverDefs: ConfigKeyDef[] = [
  {
    name: 'listeners', type: 'list', default: ['PLAINTEXT://:9092'], importance: 'high',
    doc: 'Comma-separated NAME://host:port entries to listen on; an empty host binds every interface, port 0 picks a free port. Only PLAINTEXT listeners are served; controller listeners are skipped.',
  },
  {
    name: 'advertised.listeners', type: 'list', default: [], importance: 'high',
    doc: 'NAME://host:port entries handed to clients in Metadata responses, per listener name; defaults to listeners (with the bound host and port).',
  },
  {
    name: 'listener.security.protocol.map', type: 'list', default: ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL'],
    importance: 'low', doc: 'Listener name to security protocol; Sluice serves listeners whose protocol is PLAINTEXT.',
  },
  {
    name: 'controller.listener.names', type: 'list', default: [], importance: 'low',
    doc: 'Listener names used by a KRaft controller. A single-node Sluice broker has no controller quorum, so these listeners are not opened.',
  },
  { name: 'log.dirs', type: 'list', default: [], importance: 'high', doc: 'Directory holding the topics (one directory; overrides log.dir). The --data-dir option overrides both.' },
  { name: 'log.dir', type: 'string', default: '/tmp/kafka-logs', importance: 'high', doc: 'Directory holding the topics when log.dirs is not set.' },
  {
    name: 'node.id', type: 'int', default: -1, importance: 'high', validate: atLeast(-1),
    doc: 'Id of this broker. -1: generated on first start and kept in meta.properties; a different value than the stored one is refused.',
  },
  { name: 'broker.id', type: 'int', default: -1, importance: 'high', validate: atLeast(-1), doc: 'Older name of node.id.' },
  { name: 'broker.rack', type: 'string', default: '', importance: 'medium', doc: 'Rack of this broker, returned in Metadata responses.' },
  { name: 'num.partitions', type: 'int', default: 1, importance: 'medium', validate: atLeast(1), validValues: '[1,...]', doc: 'Partitions of auto-created topics and of CreateTopics requests that ask for the default (-1).' },
  {
    name: 'default.replication.factor', type: 'int', default: 1, importance: 'medium', validate: atLeast(1), validValues: '[1,...]',
    doc: 'Replication factor of auto-created topics. A single-node broker holds one replica: a larger value makes topic creation fail with INVALID_REPLICATION_FACTOR, as in Kafka with too few brokers.',
  },
  { name: 'auto.create.topics.enable', type: 'boolean', default: true, importance: 'high', doc: 'Create a topic with the default settings when a client asks for metadata of (or produces to) a topic that does not exist.' },
  { name: 'delete.topic.enable', type: 'boolean', default: true, importance: 'high', doc: 'Allow DeleteTopics; when false it fails with TOPIC_DELETION_DISABLED.' },
  {
    name: 'socket.request.max.bytes', type: 'int', default: 100 * 1024 * 1024, importance: 'high', validate: atLeast(1), validValues: '[1,...]',
    doc: 'Largest request frame accepted; a larger size prefix closes the connection.',
  },
  {
    name: 'connections.max.idle.ms', type: 'long', default: 600000, importance: 'medium',
    doc: 'Idle connections (no request in flight and nothing received) are closed after this long; -1 keeps them.',
  },
  { name: 'offsets.topic.num.partitions', type: 'int', default: 50, importance: 'high', validate: atLeast(1), validValues: '[1,...]', doc: 'Partitions of __consumer_offsets (fixed once the topic exists).' },
  {
    name: 'offsets.topic.replication.factor', type: 'int', default: 3, importance: 'high', validate: atLeast(1), validValues: '[1,...]',
    doc: 'Replication factor of __consumer_offsets. A single-node broker stores one replica whatever the value (Kafka would refuse to create the topic with fewer brokers).',
  },
  { name: 'offsets.topic.segment.bytes', type: 'int', default: 100 * 1024 * 1024, importance: 'high', validate: atLeast(1), validValues: '[1,...]', doc: 'segment.bytes of __consumer_offsets.' },
  { name: 'offsets.retention.minutes', type: 'int', default: 10080, importance: 'high', validate: atLeast(1), validValues: '[1,...]', doc: 'Committed offsets of a group that is empty are deleted after this long.' },
  { name: 'offsets.retention.check.interval.ms', type: 'long', default: 600000, importance: 'high', validate: atLeast(1), validValues: '[1,...]', doc: 'How often expired offsets are looked for.' },
  { name: 'offset.metadata.max.bytes', type: 'int', default: 4096, importance: 'high', validate: atLeast(0), doc: 'Largest metadata string accepted with an offset commit.' },
  { name: 'group.min.session.timeout.ms', type: 'int', default: 6000, importance: 'medium', validate: atLeast(0), doc: 'Smallest session timeout a group member may ask for.' },
  { name: 'group.max.session.timeout.ms', type: 'int', default: 1800000, importance: 'medium', validate: atLeast(0), doc: 'Largest session timeout a group member may ask for.' },
  {
    name: 'group.initial.rebalance.delay.ms', type: 'int', default: 3000, importance: 'medium', validate: atLeast(0),
    doc: 'How long the first rebalance of an empty group waits for more members to join.',
  },
  { name: 'group.max.size', type: 'int', default: INT_MAX, importance: 'medium', validate: atLeast(1), validValues: '[1,...]', doc: 'Most members a consumer group may have.' },
  {
    name: 'producer.id.expiration.ms', type: 'int', default: 86400000, importance: 'low', validate: atLeast(1), validValues: '[1,...]',
    doc: 'Idempotent-producer state of a producer id that wrote nothing for this long is dropped.',
  },
  { name: 'producer.id.expiration.check.interval.ms', type: 'int', default: 600000, importance: 'low', validate: atLeast(1), validValues: '[1,...]', doc: 'How often idle producer ids are looked for.' },
];

export const BROKER_SERVER_CONFIG = new ConfigDefs<BrokerServerConfig>('broker', serverDefs);

/**
 * Kafka server keys that have no effect here: a single event loop instead of thread pools, no
 * controller quorum, no replication, no transactions, no TLS/SASL yet. A stock Kafka
 * server.properties sets several; each one present is reported once at start-up.
 */
const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'process.roles': 'a Sluice broker is its own controller; there is no KRaft quorum',
  'controller.quorum.voters': 'there is no controller quorum',
  'controller.quorum.bootstrap.servers': 'there is no controller quorum',
  'inter.broker.listener.name': 'there are no other brokers',
  'security.inter.broker.protocol': 'there are no other brokers',
  'num.network.threads': 'one event loop serves every connection',
  'num.io.threads': 'one event loop serves every request',
  'num.replica.fetchers': 'there is no replication',
  'num.recovery.threads.per.data.dir': 'recovery runs on the event loop',
  'background.threads': 'background work runs on the event loop',
  'queued.max.requests': 'requests are processed one at a time per connection',
  'socket.send.buffer.bytes': 'the operating system sizes socket buffers',
  'socket.receive.buffer.bytes': 'the operating system sizes socket buffers',
  'socket.listen.backlog.size': 'the operating system default backlog is used',
  'metadata.log.dir': 'there is no metadata log',
  'group.coordinator.rebalance.protocols': 'only the classic group protocol is served',
  'auto.leader.rebalance.enable': 'there is one replica per partition',
  'log.message.format.version': 'only record batch v2 is stored (ignored by Kafka 4 too)',
  'message.format.version': 'only record batch v2 is stored',
  'broker.id.generation.enable': 'the node id is generated when node.id is not set',
  'reserved.broker.max.id': 'the node id is generated when node.id is not set',
  'authorizer.class.name': 'authorization is not implemented: every client may do everything',
  'super.users': 'authorization is not implemented',
  'allow.everyone.if.no.acl.found': 'authorization is not implemented',
  'offsets.commit.timeout.ms': 'offset commits wait for the local append only',
  'offsets.load.buffer.size': '__consumer_offsets is read in one pass at start-up',
  'offsets.topic.compression.codec': '__consumer_offsets records are written uncompressed',
};

/** Families of keys that do not apply, by prefix, with the reason. */
const NOT_APPLICABLE_PREFIXES: readonly (readonly [string, string])[] = [
  ['zookeeper.', 'ZooKeeper is not used'],
  ['transaction.', 'transactions are not supported yet'],
  ['transactional.', 'transactions are not supported yet'],
  ['share.', 'share groups are not supported'],
  ['replica.', 'there is no replication'],
  ['controller.', 'there is no controller quorum'],
  ['ssl.', 'only PLAINTEXT listeners are supported'],
  ['sasl.', 'only PLAINTEXT listeners are supported'],
  ['listener.name.', 'per-listener overrides are not supported'],
  ['metric.', 'metrics are exposed by Sluice itself'],
  ['metrics.', 'metrics are exposed by Sluice itself'],
  ['quota.', 'quotas are not enforced'],
  ['remote.log.', 'tiered storage is not supported'],
  ['confluent.', 'Confluent Server settings do not apply'],
];

/** The reason a Kafka key is accepted but ignored, or undefined when it is not such a key. */
export function notApplicableReason(key: string): string | undefined {
  if (Object.hasOwn(NOT_APPLICABLE, key)) return NOT_APPLICABLE[key];
  return NOT_APPLICABLE_PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
}

/** Every key the broker understands: its own, the log engine's, and the topic-default synonyms. */
export function knownBrokerKeys(): string[] {
  return [...BROKER_SERVER_CONFIG.keys.keys(), ...LOG_MANAGER_CONFIG.keys.keys(), ...TOPIC_DEFAULT_BROKER_KEYS];
}

export interface Listener {
  /** Listener name, e.g. PLAINTEXT. */
  name: string;
  /** Host to bind; '' = every interface. */
  host: string;
  port: number;
}

/** Everything the broker needs, resolved and validated. */
export interface ResolvedBrokerConfig {
  server: BrokerServerConfig;
  logManager: LogManagerConfig;
  /** Topic defaults from the broker keys (log.retention.hours, log.segment.bytes, ...). */
  topicDefaults: Partial<TopicConfig>;
  group: GroupCoordinatorConfig;
  /** PLAINTEXT listeners to open. */
  listeners: Listener[];
  /** Advertised host/port per listener name, where advertised.listeners names one. */
  advertised: ReadonlyMap<string, { host: string; port: number }>;
  dataDir: string;
  /** The node id asked for, or -1 to generate one. */
  nodeId: number;
  /** The raw properties as given, for DescribeConfigs (sources). */
  explicit: ReadonlyMap<string, string>;
  /** One line per ignored Kafka key (or skipped listener), for the start-up log. */
  warnings: string[];
}

function unknownKey(key: string): ConfigError {
  const near = closestKeys(key, knownBrokerKeys());
  const hint = near.length > 0 ? `; did you mean ${near.join(', ')}?` : '';
  return new ConfigError(`Unknown broker configuration ${key}${hint}`, { code: 'INVALID_CONFIG', context: { key, closest: near } });
}

const LISTENER_RE = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/;

/** Parses one `NAME://host:port` entry (IPv6 hosts in brackets). */
export function parseListener(entry: string, key: string): Listener {
  const m = LISTENER_RE.exec(entry.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) {
    throw new ConfigError(`Invalid value "${entry}" for configuration ${key}: expected NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092`, {
      code: 'INVALID_CONFIG',
      context: { key, value: entry },
    });
  }
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { name: m[1].toUpperCase(), host, port };
}

function protocolMap(entries: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const [name, protocol] = entry.split(':');
    if (name === undefined || protocol === undefined || name === '' || protocol === '') {
      throw new ConfigError(`Invalid value "${entry}" for configuration listener.security.protocol.map: expected NAME:PROTOCOL`, {
        code: 'INVALID_CONFIG',
        context: { key: 'listener.security.protocol.map', value: entry },
      });
    }
    map.set(name.toUpperCase(), protocol.toUpperCase());
  }
  return map;
}

export interface BrokerConfigInput {
  /** server.properties entries (file, then --override, later wins). */
  properties: Readonly<Record<string, string>>;
  /** --data-dir: overrides log.dirs / log.dir. */
  dataDir?: string;
  /** --listeners: overrides listeners. */
  listeners?: string;
}

/**
 * Resolves broker properties: every key must be known (or a Kafka key that does not apply, which
 * becomes a warning); every value must parse and validate. Errors name the key and, for unknown
 * keys, the closest known ones.
 */
export function resolveBrokerConfig(input: BrokerConfigInput): ResolvedBrokerConfig {
  const props: Record<string, string> = { ...input.properties };
  if (input.listeners !== undefined) props.listeners = input.listeners;
  const warnings: string[] = [];
  const serverRaw: Record<string, string> = {};
  const logRaw: Record<string, string> = {};
  const topicRaw: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) {
    if (BROKER_SERVER_CONFIG.keys.has(key)) serverRaw[key] = value;
    else if (LOG_MANAGER_CONFIG.keys.has(key)) logRaw[key] = value;
    else if (TOPIC_DEFAULT_BROKER_KEYS.has(key)) topicRaw[key] = value;
    else {
      const reason = notApplicableReason(key);
      if (reason === undefined) throw unknownKey(key);
      warnings.push(`ignoring ${key}: ${reason}`);
    }
  }
  const server = BROKER_SERVER_CONFIG.resolve(BROKER_SERVER_CONFIG.parseOverrides(serverRaw));
  const logManager = LOG_MANAGER_CONFIG.resolve(LOG_MANAGER_CONFIG.parseOverrides(logRaw));
  const topicDefaults = topicDefaultsFromBroker(topicRaw);
  const group = resolveGroupCoordinatorConfig({
    minSessionTimeoutMs: server['group.min.session.timeout.ms'],
    maxSessionTimeoutMs: server['group.max.session.timeout.ms'],
    initialRebalanceDelayMs: server['group.initial.rebalance.delay.ms'],
    maxSize: server['group.max.size'],
    offsetsTopicNumPartitions: server['offsets.topic.num.partitions'],
    offsetsRetentionMs: server['offsets.retention.minutes'] * 60_000,
    offsetsRetentionCheckIntervalMs: server['offsets.retention.check.interval.ms'],
    offsetMetadataMaxSize: server['offset.metadata.max.bytes'],
  });

  const { listeners, advertised } = resolveListeners(server, warnings);
  const dataDir = resolveDataDir(server, input.dataDir, warnings);
  if (server['node.id'] >= 0 && server['broker.id'] >= 0 && server['node.id'] !== server['broker.id']) {
    throw new ConfigError(`node.id (${server['node.id']}) and broker.id (${server['broker.id']}) must be equal when both are set`, {
      code: 'INVALID_CONFIG',
      context: { key: 'node.id' },
    });
  }
  const nodeId = server['node.id'] >= 0 ? server['node.id'] : server['broker.id'];
  if (server['offsets.topic.replication.factor'] > 1 && props['offsets.topic.replication.factor'] !== undefined) {
    warnings.push(`offsets.topic.replication.factor=${server['offsets.topic.replication.factor']}: a single-node broker keeps one replica of __consumer_offsets`);
  }
  return { server, logManager, topicDefaults, group, listeners, advertised, dataDir, nodeId, explicit: new Map(Object.entries(props)), warnings };
}

function resolveListeners(server: BrokerServerConfig, warnings: string[]): Pick<ResolvedBrokerConfig, 'listeners' | 'advertised'> {
  const protocols = protocolMap(server['listener.security.protocol.map']);
  const controllerNames = new Set(server['controller.listener.names'].map((n) => n.toUpperCase()));
  const listeners: Listener[] = [];
  const names = new Set<string>();
  for (const entry of server.listeners) {
    const listener = parseListener(entry, 'listeners');
    if (names.has(listener.name)) {
      throw new ConfigError(`Listener name ${listener.name} appears twice in listeners`, { code: 'INVALID_CONFIG', context: { key: 'listeners' } });
    }
    names.add(listener.name);
    if (controllerNames.has(listener.name)) {
      warnings.push(`not opening controller listener ${entry}: there is no controller quorum`);
      continue;
    }
    const protocol = protocols.get(listener.name) ?? listener.name;
    if (protocol !== 'PLAINTEXT') {
      throw new ConfigError(`Listener ${entry} uses security protocol ${protocol}; only PLAINTEXT listeners are supported`, {
        code: 'INVALID_CONFIG',
        context: { key: 'listeners', value: entry },
      });
    }
    listeners.push(listener);
  }
  if (listeners.length === 0) {
    throw new ConfigError('No PLAINTEXT listener to open: set listeners (e.g. listeners=PLAINTEXT://127.0.0.1:9092)', {
      code: 'INVALID_CONFIG',
      context: { key: 'listeners' },
    });
  }
  const advertised = new Map<string, { host: string; port: number }>();
  for (const entry of server['advertised.listeners']) {
    const a = parseListener(entry, 'advertised.listeners');
    if (controllerNames.has(a.name)) continue;
    if (!names.has(a.name)) {
      throw new ConfigError(`advertised.listeners names ${a.name}, which is not in listeners`, {
        code: 'INVALID_CONFIG',
        context: { key: 'advertised.listeners', value: entry },
      });
    }
    if (a.host === '' || a.host === '0.0.0.0' || a.host === '::') {
      throw new ConfigError(`advertised.listeners entry ${entry} must name a host clients can connect to`, {
        code: 'INVALID_CONFIG',
        context: { key: 'advertised.listeners', value: entry },
      });
    }
    advertised.set(a.name, { host: a.host, port: a.port });
  }
  return { listeners, advertised };
}

function resolveDataDir(server: BrokerServerConfig, dataDir: string | undefined, warnings: string[]): string {
  if (dataDir !== undefined) return dataDir;
  const dirs = server['log.dirs'];
  if (dirs.length > 1) {
    throw new ConfigError(`log.dirs lists ${dirs.length} directories; a Sluice broker stores its topics in one directory`, {
      code: 'INVALID_CONFIG',
      context: { key: 'log.dirs' },
    });
  }
  if (dirs.length === 1) return dirs[0];
  if (server['log.dir'] === '/tmp/kafka-logs') warnings.push('log.dirs is not set: using /tmp/kafka-logs (Kafka\'s default); pass --data-dir to choose');
  return server['log.dir'];
}

/** A broker setting as DescribeConfigs shows it: value, whether server.properties set it, type and docs. */
export interface BrokerSetting {
  name: string;
  value: string;
  explicit: boolean;
  type: ConfigKeyDef['type'];
  doc: string;
}

/**
 * Every broker setting with its effective value: the broker's and the log manager's keys, and the
 * topic-default keys that server.properties sets.
 */
export function brokerSettings(resolved: ResolvedBrokerConfig): BrokerSetting[] {
  const out: BrokerSetting[] = [];
  const values: Record<string, ConfigValue> = { ...resolved.server, ...resolved.logManager };
  for (const def of [...BROKER_SERVER_CONFIG.keys.values(), ...LOG_MANAGER_CONFIG.keys.values()]) {
    out.push({ name: def.name, value: formatConfigValue(def.type, values[def.name]), explicit: resolved.explicit.has(def.name), type: def.type, doc: def.doc });
  }
  for (const name of TOPIC_DEFAULT_BROKER_KEYS) {
    const raw = resolved.explicit.get(name);
    if (raw !== undefined) out.push({ name, value: raw, explicit: true, type: 'string', doc: 'Default of the matching topic config.' });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
