// The source task's header conversion: a header object shared by many records (a file's name) is
// converted once and its bytes reused; a header that can change (not frozen, or holding an object)
// is converted for every record.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Header } from '../../../../runtime/connect/api/index.ts';
import { ConnectHeaders, Schemas, SourceRecord } from '../../../../runtime/connect/api/index.ts';
import { PluginRegistry } from '../../../../runtime/connect/worker/plugins.ts';
import { eventually } from './fake-kafka.ts';
import type { Harness } from './harness.ts';
import { createHarness } from './harness.ts';
import { ScriptedSourceConnector, script } from './test-connectors.ts';

let h: Harness;
beforeEach(async () => {
  script.reset();
  const plugins = PluginRegistry.withBuiltins('test');
  plugins.register(ScriptedSourceConnector, { className: 'test.ScriptedSourceConnector', origin: 'test' });
  h = await createHarness({ plugins });
});
afterEach(async () => {
  await h.herder.stop();
});

const record = (value: string, offset: number, headers: Header[], topic = 'scripted'): SourceRecord =>
  new SourceRecord({ sourcePartition: { p: 'x' }, sourceOffset: { o: offset }, topic, valueSchema: Schemas.STRING, value, headers: new ConnectHeaders(headers) });

const headersOf = (topic: string): Array<Array<[string, string | null]>> =>
  h.kafka.records(topic).map((r) => r.headers.map(([k, v]): [string, string | null] => [k, v === null ? null : Buffer.from(v).toString()]));

describe('WorkerSourceTask header conversion', () => {
  it('reuses the bytes of a shared frozen header and converts every other header anew', async () => {
    const shared = Object.freeze({ key: 'file.name', schema: Schemas.STRING, value: 'a.log' });
    // A task may reuse a mutable header object whose value changes between records.
    let reads = 0;
    const changing = {
      key: 'n',
      schema: Schemas.STRING,
      get value() {
        return `read-${++reads}`;
      },
    };
    const frozenCount = Object.freeze({ key: 'n', schema: Schemas.STRING, value: 'fixed' });
    script.batches.push([record('one', 1, [shared, changing])], [record('two', 2, [shared, changing])], [record('three', 3, [shared, frozenCount], 'other')]);
    await h.herder.createConnector('s', { 'connector.class': 'test.ScriptedSourceConnector' });
    await eventually(() => h.kafka.records('scripted').length === 2 && h.kafka.records('other').length === 1);
    const [one, two] = headersOf('scripted');
    expect(one[0]).toEqual(['file.name', 'a.log']);
    expect(two[0]).toEqual(['file.name', 'a.log']);
    // Converted for each record: two different reads of the changing value.
    expect(one[1][1]).toMatch(/^read-\d+$/);
    expect(two[1][1]).toMatch(/^read-\d+$/);
    expect(one[1][1]).not.toBe(two[1][1]);
    expect(headersOf('other')).toEqual([
      [
        ['file.name', 'a.log'],
        ['n', 'fixed'],
      ],
    ]);
  });
});
