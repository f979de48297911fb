/** Source connectors and tasks (Kafka's SourceConnector, SourceTask and their contexts). */
import type { ConnectorContext, MaybePromise, Versioned } from './connector.ts';
import { Connector } from './connector.ts';
import type { SourceMap, SourceRecord } from './records.ts';
import type { RecordMetadata } from './topic-partition.ts';
import { initializedContext } from './errors.ts';

/** Reads committed source offsets back (e.g. where a file source stopped). */
export interface OffsetStorageReader {
  /** The last committed offset of a source partition, or null. */
  offset(partition: SourceMap): Promise<SourceMap | null>;
  /** The last committed offsets of several partitions (null for those without one). */
  offsets(partitions: readonly SourceMap[]): Promise<Array<{ partition: SourceMap; offset: SourceMap | null }>>;
}

export interface SourceConnectorContext extends ConnectorContext {
  offsetStorageReader(): OffsetStorageReader;
}

export interface SourceTaskContext {
  /** The task's config as given to start(). */
  configs(): Readonly<Record<string, string>>;
  offsetStorageReader(): OffsetStorageReader;
}

export type ExactlyOnceSupport = 'SUPPORTED' | 'UNSUPPORTED';

export abstract class SourceConnector extends Connector {
  override initialize(context: SourceConnectorContext): void {
    super.initialize(context);
  }

  protected override get context(): SourceConnectorContext {
    return super.context as SourceConnectorContext;
  }

  abstract taskClass(): new () => SourceTask;

  /** Whether the connector can run with exactly-once delivery; null means unknown. */
  exactlyOnceSupport(_config: Readonly<Record<string, string>>): ExactlyOnceSupport | null {
    return null;
  }

  /**
   * Called before source offsets are altered or reset through the REST API (`offset` null =
   * reset). Return true when the connector handled it; throw to refuse. Default: false.
   */
  alterOffsets(
    _config: Readonly<Record<string, string>>,
    _offsets: ReadonlyArray<{ partition: SourceMap; offset: SourceMap | null }>,
  ): MaybePromise<boolean> {
    return false;
  }
}

export abstract class SourceTask implements Versioned {
  #context: SourceTaskContext | null = null;

  initialize(context: SourceTaskContext): void {
    this.#context = context;
  }

  protected get context(): SourceTaskContext {
    return initializedContext(this.#context, this);
  }

  abstract version(): string;
  abstract start(props: Readonly<Record<string, string>>): MaybePromise<void>;

  /**
   * The next records, or null/[] when there are none yet. Should not wait long without data
   * (the worker calls again); a RetriableException is retried, other errors fail the task.
   */
  abstract poll(): Promise<SourceRecord[] | null>;

  /** Offsets up to the last polled records were committed (an ack to the source system, if it wants one). */
  commit(): MaybePromise<void> {}

  /**
   * One record was acknowledged by Kafka (`metadata`), or dropped by a transform (`metadata` null).
   */
  commitRecord(_record: SourceRecord, _metadata: RecordMetadata | null): MaybePromise<void> {}

  /** Stop: called while poll() may still be pending; poll should then return soon. */
  abstract stop(): MaybePromise<void>;
}
