import { describe, expect, it } from 'vitest';
import { adminSettings, consumerSettings, knownClientConfigKeys, parseBootstrapServers, producerSettings } from '../../../runtime/client/config.ts';

const base = { 'bootstrap.servers': '127.0.0.1:9092' };

describe('producer config', () => {
  it('has Kafka 4 defaults', () => {
    const { settings, warnings } = producerSettings(base);
    expect(settings).toMatchObject({ acks: -1, lingerMs: 5, batchSize: 16384, compression: 'none', idempotent: true, maxInFlight: 5, deliveryTimeoutMs: 120_000, bufferMemory: 33_554_432 });
    expect(warnings).toEqual([]);
  });

  it('maps Kafka names and values', () => {
    const { settings } = producerSettings({ ...base, acks: 'all', 'linger.ms': '20', 'batch.size': 65536, 'compression.type': 'ZSTD', 'client.id': 'worker-1', 'max.in.flight.requests.per.connection': '3' });
    expect(settings).toMatchObject({ acks: -1, lingerMs: 20, batchSize: 65536, compression: 'zstd', clientId: 'worker-1', maxInFlight: 3 });
    expect(producerSettings({ ...base, acks: '1' }).settings.acks).toBe(1);
  });

  it('drops default idempotence when acks or in-flight settings conflict, and refuses an explicit conflict', () => {
    expect(producerSettings({ ...base, acks: '1' }).settings.idempotent).toBe(false);
    expect(producerSettings({ ...base, 'max.in.flight.requests.per.connection': '6' }).settings.idempotent).toBe(false);
    expect(() => producerSettings({ ...base, acks: '0', 'enable.idempotence': 'true' })).toThrow('enable.idempotence=true conflicts with acks=0 (needs all)');
  });

  it('warns about accepted keys without effect and about unknown keys', () => {
    const { warnings } = producerSettings({ ...base, 'send.buffer.bytes': '131072', 'key.serializer': 'org.apache.kafka.common.serialization.StringSerializer', 'lingr.ms': '5' });
    expect(warnings).toEqual([
      "'send.buffer.bytes' has no effect: the socket send buffer is not tunable in the Sluice client",
      "'key.serializer' has no effect: the Sluice client sends bytes; converters serialize",
      "'lingr.ms' is not a known producer config; it is ignored",
    ]);
  });

  it('refuses keys whose meaning it cannot honour', () => {
    expect(() => producerSettings({ ...base, 'transactional.id': 'tx' })).toThrow(expect.objectContaining({ code: 'CONFIG_UNSUPPORTED', context: { key: 'transactional.id', value: 'tx' } }));
    expect(() => producerSettings({ ...base, 'partitioner.class': 'org.apache.kafka.clients.producer.RoundRobinPartitioner' })).toThrow('partitioner.class');
    expect(() => producerSettings({ ...base, 'security.protocol': 'SASL_SSL' })).toThrow('security.protocol=SASL_SSL is not supported yet');
    expect(producerSettings({ ...base, 'security.protocol': 'plaintext', 'transactional.id': '' }).settings.acks).toBe(-1);
  });

  it('names the key and the value that are invalid', () => {
    expect(() => producerSettings({ ...base, 'linger.ms': 'soon' })).toThrow("invalid value 'soon' for linger.ms: expected an integer");
    expect(() => producerSettings({ ...base, 'batch.size': '0' })).toThrow('invalid value 0 for batch.size: expected 1..2147483647');
    expect(() => producerSettings({ ...base, acks: '2' })).toThrow("invalid value '2' for acks: expected one of all, -1, 0, 1");
    expect(() => producerSettings({ ...base, 'enable.idempotence': 'yes' })).toThrow("invalid value 'yes' for enable.idempotence: expected true or false");
    expect(() => producerSettings({ ...base, 'delivery.timeout.ms': '1000' })).toThrow('delivery.timeout.ms (1000) must be at least linger.ms + request.timeout.ms (30005)');
  });
});

describe('consumer config', () => {
  it('has Kafka 4 defaults and maps group settings', () => {
    expect(consumerSettings(base).settings).toMatchObject({ groupId: undefined, autoOffsetReset: 'latest', enableAutoCommit: true, maxPollRecords: 500, isolationLevel: 'read_uncommitted', assignmentStrategy: 'range', allowAutoCreateTopics: true });
    const { settings } = consumerSettings({ ...base, 'group.id': 'connect-sink', 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false', 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor,org.apache.kafka.clients.consumer.RoundRobinAssignor' });
    expect(settings).toMatchObject({ groupId: 'connect-sink', autoOffsetReset: 'earliest', enableAutoCommit: false, assignmentStrategy: 'roundrobin' });
  });

  it('refuses what it cannot do and inconsistent timeouts', () => {
    expect(() => consumerSettings({ ...base, 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.StickyAssignor' })).toThrow('none of these assignors is supported');
    expect(() => consumerSettings({ ...base, 'group.protocol': 'consumer' })).toThrow('group.protocol=consumer is not supported');
    expect(() => consumerSettings({ ...base, 'heartbeat.interval.ms': '50000' })).toThrow('heartbeat.interval.ms (50000) must be lower than session.timeout.ms (45000)');
    expect(() => consumerSettings({ ...base, 'group.instance.id': 'w1' })).toThrow('group.instance.id needs a group.id');
  });

  it('treats producer-only keys as unknown', () => {
    expect(consumerSettings({ ...base, 'linger.ms': '5' }).warnings).toEqual(["'linger.ms' is not a known consumer config; it is ignored"]);
  });
});

describe('common config', () => {
  it('needs bootstrap.servers and parses it', () => {
    expect(() => adminSettings({})).toThrow('bootstrap.servers is required');
    expect(parseBootstrapServers(' PLAINTEXT://a:1, b.example:9092 ,[::1]:9093')).toEqual(['a:1', 'b.example:9092', '[::1]:9093']);
    expect(() => parseBootstrapServers('localhost')).toThrow("invalid address 'localhost' in bootstrap.servers: expected host:port");
    expect(() => parseBootstrapServers('a:70000')).toThrow("invalid address 'a:70000'");
  });

  it('lists the keys each client knows', () => {
    expect(knownClientConfigKeys('producer')).toContain('linger.ms');
    expect(knownClientConfigKeys('consumer')).not.toContain('linger.ms');
    expect(knownClientConfigKeys('admin')).toContain('bootstrap.servers');
  });
});
