import { SluiceError } from '../../util/errors.ts';
import { ErrorCode, KafkaApiError } from '../protocol/index.ts';
import type { ErrorName } from '../protocol/index.ts';

/**
 * The Kafka error code for a thrown error. The log engine names its errors after Kafka's
 * (OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE, KAFKA_STORAGE_ERROR, INVALID_CONFIG, ...), so the code
 * carries over by name; anything else is UNKNOWN_SERVER_ERROR.
 */
export function errorCodeOf(err: unknown): number {
  if (err instanceof KafkaApiError) return err.errorCode;
  if (err instanceof SluiceError) {
    // A log closes when its topic is deleted (or the broker stops) under a request that holds it.
    if (err.code === 'LOG_CLOSED') return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const name = err.code.startsWith('KAFKA_') && err.code !== 'KAFKA_STORAGE_ERROR' ? err.code.slice('KAFKA_'.length) : err.code;
    if (Object.hasOwn(ErrorCode, name)) return ErrorCode[name as ErrorName];
  }
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
