import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaApiError, describeErrorCode, isRetriableErrorCode, kafkaErrorInfo } from '../../../runtime/broker/protocol/errors.ts';

describe('Kafka error codes', () => {
  it('match Errors.java for the codes the broker answers with', () => {
    expect(ErrorCode).toMatchObject({
      UNKNOWN_SERVER_ERROR: -1,
      NONE: 0,
      OFFSET_OUT_OF_RANGE: 1,
      CORRUPT_MESSAGE: 2,
      UNKNOWN_TOPIC_OR_PARTITION: 3,
      NOT_LEADER_OR_FOLLOWER: 6,
      REQUEST_TIMED_OUT: 7,
      MESSAGE_TOO_LARGE: 10,
      COORDINATOR_LOAD_IN_PROGRESS: 14,
      COORDINATOR_NOT_AVAILABLE: 15,
      NOT_COORDINATOR: 16,
      INVALID_TOPIC_EXCEPTION: 17,
      NOT_ENOUGH_REPLICAS: 19,
      ILLEGAL_GENERATION: 22,
      INCONSISTENT_GROUP_PROTOCOL: 23,
      UNKNOWN_MEMBER_ID: 25,
      INVALID_SESSION_TIMEOUT: 26,
      REBALANCE_IN_PROGRESS: 27,
      UNSUPPORTED_SASL_MECHANISM: 33,
      UNSUPPORTED_VERSION: 35,
      TOPIC_ALREADY_EXISTS: 36,
      INVALID_PARTITIONS: 37,
      INVALID_REPLICATION_FACTOR: 38,
      INVALID_CONFIG: 40,
      INVALID_REQUEST: 42,
      OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
      DUPLICATE_SEQUENCE_NUMBER: 46,
      INVALID_PRODUCER_EPOCH: 47,
      UNKNOWN_PRODUCER_ID: 59,
      NON_EMPTY_GROUP: 68,
      GROUP_ID_NOT_FOUND: 69,
      FETCH_SESSION_ID_NOT_FOUND: 70,
      MEMBER_ID_REQUIRED: 79,
      FENCED_INSTANCE_ID: 82,
      GROUP_SUBSCRIBED_TO_TOPIC: 86,
      INVALID_RECORD: 87,
      PRODUCER_FENCED: 90,
      UNKNOWN_TOPIC_ID: 100,
    });
  });

  it('has one name per code', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (let c = -1; c <= 128; c++) expect(kafkaErrorInfo(c), `code ${c}`).toBeDefined();
    expect(kafkaErrorInfo(129)).toBeUndefined();
  });

  it('marks retriable codes as the Java client does', () => {
    for (const c of [3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 51, 56, 70, 74, 75, 78, 100]) expect(isRetriableErrorCode(c), `code ${c}`).toBe(true);
    for (const c of [-1, 0, 1, 10, 22, 25, 27, 35, 36, 45, 46, 47, 79, 87]) expect(isRetriableErrorCode(c), `code ${c}`).toBe(false);
  });

  it('KafkaApiError carries the wire code, a stable code and the retriable flag', () => {
    const e = new KafkaApiError('NOT_COORDINATOR');
    expect([e.errorCode, e.code, e.retriable, e.message]).toEqual([16, 'KAFKA_NOT_COORDINATOR', true, 'not coordinator']);
    const f = new KafkaApiError('INVALID_PARTITIONS', 'partition count must grow (3 -> 2)', { context: { topic: 'orders' } });
    expect([f.errorCode, f.retriable, f.context.topic]).toEqual([37, false, 'orders']);
    expect(describeErrorCode(999)).toBe('unknown error code 999');
  });
});
