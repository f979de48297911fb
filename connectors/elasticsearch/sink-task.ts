/**
 * The Elasticsearch sink task: turns records into bulk operations, hands them to the bulk
 * writer, and reports which offsets may be committed (only those of records Elasticsearch
 * acknowledged, or that were dead-lettered or skipped on purpose). While the buffer holds
 * max.buffered.records it pauses its partitions, and resumes them when half has drained.
 * Failures found in the background (retries used up, a malformed document with
 * behavior.on.malformed.documents=FAIL, a dead letter queue that cannot be written) surface from
 * the next put(), flush() or preCommit() and fail the task.
 */
import { Client } from '@elastic/elasticsearch';
import type { ErrantRecordReporter, SinkRecord, TopicPartition, TopicPartitionOffset } from '../../runtime/connect/api/index.ts';
import { ConnectError, DataException, SinkTask } from '../../runtime/connect/api/index.ts';
import type { BulkAction, BulkActionType } from './bulk-action.ts';
import type { WritableItem } from './bulk-writer.ts';
import { BulkWriter } from './bulk-writer.ts';
import { clientOptions } from './client-options.ts';
import type { BehaviorOnMalformedDocuments, ParsedSinkConfig } from './config.ts';
import {
  BATCH_SIZE_CONFIG,
  BEHAVIOR_ON_MALFORMED_DOCS_CONFIG,
  BULK_SIZE_BYTES_CONFIG,
  COMPACT_MAP_ENTRIES_CONFIG,
  DATA_STREAM_DATASET_CONFIG,
  DATA_STREAM_NAMESPACE_CONFIG,
  DATA_STREAM_TYPE_CONFIG,
  DROP_INVALID_MESSAGE_CONFIG,
  FLUSH_SYNCHRONOUSLY_CONFIG,
  FLUSH_TIMEOUT_MS_CONFIG,
  LINGER_MS_CONFIG,
  MAX_BUFFERED_RECORDS_CONFIG,
  MAX_IN_FLIGHT_REQUESTS_CONFIG,
  MAX_RETRIES_CONFIG,
  RETRY_BACKOFF_MS_CONFIG,
  SCHEMA_IGNORE_CONFIG,
  TOPIC_SCHEMA_IGNORE_CONFIG,
  isDataStream,
  parseSinkConfig,
} from './config.ts';
import { describeCoordinates, describeRecord } from './document-id.ts';
import { MalformedDocumentError } from './document-body.ts';
import type { EncodedItem } from './es-bulk-transport.ts';
import { ElasticsearchBulkTransport, LinesArena } from './es-bulk-transport.ts';
import { ResourceManager } from './es-resources.ts';
import { ResourceNamer, dataStreamNameForTopic, indexNameForTopic } from './index-names.ts';
import type { ItemOutcome } from './item-outcome.ts';
import { classifyItem, describeItemError } from './item-outcome.ts';
import type { Logger } from './log.ts';
import { sinkLogger } from './log.ts';
import type { OffsetEntry } from './offset-tracker.ts';
import { OffsetTracker } from './offset-tracker.ts';
import { RecordConverter, converterSettings, isSkip } from './record-converter.ts';
import { RetryPolicy } from './retry-policy.ts';
import { mappingForSchema } from './schema-mapping.ts';
import { ELASTICSEARCH_SINK_VERSION } from './version.ts';

/**
 * A buffered operation: where its encoded lines are, what reading Elasticsearch's answer needs, where its
 * record came from, and the record's offset entry. The buffer holds one per record until
 * Elasticsearch answers, so it keeps no strings of the document and holds on to the record
 * itself only when a dead letter queue may need it.
 */
interface PendingWrite extends EncodedItem, WritableItem {
  readonly type: BulkActionType;
  readonly index: string;
  readonly id: string | null;
  readonly externalVersion: boolean;
  readonly topic: string;
  readonly partition: number | null;
  readonly offset: number;
  /** The record, for the errant record reporter; null when there is none. */
  readonly record: SinkRecord | null;
  readonly entry: OffsetEntry;
}

function pendingWrite(action: BulkAction, arena: LinesArena, record: SinkRecord, keepRecord: boolean, entry: OffsetEntry): PendingWrite {
  const start = arena.append(action);
  return {
    chunk: arena.chunk,
    start,
    bytes: arena.end - start,
    orderKey: action.orderKey,
    type: action.type,
    index: action.index,
    id: action.id,
    externalVersion: action.externalVersion,
    topic: record.topic,
    partition: record.kafkaPartition,
    offset: record.kafkaOffset,
    record: keepRecord ? record : null,
    entry,
  };
}

interface Settings {
  maxBuffered: number;
  flushTimeoutMs: number;
  flushSynchronously: boolean;
  onMalformed: BehaviorOnMalformedDocuments;
  dropInvalid: boolean;
  schemaIgnore: boolean;
  topicSchemaIgnore: ReadonlySet<string>;
  compactMapEntries: boolean;
}

/** The error sent to the dead letter queue with a record Elasticsearch did not take. */
function indexingError(code: string, write: PendingWrite, outcome: Exclude<ItemOutcome, { kind: 'ok' }>): ConnectError {
  return new ConnectError(
    `Indexing failed: ${describeItemError(outcome.error)} (index=${write.index}${write.id === null ? '' : `, id=${write.id}`}, status=${outcome.status}, ${describeCoordinates(write.topic, write.partition, write.offset)})`,
    {
      code,
      context: {
        index: write.index,
        id: write.id,
        status: outcome.status,
        errorType: outcome.error.type,
        reason: outcome.error.reason,
        topic: write.topic,
        partition: write.partition,
        offset: write.offset,
      },
    },
  );
}

export class ElasticsearchSinkTask extends SinkTask {
  #log: Logger = sinkLogger({});
  #settings!: Settings;
  #client: Client | null = null;
  #writer: BulkWriter<PendingWrite> | null = null;
  #tracker = new OffsetTracker();
  #arena = new LinesArena();
  #converter!: RecordConverter;
  #resources!: ResourceManager;
  #namer!: ResourceNamer;
  #reporter: ErrantRecordReporter | null = null;
  #failure: Error | null = null;
  #paused = false;

  version(): string {
    return ELASTICSEARCH_SINK_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    const config = parseSinkConfig(props);
    const values = config.values();
    this.#log = sinkLogger({ connector: props.name, task: props['task.id'] });
    this.#settings = {
      maxBuffered: values[MAX_BUFFERED_RECORDS_CONFIG],
      flushTimeoutMs: values[FLUSH_TIMEOUT_MS_CONFIG],
      flushSynchronously: values[FLUSH_SYNCHRONOUSLY_CONFIG],
      onMalformed: values[BEHAVIOR_ON_MALFORMED_DOCS_CONFIG].toUpperCase() as BehaviorOnMalformedDocuments,
      dropInvalid: values[DROP_INVALID_MESSAGE_CONFIG],
      schemaIgnore: values[SCHEMA_IGNORE_CONFIG],
      topicSchemaIgnore: new Set(values[TOPIC_SCHEMA_IGNORE_CONFIG]),
      compactMapEntries: values[COMPACT_MAP_ENTRIES_CONFIG],
    };
    this.#reporter = this.context.errantRecordReporter();
    if (this.#reporter === null) this.#log.info('No dead letter queue configured: rejected records are only logged');
    this.#converter = new RecordConverter(converterSettings(config));
    const dataStreams = isDataStream(values);
    this.#namer = new ResourceNamer(
      dataStreams
        ? (topic) => dataStreamNameForTopic(topic, values[DATA_STREAM_TYPE_CONFIG], values[DATA_STREAM_DATASET_CONFIG], values[DATA_STREAM_NAMESPACE_CONFIG])
        : indexNameForTopic,
    );
    const options = clientOptions(config);
    this.#client = new Client(options);
    const retry = new RetryPolicy(values[MAX_RETRIES_CONFIG], values[RETRY_BACKOFF_MS_CONFIG]);
    this.#resources = new ResourceManager(this.#client, retry, dataStreams, (message) => this.#log.warn(message));
    this.#tracker = new OffsetTracker();
    this.#failure = null;
    this.#paused = false;
    this.#writer = this.#newWriter(config, retry);
    this.#log.info({ nodes: options.nodes }, 'Started the Elasticsearch sink task');
  }

  #newWriter(config: ParsedSinkConfig, retry: RetryPolicy): BulkWriter<PendingWrite> {
    return new BulkWriter<PendingWrite>({
      batchSize: config.get(BATCH_SIZE_CONFIG),
      maxBatchBytes: config.get(BULK_SIZE_BYTES_CONFIG),
      maxInFlight: config.get(MAX_IN_FLIGHT_REQUESTS_CONFIG),
      lingerMs: config.get(LINGER_MS_CONFIG),
      retry,
      transport: new ElasticsearchBulkTransport(this.#client!),
      classify: classifyItem,
      onSettled: (write, outcome) => this.#settled(write, outcome),
      onRetry: (reason, items, attempt, delayMs) =>
        this.#log.warn(`Retrying ${items} record(s) in ${delayMs} ms (retry ${attempt}/${retry.maxRetries}) after ${reason}`),
    });
  }

  get #bulk(): BulkWriter<PendingWrite> {
    if (this.#writer === null) throw new ConnectError('The Elasticsearch sink task is not started');
    return this.#writer;
  }

  #throwIfFailed(): void {
    const failure = this.#failure ?? this.#writer?.failure ?? null;
    if (failure !== null) throw failure;
  }

  #fail(error: Error): void {
    if (this.#failure === null) {
      this.#failure = error;
      this.#log.error({ err: error }, 'The Elasticsearch sink task failed');
    }
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    this.#throwIfFailed();
    const writer = this.#bulk;
    const { maxBuffered, flushTimeoutMs } = this.#settings;
    if (writer.size >= maxBuffered) {
      await writer.whenBelow(
        maxBuffered,
        flushTimeoutMs,
        `Could not make space in the internal buffer fast enough. Consider increasing ${FLUSH_TIMEOUT_MS_CONFIG} or ${MAX_BUFFERED_RECORDS_CONFIG}.`,
      );
    }
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const entry = this.#tracker.add(record.originalTopic, record.originalKafkaPartition, record.originalKafkaOffset);
      try {
        const index = this.#namer.nameFor(record.topic);
        if (!this.#resources.isReady(index)) await this.#resources.ensure(index, this.#mappingFor(record));
        const action = this.#converter.convert(record, index);
        if (isSkip(action)) {
          if (action.report === null) this.#tracker.markDone(entry);
          else void this.#reportThenDone(record, entry, action.report);
          continue;
        }
        writer.add(pendingWrite(action, this.#arena, record, this.#reporter !== null, entry));
      } catch (err) {
        if (err instanceof MalformedDocumentError) this.#malformed(record, entry, new ConnectError(`Indexing failed: ${err.message} (${describeRecord(record)})`, { code: err.code }));
        else if (err instanceof DataException) await this.#invalid(record, entry, err);
        else throw err;
      }
    }
    writer.pump();
    if (!this.#paused && writer.size >= maxBuffered) this.#pause();
    this.#throwIfFailed();
  }

  #mappingFor(record: SinkRecord) {
    const s = this.#settings;
    if (s.schemaIgnore || s.topicSchemaIgnore.has(record.topic)) return null;
    return mappingForSchema(record.valueSchema, s.compactMapEntries);
  }

  #pause(): void {
    const assigned = this.context.assignment();
    this.#paused = true;
    this.#log.debug(`Pausing ${assigned.length} partition(s): ${this.#bulk.size} records buffered`);
    this.context.pause(...assigned);
  }

  #resumeIfDrained(): void {
    if (!this.#paused || this.#bulk.size > this.#settings.maxBuffered / 2) return;
    this.#paused = false;
    const assigned = this.context.assignment();
    this.#log.debug(`Resuming ${assigned.length} partition(s)`);
    this.context.resume(...assigned);
  }

  #settled(write: PendingWrite, outcome: ItemOutcome): void {
    switch (outcome.kind) {
      case 'ok':
        this.#tracker.markDone(write.entry);
        break;
      case 'malformed':
        this.#malformed(write.record, write.entry, indexingError('ES_MALFORMED_DOCUMENT', write, outcome));
        break;
      case 'conflict': {
        const error = indexingError('ES_VERSION_CONFLICT', write, outcome);
        this.#log.warn(error.message);
        void this.#reportThenDone(write.record, write.entry, error);
        break;
      }
      case 'failed':
      case 'retry': {
        const error = indexingError('ES_INDEXING_FAILED', write, outcome);
        void this.#report(write.record, error);
        this.#fail(error);
        break;
      }
    }
    this.#resumeIfDrained();
  }

  /** A document Elasticsearch rejected (or that is no document): dead letter queue, then the configured behavior. */
  #malformed(record: SinkRecord | null, entry: OffsetEntry, error: ConnectError): void {
    switch (this.#settings.onMalformed) {
      case 'FAIL':
        void this.#report(record, error);
        this.#fail(
          new ConnectError(`${error.message}. To skip such records instead, set ${BEHAVIOR_ON_MALFORMED_DOCS_CONFIG} to IGNORE or WARN.`, {
            code: error.code,
            context: error.context,
          }),
        );
        return;
      case 'WARN':
        this.#log.warn(`${error.message}; skipped (${BEHAVIOR_ON_MALFORMED_DOCS_CONFIG}=WARN)`);
        break;
      case 'IGNORE':
        this.#log.debug(`${error.message}; skipped (${BEHAVIOR_ON_MALFORMED_DOCS_CONFIG}=IGNORE)`);
        break;
    }
    void this.#reportThenDone(record, entry, error);
  }

  /** A record that cannot become a request: dead letter queue, then dropped or the task fails (drop.invalid.message). */
  async #invalid(record: SinkRecord, entry: OffsetEntry, error: DataException): Promise<void> {
    if (!this.#settings.dropInvalid) {
      await this.#report(record, error);
      throw error;
    }
    this.#log.error(`Dropping an invalid record (${describeRecord(record)}): ${error.code}`);
    await this.#reportThenDone(record, entry, error);
  }

  async #report(record: SinkRecord | null, error: Error): Promise<boolean> {
    if (this.#reporter === null || record === null) return true;
    try {
      await this.#reporter.report(record, error);
      return true;
    } catch (err) {
      this.#fail(new ConnectError(`Failed to write a rejected record to the dead letter queue (${describeRecord(record)}): ${(err as Error).message}`, { cause: err }));
      return false;
    }
  }

  async #reportThenDone(record: SinkRecord | null, entry: OffsetEntry, error: Error): Promise<void> {
    if (await this.#report(record, error)) this.#tracker.markDone(entry);
  }

  override async flush(_currentOffsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.#throwIfFailed();
    await this.#bulk.flush(this.#settings.flushTimeoutMs);
    this.#throwIfFailed();
  }

  override async preCommit(currentOffsets: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    this.#throwIfFailed();
    if (this.#settings.flushSynchronously) await this.#bulk.flush(this.#settings.flushTimeoutMs);
    else this.#bulk.sendNow();
    this.#throwIfFailed();
    return this.#tracker.committableOffsets(currentOffsets);
  }

  override close(partitions: readonly TopicPartition[]): void {
    // Records of these partitions still in flight finish on their own; another task may get
    // them again from the last committed offset, which the idempotent writes make harmless.
    this.#tracker.close(partitions);
  }

  async stop(): Promise<void> {
    const writer = this.#writer;
    if (writer === null) return;
    this.#writer = null;
    try {
      if (writer.failure === null && this.#failure === null) await writer.flush(this.#settings.flushTimeoutMs);
    } catch (err) {
      this.#log.warn({ err }, 'Stopping with records not written to Elasticsearch; they are written again after a restart');
    } finally {
      writer.close();
      await this.#client?.close();
      this.#client = null;
    }
  }
}
