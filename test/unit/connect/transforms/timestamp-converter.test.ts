import { describe, expect, it } from 'vitest';
import type { Struct } from '../../../../runtime/connect/api/index.ts';
import { LogicalDate, LogicalTime, LogicalTimestamp, SchemaBuilder, Schemas } from '../../../../runtime/connect/api/index.ts';
import { SimpleDateFormat, TimestampConverterKey, TimestampConverterValue } from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { configured, keyRecord, map, struct, valueRecord } from './helpers.ts';

// Kafka's TimestampConverterTest fixtures: one day plus 1234 ms after the epoch.
const DATE_PLUS_TIME = new Date(86_401_234);
const DATE = new Date(86_400_000);
const TIME = new Date(1234);
const DATE_PLUS_TIME_UNIX = 86_401_234;
const DATE_PLUS_TIME_UNIX_MICROS = 86_401_234_123;
const DATE_PLUS_TIME_UNIX_NANOS = 86_401_234_123_456;
const DATE_PLUS_TIME_UNIX_SECONDS = 86_401;
const STRING_DATE_FMT = 'yyyy MM dd HH mm ss SSS z';
const DATE_PLUS_TIME_STRING = '1970 01 02 00 00 01 234 UTC';

const value = (props: Record<string, unknown>) => configured(new TimestampConverterValue(), props);

describe('TimestampConverter config', () => {
  it('requires a valid target.type and unix.precision', () => {
    expect(() => value({})).toThrow(/Missing required configuration "target.type"/);
    expect(() => value({ 'target.type': 'invalid' })).toThrow(/String must be one of: string, unix, Date, Time, Timestamp/);
    expect(() => value({ 'target.type': 'date' })).toThrow(ConfigError);
    expect(() => value({ 'target.type': 'unix', 'unix.precision': 'invalid' })).toThrow(/unix\.precision/);
    expect(() => value({ 'target.type': 'unix', 'unix.precision': 'seconds' })).not.toThrow();
  });

  it('requires a valid format for string targets', () => {
    expect(() => value({ 'target.type': 'string' })).toThrow(/requires format option to be specified/);
    expect(() => value({ 'target.type': 'string', format: 'bad-format' })).toThrow(/configuration format: .*Illegal pattern character 'b'/);
    expect(() => value({ 'target.type': 'string', format: "yyyy-MM-dd'T" })).toThrow(/Unterminated quote/);
  });
});

describe('TimestampConverter without schema', () => {
  it('converts Date values to every target', () => {
    expect(value({ 'target.type': 'Timestamp' }).apply(valueRecord(null, DATE_PLUS_TIME)).value).toEqual(DATE_PLUS_TIME);
    expect(value({ 'target.type': 'Date' }).apply(valueRecord(null, DATE_PLUS_TIME)).value).toEqual(DATE);
    expect(value({ 'target.type': 'Time' }).apply(valueRecord(null, DATE_PLUS_TIME)).value).toEqual(TIME);
    expect(value({ 'target.type': 'unix' }).apply(valueRecord(null, DATE_PLUS_TIME)).value).toBe(DATE_PLUS_TIME_UNIX);
    const out = value({ 'target.type': 'string', format: STRING_DATE_FMT }).apply(valueRecord(null, DATE_PLUS_TIME));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toBe(DATE_PLUS_TIME_STRING);
  });

  it('converts unix and string values to timestamps', () => {
    expect(value({ 'target.type': 'Timestamp' }).apply(valueRecord(null, DATE_PLUS_TIME_UNIX)).value).toEqual(DATE_PLUS_TIME);
    expect(value({ 'target.type': 'Timestamp' }).apply(valueRecord(null, BigInt(DATE_PLUS_TIME_UNIX))).value).toEqual(DATE_PLUS_TIME);
    expect(value({ 'target.type': 'Timestamp', format: STRING_DATE_FMT }).apply(valueRecord(null, DATE_PLUS_TIME_STRING)).value).toEqual(DATE_PLUS_TIME);
  });

  it('reads and writes unix time in the configured precision', () => {
    const from = (precision: string, unix: number | bigint) =>
      value({ 'target.type': 'Timestamp', 'unix.precision': precision }).apply(valueRecord(null, unix)).value;
    expect(from('seconds', DATE_PLUS_TIME_UNIX_SECONDS)).toEqual(new Date(86_401_000));
    expect(from('microseconds', DATE_PLUS_TIME_UNIX_MICROS)).toEqual(DATE_PLUS_TIME);
    expect(from('nanoseconds', BigInt(DATE_PLUS_TIME_UNIX_NANOS))).toEqual(DATE_PLUS_TIME);
    const to = (precision: string) => value({ 'target.type': 'unix', 'unix.precision': precision }).apply(valueRecord(null, DATE_PLUS_TIME)).value;
    expect(to('seconds')).toBe(DATE_PLUS_TIME_UNIX_SECONDS);
    expect(to('milliseconds')).toBe(DATE_PLUS_TIME_UNIX);
    expect(to('microseconds')).toBe(86_401_234_000);
    expect(to('nanoseconds')).toBe(86_401_234_000_000);
    // Beyond 2^53 the result stays exact as a bigint.
    const now = new Date(Date.UTC(2024, 0, 1));
    expect(value({ 'target.type': 'unix', 'unix.precision': 'nanoseconds' }).apply(valueRecord(null, now)).value).toBe(BigInt(now.getTime()) * 1_000_000n);
  });

  it('passes null values and missing fields as null', () => {
    for (const target of ['string', 'unix', 'Date', 'Time', 'Timestamp']) {
      const whole = value({ 'target.type': target, format: STRING_DATE_FMT }).apply(valueRecord(null, null));
      expect([whole.valueSchema, whole.value]).toEqual([null, null]);
      const field = value({ 'target.type': target, format: STRING_DATE_FMT, field: 'ts' }).apply(valueRecord(null, null));
      expect(field.value).toBeNull();
    }
  });

  it('converts one field of a map', () => {
    const out = value({ 'target.type': 'Date', field: 'ts' }).apply(valueRecord(null, map({ ts: DATE_PLUS_TIME, other: 'x' })));
    expect(out.value).toEqual(map({ ts: DATE, other: 'x' }));
  });

  it('fails on values that are not timestamps, naming the problem', () => {
    expect(() => value({ 'target.type': 'unix' }).apply(valueRecord(null, 1.5))).toThrow(/does not support number objects as timestamps/);
    expect(() => value({ 'target.type': 'unix', format: 'yyyy-MM-dd' }).apply(valueRecord(null, 'not a date'))).toThrow(
      'Could not parse timestamp: value (not a date) does not match pattern (yyyy-MM-dd)',
    );
    expect(() => value({ 'target.type': 'unix' }).apply(valueRecord(null, '2024-01-01'))).toThrow(/no format configured \(format\)/);
  });
});

describe('TimestampConverter with schema', () => {
  it('converts a Timestamp to every target with the target schema', () => {
    const cases: Array<[string, unknown, unknown]> = [
      ['Timestamp', LogicalTimestamp.SCHEMA, DATE_PLUS_TIME],
      ['Date', LogicalDate.SCHEMA, DATE],
      ['Time', LogicalTime.SCHEMA, TIME],
      ['unix', Schemas.INT64, DATE_PLUS_TIME_UNIX],
      ['string', Schemas.STRING, DATE_PLUS_TIME_STRING],
    ];
    for (const [target, schema, expected] of cases) {
      const out = value({ 'target.type': target, format: STRING_DATE_FMT }).apply(valueRecord(LogicalTimestamp.SCHEMA, DATE_PLUS_TIME));
      expect(out.valueSchema).toBe(schema);
      expect(out.value).toEqual(expected);
    }
  });

  it('reads Date, Time, unix and string inputs by their schema', () => {
    const toTimestamp = value({ 'target.type': 'Timestamp', format: STRING_DATE_FMT });
    expect(toTimestamp.apply(valueRecord(LogicalDate.SCHEMA, DATE)).value).toEqual(DATE);
    expect(toTimestamp.apply(valueRecord(LogicalTime.SCHEMA, TIME)).value).toEqual(TIME);
    expect(toTimestamp.apply(valueRecord(Schemas.INT64, DATE_PLUS_TIME_UNIX)).value).toEqual(DATE_PLUS_TIME);
    const fromString = toTimestamp.apply(valueRecord(Schemas.STRING, DATE_PLUS_TIME_STRING));
    expect(fromString.valueSchema).toBe(LogicalTimestamp.SCHEMA);
    expect(fromString.value).toEqual(DATE_PLUS_TIME);
    expect(() => toTimestamp.apply(valueRecord(Schemas.INT32, 5))).toThrow(/does not correspond to a known timestamp type format/);
  });

  it('keeps optionality for null values and null fields', () => {
    const optional = value({ 'target.type': 'unix' }).apply(valueRecord(LogicalTimestamp.builder().optional().build(), null));
    expect(optional.valueSchema).toBe(Schemas.OPTIONAL_INT64);
    expect(optional.value).toBeNull();

    const schema = SchemaBuilder.struct().field('ts', LogicalTimestamp.builder().optional().build()).field('other', Schemas.OPTIONAL_STRING).build();
    const xform = value({ 'target.type': 'string', format: STRING_DATE_FMT, field: 'ts' });
    const out = xform.apply(valueRecord(schema, struct(schema, { other: 'test' })));
    expect(out.valueSchema!.field('ts')!.schema).toBe(Schemas.OPTIONAL_STRING);
    expect((out.value as Struct).get('ts')).toBeNull();
    expect((out.value as Struct).get('other')).toBe('test');

    const optionalStruct = SchemaBuilder.struct().field('ts', LogicalTimestamp.builder().optional().build()).optional().build();
    const tombstone = xform.apply(valueRecord(optionalStruct, null));
    expect(tombstone.valueSchema!.optional).toBe(true);
    expect(tombstone.value).toBeNull();
  });

  it('converts one struct field, keeping the others and the schema basics, with a cached schema', () => {
    const schema = SchemaBuilder.struct().name('ev').field('ts', LogicalTimestamp.SCHEMA).field('other', Schemas.STRING).build();
    const xform = value({ 'target.type': 'unix', field: 'ts' });
    const out = xform.apply(valueRecord(schema, struct(schema, { ts: DATE_PLUS_TIME, other: 'x' })));
    expect(out.valueSchema!.name).toBe('ev');
    expect(out.valueSchema!.field('ts')!.schema).toBe(Schemas.INT64);
    expect((out.value as Struct).get('ts')).toBe(DATE_PLUS_TIME_UNIX);
    expect((out.value as Struct).get('other')).toBe('x');
    expect(xform.apply(valueRecord(schema, struct(schema, { ts: DATE, other: 'y' }))).valueSchema).toBe(out.valueSchema);
  });

  it('converts the field inside a struct default too', () => {
    const plain = SchemaBuilder.struct().field('ts', LogicalTimestamp.SCHEMA).optional().build();
    const schema = SchemaBuilder.struct().field('ts', LogicalTimestamp.SCHEMA).optional().defaultValue(struct(plain, { ts: DATE })).build();
    const out = value({ 'target.type': 'unix', field: 'ts' }).apply(valueRecord(schema, struct(schema, { ts: DATE_PLUS_TIME })));
    expect((out.valueSchema!.defaultValue as Struct).get('ts')).toBe(86_400_000);
  });

  it.each([
    [false, null],
    [true, DATE_PLUS_TIME_UNIX],
  ])('replace.null.with.default=%s converts an unset defaulted field to %s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('ts', LogicalTimestamp.builder().optional().defaultValue(DATE_PLUS_TIME).build()).build();
    const xform = value({ 'target.type': 'unix', field: 'ts', 'replace.null.with.default': replace });
    expect((xform.apply(valueRecord(schema, struct(schema, { ts: null }))).value as Struct).getWithoutDefault('ts')).toBe(expected);
  });

  it('works on keys', () => {
    const out = configured(new TimestampConverterKey(), { 'target.type': 'Timestamp' }).apply(keyRecord(Schemas.INT64, DATE_PLUS_TIME_UNIX));
    expect(out.keySchema).toBe(LogicalTimestamp.SCHEMA);
    expect(out.key).toEqual(DATE_PLUS_TIME);
  });
});

describe('SimpleDateFormat (UTC, Java patterns)', () => {
  const at = new Date(Date.UTC(2021, 0, 3, 13, 5, 9, 7));

  it('formats the common pattern letters as Java does', () => {
    expect(new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(at)).toBe('2021-01-03T13:05:09.007Z');
    expect(new SimpleDateFormat('yyyyMMdd').format(at)).toBe('20210103');
    expect(new SimpleDateFormat('yy M d H m s S').format(at)).toBe('21 1 3 13 5 9 7');
    expect(new SimpleDateFormat('EEE, d MMM yyyy HH:mm:ss Z').format(at)).toBe('Sun, 3 Jan 2021 13:05:09 +0000');
    expect(new SimpleDateFormat('EEEE MMMM G z zzzz').format(at)).toBe('Sunday January AD UTC Coordinated Universal Time');
    expect(new SimpleDateFormat('hh:mm a, K k u D').format(at)).toBe('01:05 PM, 1 13 7 3');
    expect(new SimpleDateFormat("'o''clock' ''").format(at)).toBe("o'clock '");
  });

  it('formats week-based fields with US week rules', () => {
    // 2020-12-31 is in week 1 of week-year 2021 (weeks start on Sunday, week 1 holds January 1).
    expect(new SimpleDateFormat('YYYY-ww W F').format(new Date(Date.UTC(2020, 11, 31)))).toBe('2021-01 5 5');
    expect(new SimpleDateFormat('YYYY-ww').format(at)).toBe('2021-02');
  });

  it('parses leniently as Java does', () => {
    const f = new SimpleDateFormat('yyyy-MM-dd HH:mm:ss.SSS');
    expect(f.parse('2021-01-03 13:05:09.007').getTime()).toBe(at.getTime());
    expect(f.parse('2021-13-01 00:00:00.000').toISOString()).toBe('2022-01-01T00:00:00.000Z');
    expect(new SimpleDateFormat('yyyyMMdd').parse('20210103').toISOString()).toBe('2021-01-03T00:00:00.000Z');
    expect(new SimpleDateFormat('dd MMM yyyy hh:mm a').parse('3 january 2021 01:05 pm').toISOString()).toBe('2021-01-03T13:05:00.000Z');
    expect(new SimpleDateFormat("yyyy-MM-dd'T'HH:mmXXX").parse('2021-01-03T13:05+01:00').toISOString()).toBe('2021-01-03T12:05:00.000Z');
    expect(new SimpleDateFormat('yyyy-MM-dd HH:mm Z').parse('2021-01-03 13:05 -0130').toISOString()).toBe('2021-01-03T14:35:00.000Z');
    expect(new SimpleDateFormat('yyyy-MM-dd z').parse('2021-01-03 GMT+02:00').toISOString()).toBe('2021-01-02T22:00:00.000Z');
    expect(new SimpleDateFormat('yyyy-MM-dd').parse('2021-01-03 trailing text').toISOString()).toBe('2021-01-03T00:00:00.000Z');
  });

  it('maps two-digit years into the century window', () => {
    const f = new SimpleDateFormat('dd/MM/yy', { defaultCenturyStart: Date.UTC(1946, 0, 1) });
    expect(f.parse('01/02/45').getUTCFullYear()).toBe(2045);
    expect(f.parse('01/02/46').getUTCFullYear()).toBe(1946);
    expect(new SimpleDateFormat('dd/MM/yyyy').parse('01/02/45').getUTCFullYear()).toBe(45);
  });

  it('reports unparseable text and unsupported parse letters', () => {
    expect(() => new SimpleDateFormat('yyyy-MM-dd').parse('2021/01/03')).toThrow('Unparseable date: "2021/01/03"');
    expect(() => new SimpleDateFormat('yyyy-ww').parse('2021-05')).toThrow(/not supported for parsing/);
    expect(() => new SimpleDateFormat('XXXX')).toThrow(/invalid ISO 8601 format/);
  });
});
