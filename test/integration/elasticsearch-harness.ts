// Drives the Elasticsearch sink task directly, as the worker would: a SinkTaskContext that
// records pauses, resumes and dead-lettered records, and helpers to make records and read
// Elasticsearch back. Used by test/integration/elasticsearch-*.test.ts and test/faults/elasticsearch-*.test.ts.
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import type { ErrantRecordReporter, SinkRecordInit, SinkTaskContext, TopicPartition, TopicPartitionOffset } from '../../runtime/connect/api/index.ts';
import { SinkRecord } from '../../runtime/connect/api/index.ts';
import { ElasticsearchSinkTask } from '../../connectors/elasticsearch/index.ts';
import { serviceUrl } from '../services/services.ts';

export interface DeadLetter {
  record: SinkRecord;
  error: Error;
}

export class TestSinkContext implements SinkTaskContext {
  readonly deadLetters: DeadLetter[] = [];
  readonly pauses: TopicPartition[][] = [];
  readonly resumes: TopicPartition[][] = [];
  partitions: TopicPartition[];
  readonly #props: Record<string, string>;
  readonly #dlq: boolean;

  constructor(partitions: TopicPartition[], props: Record<string, string> = {}, dlq = true) {
    this.partitions = partitions;
    this.#props = props;
    this.#dlq = dlq;
  }

  configs(): Readonly<Record<string, string>> {
    return this.#props;
  }
  offset(): void {}
  timeout(): void {}
  assignment(): TopicPartition[] {
    return [...this.partitions];
  }
  pause(...partitions: TopicPartition[]): void {
    this.pauses.push(partitions);
  }
  resume(...partitions: TopicPartition[]): void {
    this.resumes.push(partitions);
  }
  requestCommit(): void {}
  errantRecordReporter(): ErrantRecordReporter | null {
    if (!this.#dlq) return null;
    return {
      report: async (record, error) => {
        this.deadLetters.push({ record, error });
      },
    };
  }
}

/** A lower-case topic name no other test uses. */
export const uniqueTopic = (prefix = 'sink'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Records 0..n-1 of one partition; `init(i)` supplies key and value. */
export function records(topic: string, count: number, init: (i: number) => Partial<SinkRecordInit>, partition = 0, firstOffset = 0): SinkRecord[] {
  return Array.from({ length: count }, (_, i) => new SinkRecord({ topic, kafkaPartition: partition, kafkaOffset: firstOffset + i, timestamp: 1_795_000_000_000 + i, ...init(i) }));
}

export function startTask(props: Record<string, string>, context: TestSinkContext): ElasticsearchSinkTask {
  const task = new ElasticsearchSinkTask();
  task.initialize(context);
  task.start({ 'connection.url': serviceUrl('elasticsearch'), ...props });
  return task;
}

/** Flushes, then returns what the task would let the worker commit. */
export async function drain(task: ElasticsearchSinkTask, positions: TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
  await task.flush(positions);
  return task.preCommit(positions);
}

export function esClient(): Client {
  return new Client({ node: serviceUrl('elasticsearch') });
}

export async function countOf(client: Client, index: string): Promise<number> {
  await client.indices.refresh({ index });
  return (await client.count({ index })).count;
}

/** Every document of an index by id (sources and versions). */
export async function documents(client: Client, index: string): Promise<Map<string, { source: Record<string, unknown>; version: number | undefined }>> {
  await client.indices.refresh({ index });
  const result = await client.search<Record<string, unknown>>({ index, size: 10_000, version: true, query: { match_all: {} } });
  return new Map(result.hits.hits.map((hit) => [hit._id!, { source: hit._source ?? {}, version: hit._version }]));
}
