// The Sluice consumer meeting a record batch whose CRC does not match (the Sluice broker serves
// its segment bytes as stored, so a byte flipped on disk reaches the client): poll() returns the
// records before it, then fails at it on every call with an error naming topic, partition and
// offset, until the application seeks past it — Java's consumer with check.crcs=true.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaConsumer, KafkaProducer } from '../../runtime/client/index.ts';
import type { ConsumerRecord } from '../../runtime/client/index.ts';
import { freePort } from '../services/free-port.ts';
import { SLUICE_CLI, uniqueTopic } from './client-targets.ts';

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('KafkaConsumer at a corrupt record batch (sluice broker)', () => {
  let dataDir: string;
  let broker: ChildProcess;
  let bootstrap: string;
  const topic = uniqueTopic('consumer-corrupt');

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-consumer-corrupt-'));
    const port = await freePort();
    broker = spawn(process.execPath, [SLUICE_CLI, 'broker', '--data-dir', dataDir, '--listeners', `PLAINTEXT://127.0.0.1:${port}`], { stdio: 'ignore', env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
    const deadline = Date.now() + 30_000;
    while (!(await listening(port))) {
      if (Date.now() > deadline || broker.exitCode !== null) throw new Error('the sluice broker did not start listening');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    bootstrap = `127.0.0.1:${port}`;
    const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    await admin.close();
    // Three batches of two records: offsets 0-1, 2-3, 4-5.
    const producer = new KafkaProducer({ 'bootstrap.servers': bootstrap, 'linger.ms': '0' });
    for (let b = 0; b < 3; b++) await Promise.all([0, 1].map((i) => producer.send({ topic, partition: 0, value: Buffer.from(`v${b * 2 + i}`) })));
    await producer.close();
    // Flip the last byte of the second batch (inside its records, covered by the CRC).
    const dir = path.join(dataDir, `${topic}-0`);
    const segment = path.join(dir, (await readdir(dir)).find((f) => f.endsWith('.log'))!);
    const file = await open(segment, 'r+');
    try {
      const { buffer } = await file.read({ buffer: Buffer.alloc(4096), position: 0 });
      const firstSize = 12 + buffer.readInt32BE(8);
      expect(buffer.readBigInt64BE(firstSize)).toBe(2n);
      const last = firstSize + 12 + buffer.readInt32BE(firstSize + 8) - 1;
      await file.write(Buffer.from([buffer[last] ^ 0xff]), 0, 1, last);
    } finally {
      await file.close();
    }
  });
  afterAll(async () => {
    if (broker?.exitCode === null) {
      const exited = new Promise((resolve) => broker.once('exit', resolve));
      broker.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('returns the records before it, then fails every poll at it until a seek past it', async () => {
    const consumer = new KafkaConsumer({ 'bootstrap.servers': bootstrap, 'max.poll.records': '10' });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seekToBeginning([{ topic, partition: 0 }]);
      const records: ConsumerRecord[] = [];
      let failure: unknown;
      const deadline = Date.now() + 20_000;
      while (failure === undefined && Date.now() < deadline) {
        try {
          records.push(...(await consumer.poll(500)));
        } catch (err) {
          failure = err;
        }
      }
      expect(records.map((r) => r.value?.toString())).toEqual(['v0', 'v1']);
      expect(failure).toMatchObject({ code: 'CORRUPT_RECORD', context: { topic, partition: 0, offset: '2' } });
      expect((failure as Error).message).toMatch(new RegExp(`${topic}-0 at offset 2 is corrupt: stored CRC \\d+ does not match the computed CRC \\d+`));
      await expect(consumer.poll(5_000)).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
      expect(consumer.position(topic, 0)).toBe(2n);

      consumer.seek(topic, 0, 4n);
      const after: ConsumerRecord[] = [];
      while (after.length < 2 && Date.now() < deadline) after.push(...(await consumer.poll(500)));
      expect(after.map((r) => `${r.offset}:${r.value?.toString()}`)).toEqual(['4:v4', '5:v5']);
    } finally {
      await consumer.close();
    }
  });
});
