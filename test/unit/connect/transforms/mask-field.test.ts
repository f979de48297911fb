import { describe, expect, it } from 'vitest';
import type { Struct } from '../../../../runtime/connect/api/index.ts';
import { BigDecimal, DataException, LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp, SchemaBuilder, Schemas } from '../../../../runtime/connect/api/index.ts';
import { MaskFieldValue } from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { map, sinkRecord, struct } from './helpers.ts';

const SCHEMA = SchemaBuilder.struct()
  .field('magic', Schemas.INT32)
  .field('bool', Schemas.BOOLEAN)
  .field('byte', Schemas.INT8)
  .field('short', Schemas.INT16)
  .field('int', Schemas.INT32)
  .field('long', Schemas.INT64)
  .field('float', Schemas.FLOAT32)
  .field('double', Schemas.FLOAT64)
  .field('string', Schemas.STRING)
  .field('date', LogicalDate.SCHEMA)
  .field('time', LogicalTime.SCHEMA)
  .field('timestamp', LogicalTimestamp.SCHEMA)
  .field('decimal', LogicalDecimal.schema(0))
  .field('array', SchemaBuilder.array(Schemas.INT32).build())
  .field('map', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build())
  .field('withDefault', SchemaBuilder.string().optional().defaultValue('default').build())
  .build();

const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const withSchema = () =>
  struct(SCHEMA, {
    magic: 42,
    bool: true,
    byte: 42,
    short: 42,
    int: 42,
    long: 42,
    float: 42,
    double: 42,
    string: 'hmm',
    date: new Date(Date.UTC(2024, 0, 2)),
    time: new Date(1000),
    timestamp: NOW,
    decimal: new BigDecimal(42n),
    array: [1, 2, 3],
    map: new Map([['what', 'what']]),
    withDefault: null,
  });
const schemaless = () =>
  map({ magic: 42, bool: true, int: 42, long: 2n ** 60n, double: 42.5, string: '55.121.20.20', date: NOW, bigdec: BigDecimal.parse('42.0'), list: [42], map: map({ key: 'value' }) });

function transform(fields: string[], replacement: string | null = null): MaskFieldValue<ReturnType<typeof sinkRecord>> {
  const xform = new MaskFieldValue<ReturnType<typeof sinkRecord>>();
  xform.configure({ fields, ...(replacement !== null && { replacement }), 'replace.null.with.default': false });
  return xform;
}

describe('MaskField', () => {
  it('masks schemaless fields with the empty value of their type', () => {
    const fields = [...schemaless().keys()].filter((k) => k !== 'magic');
    const out = transform(fields).apply(sinkRecord({ value: schemaless() })).value as Map<string, unknown>;
    expect(out.get('magic')).toBe(42);
    expect(out.get('bool')).toBe(false);
    expect(out.get('int')).toBe(0);
    expect(out.get('long')).toBe(0n);
    expect(out.get('double')).toBe(0);
    expect(out.get('string')).toBe('');
    expect(out.get('date')).toEqual(new Date(0));
    expect((out.get('bigdec') as BigDecimal).compareTo(new BigDecimal(0n))).toBe(0);
    expect(out.get('list')).toEqual([]);
    expect(out.get('map')).toEqual(new Map());
  });

  it('masks struct fields, keeping the schema', () => {
    const fields = SCHEMA.fields()
      .map((f) => f.name)
      .filter((n) => n !== 'magic');
    const out = transform(fields).apply(sinkRecord({ valueSchema: SCHEMA, value: withSchema() }));
    const v = out.value as Struct;
    expect(out.valueSchema).toBe(SCHEMA);
    expect(v.get('magic')).toBe(42);
    expect(v.get('bool')).toBe(false);
    for (const f of ['byte', 'short', 'int', 'long', 'float', 'double']) expect(v.get(f)).toBe(0);
    expect(v.get('string')).toBe('');
    for (const f of ['date', 'time', 'timestamp']) expect(v.get(f)).toEqual(new Date(0));
    expect(v.get('decimal')).toEqual(new BigDecimal(0n, 0));
    expect(v.get('array')).toEqual([]);
    expect(v.get('map')).toEqual(new Map());
    expect(v.getWithoutDefault('withDefault')).toBeNull();
  });

  it('masks a decimal with zero at the value scale, so the Decimal schema still fits', () => {
    const schema = SchemaBuilder.struct().field('price', LogicalDecimal.schema(2)).build();
    const out = transform(['price']).apply(sinkRecord({ valueSchema: schema, value: struct(schema, { price: BigDecimal.parse('9.99') }) }));
    expect((out.value as Struct).get('price')).toEqual(new BigDecimal(0n, 2));
  });

  it('replaces with the replacement converted to each field type (with schema)', () => {
    const check = (field: string, replacement: string, expected: unknown) =>
      expect((transform([field], replacement).apply(sinkRecord({ valueSchema: SCHEMA, value: withSchema() })).value as Struct).get(field)).toEqual(expected);
    check('short', '123', 123);
    check('byte', '123', 123);
    check('int', '123', 123);
    check('long', '123', 123);
    check('float', '123.0', 123);
    check('double', '123.0', 123);
    check('string', '123', '123');
    check('decimal', '123.0', BigDecimal.parse('123.0'));
    // Java's (byte) cast of BigDecimal("300").longValue() keeps the low 8 bits; fractions truncate.
    check('byte', '300', 44);
    check('int', '123.9', 123);
    check('float', '0.1', Math.fround(0.1));
  });

  it('replaces schemaless values by their JavaScript type', () => {
    const out = transform(['int', 'long', 'double', 'string', 'bigdec'], '123').apply(sinkRecord({ value: schemaless() })).value as Map<string, unknown>;
    expect(out.get('int')).toBe(123);
    expect(out.get('long')).toBe(123n);
    expect(out.get('double')).toBe(123);
    expect(out.get('string')).toBe('123');
    expect(out.get('bigdec')).toEqual(BigDecimal.parse('123'));
  });

  it('refuses a replacement for types that have none', () => {
    for (const field of ['date', 'bool', 'list', 'map']) {
      expect(() => transform([field], '123').apply(sinkRecord({ value: schemaless() }))).toThrow(/Cannot mask value of type/);
    }
    for (const field of ['time', 'timestamp', 'array']) {
      expect(() => transform([field], '123').apply(sinkRecord({ valueSchema: SCHEMA, value: withSchema() }))).toThrow(DataException);
    }
  });

  it('fails on a replacement that is not a number for a numeric field', () => {
    for (const field of ['int', 'long', 'double', 'bigdec']) {
      expect(() => transform([field], 'foo').apply(sinkRecord({ value: schemaless() }))).toThrow(/Unable to convert foo/);
    }
  });

  it('validates its config', () => {
    expect(() => transform(['short'], '')).toThrow(/String must be non-empty/);
    expect(() => new MaskFieldValue().configure({})).toThrow(/Missing required configuration "fields"/);
    expect(() => new MaskFieldValue().configure({ fields: '' })).toThrow(ConfigError);
    expect(() => new MaskFieldValue().configure({ fields: '' })).toThrow(/Empty list/);
  });

  it('returns fresh, mutable empty arrays and maps', () => {
    const a = transform(['array', 'map']).apply(sinkRecord({ valueSchema: SCHEMA, value: withSchema() })).value as Struct;
    const b = transform(['array', 'map']).apply(sinkRecord({ valueSchema: SCHEMA, value: withSchema() })).value as Struct;
    (a.get('array') as number[]).push(0);
    expect(b.get('array')).toEqual([]);
    expect(a.get('map')).not.toBe(b.get('map'));
  });

  it('puts null for a listed field a schemaless value does not have', () => {
    expect((transform(['absent']).apply(sinkRecord({ value: map({ a: 1 }) })).value as Map<string, unknown>).get('absent')).toBeNull();
  });
});
