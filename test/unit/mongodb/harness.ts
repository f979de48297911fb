/** Test helpers for the MongoDB connectors: task contexts with an in-memory dead letter queue and offset store, records, and a one-shot sink run. */
import type { Document, MongoClient } from 'mongodb';
import { MongoSinkTask } from '../../../connectors/mongodb/index.ts';
import type { ErrantRecordReporter, OffsetStorageReader, SinkTaskContext, SourceMap, SourceRecord, SourceTaskContext, TopicPartition, TopicPartitionOffset } from '../../../runtime/connect/api/index.ts';
import { SinkRecord } from '../../../runtime/connect/api/index.ts';

export interface DeadLetter {
  record: SinkRecord;
  error: Error;
}

export class TestSinkContext implements SinkTaskContext {
  readonly deadLetters: DeadLetter[] = [];
  readonly timeouts: number[] = [];
  readonly #props: Record<string, string>;
  readonly #dlq: boolean;

  constructor(props: Record<string, string>, dlq = true) {
    this.#props = props;
    this.#dlq = dlq;
  }

  configs(): Readonly<Record<string, string>> {
    return this.#props;
  }
  offset(_offsets: readonly TopicPartitionOffset[]): void {}
  timeout(timeoutMs: number): void {
    this.timeouts.push(timeoutMs);
  }
  assignment(): TopicPartition[] {
    return [];
  }
  pause(): void {}
  resume(): void {}
  requestCommit(): void {}
  errantRecordReporter(): ErrantRecordReporter | null {
    if (!this.#dlq) return null;
    return {
      report: (record, error) => {
        this.deadLetters.push({ record, error });
        return Promise.resolve();
      },
    };
  }
}

let nextOffset = 0;

/** A sink record on partition 0 with increasing offsets (unless given). */
export function sinkRecord(topic: string, key: unknown, value: unknown, offset = nextOffset++): SinkRecord {
  return new SinkRecord({ topic, kafkaPartition: 0, kafkaOffset: offset, key, value, timestamp: 1_700_000_000_000, timestampType: 'CreateTime' });
}

/** Source offsets kept in memory, as the worker would commit them after Kafka acknowledged the records. */
export class MemoryOffsets implements OffsetStorageReader {
  readonly #offsets = new Map<string, SourceMap>();

  commit(records: readonly SourceRecord[]): void {
    for (const record of records) {
      if (record.sourcePartition !== null && record.sourceOffset !== null) this.#offsets.set(JSON.stringify(record.sourcePartition), record.sourceOffset);
    }
  }

  offset(partition: SourceMap): Promise<SourceMap | null> {
    return Promise.resolve(this.#offsets.get(JSON.stringify(partition)) ?? null);
  }

  async offsets(partitions: readonly SourceMap[]): Promise<Array<{ partition: SourceMap; offset: SourceMap | null }>> {
    return Promise.all(partitions.map(async (partition) => ({ partition, offset: await this.offset(partition) })));
  }
}

export function sourceContext(props: Record<string, string>, offsets: MemoryOffsets): SourceTaskContext {
  return { configs: () => props, offsetStorageReader: () => offsets };
}

/**
 * One sink task against a real server: start with the connection, database and collection `docs`
 * plus `extra`, put `records`, stop; then the collection's documents in _id order.
 */
/** put() and then flush(), as the worker's commit does: the task writes in the background until flushed. */
export async function putAndFlush(task: MongoSinkTask, records: SinkRecord[]): Promise<void> {
  await task.put(records);
  await task.flush([]);
}

export async function putOnce(
  client: MongoClient,
  uri: string,
  database: string,
  extra: Record<string, string>,
  records: SinkRecord[],
  dlq = true,
): Promise<{ docs: Document[]; context: TestSinkContext }> {
  const props = { 'connection.uri': uri, database, collection: 'docs', ...extra };
  const task = new MongoSinkTask();
  const context = new TestSinkContext(props, dlq);
  task.initialize(context);
  task.start(props);
  try {
    await putAndFlush(task, records);
  } finally {
    await task.stop();
  }
  return { docs: await client.db(database).collection('docs').find({}).sort({ _id: 1 }).toArray(), context };
}

