// Apache Kafka 4.x command-line tools (Java clients, from test/services/kafka-tool) against the
// Sluice broker: kafka-topics create/describe/alter, console producer and consumer with a group,
// kafka-consumer-groups describe and reset-offsets, kafka-producer-perf-test with acks=all and
// idempotence.
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTool } from '../services/services.ts';
import { startInProcessBroker } from './broker-harness.ts';
import type { InProcessBroker } from './broker-harness.ts';

const TOOL_TIMEOUT = 120_000;

async function tool(name: string, args: string[], input?: string): Promise<string> {
  const result = await kafkaTool(name, args, { input, timeoutMs: TOOL_TIMEOUT });
  if (result.exitCode !== 0) throw new Error(`${name} ${args.join(' ')} exited with ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Rows of kafka-consumer-groups --describe: partition → [current offset, log end offset, lag]. */
function describeRows(output: string, topic: string): Map<number, { current: string; end: string; lag: string }> {
  const rows = new Map<number, { current: string; end: string; lag: string }>();
  for (const line of output.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] !== topic) continue;
    rows.set(Number(cols[2]), { current: cols[3], end: cols[4], lag: cols[5] });
  }
  return rows;
}

describe('Apache Kafka command-line tools against the Sluice broker', () => {
  let b: InProcessBroker;
  beforeAll(async () => {
    b = await startInProcessBroker();
  });
  afterAll(async () => {
    await b?.destroy();
  });

  it('kafka-topics creates, describes and alters a topic', async () => {
    const topic = `jt-${randomUUID()}`;
    const created = await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', '3', '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=compact']);
    expect(created).toContain(`Created topic ${topic}.`);
    const described = await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--describe', '--topic', topic]);
    expect(described).toContain('PartitionCount: 3');
    expect(described).toContain('ReplicationFactor: 1');
    // Only the topic's own settings are listed, as Kafka shows them.
    expect(described).toMatch(/Configs: (cleanup\.policy=compact,retention\.ms=3600000|retention\.ms=3600000,cleanup\.policy=compact)\s/);
    expect(described.match(/Partition: \d/g)).toHaveLength(3);

    await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--alter', '--topic', topic, '--partitions', '5']);
    const altered = await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--describe', '--topic', topic]);
    expect(altered).toContain('PartitionCount: 5');
    const listed = await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--list']);
    expect(listed.split('\n')).toContain(topic);

    await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--delete', '--topic', topic]);
    const after = await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--list']);
    expect(after.split('\n')).not.toContain(topic);
  });

  it('console producer and consumer with a group; kafka-consumer-groups describes and resets offsets', async () => {
    const topic = `jc-${randomUUID()}`;
    const group = `jc-group-${randomUUID()}`;
    await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', '2']);
    const lines = Array.from({ length: 30 }, (_, i) => `k${i}:v${i}`);
    await tool('kafka-console-producer', ['--bootstrap-server', b.bootstrap, '--topic', topic, '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:'], `${lines.join('\n')}\n`);
    const consumed = await tool('kafka-console-consumer', [
      '--bootstrap-server', b.bootstrap, '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '30',
      '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=:',
    ]);
    expect(consumed.trim().split('\n').sort()).toEqual([...lines].sort());

    const described = await tool('kafka-consumer-groups', ['--bootstrap-server', b.bootstrap, '--describe', '--group', group]);
    const rows = describeRows(described, topic);
    expect([...rows.keys()].sort()).toEqual([0, 1]);
    expect([...rows.values()].reduce((s, r) => s + Number(r.current), 0)).toBe(30);
    expect([...rows.values()].every((r) => r.lag === '0' && r.current === r.end)).toBe(true);

    const dryRun = await tool('kafka-consumer-groups', ['--bootstrap-server', b.bootstrap, '--group', group, '--topic', topic, '--reset-offsets', '--to-earliest', '--dry-run']);
    expect(dryRun).toContain('NEW-OFFSET');
    expect(describeRows(await tool('kafka-consumer-groups', ['--bootstrap-server', b.bootstrap, '--describe', '--group', group]), topic).get(0)?.lag).toBe('0');

    await tool('kafka-consumer-groups', ['--bootstrap-server', b.bootstrap, '--group', group, '--topic', topic, '--reset-offsets', '--to-earliest', '--execute']);
    const reset = describeRows(await tool('kafka-consumer-groups', ['--bootstrap-server', b.bootstrap, '--describe', '--group', group]), topic);
    expect([...reset.values()].map((r) => r.current)).toEqual(['0', '0']);
    expect([...reset.values()].reduce((s, r) => s + Number(r.lag), 0)).toBe(30);

    const again = await tool('kafka-console-consumer', ['--bootstrap-server', b.bootstrap, '--topic', topic, '--group', group, '--max-messages', '30']);
    expect(again.trim().split('\n')).toHaveLength(30);
    const listed = await tool('kafka-consumer-groups', ['--bootstrap-server', b.bootstrap, '--list']);
    expect(listed.split('\n')).toContain(group);
  });

  it('kafka-delete-records and kafka-get-offsets move and report the log start offset', async () => {
    const topic = `jd-${randomUUID()}`;
    await tool('kafka-topics', ['--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', '1']);
    await tool('kafka-console-producer', ['--bootstrap-server', b.bootstrap, '--topic', topic], `${Array.from({ length: 10 }, (_, i) => `r${i}`).join('\n')}\n`);
    const file = path.join(os.tmpdir(), `delete-records-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, offset: 4 }] }));
    try {
      const deleted = await tool('kafka-delete-records', ['--bootstrap-server', b.bootstrap, '--offset-json-file', file]);
      expect(deleted).toMatch(new RegExp(`partition: ${topic}-0\\s+low_watermark: 4`));
    } finally {
      await rm(file, { force: true });
    }
    const earliest = await tool('kafka-get-offsets', ['--bootstrap-server', b.bootstrap, '--topic', topic, '--time', '-2']);
    expect(earliest.trim()).toBe(`${topic}:0:4`);
    const latest = await tool('kafka-get-offsets', ['--bootstrap-server', b.bootstrap, '--topic', topic, '--time', '-1']);
    expect(latest.trim()).toBe(`${topic}:0:10`);
  });

  it('kafka-producer-perf-test with acks=all and idempotence writes every record once', async () => {
    const topic = `jp-${randomUUID()}`;
    const records = 20_000;
    const output = await tool('kafka-producer-perf-test', [
      '--topic', topic, '--num-records', String(records), '--record-size', '100', '--throughput', '-1',
      '--command-property', `bootstrap.servers=${b.bootstrap}`, 'acks=all', 'enable.idempotence=true', 'max.in.flight.requests.per.connection=5',
    ]);
    expect(output).toContain(`${records} records sent`);
    const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((s, p) => s + Number(p.high), 0)).toBe(records);
  });
});
