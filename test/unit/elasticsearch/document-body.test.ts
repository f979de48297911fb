import { describe, expect, it } from 'vitest';
import { BigDecimal, LogicalDate, LogicalDecimal, LogicalTime, LogicalTimestamp, SchemaBuilder, Schemas, Struct } from '../../../runtime/connect/api/index.ts';
import { documentJson, jsonObjectText } from '../../../connectors/elasticsearch/document-body.ts';
import { withTimestamp } from '../../../connectors/elasticsearch/data-stream-timestamp.ts';

describe('documents from values', () => {
  it('writes structs in schema order, nested structs and arrays included', () => {
    const inner = SchemaBuilder.struct().field('city', Schemas.STRING).build();
    const schema = SchemaBuilder.struct()
      .field('id', Schemas.INT64)
      .field('tags', SchemaBuilder.array(Schemas.STRING).build())
      .field('address', inner)
      .field('note', Schemas.OPTIONAL_STRING)
      .build();
    const value = new Struct(schema).put('id', 5).put('tags', ['a', 'b']).put('address', new Struct(inner).put('city', 'Oslo'));
    expect(documentJson(schema, value, true)).toBe('{"id":5,"tags":["a","b"],"address":{"city":"Oslo"},"note":null}');
  });

  it('writes decimals as numbers and dates and timestamps as epoch milliseconds', () => {
    const decimal = LogicalDecimal.builder(2).build();
    const schema = SchemaBuilder.struct()
      .field('price', decimal)
      .field('day', LogicalDate.SCHEMA)
      .field('at', LogicalTimestamp.SCHEMA)
      .field('time', LogicalTime.SCHEMA)
      .field('qty', Schemas.INT32)
      .build();
    const value = new Struct(schema)
      .put('price', new BigDecimal(12345n, 2))
      .put('day', new Date(Date.UTC(2026, 10, 22)))
      .put('at', new Date(1_795_000_000_123))
      .put('time', new Date(3_600_000))
      .put('qty', 2);
    expect(JSON.parse(documentJson(schema, value, true))).toEqual({ price: 123.45, day: Date.UTC(2026, 10, 22), at: 1_795_000_000_123, time: 3_600_000, qty: 2 });
  });

  it('writes string-keyed maps compactly or as key/value entries, and other maps as entries', () => {
    const schema = SchemaBuilder.struct()
      .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build())
      .field('byCode', SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build())
      .build();
    const value = new Struct(schema).put('attrs', new Map([['a', 1]])).put('byCode', new Map([[7, 'x']]));
    expect(documentJson(schema, value, true)).toBe('{"attrs":{"a":1},"byCode":[{"key":7,"value":"x"}]}');
    expect(documentJson(schema, value, false)).toBe('{"attrs":[{"key":"a","value":1}],"byCode":[{"key":7,"value":"x"}]}');
  });

  it('uses defaults for null fields and names a required field that is null', () => {
    const schema = SchemaBuilder.struct().field('n', SchemaBuilder.int32().defaultValue(3).build()).field('price', LogicalDecimal.builder(0).optional().build()).build();
    expect(documentJson(schema, new Struct(schema), true)).toBe('{"n":3,"price":null}');
    const required = SchemaBuilder.struct().field('day', LogicalDate.SCHEMA).build();
    expect(() => documentJson(required, new Struct(required), true)).toThrow(/null value for field that is required.*\(field "day"\)/);
  });

  it('writes schemaless maps (JsonConverter without schemas) as objects', () => {
    const value = new Map<string, unknown>([['a', 1.5], ['b', [1, new Map([['c', 'x']])]], ['big', 12345678901234567890n]]);
    expect(documentJson(null, value, true)).toBe('{"a":1.5,"b":[1,{"c":"x"}],"big":12345678901234567890}');
  });

  it('indexes a string holding a JSON object as that object, on one line', () => {
    expect(documentJson(Schemas.STRING, ' {"a":1} ', true)).toBe(' {"a":1} ');
    expect(documentJson(null, '{\n  "a": "x"\n}', true)).toBe('{   "a": "x" }');
  });

  it('calls anything else malformed', () => {
    for (const [schema, value] of [
      [Schemas.STRING, 'plain text'],
      [null, '[1,2]'],
      [null, 42],
      [Schemas.INT32, 42],
      [null, [1, 2]],
      [SchemaBuilder.array(Schemas.INT32).build(), [1]],
      [SchemaBuilder.map(Schemas.INT32, Schemas.INT32).build(), new Map([[1, 2]])],
      [null, new Uint8Array([123, 125])],
    ] as const) {
      expect(() => documentJson(schema, value, true)).toThrow(expect.objectContaining({ code: 'ES_MALFORMED_DOCUMENT' }));
    }
  });

  it('jsonObjectText looks only at the outer braces', () => {
    expect(jsonObjectText('{}')).toBe('{}');
    expect(jsonObjectText('{')).toBeNull();
    expect(jsonObjectText('  ')).toBeNull();
    expect(jsonObjectText('{"a":1} x')).toBeNull();
  });
});

describe('data stream @timestamp', () => {
  it('uses the record timestamp when no field is configured, replacing an existing @timestamp', () => {
    expect(withTimestamp('{"a":1,"@timestamp":"old"}', [], 1000)).toBe('{"@timestamp":1000,"a":1}');
  });

  it('copies the first listed field that is present, as text, keeping big numbers exact', () => {
    expect(withTimestamp('{"ts":"2026-11-22T10:00:00Z","n":12345678901234567890}', ['missing', 'ts'], 1)).toBe(
      '{"@timestamp":"2026-11-22T10:00:00Z","ts":"2026-11-22T10:00:00Z","n":12345678901234567890}',
    );
    expect(withTimestamp('{"t":1795000000123}', ['t'], 1)).toBe('{"@timestamp":"1795000000123","t":1795000000123}');
  });

  it('leaves the document alone when no listed field is present, and calls bad JSON malformed', () => {
    expect(withTimestamp('{"a":1}', ['ts'], 1)).toBe('{"a":1}');
    expect(() => withTimestamp('{"a":', [], 1)).toThrow(expect.objectContaining({ code: 'ES_MALFORMED_DOCUMENT' }));
  });
});
