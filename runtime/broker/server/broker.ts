import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import { componentLogger, createLogger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { systemClock } from '../../util/clock.ts';
import { SluiceError, messageOf } from '../../util/errors.ts';
import { systemRandom } from '../../util/random.ts';
import { CONTROL_BIT } from '../log/batch-header.ts';
import { decodeBatches } from '../log/records.ts';
import { GroupCoordinator, decodeCoordinatorRecord } from '../group/index.ts';
import type { CoordinatorRecord, UnknownCoordinatorRecord } from '../group/index.ts';
import { brokerSettings, resolveBrokerConfig } from './broker-config.ts';
import type { BrokerConfigInput, Listener, ResolvedBrokerConfig } from './broker-config.ts';
import { Connection } from './connection.ts';
import type { ConnectionInfo } from './connection.ts';
import { Dispatcher } from './dispatcher.ts';
import { errorCodeOf } from './error-mapping.ts';
import { GroupDriver } from './group-driver.ts';
import { ConfigSource } from './handlers/configs.ts';
import type { BrokerConfigView } from './handlers/configs.ts';
import { loadOrCreateMetaProperties } from './meta-properties.ts';
import { ProducerIdAllocator } from './producer-ids.ts';
import { ProducerStateJobs } from './producer-state-jobs.ts';
import { TopicService } from './topic-service.ts';

/**
 * A single-node Kafka-compatible broker: composes the log engine (topics), the group coordinator
 * (over __consumer_offsets), the producer id allocator and the API handlers behind one TCP server
 * per listener. `startBroker` is the embedding API (the CLI and the Connect worker use it).
 */
export const OFFSETS_TOPIC = '__consumer_offsets';
const LOCK_FILE = '.lock';
const OFFSETS_LOAD_CHUNK = 1024 * 1024;

export interface BrokerOptions {
  /** Already resolved settings, or the raw properties to resolve. */
  config: ResolvedBrokerConfig | BrokerConfigInput;
  logger?: Logger;
  clock?: Clock;
  /** See PartitionLogOptions.syncData (tests decide when fsyncs finish). */
  syncData?: (fd: number) => Promise<void>;
}

export interface BoundListener {
  name: string;
  host: string;
  /** The bound port (the actual one when the listener asked for port 0). */
  port: number;
}

export interface RunningBroker {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly dataDir: string;
  readonly listeners: readonly BoundListener[];
  /** Port of the first listener. */
  readonly port: number;
  /** `host:port` of the first listener, as clients should use it. */
  readonly bootstrap: string;
  /** Stops accepting, closes connections, answers parked group requests, flushes and closes every log. */
  close(): Promise<void>;
}

function isResolved(config: ResolvedBrokerConfig | BrokerConfigInput): config is ResolvedBrokerConfig {
  return 'server' in config;
}

/** Refuses a data directory that another live process is using (two writers would corrupt it). */
function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (alive) {
        throw new SluiceError('DATA_DIR_LOCKED', `data directory ${dir} is in use by process ${pid}; stop it or choose another --data-dir`, { context: { dir, pid } });
      }
    }
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}

function loadOffsetsTopic(topics: TopicService, partitions: number, logger: Logger): (CoordinatorRecord | UnknownCoordinatorRecord)[] {
  const out: (CoordinatorRecord | UnknownCoordinatorRecord)[] = [];
  for (let p = 0; p < partitions; p++) {
    const handle = topics.partition(OFFSETS_TOPIC, p);
    if (handle === undefined) continue;
    const log = handle.log;
    let from = log.logStartOffset;
    const end = log.highWatermark;
    while (from < end) {
      const { records, nextOffset } = log.readSync(from, OFFSETS_LOAD_CHUNK, { maxOffset: end });
      if (records.length === 0 || nextOffset <= from) break;
      for (const batch of decodeBatches(records, { source: `${OFFSETS_TOPIC}-${p}` })) {
        if ((batch.header.attributes & CONTROL_BIT) !== 0) continue;
        for (const record of batch.records) {
          if (record.key === null) continue;
          try {
            out.push(decodeCoordinatorRecord(record.key, record.value));
          } catch (err) {
            logger.error({ partition: p, offset: record.offset.toString(), err: messageOf(err) }, 'skipping unreadable __consumer_offsets record');
          }
        }
      }
      from = nextOffset;
    }
  }
  return out;
}

function listen(listener: Listener, onConnection: (socket: net.Socket, listener: BoundListener) => void): Promise<{ server: net.Server; bound: BoundListener }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    const where = `${listener.host === '' ? '0.0.0.0' : listener.host}:${listener.port}`;
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is already in use (is another broker running?)' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new SluiceError('LISTENER_BIND_FAILED', `cannot listen on ${where} (listener ${listener.name}): ${why}`, { cause: err, context: { listener: listener.name, address: where } }));
    });
    server.listen({ host: listener.host === '' ? undefined : listener.host, port: listener.port }, () => {
      const address = server.address() as net.AddressInfo;
      const bound: BoundListener = { name: listener.name, host: listener.host, port: address.port };
      server.on('connection', (socket) => onConnection(socket, bound));
      server.on('error', () => undefined);
      resolve({ server, bound });
    });
  });
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const config = isResolved(options.config) ? options.config : resolveBrokerConfig(options.config);
  const root = options.logger ?? createLogger();
  const logger = componentLogger(root, 'broker');
  const clock = options.clock ?? systemClock;
  for (const warning of config.warnings) logger.warn(warning);

  fs.mkdirSync(config.dataDir, { recursive: true });
  const unlock = lockDataDir(config.dataDir);
  const cleanups: (() => Promise<void> | void)[] = [unlock];
  const abort = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const meta = await loadOrCreateMetaProperties(config.dataDir, config.nodeId);
    if (meta.created) logger.info({ nodeId: meta.nodeId, clusterId: meta.clusterId, dataDir: config.dataDir }, 'formatted new data directory');
    const server = config.server;
    const topics = await TopicService.open({
      dataDir: config.dataDir,
      brokerProperties: Object.fromEntries(config.explicit),
      numPartitions: server['num.partitions'],
      defaultReplicationFactor: server['default.replication.factor'],
      deleteTopicEnable: server['delete.topic.enable'],
      clock,
      logger: componentLogger(root, 'log'),
      syncData: options.syncData,
    });
    cleanups.push(() => topics.close());
    await topics.ensureInternal(OFFSETS_TOPIC, server['offsets.topic.num.partitions'], {
      'cleanup.policy': 'compact',
      'segment.bytes': String(server['offsets.topic.segment.bytes']),
      'compression.type': 'producer',
    });
    const offsetsPartitions = topics.describe(OFFSETS_TOPIC)?.partitions ?? server['offsets.topic.num.partitions'];

    const coordinator = new GroupCoordinator({
      clock,
      random: systemRandom,
      config: { ...config.group, offsetsTopicNumPartitions: offsetsPartitions },
      logger: componentLogger(root, 'group-coordinator'),
    });
    const groups = new GroupDriver(
      coordinator,
      async (partition, batch) => {
        const handle = topics.partition(OFFSETS_TOPIC, partition);
        if (handle === undefined) throw new SluiceError('UNKNOWN_TOPIC_OR_PARTITION', `${OFFSETS_TOPIC}-${partition} does not exist`);
        await handle.append(batch);
      },
      clock,
      componentLogger(root, 'group-driver'),
      errorCodeOf,
    );
    groups.load(loadOffsetsTopic(topics, offsetsPartitions, logger));
    cleanups.push(() => groups.stop());

    const producerJobs = new ProducerStateJobs({
      topics,
      snapshotIntervalMs: config.logManager['log.flush.offset.checkpoint.interval.ms'],
      expirationMs: server['producer.id.expiration.ms'],
      expirationCheckIntervalMs: server['producer.id.expiration.check.interval.ms'],
      clock,
      logger: componentLogger(root, 'producer-state'),
    });
    producerJobs.start();
    cleanups.push(() => producerJobs.stop());

    const settings = brokerSettings(config);
    const brokerConfig: BrokerConfigView = {
      nodeId: meta.nodeId,
      entries: () =>
        settings.map((s) => ({ name: s.name, value: s.value, source: s.explicit ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG, type: s.type, doc: s.doc })),
      explicit: (name) => config.explicit.get(name),
    };

    const connections = new Map<number, Connection>();
    let nextConnectionId = 1;
    const rack = server['broker.rack'] === '' ? null : server['broker.rack'];
    const dispatcher = new Dispatcher({
      nodeId: meta.nodeId,
      clusterId: meta.clusterId,
      rack,
      autoCreateTopics: server['auto.create.topics.enable'],
      topics,
      groups,
      producerIds: ProducerIdAllocator.open(config.dataDir),
      brokerConfig,
      endpointFor: (c: ConnectionInfo) => {
        const advertised = config.advertised.get(c.listenerName);
        return advertised ?? { host: c.localAddress, port: c.localPort };
      },
      isClosed: (c: ConnectionInfo) => connections.get(c.id)?.closed ?? true,
      logger: componentLogger(root, 'requests'),
    });
    const connectionLogger = componentLogger(root, 'connection');
    const onConnection = (socket: net.Socket, listener: BoundListener): void => {
      const id = nextConnectionId++;
      const remote = socket.remoteAddress ?? 'unknown';
      const info: ConnectionInfo = {
        id,
        clientHost: `/${remote.startsWith('::ffff:') ? remote.slice(7) : remote}`,
        listenerName: listener.name,
        localPort: listener.port,
        localAddress: advertisableHost(listener, socket),
      };
      const connection = new Connection(socket, info, dispatcher, {
        maxFrameSize: server['socket.request.max.bytes'],
        idleTimeoutMs: server['connections.max.idle.ms'],
        logger: connectionLogger,
      });
      connections.set(id, connection);
      connection.onClose(() => connections.delete(id));
    };

    const servers: net.Server[] = [];
    cleanups.push(async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    });
    cleanups.push(() => {
      for (const c of connections.values()) c.close('broker shutting down', 'debug');
    });
    const bound: BoundListener[] = [];
    for (const listener of config.listeners) {
      const opened = await listen(listener, onConnection);
      servers.push(opened.server);
      bound.push(opened.bound);
    }
    const first = bound[0];
    const firstEndpoint = config.advertised.get(first.name) ?? { host: first.host === '' ? '127.0.0.1' : first.host, port: first.port };
    logger.info({ nodeId: meta.nodeId, clusterId: meta.clusterId, listeners: bound.map((b) => `${b.name}://${b.host}:${b.port}`), dataDir: config.dataDir }, 'broker started');

    let closing: Promise<void> | undefined;
    return {
      nodeId: meta.nodeId,
      clusterId: meta.clusterId,
      dataDir: config.dataDir,
      listeners: bound,
      port: first.port,
      bootstrap: `${firstEndpoint.host}:${firstEndpoint.port}`,
      close: () => {
        closing ??= (async () => {
          await abort();
          logger.info('broker stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    await abort();
    throw err;
  }
}

/** The host clients reach this listener at when nothing is advertised: its bound host, or the address they connected to. */
function advertisableHost(listener: BoundListener, socket: net.Socket): string {
  if (listener.host !== '' && listener.host !== '0.0.0.0' && listener.host !== '::') return listener.host;
  const local = socket.localAddress ?? '127.0.0.1';
  return local.startsWith('::ffff:') ? local.slice(7) : local;
}
