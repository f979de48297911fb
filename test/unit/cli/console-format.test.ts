import { describe, expect, it } from 'vitest';
import { RecordFormatter } from '../../../runtime/cli/consume.ts';
import { LineRecordReader } from '../../../runtime/cli/produce.ts';
import type { ConsumerRecord } from '../../../runtime/client/types.ts';

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString());

describe('LineRecordReader (kafka-console-producer line format)', () => {
  it('takes the whole line as the value by default', () => {
    const parsed = new LineRecordReader({}).parse('a\tb:c', 1);
    expect([text(parsed.key), text(parsed.value), parsed.headers]).toEqual([null, 'a\tb:c', []]);
  });

  it('splits headers, key and value on the configured separators', () => {
    const reader = new LineRecordReader({ 'parse.key': 'true', 'parse.headers': 'true', 'key.separator': '::' });
    const parsed = reader.parse('h1:v1,h2:v2\tkey::value::more', 1);
    expect([text(parsed.key), text(parsed.value)]).toEqual(['key', 'value::more']);
    expect(parsed.headers.map(([k, v]) => [k, text(v as Buffer)])).toEqual([
      ['h1', 'v1'],
      ['h2', 'v2'],
    ]);
  });

  it('turns the null marker into null keys, values and header values', () => {
    const reader = new LineRecordReader({ 'parse.key': 'true', 'parse.headers': 'true', 'null.marker': '<null>' });
    const parsed = reader.parse('h:<null>\t<null>\t<null>', 1);
    expect([text(parsed.key), text(parsed.value), parsed.headers]).toEqual([null, null, [['h', null]]]);
    expect(reader.parse('<null>\tk\tv', 2).headers).toEqual([]);
    expect(() => reader.parse('<null>:x\tk\tv', 3)).toThrow("Header keys should not be equal to the null marker '<null>'");
  });

  it('reports a missing separator with the line, unless ignore.error', () => {
    expect(() => new LineRecordReader({ 'parse.key': 'true' }).parse('no tab', 7)).toThrow("No key separator found on line number 7: 'no tab'");
    expect(() => new LineRecordReader({ 'parse.headers': 'true' }).parse('x', 1)).toThrow('No headers delimiter found on line number 1');
    const lenient = new LineRecordReader({ 'parse.key': 'true', 'ignore.error': 'true' }).parse('no tab', 7);
    expect([text(lenient.key), text(lenient.value)]).toEqual([null, 'no tab']);
  });

  it('refuses separators that would be ambiguous', () => {
    expect(() => new LineRecordReader({ 'headers.delimiter': ',', 'headers.separator': ',' })).toThrow('headers.delimiter and headers.separator may not be equal');
    expect(() => new LineRecordReader({ 'null.marker': '\t' })).toThrow('null.marker and key.separator may not be equal');
  });
});

describe('RecordFormatter (kafka-console-consumer output)', () => {
  const record: ConsumerRecord = {
    topic: 't',
    partition: 2,
    offset: 41n,
    timestamp: 1700000000000n,
    timestampType: 'CreateTime',
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers: [
      ['a', Buffer.from('1')],
      ['b', null],
    ],
    leaderEpoch: 0,
  };

  it('prints the value alone by default', () => {
    expect(new RecordFormatter({}).format(record).toString()).toBe('v\n');
  });

  it('prints every field in Kafka order with the separators', () => {
    const all = new RecordFormatter({ 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.headers': 'true', 'print.key': 'true', 'key.separator': '|', 'null.literal': 'NIL' });
    expect(all.format(record).toString()).toBe('CreateTime:1700000000000|Partition:2|Offset:41|a:1,b:NIL|k|v\n');
    expect(all.format({ ...record, headers: [], key: null, value: null }).toString()).toBe('CreateTime:1700000000000|Partition:2|Offset:41|NO_HEADERS|NIL|NIL\n');
  });

  it('ends with the line separator when the value is not printed', () => {
    expect(new RecordFormatter({ 'print.key': 'true', 'print.value': 'false', 'line.separator': ';' }).format(record).toString()).toBe('k;');
  });
});
