import { describe, expect, it } from 'vitest';
import {
  BigDecimal,
  DataException,
  LogicalDate,
  LogicalDecimal,
  LogicalTime,
  LogicalTimestamp,
  SchemaBuilder,
  Schemas,
  Struct,
  jsonToConnect,
  parseJson,
  valuesEqual,
} from '../../../../runtime/connect/api/index.ts';
import type { Schema } from '../../../../runtime/connect/api/index.ts';
import { JsonConverter } from '../../../../runtime/connect/converters/json-converter.ts';
import { loadKafkaJsonGolden } from './kafka-json-golden.ts';

const golden = loadKafkaJsonGolden();

const text = (b: Uint8Array | null) => (b === null ? '<null>' : Buffer.from(b).toString('utf8'));
const bytes = (s: string) => new TextEncoder().encode(s);

function converter(configs: Record<string, unknown> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(configs, isKey);
  return c;
}

const addr = SchemaBuilder.struct().name('com.example.Address').version(3).doc('an address').field('street', Schemas.STRING).field('zip', Schemas.OPTIONAL_INT32).build();
const person = SchemaBuilder.struct()
  .name('com.example.Person')
  .field('name', Schemas.STRING)
  .field('nick', SchemaBuilder.string().optional().defaultValue('none').build())
  .field('tags', SchemaBuilder.array(Schemas.STRING).optional().build())
  .field('address', addr)
  .field('balance', LogicalDecimal.builder(2).optional().build())
  .field('born', LogicalDate.builder().optional().build())
  .field('wakes', LogicalTime.builder().optional().build())
  .field('seen', LogicalTimestamp.builder().optional().build())
  .field('meta', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).optional().parameter('p1', 'v1').build())
  .build();
const ann = () =>
  new Struct(person)
    .put('name', 'Ann')
    .put('tags', ['a', 'b'])
    .put('address', new Struct(addr).put('street', 'Main').put('zip', 12345))
    .put('balance', new BigDecimal(-12345n, 2))
    .put('born', new Date(10000 * 86_400_000))
    .put('wakes', new Date(14_400_000))
    .put('seen', new Date(4_000_000_000))
    .put('meta', new Map([['k', 'v']]));

const cases: Array<[string, Schema | null, unknown, Record<string, unknown>?]> = [
  ['boolean', Schemas.BOOLEAN, true],
  ['int8', Schemas.INT8, -12],
  ['int16', Schemas.INT16, 300],
  ['int32', Schemas.INT32, 70000],
  ['int64', Schemas.INT64, 9223372036854775807n],
  ['float32', Schemas.FLOAT32, Math.fround(12.34)],
  ['float64', Schemas.FLOAT64, 1],
  ['float64big', Schemas.FLOAT64, 1.5e300],
  ['float64nan', Schemas.FLOAT64, NaN],
  ['string', Schemas.STRING, 'h\u00e9llo "q" \n\t\u0001'],
  ['bytes', Schemas.BYTES, new Uint8Array([0, 1, 2, 255])],
  ['optionalnull', Schemas.OPTIONAL_STRING, null],
  ['array', SchemaBuilder.array(Schemas.INT32).build(), [1, 2, 3]],
  ['mapstring', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(), new Map([['b', 2], ['a', 1]])],
  ['mapint', SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build(), new Map([[1, 'x'], [2, 'y']])],
  ['struct', person, ann()],
  ['structnumeric', person, ann(), { 'decimal.format': 'NUMERIC' }],
  ['structnodefault', person, ann(), { 'replace.null.with.default': false }],
  ['structplain', person, ann(), { 'schemas.enable': false }],
  ['decimalbase64', LogicalDecimal.schema(2), new BigDecimal(156n, 2)],
  ['decimalnumeric', LogicalDecimal.schema(4), new BigDecimal(15600n, 4), { 'decimal.format': 'numeric' }],
  ['decimalnumericsmall', LogicalDecimal.schema(10), new BigDecimal(1n, 10), { 'decimal.format': 'NUMERIC' }],
  ['defaults', SchemaBuilder.int32().defaultValue(42).build(), null],
  ['defaultsnodef', SchemaBuilder.int32().optional().defaultValue(42).build(), null, { 'replace.null.with.default': 'false' }],
  ['decimaldefault', LogicalDecimal.builder(2).defaultValue(new BigDecimal(156n, 2)).build(), new BigDecimal(1n, 2)],
  ['schemaless', null, new Map<string, unknown>([['a', 1], ['b', [true, 'x', 2.5]]]), { 'schemas.enable': false }],
  ['nullschemaenvelope', null, new Map<string, unknown>([['a', 1], ['b', [true, 'x', 2.5]]])],
  ['tombstone', null, null],
];

describe('JsonConverter.fromConnectData matches Kafka 4.3.1 byte for byte', () => {
  it.each(cases)('%s', (name, schema, value, configs) => {
    expect(golden.has(name)).toBe(true);
    expect(text(converter(configs).fromConnectData('topic', null, schema, value))).toBe(golden.get(name));
  });
});

describe('JsonConverter.toConnectData reads Kafka’s output back', () => {
  const roundTrip = cases.filter(([name]) => !['tombstone', 'float64nan', 'defaults', 'decimalnumericsmall', 'structnodefault'].includes(name));
  it.each(roundTrip)('%s', (name, schema, value, configs) => {
    const result = converter(configs).toConnectData('topic', null, bytes(golden.get(name)!));
    const schemasEnabled = String(configs?.['schemas.enable'] ?? 'true') === 'true';
    if (schemasEnabled) expect(result.schema === schema || result.schema?.equals(schema)).toBe(true);
    // Kafka writes a null field with a default as the default, so it reads back set.
    const expected = name.startsWith('struct') ? ann().put('nick', 'none') : value;
    if (schemasEnabled || schema === null) expect(valuesEqual(result.value, expected)).toBe(true);
  });

  it('reads NaN written as a string, defaults for null, and a null payload with replace.null.with.default=false', () => {
    expect(Number.isNaN(converter().toConnectData('t', null, bytes(golden.get('float64nan')!)).value as number)).toBe(true);
    expect(converter().toConnectData('t', null, bytes('{"schema":{"type":"int32","default":42},"payload":null}')).value).toBe(42);
    const nodef = converter({ 'replace.null.with.default': false }).toConnectData('t', null, bytes(golden.get('structnodefault')!));
    expect((nodef.value as Struct).getWithoutDefault('nick')).toBeNull();
    expect((nodef.value as Struct).get('nick')).toBe('none');
  });

  it('keeps int64 values beyond 2^53 exact', () => {
    const v = converter().toConnectData('t', null, bytes('{"schema":{"type":"int64"},"payload":9223372036854775807}'));
    expect(v.value).toBe(9223372036854775807n);
    expect(converter().toConnectData('t', null, bytes('{"schema":{"type":"int64"},"payload":4398046511104}')).value).toBe(4398046511104);
  });
});

describe('JsonConverter input forms from Kafka’s JsonConverterTest', () => {
  const c = converter();
  const read = (json: string) => c.toConnectData('topic', null, bytes(json));

  it('reads primitive payloads with schema metadata', () => {
    const r = read('{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }');
    expect(r.value).toBe(true);
    expect(r.schema?.equals(SchemaBuilder.bool().required().name('bool').version(2).doc('the documentation').parameter('foo', 'bar').build())).toBe(true);
    expect(read('{ "schema": { "type": "boolean", "optional": true }, "payload": null }')).toEqual({ schema: Schemas.OPTIONAL_BOOLEAN, value: null });
    expect(read('{ "schema": { "type": "float" }, "payload": 12.34 }').value).toBe(Math.fround(12.34));
    expect(read('{ "schema": { "type": "double" }, "payload": 12.34 }').value).toBe(12.34);
    expect(Buffer.from(read('{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }').value as Uint8Array).toString()).toBe('test-string');
  });

  it('accepts numbers with leading zeros, as Kafka does', () => {
    expect(read('{ "schema": { "type": "int8" }, "payload": 0012 }').value).toBe(12);
    expect(read('{ "schema": { "type": "int64" }, "payload": 00000123456789 }').value).toBe(123456789);
    expect(read('{ "schema": { "type": "double" }, "payload": -007.5 }').value).toBe(-7.5);
    expect(read('{ "schema": { "type": "string" }, "payload": "0012" }').value).toBe('0012');
  });

  it('reads structs with missing optional fields, and maps with non-string keys', () => {
    const s = read('{ "schema": { "type": "struct", "fields": [{ "field":"optional", "type": "string", "optional": true }, {  "field": "required", "type": "string" }] }, "payload": { "required": "required" } }');
    expect((s.value as Struct).get('optional')).toBeNull();
    expect((s.value as Struct).get('required')).toBe('required');
    const m = read('{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }');
    expect(m.value).toEqual(new Map([[1, 12], [2, 15]]));
  });

  it('reads decimals as base64 or numbers, keeping full precision', () => {
    const d1 = read('{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": "AJw=" }');
    expect((d1.value as BigDecimal).toString()).toBe('1.56');
    const d2 = read('{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "4" } }, "payload": 1.5600 }');
    expect((d2.value as BigDecimal).toString()).toBe('1.5600');
    const d3 = read('{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "17" } }, "payload": 1.23456789123456789 }');
    expect((d3.value as BigDecimal).toString()).toBe('1.23456789123456789');
    const d4 = read('{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }');
    expect((d4.value as BigDecimal).toString()).toBe('1.56');
    // A number with fewer fraction digits takes the schema's scale, so it can be written back.
    const d5 = read('{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "parameters": { "scale": "2" } }, "payload": 1.5 }');
    expect((d5.value as BigDecimal).toString()).toBe('1.50');
  });

  it('reads logical dates, times and timestamps with defaults', () => {
    expect((read('{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1 }, "payload": 10000 }').value as Date).getTime()).toBe(10000 * 86_400_000);
    expect((read('{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1 }, "payload": 14400000 }').value as Date).getTime()).toBe(14_400_000);
    expect((read('{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1 }, "payload": 4000000000 }').value as Date).getTime()).toBe(4e9);
    expect((read('{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1, "default": 42 }, "payload": null }').value as Date).getTime()).toBe(42);
    expect(read('{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "optional": true }, "payload": null }').value).toBeNull();
  });

  it('reads a null schema envelope and plain JSON without schemas', () => {
    expect(read('{ "schema": null, "payload": null }')).toEqual({ schema: null, value: null });
    expect(read('{ "schema": null, "payload": 12 }')).toEqual({ schema: null, value: 12 });
    expect(read('{ "schema": null, "payload": 12.24 }')).toEqual({ schema: null, value: 12.24 });
    expect(read('{ "schema": null, "payload": [1, "2", 3] }').value).toEqual([1, '2', 3]);
    expect(read('{ "schema": null, "payload": { "field1": 1, "field2": 2} }').value).toEqual(new Map([['field1', 1], ['field2', 2]]));
    const plain = converter({ 'schemas.enable': 'false' });
    expect(plain.toConnectData('t', null, bytes('true'))).toEqual({ schema: null, value: true });
    expect(plain.toConnectData('t', null, bytes('{ "a": "", "b": null}')).value).toEqual(new Map([['a', ''], ['b', null]]));
    expect(plain.toConnectData('t', null, bytes('123456789012345678'))).toEqual({ schema: null, value: 123456789012345678n });
    expect(plain.toConnectData('t', null, null)).toEqual({ schema: null, value: null });
  });
});

describe('JsonConverter without schemas', () => {
  const plain = converter({ 'schemas.enable': 'false' });
  const read = (text: string) => plain.toConnectData('t', null, bytes(text)).value;

  it('reads numbers as parseJson does: fractions and exponents as doubles, big integers exactly, leading zeros accepted', () => {
    const texts = [
      '{"id": 7, "amount": 1234.56, "ts": "2026-11-19T10:00:00.000Z", "e": 1e3, "neg": -0.5, "zero": -0, "one": 1.0}',
      '[1, 2.5, [3, {"x": 4e-2}], "9007199254740993", true, null]',
      '{"big": 123456789012345678, "safe": 1234567890123456, "frac": 0.1234567890123456789}',
      '{"lead": 007, "inner": {"deep": [00.5]}}',
      '{"__proto__": {"polluted": true}, "constructor": 1}',
      '"text"',
      '42',
    ];
    for (const text of texts) expect(read(text), text).toEqual(jsonToConnect(null, parseJson(text)));
    expect(read('{"big": 123456789012345678}')).toEqual(new Map([['big', 123456789012345678n]]));
    expect(read('{"a": {"b": [1.5, {"c": 2}]}}')).toEqual(new Map([['a', new Map<string, unknown>([['b', [1.5, new Map([['c', 2]])]]])]]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports invalid JSON as a DataException naming the topic', () => {
    expect(() => plain.toConnectData('orders', null, bytes('{"a": }'))).toThrow(/Cannot convert the record value of topic "orders" to Connect data: Invalid JSON/);
  });
});

describe('JsonConverter errors name the topic and the problem', () => {
  const thrown = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as DataException;
    }
    throw new Error('expected an error');
  };

  it('explains a missing envelope', () => {
    const err = thrown(() => converter().toConnectData('orders', null, bytes('{"id": 1}')));
    expect(err).toBeInstanceOf(DataException);
    expect(err.message).toBe(
      'Cannot convert the record value of topic "orders" to Connect data: JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.',
    );
    expect(err.context.topic).toBe('orders');
    expect(thrown(() => converter({}, true).toConnectData('orders', null, bytes('{"schema":null,"payload":1,"x":2}'))).message).toContain('record key of topic "orders"');
  });

  it('reports invalid JSON, wrong payload types with the field path, and bad schemas', () => {
    expect(thrown(() => converter().toConnectData('t', null, bytes('{not json'))).message).toContain('Invalid JSON');
    const wrong = thrown(() =>
      converter().toConnectData('t', null, bytes('{"schema":{"type":"struct","fields":[{"field":"a","type":"struct","fields":[{"field":"n","type":"int8"}]}]},"payload":{"a":{"n":"x"}}}')),
    );
    expect(wrong.message).toContain('Expected an integer for INT8 but found STRING (field "a.n")');
    expect(wrong.context.field).toBe('a.n');
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"type":"int8"},"payload":300}'))).message).toContain('Value 300 is out of range for INT8');
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"type":"int32"},"payload":null}'))).message).toContain('Invalid null value for required INT32 field');
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"type":"decimal"},"payload":1}'))).message).toContain('Unknown schema type: decimal');
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"optional":true},"payload":1}'))).message).toContain("Schema must contain 'type' field");
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"type":"array"},"payload":[]}'))).message).toContain('Array schema did not specify the element type');
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":[1]}'))).message).toContain(
      'Maps with string fields should be encoded as JSON objects, but found ARRAY',
    );
    expect(thrown(() => converter().toConnectData('t', null, bytes('{"schema":{"type":"bytes"},"payload":"not base64!"}'))).message).toContain('Invalid base64');
  });

  it('rejects data that does not fit the schema when writing', () => {
    expect(thrown(() => converter().fromConnectData('out', null, Schemas.FLOAT64, true)).message).toBe(
      'Cannot convert Connect data to the record value of topic "out": Invalid type for FLOAT64: boolean',
    );
    expect(thrown(() => converter().fromConnectData('out', null, Schemas.INT32, null)).message).toContain('null value for field that is required and has no default value');
    expect(thrown(() => converter().fromConnectData('out', null, LogicalDecimal.schema(3), new BigDecimal(1n, 2))).message).toContain('mismatching scale');
    expect(thrown(() => converter().fromConnectData('out', null, null, new BigDecimal(1n, 2))).message).toContain('does not have a corresponding schema type');
  });

  it('rejects bad settings naming the key', () => {
    expect(() => converter({ 'decimal.format': 'HEX' })).toThrow('Invalid value "HEX" for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC');
    expect(() => converter({ 'schemas.enable': 'yes' })).toThrow(/schemas.enable/);
  });
});

describe('JsonConverter schema caches', () => {
  it('caches schemas both ways, bounded by schemas.cache.size', () => {
    const c = converter({ 'schemas.cache.size': 2 });
    const s1 = SchemaBuilder.int32().name('a').build();
    c.fromConnectData('t', null, s1, 1);
    c.fromConnectData('t', null, s1, 2);
    expect(c.cachedSchemas.toJson).toBe(1);
    c.fromConnectData('t', null, SchemaBuilder.int32().name('b').build(), 1);
    c.fromConnectData('t', null, SchemaBuilder.int32().name('c').build(), 1);
    expect(c.cachedSchemas.toJson).toBe(2);
    const first = c.toConnectData('t', null, bytes('{"schema":{"type":"string"},"payload":"x"}'));
    const second = c.toConnectData('t', null, bytes('{"schema":{"type":"string"},"payload":"y"}'));
    expect(second.schema).toBe(first.schema);
    expect(c.cachedSchemas.fromJson).toBe(1);
  });

  it('works as a header converter', () => {
    const c = new JsonConverter();
    c.configure({});
    const b = c.fromConnectHeader('t', 'h', Schemas.STRING, 'test-string');
    expect(text(b)).toBe('{"schema":{"type":"string","optional":false},"payload":"test-string"}');
    expect(c.toConnectHeader('t', 'h', b)).toEqual({ schema: Schemas.STRING, value: 'test-string' });
  });
});
