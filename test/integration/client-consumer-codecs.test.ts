// @services kafka
// The Sluice consumer decoding batches that librdkafka (kcat) compressed with every Kafka codec
// and stored in Apache Kafka: keys, values and headers come back as produced. (The kafka
// service is declared so that test/services provisions kcat too.)
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KafkaConsumer } from '../../runtime/client/index.ts';
import type { ConsumerRecord } from '../../runtime/client/index.ts';
import { uniqueTopic, useBroker } from './client-targets.ts';

function kcat(args: string[], input: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

describe('KafkaConsumer reading kcat-compressed batches from kafka', () => {
  const bootstrap = useBroker('kafka');

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('decodes %s batches with keys and headers', async (codec) => {
    const topic = uniqueTopic(`consumer-codec-${codec}`);
    const lines = Array.from({ length: 300 }, (_, i) => `key-${i}:value-${i}-${'x'.repeat(i % 70)}`);
    const produced = await kcat(['-b', bootstrap(), '-P', '-t', topic, '-p', '0', '-K:', '-z', codec, '-X', 'linger.ms=50', '-H', `codec=${codec}`, '-H', 'second=2'], `${lines.join('\n')}\n`);
    expect(produced.code, produced.stderr).toBe(0);
    const consumer = new KafkaConsumer({ 'bootstrap.servers': bootstrap() });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seekToBeginning([{ topic, partition: 0 }]);
      const records: ConsumerRecord[] = [];
      const deadline = Date.now() + 20_000;
      while (records.length < lines.length && Date.now() < deadline) records.push(...(await consumer.poll(500)));
      expect(records.map((r) => `${r.key?.toString()}:${r.value?.toString()}`)).toEqual(lines);
      expect(records.map((r) => r.offset)).toEqual(lines.map((_, i) => BigInt(i)));
      for (const r of records) expect(r.headers.map(([k, v]) => `${k}=${v?.toString()}`)).toEqual([`codec=${codec}`, 'second=2']);
    } finally {
      await consumer.close();
    }
  });
});
