import { randomUUID } from 'node:crypto';
import { Admin, ConnectionPool, Consumer, FetchIsolationLevels, ListOffsetTimestamps, roundRobinAssigner } from '@platformatic/kafka';
import type { ClusterMetadata, FetchOptions, GroupAssignment } from '@platformatic/kafka';
import type { Logger } from '../observability/logger.ts';
import { ConfigError } from '../util/errors.ts';
import { baseOptions } from './base-options.ts';
import { consumerSettings } from './config.ts';
import type { ClientConfig, ConsumerSettings } from './config.ts';
import { COMMIT_FAILED_REBALANCE, KafkaClientError, kafkaErrorNames, wrapKafkaError } from './errors.ts';
import type { RawFetchPartition } from './fast-fetch-api.ts';
import { useRawFetchRecords } from './fast-fetch-api.ts';
import { scanRecordBatches } from './fetch-decoding.ts';
import type { FetchedRecords } from './fetch-decoding.ts';
import { RecordArrayQueue, queued, recordsFromBatches } from './fetched-records.ts';
import { RANGE_ASSIGNOR, rangeAssign } from './range-assignor.ts';
import { SubscriptionState } from './subscription-state.ts';
import type { OffsetResetTarget, PartitionState } from './subscription-state.ts';
import { topicPartitionKey } from './types.ts';
import type { ConsumerRecord, TopicPartition, TopicPartitionOffset } from './types.ts';

/**
 * Called from inside `poll` (never concurrently with it), as Java calls its
 * ConsumerRebalanceListener: revoked partitions first, then newly assigned ones. The worker opens
 * and closes sink task partitions here.
 */
export interface RebalanceListener {
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface KafkaConsumerOptions {
  logger?: Logger;
}

export interface GroupMembership {
  groupId: string;
  memberId: string | null;
  generationId: number;
}

type FetchRequestTopic = FetchOptions<Buffer, Buffer, Buffer, Buffer>['topics'][number];
type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

type Subscription = { kind: 'none' } | { kind: 'topics'; topics: string[] } | { kind: 'pattern'; pattern: RegExp } | { kind: 'assigned' };

/** Kafka error names of a fetch partition that mean "metadata is stale: look the leader up again". */
const STALE_METADATA_ERRORS = new Set(['NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR', 'UNKNOWN_TOPIC_ID']);
const REBALANCE_ERRORS = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID']);

/**
 * The Kafka consumer of Sluice: consumer groups (classic protocol, Java's range or round-robin
 * assignor) through @platformatic/kafka, and its own fetch loop on top so that it behaves like
 * Java's KafkaConsumer: `poll` returns batches of at most `max.poll.records`, partitions can be
 * paused and resumed, offsets are committed exactly as given, and a partition is fetched again
 * only once its previous records were handed out (back pressure). Fetches use their own
 * connections, so long polls never delay heartbeats.
 */
export class KafkaConsumer {
  readonly settings: ConsumerSettings;
  private readonly client: Consumer;
  private readonly fetchPool: ConnectionPool;
  private readonly logger: Logger | undefined;
  private readonly state = new SubscriptionState();
  private readonly pendingCallbacks: Array<{ kind: 'assigned' | 'revoked'; partitions: TopicPartition[] }> = [];
  private readonly inFlightNodes = new Set<number>();
  private readonly dataWaiters = new Set<() => void>();
  private subscription: Subscription = { kind: 'none' };
  private listener: RebalanceListener | undefined;
  private admin: Admin | undefined;
  private rebalancing = false;
  /** A JoinGroup this consumer started is under way. */
  private joining = false;
  private joinWaiters: Array<(error?: Error) => void> = [];
  private fatal: Error | undefined;
  private pendingError: Error | undefined;
  private positionsUpdate: Promise<void> | undefined;
  private fetchBackoffUntil = 0;
  private planningFetch = false;
  private fetchBackoffTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Topics of a fixed subscription that did not exist at the last look. */
  private missingTopics = 0;
  private lastAutoCommit = Date.now();
  private wakeupRequested = false;
  private closed = false;

  constructor(config: ClientConfig, options: KafkaConsumerOptions = {}) {
    const { settings, warnings } = consumerSettings(config);
    this.settings = settings;
    this.logger = options.logger;
    for (const warning of warnings) this.logger?.warn(`consumer config: ${warning}`);
    const range = settings.assignmentStrategy === 'range';
    this.client = new Consumer({
      ...baseOptions(settings),
      // platformatic needs a group id even for manual assignment, which never joins it.
      groupId: settings.groupId ?? `sluice-unjoined-${randomUUID()}`,
      ...(settings.groupInstanceId === undefined ? {} : { groupInstanceId: settings.groupInstanceId }),
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: Math.max(settings.maxPollIntervalMs, settings.sessionTimeoutMs),
      heartbeatInterval: settings.heartbeatIntervalMs,
      protocols: [{ name: range ? RANGE_ASSIGNOR : 'roundrobin', version: 1 }],
      partitionAssigner: range ? rangeAssign : roundRobinAssigner,
      autocommit: false,
      minBytes: settings.fetchMinBytes,
      maxBytes: settings.fetchMaxBytes,
      maxWaitTime: settings.fetchMaxWaitMs,
      isolationLevel: settings.isolationLevel === 'read_committed' ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
      ...(settings.clientRack === undefined ? {} : { clientRack: settings.clientRack }),
    });
    useRawFetchRecords(this.client);
    this.client.on('consumer:group:join', (payload) => this.onJoined(payload.assignments ?? []));
    this.client.on('consumer:group:rebalance', () => this.onRebalanceStarted());
    // A failed rejoin is emitted as 'error'; without a listener it would crash the process.
    this.client.on('error', (err: Error) => {
      this.fatal = wrapKafkaError(err, `group membership of ${settings.groupId}`, { group: settings.groupId });
      this.logger?.error({ err }, 'consumer group membership failed');
      this.resolveJoinWaiters(this.fatal);
      this.wake();
    });
    this.fetchPool = new ConnectionPool(settings.clientId, {
      connectTimeout: settings.connectTimeoutMs,
      requestTimeout: settings.requestTimeoutMs + settings.fetchMaxWaitMs,
    });
  }

  /**
   * Joins the consumer group with a fixed topic list or a pattern matched against the topic
   * names. Topics that do not exist yet are waited for (and auto-created when
   * allow.auto.create.topics and the broker allow it), as Java's consumer does; the subscription
   * is re-evaluated every metadata.max.age.ms, every second while a listed topic is missing.
   */
  async subscribe(topics: readonly string[] | RegExp, listener?: RebalanceListener): Promise<void> {
    this.checkUsable();
    const groupId = this.settings.groupId;
    if (groupId === undefined) throw new ConfigError('subscribing needs a group.id; use assign() to read partitions without a group', { context: { key: 'group.id' } });
    if (this.subscription.kind !== 'none') throw new KafkaClientError('ALREADY_SUBSCRIBED', `the consumer of group ${groupId} is already subscribed`);
    if (!(topics instanceof RegExp) && (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === ''))) {
      throw new KafkaClientError('INVALID_SUBSCRIPTION', `a subscription needs topic names, got ${JSON.stringify(topics)}`);
    }
    this.listener = listener;
    this.subscription = topics instanceof RegExp ? { kind: 'pattern', pattern: topics } : { kind: 'topics', topics: [...topics] };
    for (const topic of await this.subscribedTopics()) this.client.topics.track(topic);
    await this.join();
    this.scheduleRefresh();
  }

  /** Reads the given partitions without joining a group (Java's assign()). */
  assign(partitions: readonly TopicPartition[]): void {
    this.checkUsable();
    if (this.subscription.kind === 'topics' || this.subscription.kind === 'pattern') {
      throw new KafkaClientError('ALREADY_SUBSCRIBED', 'a consumer that subscribed to topics cannot also assign partitions');
    }
    this.subscription = { kind: 'assigned' };
    const current = this.state.assigned();
    const wanted = new Set(partitions.map((p) => topicPartitionKey(p.topic, p.partition)));
    this.state.unassign(current.filter((p) => !wanted.has(topicPartitionKey(p.topic, p.partition))));
    this.state.assign(partitions);
    for (const { topic } of partitions) if (!this.client.topics.has(topic)) this.client.topics.track(topic);
    this.wake();
  }

  assignment(): TopicPartition[] {
    return this.state.assigned();
  }

  membership(): GroupMembership | undefined {
    if (this.settings.groupId === undefined) return undefined;
    return { groupId: this.settings.groupId, memberId: this.client.memberId, generationId: this.client.generationId };
  }

  /**
   * Waits up to `timeoutMs` for records and returns at most max.poll.records of them (possibly
   * none). Rebalance callbacks run here first. Throws when the group membership failed for good
   * or an offset is out of range with auto.offset.reset=none.
   */
  async poll(timeoutMs = 0): Promise<ConsumerRecord[]> {
    this.checkUsable();
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      await this.runRebalanceCallbacks();
      this.throwPendingError();
      this.maybeAutoCommit();
      if (!this.rebalancing) {
        await this.updatePositions();
        const records = this.state.take(this.settings.maxPollRecords);
        this.pump();
        if (records.length > 0) return records;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.wakeupRequested) {
        this.wakeupRequested = false;
        return [];
      }
      await this.waitForData(remaining);
      this.checkUsable();
    }
  }

  /** Makes a waiting (or the next) poll return at once with what it has. */
  wakeup(): void {
    this.wakeupRequested = true;
    this.wake();
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.state.require(topic, partition, 'pause').paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.state.require(topic, partition, 'resume').paused = false;
    this.wake();
  }

  paused(): TopicPartition[] {
    return this.state
      .assigned()
      .filter(({ topic, partition }) => this.state.get(topic, partition)?.paused === true);
  }

  /** Next offset `poll` returns for the partition (undefined until it is known). */
  position(topic: string, partition: number): bigint | undefined {
    return this.state.require(topic, partition, 'read the position of').position;
  }

  seek(topic: string, partition: number, offset: bigint): void {
    if (offset < 0n) throw new KafkaClientError('INVALID_OFFSET', `cannot seek ${topicPartitionKey(topic, partition)} to a negative offset (${offset})`);
    this.state.seek(this.state.require(topic, partition, 'seek'), offset);
    this.wake();
  }

  seekToBeginning(partitions: readonly TopicPartition[]): void {
    this.resetTo(partitions, 'earliest');
  }

  seekToEnd(partitions: readonly TopicPartition[]): void {
    this.resetTo(partitions, 'latest');
  }

  /**
   * Commits the given offsets (each the offset of the next record to read, as in Java), or the
   * current position of every assigned partition. During a rebalance the commit waits for the
   * group to settle and is then sent with the new generation.
   */
  async commit(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkUsable();
    const groupId = this.settings.groupId;
    if (groupId === undefined) throw new ConfigError('committing offsets needs a group.id', { context: { key: 'group.id' } });
    const list = offsets ?? this.currentPositions();
    if (list.length === 0) return;
    const what = `committing offsets of group ${groupId} for ${[...new Set(list.map((o) => topicPartitionKey(o.topic, o.partition)))].join(', ')}`;
    if (this.subscription.kind === 'assigned' || this.subscription.kind === 'none') {
      await this.commitWithoutMembership(groupId, list, what);
      return;
    }
    if (this.rebalancing) await new Promise<void>((resolve, reject) => this.joinWaiters.push((err) => (err ? reject(err) : resolve())));
    try {
      await this.client.commit({ offsets: list.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: -1 })) });
    } catch (err) {
      const wrapped = wrapKafkaError(err, what, { group: groupId });
      if (REBALANCE_ERRORS.has(wrapped.code)) {
        throw new KafkaClientError(COMMIT_FAILED_REBALANCE, `${what}: the group rebalanced (${wrapped.code}); the records will be delivered again`, {
          retriable: true,
          cause: wrapped,
          context: { group: groupId },
        });
      }
      throw wrapped;
    }
  }

  /** The group's committed offsets (undefined where none was committed). */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, bigint | undefined>> {
    const groupId = this.settings.groupId;
    if (groupId === undefined) throw new ConfigError('reading committed offsets needs a group.id', { context: { key: 'group.id' } });
    const result = new Map<string, bigint | undefined>();
    if (partitions.length === 0) return result;
    try {
      const committed = await this.client.listCommittedOffsets({ topics: groupByTopic(partitions) });
      for (const { topic, partition } of partitions) {
        const offset = committed.get(topic)?.[partition];
        result.set(topicPartitionKey(topic, partition), offset !== undefined && offset >= 0n ? offset : undefined);
      }
      return result;
    } catch (err) {
      throw wrapKafkaError(err, `reading committed offsets of group ${groupId}`, { group: groupId });
    }
  }

  /** Log end offsets ("topic-partition" keys): the offset the next produced record will get. */
  async endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    return this.offsetsAt(partitions, ListOffsetTimestamps.LATEST);
  }

  /** Log start offsets ("topic-partition" keys): the first offset still stored. */
  async beginningOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    return this.offsetsAt(partitions, ListOffsetTimestamps.EARLIEST);
  }

  private async offsetsAt(partitions: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, bigint>> {
    const result = new Map<string, bigint>();
    if (partitions.length === 0) return result;
    for (const topic of new Set(partitions.map((p) => p.topic))) if (!this.client.topics.has(topic)) this.client.topics.track(topic);
    const offsets = await this.listOffsets(partitions, timestamp);
    for (const { topic, partition } of partitions) {
      const offset = offsets.get(topic)?.[partition];
      if (offset !== undefined && offset >= 0n) result.set(topicPartitionKey(topic, partition), offset);
    }
    return result;
  }

  /** Leaves the group (committing positions first when enable.auto.commit) and closes all connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.settings.enableAutoCommit && this.isSubscribed() && this.fatal === undefined) {
        await this.commit().catch((err: unknown) => this.logger?.warn({ err }, 'committing offsets on close failed'));
      }
      const owned = this.state.assigned();
      if (this.isSubscribed() && owned.length > 0 && this.listener?.onPartitionsRevoked) await this.listener.onPartitionsRevoked(owned);
    } finally {
      this.closed = true;
      clearTimeout(this.refreshTimer);
      clearTimeout(this.fetchBackoffTimer);
      this.resolveJoinWaiters(new KafkaClientError('CONSUMER_CLOSED', 'the consumer was closed'));
      this.wake();
      await Promise.allSettled([this.client.close(true), this.fetchPool.close(), this.admin?.close()]);
    }
  }

  private isSubscribed(): boolean {
    return this.subscription.kind === 'topics' || this.subscription.kind === 'pattern';
  }

  private checkUsable(): void {
    if (this.closed) throw new KafkaClientError('CONSUMER_CLOSED', 'the consumer is closed');
    if (this.fatal) throw this.fatal;
  }

  private throwPendingError(): void {
    const error = this.pendingError;
    if (error) {
      this.pendingError = undefined;
      throw error;
    }
  }

  private resetTo(partitions: readonly TopicPartition[], target: OffsetResetTarget): void {
    for (const { topic, partition } of partitions) this.state.requestReset(this.state.require(topic, partition, 'seek'), target);
    this.wake();
  }

  private currentPositions(): TopicPartitionOffset[] {
    return this.state.assigned().flatMap(({ topic, partition }) => {
      const position = this.state.get(topic, partition)?.position;
      return position === undefined ? [] : [{ topic, partition, offset: position }];
    });
  }

  private async join(): Promise<void> {
    this.rebalancing = true;
    this.joining = true;
    try {
      await this.client.joinGroup({});
    } catch (err) {
      const wrapped = wrapKafkaError(err, `joining group ${this.settings.groupId}`, { group: this.settings.groupId });
      this.rebalancing = false;
      this.resolveJoinWaiters(wrapped);
      throw wrapped;
    } finally {
      this.joining = false;
    }
  }

  private onRebalanceStarted(): void {
    this.rebalancing = true;
  }

  /**
   * A join or rejoin completed: partitions no longer ours stop at once and stay assigned until
   * their revocation callback ran in poll (so positions and assignment() still show them there,
   * as in Java); new partitions are assigned in poll, just before their callback.
   */
  private onJoined(assignments: readonly GroupAssignment[]): void {
    const next = assignments.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
    const nextKeys = new Set(next.map((p) => topicPartitionKey(p.topic, p.partition)));
    const owned = this.state.owned();
    const ownedKeys = new Set(owned.map((p) => topicPartitionKey(p.topic, p.partition)));
    const queuedAssignments = new Set(
      this.pendingCallbacks.filter((c) => c.kind === 'assigned').flatMap((c) => c.partitions.map((p) => topicPartitionKey(p.topic, p.partition))),
    );
    const revoked = owned.filter((p) => !nextKeys.has(topicPartitionKey(p.topic, p.partition)));
    const added = next.filter((p) => !ownedKeys.has(topicPartitionKey(p.topic, p.partition)) && !queuedAssignments.has(topicPartitionKey(p.topic, p.partition)));
    this.rebalancing = false;
    if (revoked.length > 0) {
      if (this.settings.enableAutoCommit) {
        const positions = this.currentPositions().filter((p) => !nextKeys.has(topicPartitionKey(p.topic, p.partition)));
        void this.commit(positions).catch((err: unknown) => this.logger?.warn({ err }, 'committing revoked partitions failed'));
      }
      this.state.markRevoking(revoked);
      this.pendingCallbacks.push({ kind: 'revoked', partitions: revoked });
    }
    if (added.length > 0) this.pendingCallbacks.push({ kind: 'assigned', partitions: added });
    this.logger?.info({ group: this.settings.groupId, generation: this.client.generationId, assigned: next.length, revoked: revoked.length, added: added.length }, 'joined consumer group');
    this.resolveJoinWaiters();
    this.wake();
  }

  private resolveJoinWaiters(error?: Error): void {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const waiter of waiters) waiter(error);
  }

  private async runRebalanceCallbacks(): Promise<void> {
    while (this.pendingCallbacks.length > 0) {
      const { kind, partitions } = this.pendingCallbacks.shift()!;
      if (kind === 'revoked') {
        try {
          await this.listener?.onPartitionsRevoked?.(partitions);
        } finally {
          this.state.unassign(partitions, true);
        }
      } else {
        this.state.assign(partitions);
        await this.listener?.onPartitionsAssigned?.(partitions);
      }
    }
  }

  private maybeAutoCommit(): void {
    if (!this.settings.enableAutoCommit || !this.isSubscribed() || this.rebalancing) return;
    if (Date.now() - this.lastAutoCommit < this.settings.autoCommitIntervalMs) return;
    this.lastAutoCommit = Date.now();
    void this.commit().catch((err: unknown) => this.logger?.warn({ err }, 'auto-commit failed'));
  }

  /** Sets the position of newly assigned or reset partitions: committed offset, else auto.offset.reset. */
  private updatePositions(): Promise<void> {
    if (this.state.needingPosition().length === 0) return Promise.resolve();
    this.positionsUpdate ??= this.lookUpPositions().finally(() => {
      this.positionsUpdate = undefined;
    });
    return this.positionsUpdate;
  }

  private async lookUpPositions(): Promise<void> {
    const needing = this.state.needingPosition();
    const epochs = new Map(needing.map((s) => [s, s.epoch]));
    const unchanged = (s: PartitionState): boolean => s.position === undefined && s.epoch === epochs.get(s) && this.state.get(s.topic, s.partition) === s;
    const fromCommitted = this.settings.groupId === undefined ? [] : needing.filter((s) => s.resetTo === undefined);
    if (fromCommitted.length > 0) {
      const committed = await this.committed(fromCommitted);
      for (const s of fromCommitted) {
        const offset = committed.get(topicPartitionKey(s.topic, s.partition));
        if (offset !== undefined && unchanged(s)) this.state.seek(s, offset);
      }
    }
    const byTarget = new Map<OffsetResetTarget, PartitionState[]>();
    for (const s of needing.filter(unchanged)) {
      const target = s.resetTo ?? this.settings.autoOffsetReset;
      if (target === 'none') {
        throw new KafkaClientError('NO_OFFSET_FOR_PARTITION', `undefined offset with no reset policy for ${topicPartitionKey(s.topic, s.partition)} (auto.offset.reset=none)`, {
          context: { topic: s.topic, partition: s.partition },
        });
      }
      byTarget.set(target, [...(byTarget.get(target) ?? []), s]);
    }
    for (const [target, states] of byTarget) {
      const offsets = await this.listOffsets(states, target === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST);
      for (const s of states) {
        const offset = offsets.get(s.topic)?.[s.partition];
        if (offset !== undefined && offset >= 0n && unchanged(s)) this.state.seek(s, offset);
      }
    }
  }

  private async listOffsets(states: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, bigint[]>> {
    const topics = groupByTopic(states);
    try {
      return await this.client.listOffsets({
        topics: topics.map((t) => t.topic),
        partitions: Object.fromEntries(topics.map((t) => [t.topic, t.partitions])),
        timestamp,
      });
    } catch (err) {
      throw wrapKafkaError(err, `listing offsets of ${topics.map((t) => t.topic).join(', ')}`);
    }
  }

  private async commitWithoutMembership(groupId: string, offsets: readonly TopicPartitionOffset[], what: string): Promise<void> {
    try {
      this.admin ??= new Admin(baseOptions(this.settings));
      await this.admin.alterConsumerGroupOffsets({
        groupId,
        topics: groupByTopic(offsets).map(({ topic }) => ({
          name: topic,
          partitionOffsets: offsets.filter((o) => o.topic === topic).map((o) => ({ partition: o.partition, offset: o.offset })),
        })),
      });
    } catch (err) {
      throw wrapKafkaError(err, what, { group: groupId });
    }
  }

  /** The existing topics the subscription covers now. */
  private async subscribedTopics(): Promise<string[]> {
    const subscription = this.subscription;
    if (subscription.kind !== 'topics' && subscription.kind !== 'pattern') return [];
    let existing: string[];
    try {
      this.admin ??= new Admin(baseOptions(this.settings));
      existing = await this.admin.listTopics({ includeInternals: subscription.kind === 'topics' || !this.settings.excludeInternalTopics });
    } catch (err) {
      throw wrapKafkaError(err, `listing topics for the subscription of group ${this.settings.groupId}`, { group: this.settings.groupId });
    }
    if (subscription.kind === 'pattern') return existing.filter((t) => anchored(subscription.pattern).test(t)).sort();
    const missing = subscription.topics.filter((t) => !existing.includes(t));
    this.missingTopics = missing.length;
    if (missing.length > 0) {
      this.logger?.info({ group: this.settings.groupId, missing }, 'subscribed topics do not exist yet; waiting for them');
      // Java's consumer asks for metadata with allow_auto_topic_creation; the broker creates the topic if it may.
      if (this.settings.allowAutoCreateTopics) await this.client.metadata({ topics: missing, autocreateTopics: true, retries: 0 }).catch(() => undefined);
    }
    return subscription.topics.filter((t) => existing.includes(t));
  }

  /** Rejoins when the topics the subscription covers changed. */
  private scheduleRefresh(): void {
    const delay = this.missingTopics > 0 ? Math.min(this.settings.metadataMaxAgeMs, 1000) : this.settings.metadataMaxAgeMs;
    this.refreshTimer = setTimeout(() => {
      void this.refreshSubscription().finally(() => {
        if (!this.closed) this.scheduleRefresh();
      });
    }, delay);
    this.refreshTimer.unref();
  }

  private async refreshSubscription(): Promise<void> {
    // The tracked topics must not change between JoinGroup and SyncGroup: platformatic assigns
    // the tracked topics with the metadata of the subscribed ones. Try again next round.
    if (this.closed || this.fatal || this.joining || this.rebalancing) return;
    try {
      const wanted = await this.subscribedTopics();
      const current = [...this.client.topics.current].sort();
      if ([...wanted].sort().join('\n') === current.join('\n') || this.joining || this.rebalancing) return;
      for (const topic of current) if (!wanted.includes(topic)) this.client.topics.untrack(topic);
      for (const topic of wanted) if (!current.includes(topic)) this.client.topics.track(topic);
      this.logger?.info({ group: this.settings.groupId, topics: wanted }, 'the subscribed topics changed; rejoining');
      await this.join();
    } catch (err) {
      this.logger?.warn({ err }, 'refreshing the subscription failed');
    }
  }

  private wake(): void {
    const waiters = [...this.dataWaiters];
    this.dataWaiters.clear();
    for (const waiter of waiters) waiter();
    this.pump();
  }

  private waitForData(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.dataWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.dataWaiters.add(done);
    });
  }

  /** Starts a fetch on every leader that has fetchable partitions and no fetch in flight. */
  private pump(): void {
    // An error waiting for poll (a corrupt batch, an offset out of range) is fetched again only after poll reported it.
    if (this.closed || this.fatal || this.rebalancing || this.pendingError !== undefined) return;
    if (Date.now() < this.fetchBackoffUntil) {
      if (this.fetchBackoffTimer === undefined) {
        this.fetchBackoffTimer = setTimeout(() => {
          this.fetchBackoffTimer = undefined;
          this.wake();
        }, this.fetchBackoffUntil - Date.now());
      }
      return;
    }
    if (this.planningFetch) return;
    const fetchable = this.state.fetchable();
    if (fetchable.length === 0) return;
    // One plan at a time: a second one before the first marked its leaders busy would fetch the same partitions twice.
    this.planningFetch = true;
    void this.fetchFromLeaders(fetchable)
      .catch((err: unknown) => this.fetchFailed(err))
      .finally(() => {
        this.planningFetch = false;
      });
  }

  private async fetchFromLeaders(fetchable: PartitionState[]): Promise<void> {
    const metadata = await this.client.metadata({ topics: [...new Set(fetchable.map((s) => s.topic))] });
    const byLeader = new Map<number, PartitionState[]>();
    for (const s of fetchable) {
      const leader = metadata.topics.get(s.topic)?.partitions[s.partition]?.leader;
      if (leader === undefined || leader < 0) {
        this.client.clearMetadata();
        this.backOff();
        continue;
      }
      if (this.inFlightNodes.has(leader)) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), s]);
    }
    for (const [node, states] of byLeader) {
      this.inFlightNodes.add(node);
      void this.fetchFromNode(node, states, metadata)
        .catch((err: unknown) => this.fetchFailed(err))
        .finally(() => {
          this.inFlightNodes.delete(node);
          this.wake();
        });
    }
  }

  private async fetchFromNode(node: number, states: PartitionState[], metadata: ClusterMetadata): Promise<void> {
    const requested = new Map<string, { state: PartitionState; epoch: number; offset: bigint }>();
    const topics = new Map<string, FetchRequestTopic>();
    for (const state of states) {
      const offset = state.position!;
      requested.set(topicPartitionKey(state.topic, state.partition), { state, epoch: state.epoch, offset });
      const topicId = metadata.topics.get(state.topic)!.id;
      let topic = topics.get(topicId);
      if (topic === undefined) {
        topic = { topicId, partitions: [] };
        topics.set(topicId, topic);
      }
      topic.partitions.push({ partition: state.partition, fetchOffset: offset, partitionMaxBytes: this.settings.maxPartitionFetchBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
    }
    let response: FetchResponse | undefined;
    try {
      response = await this.client.fetch({ node, topics: [...topics.values()], connectionPool: this.fetchPool });
    } catch (err) {
      // One failing partition fails the whole call; the response still carries the others.
      response = responseOf(err);
      if (response === undefined || response.errorCode !== 0) throw err;
    }
    const names = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
    for (const topicResponse of response.responses) {
      const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId;
      for (const partitionResponse of topicResponse.partitions) {
        const request = requested.get(topicPartitionKey(topic, partitionResponse.partitionIndex));
        // An incremental fetch session may return partitions this request did not ask for.
        if (request === undefined) continue;
        if (partitionResponse.errorCode !== 0) {
          this.partitionFailed(request.state, request.epoch, partitionResponse.errorCode, names.size > 0 ? topic : undefined);
          continue;
        }
        const fetched = this.decodeFetched(topic, partitionResponse as unknown as RawFetchPartition, request.offset);
        if (this.state.addFetched(topic, partitionResponse.partitionIndex, request.epoch, request.offset, fetched) && fetched.error !== undefined && fetched.records.size === 0) {
          // As Java's consumer: every poll fails at a corrupt batch until the application seeks past it.
          this.pendingError = fetched.error;
        }
      }
    }
  }

  /** The partition's records: raw bytes decoded here (Fetch v12+), else platformatic's decoded batches. */
  private decodeFetched(topic: string, partition: RawFetchPartition, fromOffset: bigint): FetchedRecords {
    if (partition.recordBytes === undefined) return queued(recordsFromBatches(topic, partition.partitionIndex, partition.records ?? [], fromOffset));
    if (partition.recordBytes === null) return { records: new RecordArrayQueue([]), nextOffset: fromOffset };
    const readCommitted = this.settings.isolationLevel === 'read_committed';
    return scanRecordBatches(topic, partition.partitionIndex, partition.recordBytes, fromOffset, readCommitted ? { abortedTransactions: partition.abortedTransactions ?? [] } : {});
  }

  private partitionFailed(state: PartitionState, epoch: number, errorCode: number, topic: string | undefined): void {
    if (state.epoch !== epoch) return;
    const key = topicPartitionKey(state.topic, state.partition);
    if (errorCode === 1) {
      const policy = this.settings.autoOffsetReset;
      if (policy === 'none') {
        this.pendingError = new KafkaClientError('OFFSET_OUT_OF_RANGE', `offset ${state.position} is out of range for ${key} and auto.offset.reset=none`, {
          context: { topic: state.topic, partition: state.partition, offset: String(state.position) },
        });
        return;
      }
      this.logger?.info({ topic, partition: state.partition, offset: String(state.position), reset: policy }, 'fetch offset out of range; resetting');
      this.state.requestReset(state, policy);
      return;
    }
    this.logger?.warn({ topic, partition: state.partition, errorCode }, 'fetch failed for a partition; refreshing metadata');
    this.client.clearMetadata();
    this.backOff();
  }

  private fetchFailed(err: unknown): void {
    if (this.closed) return;
    const names = kafkaErrorNames(err);
    if (names.length > 0 && !names.some((n) => STALE_METADATA_ERRORS.has(n))) {
      this.logger?.warn({ err }, 'fetch failed');
    } else {
      this.logger?.debug({ err }, 'fetch failed; refreshing metadata');
    }
    this.client.clearMetadata();
    this.backOff();
  }

  private backOff(): void {
    this.fetchBackoffUntil = Date.now() + Math.max(this.settings.retryBackoffMs, 50);
  }
}

function responseOf(err: unknown): FetchResponse | undefined {
  const direct = (err as { response?: FetchResponse } | null)?.response;
  if (direct !== undefined) return direct;
  const inner = (err as { errors?: unknown[] } | null)?.errors;
  if (Array.isArray(inner)) {
    for (let i = inner.length - 1; i >= 0; i--) {
      const found = responseOf(inner[i]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function groupByTopic(partitions: readonly TopicPartition[]): GroupAssignment[] {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }));
}

/** Java matches subscription patterns against the whole topic name. */
function anchored(pattern: RegExp): RegExp {
  return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', ''));
}
