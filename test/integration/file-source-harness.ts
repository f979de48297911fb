// Runs the file source in our connect-standalone against Apache Kafka (test/services) for the
// file source's integration and fault tests, and reads the topics back with our consumer.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerRecord } from '../../runtime/client/index.ts';
import { KafkaAdmin, KafkaConsumer } from '../../runtime/client/index.ts';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, freePort, properties, run } from './connect-harness.ts';

export interface FileSourceRun {
  dir: string;
  worker: Running;
}

export function workDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `sluice-file-source-${prefix}-`));
}

export function uniqueTopic(prefix: string): string {
  return `file-source-${prefix}-${randomUUID()}`;
}

/** Creates one-partition topics, so that record order in a topic is read order. */
export async function createTopics(bootstrap: string, topics: readonly string[]): Promise<void> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.createTopics(topics.map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
  } finally {
    await admin.close();
  }
}

/**
 * Starts connect-standalone with one FileSource connector (StringConverter for keys and values,
 * offsets in `dir`/connect.offsets, which a restart with the same `dir` reuses).
 */
export async function startFileSource(dir: string, bootstrap: string, connector: Record<string, string | number>, worker: Record<string, string | number> = {}): Promise<Running> {
  mkdirSync(dir, { recursive: true });
  const workerFile = path.join(dir, 'worker.properties');
  writeFileSync(
    workerFile,
    properties({
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': 500,
      listeners: `http://127.0.0.1:${await freePort()}`,
      ...worker,
    }),
  );
  const connectorFile = path.join(dir, 'connector.properties');
  // Backslashes are escapes in .properties files (a regex's \d must be written \\d).
  const escaped = Object.fromEntries(Object.entries(connector).map(([k, v]) => [k, String(v).replace(/\\/g, '\\\\')]));
  writeFileSync(connectorFile, properties({ name: 'file-source', 'connector.class': 'FileSource', 'poll.interval.ms': 50, ...escaped }));
  return run(CONNECT_STANDALONE, [workerFile, connectorFile], { env: { SLUICE_LOG_LEVEL: 'info' } });
}

/** The end offset of partition 0 of a topic. */
export async function endOffset(bootstrap: string, topic: string): Promise<number> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
  try {
    const ends = await admin.listOffsets([{ topic, partition: 0 }], 'latest');
    return Number([...ends.values()][0] ?? 0n);
  } finally {
    await admin.close();
  }
}

/** Waits until a topic holds at least `count` records; fails with the worker's output otherwise. */
export async function waitForRecords(bootstrap: string, topic: string, count: number, timeoutMs: number, worker?: Running): Promise<void> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
  let ended = false;
  void worker?.exited.then(() => (ended = true));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ends = await admin.listOffsets([{ topic, partition: 0 }], 'latest');
      const end = Number([...ends.values()][0] ?? 0n);
      if (end >= count) return;
      if (ended) throw new Error(`the worker exited while ${topic} had ${end} of ${count} records:\n${worker!.output().slice(-6000)}`);
      if (Date.now() > deadline) throw new Error(`${topic} has ${end} of ${count} records after ${timeoutMs} ms${worker ? `:\n${worker.output().slice(-6000)}` : ''}`);
      await sleep(200);
    }
  } finally {
    await admin.close();
  }
}

/** Every record of partition 0 of a topic, from the start to its current end. */
export async function readTopic(bootstrap: string, topic: string): Promise<ConsumerRecord[]> {
  const end = await endOffset(bootstrap, topic);
  const consumer = new KafkaConsumer({ 'bootstrap.servers': bootstrap, 'max.poll.records': '10000' });
  try {
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seekToBeginning([{ topic, partition: 0 }]);
    const records: ConsumerRecord[] = [];
    const deadline = Date.now() + 120_000;
    while (records.length < end && Date.now() < deadline) records.push(...(await consumer.poll(500)));
    if (records.length < end) throw new Error(`read ${records.length} of ${end} records of ${topic}`);
    return records;
  } finally {
    await consumer.close();
  }
}

export function text(record: ConsumerRecord): string {
  return record.value?.toString('utf8') ?? '';
}

export function headerText(record: ConsumerRecord, key: string): string | undefined {
  const found = record.headers.filter(([k]) => k === key).pop();
  return found === undefined || found[1] === null ? undefined : Buffer.from(found[1]).toString('utf8');
}

export function numbered(from: number, to: number, prefix = 'line'): string {
  let out = '';
  for (let i = from; i <= to; i++) out += `${prefix}-${i}\n`;
  return out;
}

export function expected(from: number, to: number, prefix = 'line'): string[] {
  return numbered(from, to, prefix).trimEnd().split('\n');
}
