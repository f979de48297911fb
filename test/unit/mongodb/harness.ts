/** Test helpers for the MongoDB connectors: a sink task context with an in-memory dead letter queue, and records. */
import type { ErrantRecordReporter, SinkTaskContext, TopicPartition, TopicPartitionOffset } from '../../../runtime/connect/api/index.ts';
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
