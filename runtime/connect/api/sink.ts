/** Sink connectors and tasks (Kafka's SinkConnector, SinkTask and their contexts). */
import type { ConnectorContext, MaybePromise, Versioned } from './connector.ts';
import { Connector } from './connector.ts';
import type { SinkRecord } from './records.ts';
import type { TopicPartition, TopicPartitionOffset } from './topic-partition.ts';
import { initializedContext } from './errors.ts';

export const TOPICS_CONFIG = 'topics';
export const TOPICS_REGEX_CONFIG = 'topics.regex';

/** Sends a record that the task could not process to the dead letter queue (KIP-610). */
export interface ErrantRecordReporter {
  /** Resolves once the record is reported (e.g. written to the DLQ topic). */
  report(record: SinkRecord, error: Error): Promise<void>;
}

export type SinkConnectorContext = ConnectorContext;

export interface SinkTaskContext {
  configs(): Readonly<Record<string, string>>;
  /** Resets consumer positions, for tasks that track offsets themselves. */
  offset(offsets: readonly TopicPartitionOffset[]): void;
  /** After a RetriableException from put(), retry no sooner than `timeoutMs`. */
  timeout(timeoutMs: number): void;
  /** The partitions currently assigned to the task. */
  assignment(): TopicPartition[];
  /** Stops fetching from partitions (backpressure) until resumed. */
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  /** Asks for an offset commit soon, instead of at the next flush interval. */
  requestCommit(): void;
  /** The dead letter queue reporter, or null when the connector has no DLQ configured. */
  errantRecordReporter(): ErrantRecordReporter | null;
}

export abstract class SinkConnector extends Connector {
  abstract taskClass(): new () => SinkTask;

  /**
   * Called before consumer offsets are altered or reset through the REST API (`offset` null =
   * reset). Return true when the connector handled it; throw to refuse. Default: false.
   */
  alterOffsets(
    _config: Readonly<Record<string, string>>,
    _offsets: ReadonlyArray<TopicPartition & { offset: number | null }>,
  ): MaybePromise<boolean> {
    return false;
  }
}

export abstract class SinkTask implements Versioned {
  #context: SinkTaskContext | null = null;

  initialize(context: SinkTaskContext): void {
    this.#context = context;
  }

  protected get context(): SinkTaskContext {
    return initializedContext(this.#context, this);
  }

  abstract version(): string;
  abstract start(props: Readonly<Record<string, string>>): MaybePromise<void>;

  /** Delivers records; may buffer them until flush(). RetriableException = retry the same batch. */
  abstract put(records: readonly SinkRecord[]): MaybePromise<void>;

  /** Everything put so far must be durable in the target before this resolves. */
  flush(_currentOffsets: readonly TopicPartitionOffset[]): MaybePromise<void> {}

  /**
   * The offsets that may be committed, given the offsets consumed so far. Default: flush() then
   * all of them. Return fewer (or older) offsets for records not yet written.
   */
  async preCommit(currentOffsets: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    await this.flush(currentOffsets);
    return [...currentOffsets];
  }

  /** Partitions newly assigned to this task. */
  open(_partitions: readonly TopicPartition[]): MaybePromise<void> {}

  /** Partitions taken from this task (rebalance or stop); write out what is buffered for them. */
  close(_partitions: readonly TopicPartition[]): MaybePromise<void> {}

  abstract stop(): MaybePromise<void>;
}
