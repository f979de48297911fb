// @services kafka
// The Sluice producer against a real broker; what it wrote is read back with Kafka's own Java
// console consumer, and keyed placement is compared with the Java console producer's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaProducer, javaPartition } from '../../runtime/client/index.ts';
import type { ProducerRecord } from '../../runtime/client/index.ts';
import { kafkaTool } from '../services/services.ts';
import { brokerNames, uniqueTopic, useBroker } from './client-targets.ts';

interface JavaRecord {
  timestamp: string;
  partition: number;
  offset: bigint;
  headers: string;
  key: string;
  value: string;
}

/** Reads `count` records with kafka-console-consumer, every field printed, `|` between fields. */
async function javaConsume(bootstrap: string, topic: string, count: number): Promise<JavaRecord[]> {
  const result = await kafkaTool(
    'kafka-console-consumer',
    [
      ...['--bootstrap-server', bootstrap, '--topic', topic, '--from-beginning', '--max-messages', String(count), '--timeout-ms', '60000'],
      ...['--formatter-property', 'print.timestamp=true', '--formatter-property', 'print.partition=true', '--formatter-property', 'print.offset=true'],
      ...['--formatter-property', 'print.headers=true', '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=|'],
    ],
    { timeoutMs: 90_000 },
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [timestamp, partition, offset, headers, key, ...value] = line.split('|');
      return { timestamp, partition: Number(partition.replace('Partition:', '')), offset: BigInt(offset.replace('Offset:', '')), headers, key, value: value.join('|') };
    });
}

describe.each(brokerNames())('KafkaProducer against %s', (broker) => {
  const bootstrap = useBroker(broker);
  let admin: KafkaAdmin;
  beforeAll(() => {
    admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap() });
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('places keyed records where the Java producer does and reports the offsets the broker assigned', async () => {
    const ours = uniqueTopic('producer-keys-ours');
    const java = uniqueTopic('producer-keys-java');
    await admin.createTopics([
      { name: ours, partitions: 7 },
      { name: java, partitions: 7 },
    ]);
    // Keys whose murmur2 hash is negative too, where platformatic's default differs from Java.
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}-${'x'.repeat(i % 5)}`);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap(), 'linger.ms': '20' });
    const acks = await Promise.all(keys.map((key, i) => producer.send({ topic: ours, key: Buffer.from(key), value: Buffer.from(`value-${i}`) })));
    await producer.close();

    const javaProduced = await kafkaTool(
      'kafka-console-producer',
      ['--bootstrap-server', bootstrap(), '--topic', java, '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=|'],
      { input: keys.map((key, i) => `${key}|value-${i}\n`).join(''), timeoutMs: 90_000 },
    );
    expect(javaProduced.exitCode, javaProduced.stderr).toBe(0);

    const oursRead = await javaConsume(bootstrap(), ours, keys.length);
    const javaRead = await javaConsume(bootstrap(), java, keys.length);
    const placement = (records: JavaRecord[]): Record<string, number> => Object.fromEntries(records.map((r) => [r.key, r.partition]));
    expect(placement(oursRead)).toEqual(placement(javaRead));
    expect(placement(oursRead)).toEqual(Object.fromEntries(keys.map((key) => [key, javaPartition(Buffer.from(key), 7)])));
    // The acknowledged offset of each record is where the broker stored it.
    expect(Object.fromEntries(acks.map((a, i) => [keys[i], `${a.partition}@${a.offset}`]))).toEqual(
      Object.fromEntries(oursRead.map((r) => [r.key, `${r.partition}@${r.offset}`])),
    );
  });

  it('keeps headers (repeated names, null values), explicit partitions, timestamps and tombstones', async () => {
    const topic = uniqueTopic('producer-fields');
    await admin.createTopics([{ name: topic, partitions: 3 }]);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap() });
    const records: ProducerRecord[] = [
      { topic, partition: 2, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: [['h', Buffer.from('one')], ['h', Buffer.from('two')], ['empty', null]], timestamp: 1_700_000_000_123 },
      { topic, partition: 2, key: Buffer.from('k2'), value: null, timestamp: 1_700_000_000_456 },
    ];
    const acks = await Promise.all(records.map((r) => producer.send(r)));
    await producer.close();
    expect(acks.map((a) => [a.partition, a.offset, a.timestamp])).toEqual([
      [2, 0n, 1_700_000_000_123n],
      [2, 1n, 1_700_000_000_456n],
    ]);
    const read = await javaConsume(bootstrap(), topic, 2);
    expect(read.map((r) => [r.timestamp, r.partition, r.headers, r.key, r.value])).toEqual([
      ['CreateTime:1700000000123', 2, 'h:one,h:two,empty:null', 'k1', 'v1'],
      ['CreateTime:1700000000456', 2, 'NO_HEADERS', 'k2', 'null'],
    ]);
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('writes %s batches the Java consumer reads', async (codec) => {
    const topic = uniqueTopic(`producer-${codec}`);
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap(), 'compression.type': codec, 'linger.ms': '50' });
    const values = Array.from({ length: 50 }, (_, i) => `${codec} record ${i} ${'abc'.repeat(20)}`);
    const acks = await Promise.all(values.map((v) => producer.send({ topic, value: Buffer.from(v) })));
    await producer.close();
    expect(acks.map((a) => a.offset)).toEqual(values.map((_, i) => BigInt(i)));
    expect((await javaConsume(bootstrap(), topic, values.length)).map((r) => r.value)).toEqual(values);
  });

  it('sticks records without a key to one partition while less than batch.size went there', async () => {
    const topic = uniqueTopic('producer-sticky');
    await admin.createTopics([{ name: topic, partitions: 5 }]);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap(), 'batch.size': '100000' });
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ topic, value: Buffer.from(`v${i}`) })));
    await producer.close();
    expect(new Set(acks.map((a) => a.partition)).size).toBe(1);
    expect(acks.map((a) => a.offset)).toEqual(acks.map((_, i) => BigInt(i)));
  });

  it('with acks=0 reports no offsets, and the records still arrive', async () => {
    const topic = uniqueTopic('producer-acks0');
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap(), acks: '0' });
    expect(producer.settings.idempotent).toBe(false);
    const acks = await Promise.all(['a', 'b', 'c'].map((v) => producer.send({ topic, value: Buffer.from(v) })));
    await producer.close();
    expect(acks.map((a) => a.offset)).toEqual([-1n, -1n, -1n]);
    expect((await javaConsume(bootstrap(), topic, 3)).map((r) => r.value)).toEqual(['a', 'b', 'c']);
  });

  it('refuses bad records with precise errors', async () => {
    const topic = uniqueTopic('producer-errors');
    await admin.createTopics([{ name: topic, partitions: 2 }]);
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap(), 'max.request.size': '2000', 'max.block.ms': '3000' });
    await expect(producer.send({ topic, partition: 5, value: Buffer.from('x') })).rejects.toMatchObject({
      code: 'INVALID_PARTITION',
      message: expect.stringContaining(`partition 5 of ${topic} is not in the range [0...2)`),
    });
    await expect(producer.send({ topic, value: Buffer.alloc(5000) })).rejects.toMatchObject({ code: 'RECORD_TOO_LARGE', retriable: false });
    await expect(producer.send({ topic: 'not a valid topic!', value: Buffer.from('x') })).rejects.toMatchObject({ code: 'INVALID_TOPIC_EXCEPTION', retriable: false });
    // The producer stays usable after refusals.
    await expect(producer.send({ topic, partition: 1, value: Buffer.from('ok') })).resolves.toMatchObject({ partition: 1, offset: 0n });
    await producer.close();
    await expect(producer.send({ topic, value: Buffer.from('late') })).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
  });
});

describe('KafkaProducer without a broker', () => {
  it('gives up after max.block.ms with a retriable error naming the topic', async () => {
    const producer = new KafkaProducer({ 'bootstrap.servers': '127.0.0.1:1', 'max.block.ms': '1500', 'socket.connection.setup.timeout.ms': '500', retries: '1' });
    await expect(producer.send({ topic: 'nowhere', value: Buffer.from('x') })).rejects.toMatchObject({
      code: 'TOPIC_NOT_PRESENT',
      retriable: true,
      message: expect.stringContaining('topic nowhere not present in metadata after 1500 ms'),
    });
    await producer.close();
  });
});
