import { describe, expect, it } from 'vitest';
import type { Struct } from '../../../../runtime/connect/api/index.ts';
import { BigDecimal, DataException, LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp, SchemaBuilder, Schemas } from '../../../../runtime/connect/api/index.ts';
import { CastKey, CastValue } from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { configured, keyRecord, map, struct, valueRecord } from './helpers.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const castValue = (spec: string) => configured(new CastValue(), { spec });

describe('Cast config', () => {
  it.each([
    ['', /Must specify at least one field to cast/],
    ['foo:faketype', /Invalid type found in casting spec: faketype/],
    ['foo:array', /does not support casting to ARRAY/],
    ['array', /does not support casting to ARRAY/],
    ['foo:bytes', /does not support casting to BYTES/],
    ['foo:int8:extra', /Invalid cast mapping: foo:int8:extra/],
    ['foo:int8,int32', /may only specify a single cast/],
  ])('rejects spec=%j', (spec, message) => {
    expect(() => castValue(spec)).toThrow(ConfigError);
    expect(() => castValue(spec)).toThrow(message);
  });

  it('names the spec key in errors', () => {
    expect(() => castValue('foo:faketype')).toThrow(/configuration spec:/);
    expect(() => castValue('')).toThrow(/configuration spec:/);
  });
});

describe('Cast with schema', () => {
  it('passes null keys and values through', () => {
    const tombstone = valueRecord(Schemas.STRING, null);
    expect(castValue('int8').apply(tombstone)).toBe(tombstone);
    const nullKey = keyRecord(Schemas.STRING, null);
    expect(configured(new CastKey(), { spec: 'int8' }).apply(nullKey)).toBe(nullKey);
  });

  it('casts a whole key and value', () => {
    const key = configured(new CastKey(), { spec: 'int8' }).apply(keyRecord(Schemas.INT32, 42, { valueSchema: Schemas.STRING, value: 'bogus' }));
    expect(key.keySchema!.type).toBe('INT8');
    expect(key.key).toBe(42);
    const cases: Array<[string, unknown, string, unknown]> = [
      ['int16', 42, 'INT16', 42],
      ['int32', 42, 'INT32', 42],
      ['int64', 42, 'INT64', 42],
      ['float32', 42, 'FLOAT32', 42],
      ['float64', 42, 'FLOAT64', 42],
      ['boolean', 42, 'BOOLEAN', true],
      ['boolean', 0, 'BOOLEAN', false],
      ['string', 42, 'STRING', '42'],
    ];
    for (const [spec, input, type, expected] of cases) {
      const out = castValue(spec).apply(valueRecord(Schemas.INT32, input));
      expect([out.valueSchema!.type, out.value]).toEqual([type, expected]);
    }
  });

  it('casts logical values to strings as Kafka formats them', () => {
    expect(castValue('string').apply(valueRecord(LogicalDecimal.schema(0), new BigDecimal(42n))).value).toBe('42');
    expect(castValue('string').apply(valueRecord(LogicalTimestamp.SCHEMA, new Date(DAY + 1))).value).toBe('1970-01-02T00:00:00.001Z');
    const schema = SchemaBuilder.struct()
      .field('date', LogicalDate.SCHEMA)
      .field('decimal', LogicalDecimal.schema(0))
      .field('time', LogicalTime.SCHEMA)
      .field('timestamp', LogicalTimestamp.SCHEMA)
      .build();
    const value = struct(schema, { date: new Date(DAY), decimal: new BigDecimal(1982n), time: new Date(HOUR), timestamp: new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 10)) });
    const out = castValue('date:string,decimal:string,time:string,timestamp:string').apply(valueRecord(schema, value)).value as Struct;
    expect(out.get('date')).toBe('1970-01-02');
    expect(out.get('decimal')).toBe('1982');
    expect(out.get('time')).toBe('01:00:00.000Z');
    expect(out.get('timestamp')).toBe('2024-05-06T07:08:09.010Z');
    expect(out.schema.fields().every((f) => f.schema.type === 'STRING')).toBe(true);
  });

  it('casts a whole value and its schema default', () => {
    const schema = SchemaBuilder.float32().defaultValue(-42.125).build();
    const out = castValue('int32').apply(valueRecord(schema, 42.125));
    expect(out.valueSchema!.type).toBe('INT32');
    expect(out.value).toBe(42);
    expect(out.valueSchema!.defaultValue).toBe(-42);
  });

  it('casts logical types from their underlying integers, with Java narrowing', () => {
    const schema = SchemaBuilder.struct()
      .field('date_to_int32', LogicalDate.SCHEMA)
      .field('timestamp_to_int64', LogicalTimestamp.SCHEMA)
      .field('time_to_int64', LogicalTime.SCHEMA)
      .field('decimal_to_int32', LogicalDecimal.schema(0))
      .field('timestamp_to_float64', LogicalTimestamp.SCHEMA)
      .field('null_timestamp_to_int32', LogicalTimestamp.builder().optional().build())
      .build();
    const value = struct(schema, {
      date_to_int32: new Date(DAY),
      timestamp_to_int64: new Date(0),
      time_to_int64: new Date(1),
      decimal_to_int32: new BigDecimal(2147483648n),
      timestamp_to_float64: new Date(8.64e15),
      null_timestamp_to_int32: null,
    });
    const spec = 'date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32';
    const out = castValue(spec).apply(valueRecord(schema, value)).value as Struct;
    expect(out.get('date_to_int32')).toBe(1);
    expect(out.get('timestamp_to_int64')).toBe(0);
    expect(out.get('time_to_int64')).toBe(1);
    expect(out.get('decimal_to_int32')).toBe(-2147483648);
    expect(out.get('timestamp_to_float64')).toBe(8.64e15);
    expect(out.get('null_timestamp_to_int32')).toBeNull();
    expect(out.schema.fields().map((f) => f.schema.type)).toEqual(['INT32', 'INT64', 'INT64', 'INT32', 'FLOAT64', 'INT32']);
  });

  it('casts struct fields, keeping optionality, casting defaults and leaving other fields', () => {
    const bytes = Uint8Array.from([0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]);
    const schema = SchemaBuilder.struct()
      .field('int8', Schemas.INT8)
      .field('int16', Schemas.OPTIONAL_INT16)
      .field('int32', SchemaBuilder.int32().defaultValue(2).build())
      .field('int64', Schemas.INT64)
      .field('float32', Schemas.FLOAT32)
      .field('float64', SchemaBuilder.float64().defaultValue(-1.125).build())
      .field('boolean', Schemas.BOOLEAN)
      .field('string', Schemas.STRING)
      .field('bigdecimal', LogicalDecimal.schema(0))
      .field('date', LogicalDate.SCHEMA)
      .field('optional', Schemas.OPTIONAL_FLOAT32)
      .field('timestamp', LogicalTimestamp.SCHEMA)
      .field('bytes', Schemas.BYTES)
      .build();
    const value = struct(schema, {
      int8: 8,
      int16: 16,
      int32: 32,
      int64: 64,
      float32: 32,
      float64: -64,
      boolean: true,
      string: '42',
      bigdecimal: new BigDecimal(42n),
      date: new Date(DAY),
      timestamp: new Date(0),
      bytes,
    });
    const spec =
      'int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string';
    const out = castValue(spec).apply(valueRecord(schema, value));
    const v = out.value as Struct;
    const s = out.valueSchema!;
    expect(v.get('int8')).toBe(8);
    expect(s.field('int16')!.schema.optional).toBe(true);
    expect(v.get('int16')).toBe(16);
    expect(v.get('int32')).toBe(32);
    expect(s.field('int32')!.schema.defaultValue).toBe(2);
    expect(v.get('int64')).toBe(true);
    expect(v.get('float32')).toBe(32);
    expect(v.get('float64')).toBe(true);
    expect(s.field('float64')!.schema.defaultValue).toBe(true);
    expect(v.get('boolean')).toBe(1);
    expect(v.get('string')).toBe(42);
    expect(v.get('bigdecimal')).toBe('42');
    expect(v.get('date')).toBe('1970-01-02');
    expect(v.get('timestamp')).toEqual(new Date(0));
    expect(v.get('bytes')).toBe('/ty6mHZUMhA=');
    expect(v.get('optional')).toBeNull();
    expect(s.fields().map((f) => f.schema.type)).toEqual(['INT16', 'INT32', 'INT64', 'BOOLEAN', 'FLOAT64', 'BOOLEAN', 'INT8', 'INT32', 'STRING', 'STRING', 'INT32', 'INT64', 'STRING']);
    expect(s.field('timestamp')!.schema).toBe(LogicalTimestamp.SCHEMA);
  });

  it.each([
    [false, null],
    [true, '10'],
  ])('replace.null.with.default=%s casts an unset defaulted field to %s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('magic', SchemaBuilder.int32().optional().defaultValue(10).build()).build();
    const xform = configured(new CastValue(), { spec: 'magic:string', 'replace.null.with.default': replace });
    const out = xform.apply(valueRecord(schema, struct(schema, { magic: null })));
    expect(out.valueSchema!.field('magic')!.schema.type).toBe('STRING');
    expect((out.value as Struct).getWithoutDefault('magic')).toBe(expected);
  });

  it('casts a struct schema default along with the fields', () => {
    // A struct default carries the schema as it is without the default.
    const plain = SchemaBuilder.struct().field('n', Schemas.INT32).optional().build();
    const schema = SchemaBuilder.struct().field('n', Schemas.INT32).optional().defaultValue(struct(plain, { n: 7 })).build();
    const out = castValue('n:string').apply(valueRecord(schema, struct(schema, { n: 1 })));
    expect((out.valueSchema!.defaultValue as Struct).get('n')).toBe('7');
    expect((out.value as Struct).get('n')).toBe('1');
  });

  it('refuses input types Cast does not support', () => {
    const schema = SchemaBuilder.array(Schemas.INT32).build();
    expect(() => castValue('int32').apply(valueRecord(schema, [1]))).toThrow(/does not support casting from ARRAY/);
    expect(() => castValue('int32').apply(valueRecord(Schemas.BYTES, Uint8Array.of(1)))).toThrow(/Unexpected type in Cast transformation: bytes/);
  });
});

describe('Cast without schema', () => {
  it('casts whole values by their JavaScript type', () => {
    const key = configured(new CastKey(), { spec: 'int8' }).apply(keyRecord(null, 42));
    expect(key.keySchema).toBeNull();
    expect(key.key).toBe(42);
    const cases: Array<[string, unknown, unknown]> = [
      ['int16', 42, 42],
      ['int32', 42, 42],
      ['int64', 42, 42],
      ['float32', 42, 42],
      ['float64', 42, 42],
      ['boolean', 42, true],
      ['boolean', 0, false],
      ['string', 42, '42'],
      ['string', 1.5, '1.5'],
      ['int64', 2n ** 62n, 2n ** 62n],
      ['int32', 2n ** 32n + 5n, 5],
    ];
    for (const [spec, input, expected] of cases) {
      const out = castValue(spec).apply(valueRecord(null, input));
      expect(out.valueSchema).toBeNull();
      expect(out.value).toEqual(expected);
    }
  });

  it('casts map fields', () => {
    const value = map({ int8: 8, int16: 16, int32: 32, int64: 64, float32: 32, float64: -64, boolean: true, string: '42' });
    const out = castValue('int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32').apply(valueRecord(null, value));
    expect(out.value).toEqual(map({ int8: 8, int16: 16, int32: 32, int64: true, float32: 32, float64: true, boolean: 1, string: 42 }));
  });

  it('refuses values Connect does not know, and arrays', () => {
    expect(() => castValue('int32').apply(valueRecord(null, ['foo']))).toThrow(DataException);
    expect(() => castValue('string').apply(valueRecord(null, new Date(0)))).toThrow(/not supported by Connect's data API/);
  });
});

describe('Cast numeric and string conversions (Java semantics)', () => {
  const cast = (spec: string, value: unknown) => castValue(spec).apply(valueRecord(null, value)).value;

  it('narrows integers by keeping the low bits', () => {
    expect(cast('int8', 300)).toBe(44);
    expect(cast('int16', 70000)).toBe(4464);
    expect(cast('int32', 2 ** 32 + 1)).toBe(1);
  });

  it('truncates and saturates floating point values', () => {
    expect(castValue('int32').apply(valueRecord(Schemas.FLOAT64, -3.9)).value).toBe(-3);
    expect(cast('int32', 1e20 + 0.5)).toBe(2147483647);
    expect(cast('int8', 1e20 + 0.5)).toBe(-1);
    expect(cast('int64', Number.NaN)).toBe(0);
    expect(cast('boolean', 0.5)).toBe(false);
    expect(cast('float32', 0.1)).toBe(Math.fround(0.1));
  });

  it('parses strings as Java does', () => {
    expect(cast('int8', '-128')).toBe(-128);
    expect(cast('int64', '9223372036854775807')).toBe(9223372036854775807n);
    expect(() => cast('int8', '128')).toThrow('Value (128) was out of range for requested data type');
    expect(() => cast('int32', '1.5')).toThrow(/out of range/);
    expect(() => cast('int32', ' 1')).toThrow(/out of range/);
    expect(cast('float64', ' 1.5e3d ')).toBe(1500);
    expect(cast('float64', 'NaN')).toBeNaN();
    expect(cast('float64', '-Infinity')).toBe(-Infinity);
    expect(cast('float64', '0x1.8p1')).toBe(3);
    expect(() => cast('float64', 'abc')).toThrow(/out of range/);
    expect(cast('boolean', 'TRUE')).toBe(true);
    expect(cast('boolean', 'yes')).toBe(false);
  });

  it('renders floats as Java does when casting to string', () => {
    expect(castValue('string').apply(valueRecord(Schemas.FLOAT64, 1)).value).toBe('1.0');
    expect(castValue('string').apply(valueRecord(Schemas.FLOAT32, Math.fround(0.1))).value).toBe('0.1');
    expect(castValue('string').apply(valueRecord(Schemas.BOOLEAN, true)).value).toBe('true');
  });
});
