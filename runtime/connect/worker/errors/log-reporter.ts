/**
 * errors.log.enable: one error line per tolerated failure, naming the task, stage and class and
 * where the record came from; with errors.log.include.messages also its key, value and headers.
 */
import type { Logger } from '../../../observability/logger.ts';
import type { TaskMetrics } from '../metrics.ts';
import type { ErrorReporter, ProcessingContext } from './processing-context.ts';

export class LogReporter implements ErrorReporter {
  readonly #logger: Logger;
  readonly #taskId: string;
  readonly #includeMessages: boolean;
  readonly #metrics: TaskMetrics;

  constructor(logger: Logger, taskId: string, includeMessages: boolean, metrics: TaskMetrics) {
    this.#logger = logger;
    this.#taskId = taskId;
    this.#includeMessages = includeMessages;
    this.#metrics = metrics;
  }

  async report(context: ProcessingContext): Promise<void> {
    this.#logger.error({ err: context.error, stage: context.stage, class: context.className, ...this.#record(context) }, this.#message(context));
    this.#metrics.recordErrorLogged();
  }

  #message(context: ProcessingContext): string {
    const where = context.consumerRecord
      ? `, where consumed record is {topic='${context.consumerRecord.topic}', partition=${context.consumerRecord.partition}, offset=${context.consumerRecord.offset}}`
      : context.sourceRecord
        ? `, where source record is {topic='${context.sourceRecord.topic}'}`
        : '';
    return `Error encountered in task ${this.#taskId}. Executing stage '${context.stage}' with class '${context.className}'${where}.`;
  }

  #record(context: ProcessingContext): Record<string, unknown> {
    if (!this.#includeMessages) return {};
    const consumed = context.consumerRecord;
    if (consumed) {
      return {
        record: {
          topic: consumed.topic,
          partition: consumed.partition,
          offset: String(consumed.offset),
          timestamp: String(consumed.timestamp),
          key: consumed.key?.toString('utf8') ?? null,
          value: consumed.value?.toString('utf8') ?? null,
          headers: consumed.headers.map(([k, v]) => [k, v === null ? null : Buffer.from(v).toString('utf8')]),
        },
      };
    }
    const source = context.sourceRecord;
    return source ? { record: source.toString() } : {};
  }
}
