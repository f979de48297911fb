/**
 * What the error handler knows about a failed operation (Kafka's ProcessingContext): the stage,
 * the class that failed, the error, and the record being processed (the consumed Kafka record for
 * sinks, the source record for sources), so that reporters can log it or send it to the DLQ.
 */
import type { SourceRecord } from '../../api/index.ts';
import type { ConsumerRecord } from '../../../client/index.ts';

/** Kafka's Stage names, as `__connect.errors.stage` and the logs show them. */
export type Stage = 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT' | 'TASK_POLL' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

/** Stages whose every error may be tolerated; in the others only retriable errors are (Kafka's TOLERABLE_EXCEPTIONS). */
export const TOLERATE_ALL_STAGES: ReadonlySet<Stage> = new Set(['KEY_CONVERTER', 'VALUE_CONVERTER', 'HEADER_CONVERTER', 'TRANSFORMATION']);

export interface ProcessingContext {
  stage: Stage;
  /** The class that failed: converter, transform, connector task or producer. */
  className: string;
  error: Error;
  /** Retries made before giving up. */
  attempts: number;
  consumerRecord?: ConsumerRecord;
  sourceRecord?: SourceRecord;
}

/** Receives tolerated errors (Kafka's ErrorReporter): logs, dead letter queue. */
export interface ErrorReporter {
  report(context: ProcessingContext): Promise<void>;
  close?(): Promise<void>;
}

/** The class name an error is reported under (Java exception class names in Kafka). */
export function errorClassName(error: Error): string {
  return error.name && error.name !== 'Error' ? error.name : error.constructor.name;
}
