// @services elasticsearch
// Elasticsearch stopped and restarted while records stream into the sink task: the task pauses
// its partitions instead of failing or growing without bound, commits nothing Elasticsearch has
// not acknowledged, and afterwards every record is indexed exactly once with its offset as version
// — also when the records after the last commit are replayed (as after a worker crash).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import type { TopicPartitionOffset } from '../../runtime/connect/api/index.ts';
import { startService, stopService } from '../services/services.ts';
import { TestSinkContext, countOf, documents, esClient, records, startTask, uniqueTopic } from '../integration/elasticsearch-harness.ts';

const TOTAL = 6000;
const BATCH = 200;
let client: Client | undefined;
const indices: string[] = [];

afterAll(async () => {
  if (client === undefined) return;
  for (const index of indices) await client.indices.delete({ index }, { ignore: [404] });
  await client.close();
});

/** Polls `condition` every 100 ms until it holds or `ms` pass. */
async function eventually(condition: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('Elasticsearch sink while Elasticsearch is down', () => {
  it('pauses, commits only acknowledged records, and indexes every record once with no regressed version', async () => {
    const topic = uniqueTopic('outage');
    indices.push(topic);
    const tp = { topic, partition: 0 };
    const context = new TestSinkContext([tp]);
    const props = { 'schema.ignore': 'true', 'max.buffered.records': '1000', 'batch.size': '200', 'max.retries': '100', 'retry.backoff.ms': '50', 'read.timeout.ms': '10000' };
    const task = startTask(props, context);
    const value = (i: number) => ({ key: `r${i}`, value: JSON.stringify({ n: i, payload: 'x'.repeat(200) }) });
    const commits: number[] = [];
    const commit = async () => {
      const offsets: TopicPartitionOffset[] = await task.preCommit([{ ...tp, offset: next }]);
      if (offsets.length > 0) commits.push(offsets[0].offset);
    };
    const paused = () => context.pauses.length > context.resumes.length;

    // The worker's loop: poll (unless paused), put, commit now and then.
    let next = 0;
    let stopLoop = false;
    const loop = (async () => {
      while (!stopLoop && next < TOTAL) {
        if (paused()) {
          await sleep(50);
        } else {
          await task.put(records(topic, BATCH, (i) => value(next + i), 0, next));
          next += BATCH;
          await sleep(5);
        }
        await commit();
      }
    })();

    await eventually(() => next >= 1000, 60_000, 'the first records');
    await stopService('elasticsearch');
    await eventually(paused, 60_000, 'the partitions to be paused');
    const committedWhileDown = commits.at(-1) ?? 0;
    const consumedWhileDown = next;
    await sleep(1000);
    // Nothing more is acknowledged while Elasticsearch is down, so nothing more is committed,
    // and the paused loop consumes nothing more.
    await commit();
    expect(commits.at(-1) ?? 0).toBe(committedWhileDown);
    expect(next).toBe(consumedWhileDown);
    expect(committedWhileDown).toBeLessThan(consumedWhileDown);

    await startService('elasticsearch');
    await eventually(() => next >= TOTAL, 180_000, 'all records to be put');
    await loop;
    await task.flush([]);
    await commit();
    expect(commits.at(-1)).toBe(TOTAL);
    expect(context.resumes.length).toBeGreaterThanOrEqual(1);
    // Commits only move forward.
    expect(commits).toEqual([...commits].sort((a, b) => a - b));
    await task.stop();

    // A worker that crashed after committing `committedWhileDown` replays everything after it.
    const replay = startTask(props, new TestSinkContext([tp]));
    for (let from = committedWhileDown; from < TOTAL; from += BATCH) await replay.put(records(topic, Math.min(BATCH, TOTAL - from), (i) => value(from + i), 0, from));
    await replay.flush([]);
    await replay.stop();

    client ??= esClient();
    expect(await countOf(client, topic)).toBe(TOTAL);
    const docs = await documents(client, topic);
    expect(docs.size).toBe(TOTAL);
    for (let i = 0; i < TOTAL; i++) {
      const doc = docs.get(`r${i}`);
      expect(doc?.version).toBe(i);
      expect(doc?.source.n).toBe(i);
    }
    stopLoop = true;
  }, 400_000);
});

describe('Elasticsearch sink: a malformed document in the middle of a batch', () => {
  it('goes to the dead letter queue while the rest of the batch is indexed and committed', async () => {
    const topic = uniqueTopic('malformed');
    indices.push(topic);
    client ??= esClient();
    await client.indices.create({ index: topic, mappings: { properties: { n: { type: 'long' } } } });
    const context = new TestSinkContext([{ topic, partition: 0 }]);
    const task = startTask({ 'schema.ignore': 'true', 'behavior.on.malformed.documents': 'warn', 'key.ignore': 'true' }, context);
    const bad = new Set([137, 250, 251, 498]);
    await task.put(records(topic, 500, (i) => ({ value: bad.has(i) ? `{"n":"bad ${i}"}` : JSON.stringify({ n: i }) })));
    await task.flush([]);
    expect(await task.preCommit([{ topic, partition: 0, offset: 500 }])).toEqual([{ topic, partition: 0, offset: 500 }]);
    await task.stop();
    expect(context.deadLetters.map((d) => d.record.kafkaOffset).sort((a, b) => a - b)).toEqual([...bad]);
    expect(context.deadLetters.every((d) => /document_parsing_exception.*status=400/.test(d.error.message))).toBe(true);
    expect(await countOf(client, topic)).toBe(496);
  });
});
