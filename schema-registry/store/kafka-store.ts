/**
 * The registry's store on a Kafka cluster, as Confluent's KafkaStore: state rebuilt from the
 * `_schemas` topic before serving, every change written as records to that topic by the leader
 * and applied only when read back (read-your-writes), so followers and restarted registries
 * derive exactly the same state. The leader is elected through the "sr" group.
 */
import { KafkaAdmin, KafkaConsumer, KafkaProducer, type RecordMetadata } from '../../runtime/client/index.ts';
import type { Logger } from '../../runtime/observability/logger.ts';
import { hasCode } from '../../runtime/util/errors.ts';
import { encodeKey, encodeValue, RegistryState, registryErrors, SchemaRegistry, type RegistryOptions, type RegistryRecord } from '../core/index.ts';
import type { LeaderInfo, RegistryStore, WritePlan } from './backend.ts';
import { identityUrl, type RegistryIdentity } from './group-protocol.ts';
import { LeaderElector } from './leader-elector.ts';
import { ensureSchemasTopic } from './schemas-topic.ts';
import { SchemasTopicReader } from './topic-reader.ts';
import { WriteLock } from './write-lock.ts';

export interface KafkaStoreOptions {
  /** `kafkastore.bootstrap.servers`: "host:port[,host:port]". */
  bootstrapServers: string;
  /** How other registries reach this one (the leader's URL is forwarded to). */
  advertised: { scheme: string; host: string; port: number };
  /** `kafkastore.topic` (default _schemas). */
  topic?: string;
  /** `kafkastore.topic.replication.factor`; the broker default when absent. */
  replicationFactor?: number;
  /** `schema.registry.group.id` (default schema-registry). */
  groupId?: string;
  /** `leader.eligibility` (default true). */
  leaderEligibility?: boolean;
  /** `leader.election.sticky` (default false). */
  stickyElection?: boolean;
  /** `kafkastore.init.timeout.ms`: how long start-up may take to read the topic (default 60 s). */
  initTimeoutMs?: number;
  /** `kafkastore.timeout.ms`: how long a write may wait for its records to be stored and read back (default 10 s). */
  timeoutMs?: number;
  /** kafkagroup.session.timeout.ms / heartbeat.interval.ms / rebalance.timeout.ms of the leader group. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Extra Kafka client properties (security settings and the like). */
  clientProperties?: Record<string, string>;
  registry?: RegistryOptions;
  logger?: Logger;
}

export class KafkaRegistryStore implements RegistryStore {
  readonly registry: SchemaRegistry;
  private readonly topic: string;
  private readonly timeoutMs: number;
  private readonly lock = new WriteLock();
  private readonly admin: KafkaAdmin;
  private readonly consumer: KafkaConsumer;
  private readonly producer: KafkaProducer;
  private readonly reader: SchemasTopicReader;
  private readonly elector: LeaderElector;
  private readonly logger: Logger | undefined;
  private current: LeaderInfo = { self: false, url: null };
  private leaderWaiters: Array<() => void> = [];
  /** Set on becoming leader: read to the end of the topic before planning the first write. */
  private needsCatchUp = true;
  private closed = false;

  private constructor(options: KafkaStoreOptions) {
    this.topic = options.topic ?? '_schemas';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.logger = options.logger;
    this.registry = new SchemaRegistry(new RegistryState(), options.registry);
    const base = { ...options.clientProperties, 'bootstrap.servers': options.bootstrapServers, 'client.id': 'sluice-schema-registry' };
    this.admin = new KafkaAdmin(base, { logger: options.logger });
    this.consumer = new KafkaConsumer(
      // Large fetches: start-up reads the whole topic, and the sooner the faster the registry serves.
      {
        ...base,
        'enable.auto.commit': 'false',
        'auto.offset.reset': 'earliest',
        'max.poll.records': '100000',
        'fetch.max.wait.ms': '100',
        'max.partition.fetch.bytes': String(32 * 1024 * 1024),
        'fetch.max.bytes': String(64 * 1024 * 1024),
      },
      { logger: options.logger },
    );
    this.producer = new KafkaProducer(
      {
        ...base,
        acks: 'all',
        'linger.ms': '0',
        'enable.idempotence': 'false',
        'max.in.flight.requests.per.connection': '1',
        'request.timeout.ms': String(this.timeoutMs),
        'delivery.timeout.ms': String(this.timeoutMs + 1000),
      },
      { logger: options.logger },
    );
    this.reader = new SchemasTopicReader({ consumer: this.consumer, admin: this.admin, topic: this.topic, state: this.registry.state, logger: options.logger });
    const identity: RegistryIdentity = { ...options.advertised, leaderEligibility: options.leaderEligibility ?? true, isLeader: false };
    this.elector = new LeaderElector({
      bootstrapServers: options.bootstrapServers.split(',').map((s) => s.trim()).filter((s) => s !== ''),
      groupId: options.groupId ?? 'schema-registry',
      identity,
      sticky: options.stickyElection ?? false,
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
      ...(options.rebalanceTimeoutMs === undefined ? {} : { rebalanceTimeoutMs: options.rebalanceTimeoutMs }),
      logger: options.logger,
      onChange: (leader) => this.leaderChanged(leader),
    });
  }

  /**
   * Creates or checks the topic, reads it to its end (the registry serves nothing before), and
   * joins the leader election. Leadership may be settled only a little later; writes wait for it.
   */
  static async start(options: KafkaStoreOptions): Promise<KafkaRegistryStore> {
    const store = new KafkaRegistryStore(options);
    options.logger?.info({ bootstrapServers: options.bootstrapServers, topic: store.topic }, 'reading the schemas topic');
    try {
      await ensureSchemasTopic(store.admin, store.topic, options.replicationFactor);
      store.reader.start();
      const initTimeoutMs = options.initTimeoutMs ?? 60_000;
      if (!(await store.reader.catchUp(initTimeoutMs))) {
        throw registryErrors.operationTimeout(`Reading the schemas topic ${store.topic} did not reach its end within kafkastore.init.timeout.ms (${initTimeoutMs} ms)`);
      }
      void store.elector.start();
      return store;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  leader(): LeaderInfo {
    return this.current;
  }

  async awaitLeader(timeoutMs: number): Promise<LeaderInfo> {
    if (this.current.url !== null || this.current.self || this.closed) return this.current;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.leaderWaiters.push(done);
    });
    return this.current;
  }

  async catchUp(): Promise<void> {
    if (!(await this.reader.catchUp(this.timeoutMs))) throw registryErrors.operationTimeout(`Timed out reading the schemas topic ${this.topic} to its end`);
  }

  write<T>(plan: WritePlan<T>): Promise<T> {
    return this.lock.run(async () => {
      if (!this.current.self) throw registryErrors.unknownLeader('This registry is not the leader; the leader is not known.');
      if (this.needsCatchUp) {
        if (!(await this.reader.catchUp(this.timeoutMs))) throw registryErrors.operationTimeout('Timed out reading the schemas topic to its end before a write');
        this.needsCatchUp = false;
      }
      const write = plan(this.registry);
      if (write.records.length === 0) return write.result;
      const stored = await this.append(write.records);
      const last = stored.reduce((max, m) => (m.offset > max ? m.offset : max), -1n);
      if (!(await this.reader.waitFor(last + 1n, this.timeoutMs))) {
        throw registryErrors.operationTimeout(`Write to the Kafka store timed out while waiting for the reader to reach offset ${last}`);
      }
      for (const m of stored) {
        const refusal = this.reader.refusal(m.offset);
        if (refusal !== undefined) throw registryErrors.storeError(`The record written at offset ${m.offset} of ${this.topic} was refused: ${refusal}`);
      }
      return write.result;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leaderChanged(null);
    await this.elector.close();
    await this.reader.stop();
    await Promise.allSettled([this.producer.close(), this.consumer.close(), this.admin.close()]);
  }

  private async append(records: readonly RegistryRecord[]): Promise<RecordMetadata[]> {
    try {
      return await Promise.all(
        records.map((record) => {
          const value = encodeValue(record);
          return this.producer.send({
            topic: this.topic,
            partition: 0,
            key: Buffer.from(encodeKey(record.key), 'utf8'),
            value: value === null ? null : Buffer.from(value, 'utf8'),
          });
        }),
      );
    } catch (err) {
      if (hasCode(err, 'RECORD_TOO_LARGE') || hasCode(err, 'MESSAGE_TOO_LARGE')) {
        throw registryErrors.schemaTooLarge('Register operation failed because schema is too large');
      }
      throw registryErrors.storeError(`Writing to the schemas topic ${this.topic} failed: ${(err as Error).message}`, err);
    }
  }

  private leaderChanged(leader: { self: boolean; identity: RegistryIdentity } | null): void {
    const wasSelf = this.current.self;
    this.current = this.closed || leader === null ? { self: false, url: null } : { self: leader.self, url: identityUrl(leader.identity) };
    if (this.current.self && !wasSelf) this.needsCatchUp = true;
    this.logger?.info({ leader: this.current.url, self: this.current.self }, this.current.url === null ? 'schema registry leader unknown' : 'schema registry leader elected');
    if (this.current.url !== null || this.closed) {
      const waiters = this.leaderWaiters;
      this.leaderWaiters = [];
      for (const w of waiters) w();
    }
  }
}
