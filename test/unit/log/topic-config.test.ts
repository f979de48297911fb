import { describe, expect, it } from 'vitest';
import { closestKeys } from '../../../runtime/util/config/closest-keys.ts';
import { LOG_MANAGER_CONFIG, isLogBrokerKey } from '../../../runtime/broker/log/log-manager-config.ts';
import { TOPIC_CONFIG, parseTopicOverrides, resolveTopicConfig, topicDefaultsFromBroker } from '../../../runtime/broker/log/topic-config.ts';
import { SluiceError } from '../../../runtime/util/errors.ts';

function errorOf(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('topic configs', () => {
  it('have Kafka defaults', () => {
    const d = TOPIC_CONFIG.defaults();
    expect(d['cleanup.policy']).toEqual(['delete']);
    expect(d['retention.ms']).toBe(604800000);
    expect(d['retention.bytes']).toBe(-1);
    expect(d['segment.bytes']).toBe(1073741824);
    expect(d['segment.ms']).toBe(604800000);
    expect(d['segment.index.bytes']).toBe(10485760);
    expect(d['index.interval.bytes']).toBe(4096);
    expect(d['delete.retention.ms']).toBe(86400000);
    expect(d['min.compaction.lag.ms']).toBe(0);
    expect(d['min.cleanable.dirty.ratio']).toBe(0.5);
    expect(d['max.message.bytes']).toBe(1048588);
    expect(d['message.timestamp.type']).toBe('CreateTime');
    expect(d['min.insync.replicas']).toBe(1);
    expect(d['compression.type']).toBe('producer');
    expect(d['file.delete.delay.ms']).toBe(60000);
  });

  it('render Long.MAX_VALUE defaults as Kafka prints them', () => {
    const formatted = TOPIC_CONFIG.format(TOPIC_CONFIG.defaults());
    expect(formatted['flush.messages']).toBe('9223372036854775807');
    expect(formatted['flush.ms']).toBe('9223372036854775807');
    expect(formatted['max.compaction.lag.ms']).toBe('9223372036854775807');
    expect(formatted['cleanup.policy']).toBe('delete');
  });

  it('parse properties strings into typed values', () => {
    const o = parseTopicOverrides({
      'cleanup.policy': 'compact, delete',
      'retention.ms': '-1',
      'min.cleanable.dirty.ratio': '0.25',
      'unclean.leader.election.enable': 'TRUE',
      'flush.messages': '9223372036854775807',
      'segment.bytes': 4096,
    });
    expect(o).toEqual({
      'cleanup.policy': ['compact', 'delete'],
      'retention.ms': -1,
      'min.cleanable.dirty.ratio': 0.25,
      'unclean.leader.election.enable': true,
      'flush.messages': 2 ** 63,
      'segment.bytes': 4096,
    });
  });

  it('name the key and the closest known keys for an unknown key', () => {
    const err = errorOf(() => parseTopicOverrides({ 'retention.msx': '1' }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('retention.msx');
    expect((err.context.closest as string[])[0]).toBe('retention.ms');
    expect(err.message).toContain('did you mean retention.ms');
    expect(closestKeys('segment.byte', TOPIC_CONFIG.keys.keys())[0]).toBe('segment.bytes');
    expect(closestKeys('zzzzzzzzzzzzzzzzzzzzzzzz', TOPIC_CONFIG.keys.keys())).toEqual([]);
  });

  it('name the key, value and rule for an invalid value', () => {
    const cases: [string, unknown, string][] = [
      ['cleanup.policy', 'compact,archive', 'archive'],
      ['min.cleanable.dirty.ratio', '1.5', 'between 0 and 1'],
      ['retention.ms', '-2', 'at least -1'],
      ['segment.bytes', '2147483648', 'Not a number of type INT'],
      ['segment.ms', 'soon', 'Not a number of type LONG'],
      ['message.timestamp.type', 'ProducerTime', 'CreateTime, LogAppendTime'],
      ['unclean.leader.election.enable', 'yes', 'true or false'],
      ['compression.type', 'brotli', 'producer'],
      ['flush.messages', '0', 'at least 1'],
    ];
    for (const [key, value, hint] of cases) {
      const err = errorOf(() => parseTopicOverrides({ [key]: value }));
      expect(err.code, key).toBe('INVALID_CONFIG');
      expect(err.context.key).toBe(key);
      expect(err.message).toContain(key);
      expect(err.message).toContain(hint);
    }
  });

  it('refuse min.compaction.lag.ms above max.compaction.lag.ms', () => {
    const err = errorOf(() => resolveTopicConfig({}, parseTopicOverrides({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' })));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('min.compaction.lag.ms');
  });

  it('take defaults from broker synonyms, first match wins, with units converted', () => {
    expect(topicDefaultsFromBroker({ 'log.retention.hours': '1' })['retention.ms']).toBe(3_600_000);
    expect(topicDefaultsFromBroker({ 'log.retention.minutes': '2', 'log.retention.hours': '1' })['retention.ms']).toBe(120_000);
    expect(topicDefaultsFromBroker({ 'log.retention.ms': '5', 'log.retention.minutes': '2' })['retention.ms']).toBe(5);
    expect(topicDefaultsFromBroker({ 'log.retention.hours': '-1' })['retention.ms']).toBe(-1);
    expect(topicDefaultsFromBroker({ 'log.roll.hours': '2' })['segment.ms']).toBe(7_200_000);
    expect(topicDefaultsFromBroker({ 'log.cleanup.policy': 'compact' })['cleanup.policy']).toEqual(['compact']);
    expect(topicDefaultsFromBroker({ 'log.flush.interval.messages': '1' })['flush.messages']).toBe(1);
    expect(topicDefaultsFromBroker({ 'message.max.bytes': '100' })['max.message.bytes']).toBe(100);
    expect(topicDefaultsFromBroker({ 'num.network.threads': '3' })).toEqual({});
    const err = errorOf(() => topicDefaultsFromBroker({ 'log.segment.bytes': 'big' }));
    expect(err.context.key).toBe('log.segment.bytes');
  });

  it('layer Kafka defaults, broker defaults and topic overrides', () => {
    const config = resolveTopicConfig(topicDefaultsFromBroker({ 'log.retention.hours': '1', 'log.segment.bytes': '1000' }), parseTopicOverrides({ 'segment.bytes': '2000' }));
    expect(config['retention.ms']).toBe(3_600_000);
    expect(config['segment.bytes']).toBe(2000);
    expect(config['index.interval.bytes']).toBe(4096);
  });

  it('know the broker-wide log keys', () => {
    expect(LOG_MANAGER_CONFIG.defaults()['log.retention.check.interval.ms']).toBe(300000);
    expect(LOG_MANAGER_CONFIG.defaults()['log.cleaner.dedupe.buffer.size']).toBe(134217728);
    expect(isLogBrokerKey('log.retention.hours')).toBe(true);
    expect(isLogBrokerKey('log.flush.scheduler.interval.ms')).toBe(true);
    expect(isLogBrokerKey('listeners')).toBe(false);
    expect(errorOf(() => LOG_MANAGER_CONFIG.get('log.cleaner.enabled')).message).toContain('log.cleaner.enable');
  });

  it('document every key', () => {
    for (const def of TOPIC_CONFIG.keys.values()) expect(def.doc.length, def.name).toBeGreaterThan(20);
    for (const def of LOG_MANAGER_CONFIG.keys.values()) expect(def.doc.length, def.name).toBeGreaterThan(20);
  });
});
