import { ErrorCode } from '../protocol/errors.ts';

export { ErrorCode };

/**
 * What a client is told when writing to __consumer_offsets failed with `appendError`
 * (Kafka's CoordinatorOperationExceptionHelper / appendGroupMetadataErrorToResponseError):
 * storage-side errors become coordinator errors the client knows how to retry.
 */
export function appendErrorToResponseError(appendError: number): number {
  switch (appendError) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return appendError;
  }
}
