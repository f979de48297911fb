// @services kafka
// Kafka's Connect quickstart, unchanged: the standard config/connect-standalone.properties,
// connect-file-source.properties and connect-file-sink.properties of the Kafka docs (JsonConverter
// with schemas, plugin.path naming libs/connect-file-*.jar, test.txt → connect-test →
// test.sink.txt), run by our connect-standalone against `sluice broker` started first, and
// against Apache Kafka 4.x from test/services. Only ports are rewritten (the broker's, and the
// REST listener so that parallel runs do not collide); against the shared Apache Kafka the topic
// gets a unique name.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';
import type { Running } from './connect-harness.ts';
import { CONNECT_STANDALONE, freePort, readOr, run, startSluiceBroker, stop, waitFor } from './connect-harness.ts';

/** Kafka 4.x config/connect-standalone.properties (comments dropped), plus the quickstart's plugin.path line. */
function standaloneProperties(bootstrap: string, restPort: number): string {
  return [
    `bootstrap.servers=${bootstrap}`,
    'key.converter=org.apache.kafka.connect.json.JsonConverter',
    'value.converter=org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable=true',
    'value.converter.schemas.enable=true',
    'offset.storage.file.filename=/tmp/connect.offsets',
    'offset.flush.interval.ms=10000',
    'plugin.path=libs/connect-file-4.1.1.jar',
    `listeners=http://127.0.0.1:${restPort}`,
    '',
  ].join('\n');
}

const fileSource = (topic: string) => ['name=local-file-source', 'connector.class=FileStreamSource', 'tasks.max=1', 'file=test.txt', `topic=${topic}`, ''].join('\n');
const fileSink = (topic: string) => ['name=local-file-sink', 'connector.class=FileStreamSink', 'tasks.max=1', 'file=test.sink.txt', `topics=${topic}`, ''].join('\n');

const INPUT = ['foo', 'bar', 'Hello, wörld — ünïcödé 三', 'a line with "quotes" and \\ backslash', ''].join('\n');
const processes: Running[] = [];

afterEach(async () => {
  for (const p of processes.splice(0)) await stop(p);
  // The quickstart's offset file is shared by every run of it on this machine.
  rmSync('/tmp/connect.offsets', { force: true });
});

async function quickstart(bootstrap: string, topic: string): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-quickstart-'));
  mkdirSync(path.join(dir, 'config'));
  writeFileSync(path.join(dir, 'config/connect-standalone.properties'), standaloneProperties(bootstrap, await freePort()));
  writeFileSync(path.join(dir, 'config/connect-file-source.properties'), fileSource(topic));
  writeFileSync(path.join(dir, 'config/connect-file-sink.properties'), fileSink(topic));
  writeFileSync(path.join(dir, 'test.txt'), INPUT);
  rmSync('/tmp/connect.offsets', { force: true });
  const worker = run(CONNECT_STANDALONE, ['config/connect-standalone.properties', 'config/connect-file-source.properties', 'config/connect-file-sink.properties'], { cwd: dir });
  processes.push(worker);
  const sink = path.join(dir, 'test.sink.txt');
  await waitFor(() => readOr(sink) === INPUT, 90_000, 'test.sink.txt to equal test.txt', worker);
  expect(readFileSync(sink, 'utf8')).toBe(INPUT);
  expect(worker.output()).toContain("libs/connect-file-4.1.1.jar is Kafka's FileStream connector jar");
  expect(await stop(worker)).toBe(0);
  // The graceful stop wrote the source offset: bytes of the input, multi-byte characters included.
  const offsets = JSON.parse(readFileSync('/tmp/connect.offsets', 'utf8')) as { offsets: Array<{ connector: string; partition: unknown; offset: unknown }> };
  expect(offsets.offsets).toEqual([{ connector: 'local-file-source', partition: { filename: 'test.txt' }, offset: { position: Buffer.byteLength(INPUT) } }]);
}

describe("Kafka's Connect quickstart", () => {
  it('runs unchanged against sluice broker started first', async () => {
    const port = await freePort();
    const broker = await startSluiceBroker(mkdtempSync(path.join(tmpdir(), 'sluice-quickstart-broker-')), port);
    processes.push(broker);
    await quickstart(`localhost:${port}`, 'connect-test');
  });

  it('runs unchanged against Apache Kafka 4.x', async () => {
    await quickstart(serviceUrl('kafka'), `connect-test-${randomUUID()}`);
  });
});
