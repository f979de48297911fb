import { SluiceError } from '../../util/errors.ts';
import type { SluiceErrorOptions } from '../../util/errors.ts';

/**
 * Errors of the log with the codes of Kafka's protocol errors (org.apache.kafka.common.protocol.Errors),
 * so that the broker maps them to error codes by name.
 */

/** Append refused: CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP or INVALID_RECORD. */
export class InvalidBatchError extends SluiceError {
  constructor(code: 'CORRUPT_MESSAGE' | 'MESSAGE_TOO_LARGE' | 'INVALID_TIMESTAMP' | 'INVALID_RECORD', message: string, options: Omit<SluiceErrorOptions, 'retriable'> = {}) {
    // Kafka marks CORRUPT_MESSAGE retriable: a batch damaged in transit may arrive intact next time.
    super(code, message, { ...options, retriable: code === 'CORRUPT_MESSAGE' });
  }
}

/** A read below the log start offset or beyond the log end offset. */
export class OffsetOutOfRangeError extends SluiceError {
  constructor(message: string, context: Record<string, unknown>) {
    super('OFFSET_OUT_OF_RANGE', message, { context, retriable: false });
  }
}

/** The partition's files failed (an fsync, a write): it takes no more appends. Kafka: KAFKA_STORAGE_ERROR. */
export class StorageError extends SluiceError {
  constructor(message: string, options: Omit<SluiceErrorOptions, 'retriable'> = {}) {
    super('KAFKA_STORAGE_ERROR', message, { ...options, retriable: true });
  }
}
