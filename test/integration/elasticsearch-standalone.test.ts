// @services elasticsearch
// End to end through `connect-standalone` with its integrated broker: FileStreamSource streams a
// JSON-lines file into a topic and the Elasticsearch sink (loaded from plugin.path under
// Confluent's class name) indexes it.
import { rmSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import { esClient } from './elasticsearch-harness.ts';
import type { Pipeline } from './elasticsearch-standalone-harness.ts';
import { expectAllLines, startWorker, waitForCount, waitRunning, writePipeline } from './elasticsearch-standalone-harness.ts';

const pipelines: Pipeline[] = [];
let client: Client | undefined;

afterAll(async () => {
  for (const p of pipelines) {
    await client?.indices.delete({ index: p.topic }, { ignore: [404] });
    rmSync(p.dir, { recursive: true, force: true });
  }
  await client?.close();
});

describe('connect-standalone: JSON-lines file → topic → Elasticsearch', () => {
  it('indexes every line of the file once, keyed by its id, and stops cleanly', async () => {
    client ??= esClient();
    const pipeline = await writePipeline(2000);
    pipelines.push(pipeline);
    const worker = startWorker(pipeline);
    try {
      await waitRunning(pipeline, worker, 60_000);
      await waitForCount(client, pipeline.topic, pipeline.lines, worker, 90_000);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    await expectAllLines(client, pipeline);
  });
});
