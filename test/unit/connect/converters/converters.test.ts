import { describe, expect, it } from 'vitest';
import { DataException, LogicalDate, LogicalTime, SchemaBuilder, Schemas, Struct } from '../../../../runtime/connect/api/index.ts';
import type { BigDecimal, Converter, HeaderConverter } from '../../../../runtime/connect/api/index.ts';
import { ByteArrayConverter } from '../../../../runtime/connect/converters/byte-array-converter.ts';
import { SimpleHeaderConverter } from '../../../../runtime/connect/converters/simple-header-converter.ts';
import { StringConverter } from '../../../../runtime/connect/converters/string-converter.ts';
import { JsonConverter } from '../../../../runtime/connect/converters/json-converter.ts';
import { loadKafkaJsonGolden } from './kafka-json-golden.ts';
import {
  availableConverters,
  availableHeaderConverters,
  createConverter,
  createHeaderConverter,
  registerConverter,
} from '../../../../runtime/connect/converters/converter-registry.ts';

const golden = loadKafkaJsonGolden();
const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

describe('StringConverter', () => {
  it('writes strings in the configured encoding and reads them back as optional strings', () => {
    const c = new StringConverter();
    c.configure({}, false);
    expect(text(c.fromConnectData('t', null, Schemas.STRING, 'h\u00e9'))).toBe('h\u00e9');
    expect(c.toConnectData('t', null, Buffer.from('h\u00e9'))).toEqual({ schema: Schemas.OPTIONAL_STRING, value: 'h\u00e9' });
    expect(c.fromConnectData('t', null, null, null)).toBeNull();
    expect(c.toConnectData('t', null, null)).toEqual({ schema: Schemas.OPTIONAL_STRING, value: null });
    expect(text(c.fromConnectData('t', null, Schemas.INT32, 42))).toBe('42');
  });

  it('supports Java charset names for converter.encoding', () => {
    const latin = new StringConverter();
    latin.configure({ 'converter.encoding': 'ISO-8859-1' }, true);
    expect([...latin.fromConnectData('t', null, null, '\u00e9')!]).toEqual([0xe9]);
    // Java writes '?' for a character the charset cannot map (one per code point), never its low byte.
    expect(Buffer.from(latin.fromConnectData('t', null, null, 'a\u20ac\u{1F600}b')!).toString('latin1')).toBe('a??b');
    const ascii = new StringConverter();
    ascii.configure({ 'converter.encoding': 'US-ASCII' }, true);
    expect(Buffer.from(ascii.fromConnectData('t', null, null, '\u00e9\u{1F600}')!).toString('latin1')).toBe('??');
    const utf16 = new StringConverter();
    utf16.configure({ 'converter.encoding': 'utf-16' }, false);
    const encoded = utf16.fromConnectData('t', null, null, 'A')!;
    expect([...encoded]).toEqual([0xfe, 0xff, 0x00, 0x41]);
    expect(utf16.toConnectData('t', null, encoded).value).toBe('A');
    expect(utf16.toConnectData('t', null, new Uint8Array([0xff, 0xfe, 0x41, 0x00])).value).toBe('A');
    const be = new StringConverter();
    be.configure({ 'converter.encoding': 'UTF-16BE' }, false);
    expect(be.toConnectData('t', null, new Uint8Array([0x00, 0x42])).value).toBe('B');
    expect(() => new StringConverter().configure({ 'converter.encoding': 'EBCDIC' }, false)).toThrow(
      /Invalid value "EBCDIC" for configuration converter.encoding: unsupported character set; supported: UTF-8/,
    );
  });
});

describe('ByteArrayConverter', () => {
  it('passes bytes through and refuses other schemas and values', () => {
    const c = new ByteArrayConverter();
    c.configure({}, false);
    const b = new Uint8Array([1, 2]);
    expect(c.fromConnectData('t', null, Schemas.BYTES, b)).toBe(b);
    expect(c.fromConnectData('t', null, null, null)).toBeNull();
    expect(c.toConnectData('t', null, b)).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: b });
    expect(() => c.fromConnectData('t', null, Schemas.STRING, 'x')).toThrow('Invalid schema type for ByteArrayConverter: STRING (topic "t")');
    expect(() => c.fromConnectData('t', null, null, 'x')).toThrow(DataException);
  });
});

describe('SimpleHeaderConverter (Kafka’s default header converter)', () => {
  const c = new SimpleHeaderConverter();
  c.configure();

  it('writes header values as Kafka 4.3.1 does', () => {
    expect(text(c.fromConnectHeader('t', 'k', Schemas.FLOAT64, 1))).toBe(golden.get('h-float'));
    expect(text(c.fromConnectHeader('t', 'k', null, ['a"b', 1, null]))).toBe(golden.get('h-list'));
    const addr = SchemaBuilder.struct().name('com.example.Address').version(3).doc('an address').field('street', Schemas.STRING).field('zip', Schemas.OPTIONAL_INT32).build();
    expect(text(c.fromConnectHeader('t', 'k', addr, new Struct(addr).put('street', 'Main').put('zip', 5)))).toBe(golden.get('h-struct'));
    expect(c.fromConnectHeader('t', 'k', null, null)).toBeNull();
  });

  it('infers types when reading, as Kafka 4.3.1 does', () => {
    const read = (s: string) => c.toConnectHeader('t', 'k', Buffer.from(s));
    expect(read('12')).toEqual({ schema: Schemas.INT8, value: 12 });
    expect(read('-300')).toEqual({ schema: Schemas.INT16, value: -300 });
    expect(read('1.0')).toEqual({ schema: Schemas.INT8, value: 1 });
    expect(read('1.5')).toEqual({ schema: Schemas.FLOAT32, value: 1.5 });
    expect(read('3.4e39')).toEqual({ schema: Schemas.FLOAT64, value: 3.4e39 });
    expect(read('1e20')).toEqual({ schema: Schemas.FLOAT32, value: Math.fround(1e20) });
    expect(read('true')).toEqual({ schema: Schemas.BOOLEAN, value: true });
    expect(read('null')).toEqual({ schema: null, value: null });
    expect(read('[1, 2, 300]').value).toEqual([1, 2, 300]);
    expect(read('[1, 2, 300]').schema?.valueSchema()).toBe(Schemas.INT16);
    expect(read('{"a": 1, "b": 2}').value).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(read('2024-03-05')).toEqual({ schema: LogicalDate.SCHEMA, value: new Date(Date.UTC(2024, 2, 5)) });
    expect(read('10:15:30.123Z')).toEqual({ schema: LogicalTime.SCHEMA, value: new Date(36_930_123) });
    expect(read('hello')).toEqual({ schema: Schemas.STRING, value: 'hello' });
    expect((read('92233720368547758070').value as BigDecimal).toString()).toBe('92233720368547758070');
    expect(c.toConnectHeader('t', 'k', null)).toEqual({ schema: null, value: null });
  });

  it('returns bytes that are not UTF-8 as BYTES', () => {
    const raw = new Uint8Array([0xff, 0xfe, 0x00]);
    expect(c.toConnectHeader('t', 'k', raw)).toEqual({ schema: Schemas.BYTES, value: raw });
  });
});

describe('converter registry', () => {
  it('creates converters by Kafka class name, simple name and short alias', () => {
    expect(createConverter('org.apache.kafka.connect.json.JsonConverter', 'value.converter')).toBeInstanceOf(JsonConverter);
    expect(createConverter('JsonConverter', 'value.converter')).toBeInstanceOf(JsonConverter);
    expect(createConverter(' Json ', 'value.converter')).toBeInstanceOf(JsonConverter);
    expect(createConverter('org.apache.kafka.connect.storage.StringConverter', 'key.converter')).toBeInstanceOf(StringConverter);
    expect(createConverter('org.apache.kafka.connect.converters.ByteArrayConverter', 'key.converter')).toBeInstanceOf(ByteArrayConverter);
    expect(createHeaderConverter('org.apache.kafka.connect.storage.SimpleHeaderConverter', 'header.converter')).toBeInstanceOf(SimpleHeaderConverter);
    expect(createHeaderConverter('StringConverter', 'header.converter')).toBeInstanceOf(StringConverter);
  });

  it('names the key and lists the available classes for an unknown class', () => {
    expect(() => createConverter('io.confluent.connect.avro.AvroConverter', 'value.converter')).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(
          'Invalid value "io.confluent.connect.avro.AvroConverter" for configuration value.converter: Converter class io.confluent.connect.avro.AvroConverter could not be found; available: org.apache.kafka.connect.storage.StringConverter, org.apache.kafka.connect.json.JsonConverter, org.apache.kafka.connect.converters.ByteArrayConverter',
        ),
      }),
    );
    // SimpleHeaderConverter converts headers only.
    expect(() => createConverter('SimpleHeaderConverter', 'key.converter')).toThrow(/could not be found/);
    expect(availableHeaderConverters()).toContain('org.apache.kafka.connect.storage.SimpleHeaderConverter');
  });

  it('accepts registered converters (the hook the schema registry converters use)', () => {
    class UpperConverter implements Converter {
      configure() {}
      config() {
        return new StringConverter().config();
      }
      fromConnectData(_t: string, _h: unknown, _s: unknown, v: unknown) {
        return Buffer.from(String(v).toUpperCase());
      }
      toConnectData(_t: string, _h: unknown, v: Uint8Array | null) {
        return { schema: Schemas.OPTIONAL_STRING, value: v === null ? null : Buffer.from(v).toString() };
      }
    }
    registerConverter({ className: 'com.example.TestUpperConverter', createConverter: () => new UpperConverter() });
    expect(availableConverters()).toContain('com.example.TestUpperConverter');
    const c = createConverter('TestUpper', 'value.converter');
    expect(text(c.fromConnectData('t', null, null, 'abc') as Uint8Array)).toBe('ABC');
    expect(() => registerConverter({ className: 'org.example.JsonConverter', createConverter: () => new UpperConverter() })).toThrow(/already registered/);
    const header: HeaderConverter = createHeaderConverter('ByteArray', 'header.converter');
    expect(header.toConnectHeader('t', 'k', new Uint8Array([1]))).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: new Uint8Array([1]) });
  });
});

describe('primitive number converters (Kafka serializer byte layouts)', () => {
  const hex = (b: Uint8Array | null) => Buffer.from(b as Uint8Array).toString('hex');
  const conv = (name: string) => {
    const c = createConverter(`org.apache.kafka.connect.converters.${name}Converter`, 'value.converter');
    c.configure({}, false);
    return c;
  };

  it('writes big-endian fixed-width values and reads them back with optional schemas', () => {
    const cases: Array<[string, unknown, string]> = [
      ['Boolean', true, '01'],
      ['Short', -2, 'fffe'],
      ['Integer', 42, '0000002a'],
      ['Long', -1, 'ffffffffffffffff'],
      ['Long', 2n ** 62n, '4000000000000000'],
      ['Float', 1.5, '3fc00000'],
      ['Double', 1.5, '3ff8000000000000'],
    ];
    for (const [name, value, bytes] of cases) {
      const c = conv(name);
      const written = c.fromConnectData('t', null, null, value) as Uint8Array;
      expect(hex(written)).toBe(bytes);
      const back = c.toConnectData('t', null, written) as { schema: { optional: boolean }; value: unknown };
      expect(back.value).toEqual(value);
      expect(back.schema.optional).toBe(true);
    }
    expect(conv('Integer').fromConnectData('t', null, null, null)).toBeNull();
  });

  it('rejects wrong values and wrong sizes naming the topic', () => {
    expect(() => conv('Integer').fromConnectData('t', null, null, 'x')).toThrow('Failed to serialize to integer (was string x) for topic "t"');
    expect(() => conv('Short').fromConnectData('t', null, null, 70000)).toThrow(DataException);
    expect(() => conv('Integer').toConnectData('t', null, new Uint8Array(3))).toThrow('Size of data received by IntegerDeserializer is not 4 (topic "t")');
    expect(() => conv('Boolean').toConnectData('t', null, new Uint8Array([2]))).toThrow(/0 or 1/);
  });
});
