import { describe, expect, it } from 'vitest';
import type { Schema, Struct } from '../../../../runtime/connect/api/index.ts';
import { ConnectHeaders, SchemaBuilder, Schemas, SourceRecord } from '../../../../runtime/connect/api/index.ts';
import { DropHeaders, HeaderFromKey, HeaderFromValue, InsertHeader } from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { configured, map, struct } from './helpers.ts';

function withHeaders(headers: ConnectHeaders, init: Partial<ConstructorParameters<typeof SourceRecord>[0]> = {}): SourceRecord {
  return new SourceRecord({
    topic: 'topic',
    kafkaPartition: 0,
    sourcePartition: { p: 1 },
    sourceOffset: { o: 2 },
    keySchema: Schemas.STRING,
    key: 'key',
    valueSchema: Schemas.STRING,
    value: 'value',
    timestamp: 5,
    headers,
    ...init,
  });
}

function expectSameButHeaders(original: SourceRecord, out: SourceRecord): void {
  expect([out.sourcePartition, out.sourceOffset, out.topic, out.kafkaPartition, out.keySchema, out.key, out.valueSchema, out.value, out.timestamp]).toEqual([
    original.sourcePartition,
    original.sourceOffset,
    original.topic,
    original.kafkaPartition,
    original.keySchema,
    original.key,
    original.valueSchema,
    original.value,
    original.timestamp,
  ]);
}

describe('InsertHeader', () => {
  it('adds a string header after the existing ones, without touching the original', () => {
    const xform = configured(new InsertHeader<SourceRecord>(), { header: 'inserted', 'value.literal': 'inserted-value' });
    const original = withHeaders(new ConnectHeaders().addString('existing', 'existing-value'));
    const out = xform.apply(original);
    expectSameButHeaders(original, out);
    expect(out.headers.equals(new ConnectHeaders().addString('existing', 'existing-value').add('inserted', 'inserted-value', Schemas.STRING))).toBe(true);
    expect(original.headers.size).toBe(1);
  });

  it('adds another header with an existing key', () => {
    const xform = configured(new InsertHeader<SourceRecord>(), { header: 'existing', 'value.literal': 'inserted-value' });
    const out = xform.apply(withHeaders(new ConnectHeaders().addString('existing', 'preexisting-value')));
    expect(out.headers.allWithName('existing').map((h) => h.value)).toEqual(['preexisting-value', 'inserted-value']);
  });

  it('parses the literal as Values.parseString does', () => {
    const out = configured(new InsertHeader<SourceRecord>(), { header: 'inserted', 'value.literal': '1' }).apply(withHeaders(new ConnectHeaders()));
    const header = out.headers.lastWithName('inserted')!;
    expect(header.schema!.type).toBe('INT8');
    expect(header.value).toBe(1);
    const bool = configured(new InsertHeader<SourceRecord>(), { header: 'b', 'value.literal': 'true' }).apply(withHeaders(new ConnectHeaders()));
    expect(bool.headers.lastWithName('b')!.value).toBe(true);
  });

  it('rejects missing header or value', () => {
    expect(() => configured(new InsertHeader<SourceRecord>(), { 'value.literal': '1' })).toThrow(/Missing required configuration "header"/);
    expect(() => configured(new InsertHeader<SourceRecord>(), { header: 'h' })).toThrow(/Missing required configuration "value\.literal"/);
  });
});

describe('DropHeaders', () => {
  it('drops every header with a listed key', () => {
    const xform = configured(new DropHeaders<SourceRecord>(), { headers: 'to-drop' });
    const original = withHeaders(
      new ConnectHeaders().addString('existing', 'existing-value').addString('to-drop', 'a').addString('to-drop', 'b'),
    );
    const out = xform.apply(original);
    expectSameButHeaders(original, out);
    expect(out.headers.equals(new ConnectHeaders().addString('existing', 'existing-value'))).toBe(true);
    expect(original.headers.size).toBe(3);
  });

  it('keeps records without the header as they are', () => {
    const out = configured(new DropHeaders<SourceRecord>(), { headers: 'to-drop,other' }).apply(withHeaders(new ConnectHeaders().addString('existing', 'existing-value')));
    expect(out.headers.equals(new ConnectHeaders().addString('existing', 'existing-value'))).toBe(true);
  });

  it('requires a non-empty list', () => {
    expect(() => configured(new DropHeaders<SourceRecord>(), { headers: '' })).toThrow(ConfigError);
    expect(() => configured(new DropHeaders<SourceRecord>(), {})).toThrow(/Missing required configuration "headers"/);
  });
});

describe('HeaderFrom', () => {
  const nested = SchemaBuilder.struct().field('foo', Schemas.STRING).build();
  const schema = SchemaBuilder.struct().name('row').field('field1', Schemas.STRING).field('field2', Schemas.STRING).field('field3', nested).build();
  const value = () => struct(schema, { field1: 'field1-value', field2: 'field2-value', field3: struct(nested, { foo: 'foo-value' }) });
  const existing = () => new ConnectHeaders().addString('header1', 'existing-value');

  for (const side of ['key', 'value'] as const) {
    const make = (props: Record<string, unknown>) => configured(side === 'key' ? new HeaderFromKey<SourceRecord>() : new HeaderFromValue<SourceRecord>(), props);
    const record = (s: Schema | null, v: unknown) =>
      withHeaders(existing(), side === 'key' ? { keySchema: s, key: v, valueSchema: null, value: null } : { keySchema: null, key: null, valueSchema: s, value: v });
    const operated = (r: SourceRecord) => (side === 'key' ? [r.keySchema, r.key] : [r.valueSchema, r.value]);

    it(`copies struct fields into headers with their schemas (${side})`, () => {
      const original = record(schema, value());
      const out = make({ fields: 'field1,field3', headers: 'inserted1,inserted3', operation: 'copy' }).apply(original);
      expect(operated(out)).toEqual(operated(original));
      const headers = out.headers.toArray();
      expect(headers.map((h) => h.key)).toEqual(['header1', 'inserted1', 'inserted3']);
      expect(headers[1].schema).toBe(Schemas.STRING);
      expect(headers[1].value).toBe('field1-value');
      expect(headers[2].schema).toBe(nested);
      expect((headers[2].value as Struct).get('foo')).toBe('foo-value');
    });

    it(`moves struct fields into headers, removing them from the schema (${side})`, () => {
      const xform = make({ fields: 'field1,field1', headers: 'inserted1,inserted2', operation: 'move' });
      const out = xform.apply(record(schema, value()));
      const [s, v] = operated(out) as [Schema, Struct];
      expect(s.name).toBe('row');
      expect(s.fields().map((f) => f.name)).toEqual(['field2', 'field3']);
      expect(v.get('field2')).toBe('field2-value');
      expect(out.headers.toArray().map((h) => [h.key, h.value])).toEqual([
        ['header1', 'existing-value'],
        ['inserted1', 'field1-value'],
        ['inserted2', 'field1-value'],
      ]);
      expect((operated(xform.apply(record(schema, value())))[0] as Schema)).toBe(s);
    });

    it(`copies and moves schemaless fields, headers without schema (${side})`, () => {
      const input = () => map({ field1: 'field1-value', field2: 'field2-value' });
      const copied = make({ fields: 'field1', headers: 'inserted1', operation: 'copy' }).apply(record(null, input()));
      expect(operated(copied)[1]).toEqual(input());
      expect(copied.headers.lastWithName('inserted1')).toEqual({ key: 'inserted1', schema: null, value: 'field1-value' });
      const moved = make({ fields: 'field1,field2', headers: 'inserted1,inserted1', operation: 'move' }).apply(record(null, input()));
      expect(operated(moved)[1]).toEqual(new Map());
      expect(moved.headers.allWithName('inserted1').map((h) => h.value)).toEqual(['field1-value', 'field2-value']);
    });
  }

  it.each([
    [false, null],
    [true, 'default'],
  ])('replace.null.with.default=%s puts %s in the header', (replace, expected) => {
    const s = SchemaBuilder.struct().field('f', SchemaBuilder.string().optional().defaultValue('default').build()).build();
    const out = configured(new HeaderFromValue<SourceRecord>(), { fields: 'f', headers: 'h', operation: 'copy', 'replace.null.with.default': replace }).apply(
      withHeaders(new ConnectHeaders(), { valueSchema: s, value: struct(s, { f: null }) }),
    );
    expect(out.headers.lastWithName('h')!.value).toBe(expected);
  });

  it('validates its config', () => {
    expect(() => configured(new HeaderFromValue<SourceRecord>(), { fields: 'a,b', headers: 'x', operation: 'copy' })).toThrow(
      /'fields' config must have the same number of elements as 'headers' config/,
    );
    expect(() => configured(new HeaderFromValue<SourceRecord>(), { fields: 'a', headers: 'x', operation: 'COPY' })).toThrow(/String must be one of: move, copy/);
    expect(() => configured(new HeaderFromValue<SourceRecord>(), { fields: '', headers: 'x', operation: 'copy' })).toThrow(/Empty list/);
  });

  it('names a missing struct field instead of failing obscurely', () => {
    const xform = configured(new HeaderFromValue<SourceRecord>(), { fields: 'absent', headers: 'h', operation: 'copy' });
    expect(() => xform.apply(withHeaders(new ConnectHeaders(), { valueSchema: schema, value: value() }))).toThrow(/Field does not exist: absent/);
    expect(() => xform.apply(withHeaders(new ConnectHeaders(), { valueSchema: null, value: 'text' }))).toThrow(/\[header copy\]/);
  });
});
