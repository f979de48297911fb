/**
 * The dead letter queue of a sink connector (errors.deadletterqueue.*): a record whose conversion
 * or transformation failed is written, as it was consumed (key, value and headers unchanged), to
 * the DLQ topic, with Kafka's `__connect.errors.*` context headers when
 * errors.deadletterqueue.context.headers.enable=true. The topic is created (1 partition,
 * errors.deadletterqueue.topic.replication.factor) when missing.
 */
import type { KafkaAdmin, ProducerRecord, RecordHeader, RecordMetadata } from '../../../client/index.ts';
import type { Logger } from '../../../observability/logger.ts';
import { ConfigError, messageOf } from '../../../util/errors.ts';
import { DLQ_TOPIC_REPLICATION_FACTOR_CONFIG } from '../connector-config.ts';
import type { TaskMetrics } from '../metrics.ts';
import type { ErrorReporter, ProcessingContext } from './processing-context.ts';
import { errorClassName } from './processing-context.ts';

export const ERROR_HEADER_PREFIX = '__connect.errors.';
export const ERROR_HEADER_ORIG_TOPIC = `${ERROR_HEADER_PREFIX}topic`;
export const ERROR_HEADER_ORIG_PARTITION = `${ERROR_HEADER_PREFIX}partition`;
export const ERROR_HEADER_ORIG_OFFSET = `${ERROR_HEADER_PREFIX}offset`;
export const ERROR_HEADER_CONNECTOR_NAME = `${ERROR_HEADER_PREFIX}connector.name`;
export const ERROR_HEADER_TASK_ID = `${ERROR_HEADER_PREFIX}task.id`;
export const ERROR_HEADER_STAGE = `${ERROR_HEADER_PREFIX}stage`;
export const ERROR_HEADER_EXECUTING_CLASS = `${ERROR_HEADER_PREFIX}class.name`;
export const ERROR_HEADER_EXCEPTION = `${ERROR_HEADER_PREFIX}exception.class.name`;
export const ERROR_HEADER_EXCEPTION_MESSAGE = `${ERROR_HEADER_PREFIX}exception.message`;
export const ERROR_HEADER_EXCEPTION_STACK_TRACE = `${ERROR_HEADER_PREFIX}exception.stacktrace`;

export interface DeadLetterQueueOptions {
  topic: string;
  replicationFactor: number;
  contextHeaders: boolean;
  connector: string;
  task: number;
  send: (record: ProducerRecord) => Promise<RecordMetadata>;
  metrics: TaskMetrics;
  logger: Logger;
}

/** Creates the DLQ topic when missing; a replication factor the cluster cannot give is a ConfigError naming the key. */
export async function ensureDeadLetterQueueTopic(admin: KafkaAdmin, topic: string, replicationFactor: number): Promise<void> {
  try {
    await admin.createTopics([{ name: topic, partitions: 1, ...(replicationFactor === -1 ? {} : { replicationFactor }) }], { ifNotExists: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'INVALID_REPLICATION_FACTOR') {
      throw new ConfigError(
        `Cannot create the dead letter queue topic ${topic}: ${DLQ_TOPIC_REPLICATION_FACTOR_CONFIG}=${replicationFactor} is more than the cluster has brokers (${messageOf(err)}); set it to 1 (or -1 for the broker default)`,
        { code: 'CONFIG_INVALID', cause: err, context: { key: DLQ_TOPIC_REPLICATION_FACTOR_CONFIG, topic } },
      );
    }
    throw err;
  }
}

function text(value: string): Uint8Array {
  return Buffer.from(value, 'utf8');
}

export class DeadLetterQueueReporter implements ErrorReporter {
  readonly #options: DeadLetterQueueOptions;

  constructor(options: DeadLetterQueueOptions) {
    this.#options = options;
  }

  /** Writes the consumed record to the DLQ and waits for the acknowledgement; failures are counted and logged, not thrown. */
  async report(context: ProcessingContext): Promise<void> {
    const consumed = context.consumerRecord;
    if (consumed === undefined) return;
    const { topic, contextHeaders, metrics, logger } = this.#options;
    const headers: RecordHeader[] = [...consumed.headers];
    if (contextHeaders) headers.push(...this.#contextHeaders(context));
    try {
      await this.#options.send({ topic, key: consumed.key, value: consumed.value, headers, timestamp: consumed.timestamp });
      metrics.recordDlqProduce(true);
    } catch (err) {
      metrics.recordDlqProduce(false);
      logger.error({ err, topic }, `Could not produce message to dead letter queue ${topic}`);
    }
  }

  #contextHeaders(context: ProcessingContext): RecordHeader[] {
    const consumed = context.consumerRecord!;
    const error = context.error;
    return [
      [ERROR_HEADER_ORIG_TOPIC, text(consumed.topic)],
      [ERROR_HEADER_ORIG_PARTITION, text(String(consumed.partition))],
      [ERROR_HEADER_ORIG_OFFSET, text(String(consumed.offset))],
      [ERROR_HEADER_CONNECTOR_NAME, text(this.#options.connector)],
      [ERROR_HEADER_TASK_ID, text(String(this.#options.task))],
      [ERROR_HEADER_STAGE, text(context.stage)],
      [ERROR_HEADER_EXECUTING_CLASS, text(context.className)],
      [ERROR_HEADER_EXCEPTION, text(errorClassName(error))],
      [ERROR_HEADER_EXCEPTION_MESSAGE, text(error.message)],
      [ERROR_HEADER_EXCEPTION_STACK_TRACE, text(error.stack ?? `${errorClassName(error)}: ${error.message}`)],
    ];
  }
}
