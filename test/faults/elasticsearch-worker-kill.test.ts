// @services elasticsearch
// kill -9 of connect-standalone (worker and integrated broker) while a JSON-lines file streams
// into Elasticsearch; after a restart with the same files every line is one document with its
// content: nothing acknowledged is lost, and what is replayed rewrites the same documents.
import { rmSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import { countOf, esClient } from '../integration/elasticsearch-harness.ts';
import type { Pipeline } from '../integration/elasticsearch-standalone-harness.ts';
import { expectAllLines, startWorker, waitForCount, waitRunning, writePipeline } from '../integration/elasticsearch-standalone-harness.ts';

let client: Client | undefined;
let pipeline: Pipeline | undefined;

afterAll(async () => {
  if (pipeline !== undefined) {
    await client?.indices.delete({ index: pipeline.topic }, { ignore: [404] });
    rmSync(pipeline.dir, { recursive: true, force: true });
  }
  await client?.close();
});

describe('connect-standalone killed with SIGKILL mid-stream', () => {
  it('indexes every line exactly once after a restart', async () => {
    client ??= esClient();
    pipeline = await writePipeline(200_000);
    const first = startWorker(pipeline);
    try {
      await waitForCount(client, pipeline.topic, 1000, first, 120_000);
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(await first.exited).toBeNull();
    // Killed mid-stream: part of the file is indexed, not all of it.
    expect(await countOf(client, pipeline.topic)).toBeLessThan(pipeline.lines);

    const second = startWorker(pipeline);
    try {
      await waitRunning(pipeline, second, 120_000);
      await waitForCount(client, pipeline.topic, pipeline.lines, second, 180_000);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toBe(0);
    await expectAllLines(client, pipeline);
  }, 400_000);
});
