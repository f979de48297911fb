import { MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { BrokerError, KafkaConnectionError, kafkaErrorNames, wrapKafkaError } from '../../../runtime/client/errors.ts';
import { ConfigError } from '../../../runtime/util/errors.ts';

describe('wrapKafkaError', () => {
  it('names broker errors by their Kafka name, with retriability and the cause', () => {
    const cause = new ProtocolError('TOPIC_ALREADY_EXISTS', "Topic 'x' already exists.");
    const wrapped = wrapKafkaError(cause, 'creating topic x', { topic: 'x' });
    expect(wrapped).toBeInstanceOf(BrokerError);
    expect(wrapped).toMatchObject({ code: 'TOPIC_ALREADY_EXISTS', kafkaErrorCode: 36, retriable: false, context: { topic: 'x' }, cause });
    expect(wrapped.message).toBe("creating topic x: TOPIC_ALREADY_EXISTS: Topic with this name already exists. (Topic 'x' already exists.)");
    expect(wrapKafkaError(new ProtocolError(6), 'producing')).toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
  });

  it('finds the broker error inside retries and response errors', () => {
    const response = new ResponseError(0, 9, { '/responses/0/partitions/0': [3, null] }, {});
    const retried = new MultipleErrors('produce failed 3 times.', [new NetworkError('reset'), response]);
    expect(wrapKafkaError(retried, 'producing to t-0')).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', kafkaErrorCode: 3, retriable: true });
    expect(kafkaErrorNames(retried)).toEqual(['UNKNOWN_TOPIC_OR_PARTITION']);
  });

  it('marks network trouble and timeouts retriable', () => {
    expect(wrapKafkaError(new NetworkError('Connection to 127.0.0.1:1 failed.'), 'connecting')).toMatchObject({ code: 'KAFKA_NETWORK', retriable: true });
    expect(wrapKafkaError(new TimeoutError('Request timed out.'), 'fetching')).toBeInstanceOf(KafkaConnectionError);
    expect(wrapKafkaError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'connecting')).toMatchObject({ code: 'KAFKA_NETWORK' });
  });

  it('recognises the unknown topic of a metadata request and keeps Sluice errors as they are', () => {
    expect(wrapKafkaError(new UserError('Unknown topic orders.'), 'looking up topic orders')).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, context: { topic: 'orders' } });
    expect(wrapKafkaError(new UserError('Cannot close producer while producing messages.'), 'closing')).toMatchObject({ code: 'KAFKA_CLIENT_USAGE', retriable: false });
    const own = new ConfigError('bad');
    expect(wrapKafkaError(own, 'x')).toBe(own);
    expect(wrapKafkaError('boom', 'doing x')).toMatchObject({ code: 'KAFKA_CLIENT_ERROR', message: 'doing x: boom' });
  });
});
