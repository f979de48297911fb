import { describe, expect, it } from 'vitest';
import {
  BigDecimal,
  LogicalDate,
  LogicalDecimal,
  LogicalTime,
  LogicalTimestamp,
  SchemaBuilder,
  Schemas,
  Struct,
  inferSchema,
  javaDoubleToString,
  javaFloatToString,
  parseValueString,
  validateValue,
  valueToString,
} from '../../../../runtime/connect/api/index.ts';

describe('parseValueString (Kafka Values.parseString)', () => {
  it('infers literals and the narrowest numeric type', () => {
    expect(parseValueString('true')).toEqual({ schema: Schemas.BOOLEAN, value: true });
    expect(parseValueString('null')).toEqual({ schema: null, value: null });
    expect(parseValueString(null)).toEqual({ schema: null, value: null });
    expect(parseValueString('')).toEqual({ schema: Schemas.STRING, value: '' });
    expect(parseValueString('12')).toEqual({ schema: Schemas.INT8, value: 12 });
    expect(parseValueString('-300')).toEqual({ schema: Schemas.INT16, value: -300 });
    expect(parseValueString('70000')).toEqual({ schema: Schemas.INT32, value: 70000 });
    expect(parseValueString('4398046511104')).toEqual({ schema: Schemas.INT64, value: 4398046511104 });
    expect(parseValueString('9223372036854775807')).toEqual({ schema: Schemas.INT64, value: 9223372036854775807n });
    expect(parseValueString('1.0')).toEqual({ schema: Schemas.INT8, value: 1 });
    expect(parseValueString('1.5')).toEqual({ schema: Schemas.FLOAT32, value: 1.5 });
    expect(parseValueString('3.4e39')).toEqual({ schema: Schemas.FLOAT64, value: 3.4e39 });
    const big = parseValueString('92233720368547758070');
    expect(big.schema?.equals(LogicalDecimal.schema(0))).toBe(true);
    expect((big.value as BigDecimal).toString()).toBe('92233720368547758070');
  });

  it('parses ISO-8601 dates, times and timestamps in UTC', () => {
    expect(parseValueString('2024-03-05')).toEqual({ schema: LogicalDate.SCHEMA, value: new Date(Date.UTC(2024, 2, 5)) });
    expect(parseValueString('10:15:30.123Z')).toEqual({ schema: LogicalTime.SCHEMA, value: new Date(36_930_123) });
    expect(parseValueString('2024-03-05T10:15:30.123Z')).toEqual({ schema: LogicalTimestamp.SCHEMA, value: new Date(Date.UTC(2024, 2, 5, 10, 15, 30, 123)) });
  });

  it('parses arrays and maps with a common (widened) element schema', () => {
    const arr = parseValueString('[1, 2, 300]');
    expect(arr.schema?.equals(SchemaBuilder.array(Schemas.INT16).build())).toBe(true);
    expect(arr.value).toEqual([1, 2, 300]);
    const withNull = parseValueString('[1, null, 2.5]');
    expect(withNull.schema?.equals(SchemaBuilder.array(Schemas.OPTIONAL_FLOAT32).build())).toBe(true);
    expect(withNull.value).toEqual([1, null, 2.5]);
    expect(() => validateValue(withNull.schema!, withNull.value)).not.toThrow();
    const map = parseValueString('{"a": 1, "b": 2}');
    expect(map.schema?.equals(SchemaBuilder.map(Schemas.STRING, Schemas.INT8).build())).toBe(true);
    expect(map.value).toEqual(new Map([['a', 1], ['b', 2]]));
    const nested = parseValueString('{"k": [true, false], "t": [false]}');
    expect(nested.schema?.equals(SchemaBuilder.map(Schemas.STRING, SchemaBuilder.array(Schemas.BOOLEAN).build()).build())).toBe(true);
    const times = parseValueString('{"at": 2024-03-05T10:15:30.123Z}');
    expect((times.value as Map<string, Date>).get('at')?.getTime()).toBe(Date.UTC(2024, 2, 5, 10, 15, 30, 123));
  });

  it('gives mixed arrays a null schema and falls back to a string for anything else', () => {
    expect(parseValueString('[1, "a"]')).toEqual({ schema: null, value: [1, 'a'] });
    expect(parseValueString('[1, 2')).toEqual({ schema: Schemas.STRING, value: '[1, 2' });
    expect(parseValueString('{"a" 1}')).toEqual({ schema: Schemas.STRING, value: '{"a" 1}' });
    expect(parseValueString('[foo]')).toEqual({ schema: Schemas.STRING, value: '[foo]' });
    expect(parseValueString('12,5')).toEqual({ schema: Schemas.STRING, value: '12,5' });
    expect(parseValueString('hello world')).toEqual({ schema: Schemas.STRING, value: 'hello world' });
    expect(parseValueString(' padded ')).toEqual({ schema: Schemas.STRING, value: ' padded ' });
  });

  it('unescapes quoted strings inside arrays', () => {
    expect(parseValueString('["a\\"b", "c\\\\d"]').value).toEqual(['a"b', 'c\\d']);
  });
});

describe('valueToString (Kafka Values.convertToString)', () => {
  it('renders primitives, using Java float formatting by schema', () => {
    expect(valueToString(Schemas.FLOAT64, 1)).toBe('1.0');
    expect(valueToString(Schemas.FLOAT32, Math.fround(0.1))).toBe('0.1');
    expect(valueToString(Schemas.INT32, 5)).toBe('5');
    expect(valueToString(null, 2.5)).toBe('2.5');
    expect(valueToString(null, 12n)).toBe('12');
    expect(valueToString(null, null)).toBeNull();
    expect(valueToString(null, 'text')).toBe('text');
    expect(valueToString(null, new Uint8Array([1, 2, 3]))).toBe('AQID');
    expect(valueToString(null, BigDecimal.parse('1.50'))).toBe('1.50');
  });

  it('renders dates as time, date or timestamp by value, in UTC', () => {
    expect(valueToString(null, new Date(36_930_123))).toBe('10:15:30.123Z');
    expect(valueToString(null, new Date(Date.UTC(2024, 2, 5)))).toBe('2024-03-05');
    expect(valueToString(null, new Date(Date.UTC(2024, 2, 5, 10, 15, 30, 123)))).toBe('2024-03-05T10:15:30.123Z');
  });

  it('renders arrays, maps and structs with quoted embedded strings, and round-trips them', () => {
    expect(valueToString(null, ['a"b', 1, null])).toBe('["a\\"b",1,null]');
    const map = new Map<string, number>([['x', 1], ['y', 2]]);
    expect(valueToString(null, map)).toBe('{"x":1,"y":2}');
    expect(parseValueString(valueToString(null, map)!).value).toEqual(map);
    const schema = SchemaBuilder.struct().field('name', Schemas.STRING).field('n', Schemas.INT32).build();
    expect(valueToString(schema, new Struct(schema).put('name', 'a').put('n', 3))).toBe('{"name":"a","n":3}');
    expect(() => valueToString(null, Symbol('x'))).toThrow(/Failed to serialize unexpected value type/);
  });
});

describe('inferSchema', () => {
  it('infers from JavaScript types', () => {
    expect(inferSchema('s')).toBe(Schemas.STRING);
    expect(inferSchema(1)).toBe(Schemas.INT64);
    expect(inferSchema(1.5)).toBe(Schemas.FLOAT64);
    expect(inferSchema([1, null])?.equals(SchemaBuilder.array(SchemaBuilder.int64().optional().build()).build())).toBe(true);
    expect(inferSchema([1, 'a'])).toBeNull();
    expect(inferSchema([])).toBeNull();
    expect(inferSchema(new Date())).toBeNull();
  });
});

describe('Java number formatting', () => {
  // Expected strings from Java 17's Double.toString / Float.toString.
  it('matches Double.toString', () => {
    const cases: Array<[number, string]> = [
      [1, '1.0'], [0.1, '0.1'], [100, '100.0'], [1234567, '1234567.0'], [12345678, '1.2345678E7'], [1e7, '1.0E7'],
      [9999999.999, '9999999.999'], [0.001, '0.001'], [0.0009, '9.0E-4'], [1e-5, '1.0E-5'], [1.5e300, '1.5E300'],
      [-2.5, '-2.5'], [1e21, '1.0E21'], [1.7976931348623157e308, '1.7976931348623157E308'], [0.30000000000000004, '0.30000000000000004'],
      [0, '0.0'], [-0, '-0.0'], [NaN, 'NaN'], [-Infinity, '-Infinity'],
    ];
    for (const [n, s] of cases) expect(javaDoubleToString(n)).toBe(s);
  });

  it('matches Float.toString for float32 values', () => {
    const cases: Array<[number, string]> = [[0.1, '0.1'], [12.34, '12.34'], [9999999.999, '1.0E7'], [0.30000000000000004, '0.3'], [4.35, '4.35'], [1e-5, '1.0E-5']];
    for (const [n, s] of cases) expect(javaFloatToString(Math.fround(n))).toBe(s);
  });
});
