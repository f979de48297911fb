import { describe, expect, it } from 'vitest';
import type { BigDecimal, Struct} from '../../../runtime/connect/api/index.ts';
import { LogicalDecimal, LogicalDate, LogicalTimestamp, SchemaBuilder, Schemas, jsonToSchema, parseJson } from '../../../runtime/connect/api/index.ts';
import { charsetFor, charsetProblem } from '../../../connectors/file/charset.ts';
import { CsvSyntaxError, splitCsvRecord } from '../../../connectors/file/csv-fields.ts';
import { CsvFramer, LineFramer } from '../../../connectors/file/framing.ts';
import { inferJson } from '../../../connectors/file/json-inference.ts';
import { TypedTextError, inferTextSchema, textToValue } from '../../../connectors/file/typed-text.ts';
import { CsvParser, JsonLinesParser, LinesParser, ValueParseError, csvLayout } from '../../../connectors/file/value-parsers.ts';

const dialect = { separator: ',', quote: '"', escape: '' };

function frames(framer: LineFramer | CsvFramer, text: string, final: boolean): string[] {
  const window = Buffer.from(text);
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const f = framer.next(window, from, final);
    if (f === null) break;
    out.push(`${window.toString('utf8', f.start, f.end)}|${f.lines}`);
    from = f.next;
    if (from >= window.length) break;
  }
  return out;
}

describe('LineFramer', () => {
  it('cuts at LF, drops a CR before it, holds back an unterminated line unless final', () => {
    expect(frames(new LineFramer(), 'a\r\nb\n\nc', false)).toEqual(['a|1', 'b|1', '|1']);
    expect(frames(new LineFramer(), 'a\r\nb\n\nc', true)).toEqual(['a|1', 'b|1', '|1', 'c|0']);
  });

  it('remembers how far it scanned an incomplete line', () => {
    const framer = new LineFramer();
    expect(framer.next(Buffer.from('abc'), 0, false)).toBeNull();
    expect(framer.pending).toBe(3);
    const f = framer.next(Buffer.from('abcdef\n'), 0, false)!;
    expect([f.start, f.end, f.next]).toEqual([0, 6, 7]);
    expect(framer.pending).toBe(0);
  });
});

describe('CsvFramer', () => {
  it('keeps line breaks inside quotes in the record and counts them', () => {
    const text = 'id,note\n1,"two\nlines"\n2,"say ""hi"""\n3,x';
    expect(frames(new CsvFramer('"', ''), text, true)).toEqual(['id,note|1', '1,"two\nlines"|2', '2,"say ""hi"""|1', '3,x|0']);
  });

  it('honours an escape character inside quotes', () => {
    expect(frames(new CsvFramer('"', '\\'), '1,"a\\"b\nc"\n2,d\n', false)).toEqual(['1,"a\\"b\nc"|2', '2,d|1']);
  });

  it('waits for the closing quote of a record that is still being written', () => {
    const framer = new CsvFramer('"', '');
    expect(framer.next(Buffer.from('1,"open\nstill'), 0, false)).toBeNull();
    expect(framer.next(Buffer.from('1,"open\nstill"\n'), 0, false)?.lines).toBe(2);
  });
});

describe('splitCsvRecord', () => {
  it('splits plain, quoted and empty fields', () => {
    expect(splitCsvRecord('a,b,,d', dialect)).toEqual(['a', 'b', '', 'd']);
    expect(splitCsvRecord('"a,1","b""q""",', dialect)).toEqual(['a,1', 'b"q"', '']);
    expect(splitCsvRecord('x;"y;z"', { ...dialect, separator: ';' })).toEqual(['x', 'y;z']);
    expect(splitCsvRecord("'a''b'\t'c'", { separator: '\t', quote: "'", escape: '' })).toEqual(["a'b", 'c']);
    expect(splitCsvRecord('"a\\"b",c', { ...dialect, escape: '\\' })).toEqual(['a"b', 'c']);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(splitCsvRecord('5" disk,x', dialect)).toEqual(['5" disk', 'x']);
  });

  it('rejects text after a closing quote and an unclosed quote, naming the field', () => {
    expect(() => splitCsvRecord('a,"b"c,d', dialect)).toThrow(/field 2 has "c" after its closing quote/);
    const err = (() => {
      try {
        splitCsvRecord('a,b,"c', dialect);
      } catch (e) {
        return e as CsvSyntaxError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect(err!.field).toBe(3);
  });
});

describe('typed text', () => {
  it('parses the Connect types and rejects what does not fit', () => {
    expect(textToValue(Schemas.INT32, ' 42 ')).toBe(42);
    expect(textToValue(Schemas.INT64, '9223372036854775807')).toBe(9223372036854775807n);
    expect(() => textToValue(Schemas.INT8, '200')).toThrow(/out of range for INT8/);
    expect(() => textToValue(Schemas.INT32, '4.5')).toThrow(TypedTextError);
    expect(textToValue(Schemas.FLOAT64, '1e3')).toBe(1000);
    expect(textToValue(Schemas.BOOLEAN, 'TRUE')).toBe(true);
    expect(textToValue(Schemas.OPTIONAL_INT32, '')).toBeNull();
    expect(() => textToValue(Schemas.INT32, '')).toThrow(/required/);
    expect(textToValue(Schemas.STRING, '')).toBe('');
    expect((textToValue(LogicalDecimal.schema(2), '12.5') as BigDecimal).toPlainString()).toBe('12.50');
    expect(() => textToValue(LogicalDecimal.schema(1), '1.25')).toThrow(/more than 1 decimal places/);
    expect((textToValue(LogicalDate.SCHEMA, '2024-02-29') as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect((textToValue(LogicalTimestamp.SCHEMA, '1700000000000') as Date).getTime()).toBe(1700000000000);
    expect((textToValue(LogicalTimestamp.SCHEMA, '2023-11-14T22:13:20Z') as Date).getTime()).toBe(1700000000000);
  });

  it('infers the narrowest type that fits every sample', () => {
    expect(inferTextSchema(['1', '', '-3'])).toBe(Schemas.OPTIONAL_INT64);
    expect(inferTextSchema(['1', '2.5'])).toBe(Schemas.OPTIONAL_FLOAT64);
    expect(inferTextSchema(['true', 'False'])).toBe(Schemas.OPTIONAL_BOOLEAN);
    expect(inferTextSchema(['1', 'x'])).toBe(Schemas.OPTIONAL_STRING);
    expect(inferTextSchema(['', ''])).toBe(Schemas.OPTIONAL_STRING);
  });
});

describe('CsvParser', () => {
  it('names fields from the header row, skips the header record and blank lines', () => {
    const layout = csvLayout(['id', 'name'], null, null, 0);
    const parser = new CsvParser(dialect, layout, 0);
    expect(parser.parse('id,name', 0)).toBeNull();
    expect(parser.parse('', 8)).toBeNull();
    const row = parser.parse('1,ann', 9)!;
    expect(row.schema!.fields().map((f) => [f.name, f.schema.type, f.schema.optional])).toEqual([
      ['id', 'STRING', true],
      ['name', 'STRING', true],
    ]);
    expect((row.value as Struct).get('name')).toBe('ann');
  });

  it('types columns from a declared schema by header name and ignores extra columns', () => {
    const schema = SchemaBuilder.struct().field('id', Schemas.INT64).field('price', LogicalDecimal.schema(2)).field('note', Schemas.OPTIONAL_STRING).build();
    const layout = csvLayout(['price', 'id', 'extra'], schema, null, 0);
    expect(layout.ignored).toEqual(['extra']);
    const parsed = new CsvParser(dialect, layout, 0).parse('3.10,7,zzz', 20)!;
    const value = parsed.value as Struct;
    expect(value.get('id')).toBe(7);
    expect((value.get('price') as BigDecimal).toPlainString()).toBe('3.10');
    expect(value.get('note')).toBeNull();
  });

  it('refuses a layout that can never work: a required field without a column, duplicate or empty header names', () => {
    const schema = SchemaBuilder.struct().field('id', Schemas.INT64).build();
    expect(() => csvLayout(['name'], schema, null, 0)).toThrow(/requires "id"/);
    expect(() => csvLayout(['a', 'a'], null, null, 0)).toThrow(/names "a" twice/);
    expect(() => csvLayout(['a', ' '], null, null, 0)).toThrow(/column 2 of the header row has no name/);
  });

  it('infers column types from sample rows and names columns without a header', () => {
    const layout = csvLayout(null, null, [
      ['1', '2.5', 'x'],
      ['2', '3', 'y'],
    ], 3);
    expect(layout.schema.fields().map((f) => `${f.name}:${f.schema.type}`)).toEqual(['column01:INT64', 'column02:FLOAT64', 'column03:STRING']);
    const parser = new CsvParser(dialect, layout, -1);
    expect((parser.parse('9,1,z', 0)!.value as Struct).get('column01')).toBe(9);
    expect(() => parser.parse('x,1,z', 0)).toThrow(/field "column01" \(column 1\): "x" is not an integer/);
  });

  it('makes malformed rows parse errors: wrong field count, bad quoting', () => {
    const parser = new CsvParser(dialect, csvLayout(['a', 'b'], null, null, 0), 0);
    expect(() => parser.parse('1,2,3', 5)).toThrow(/the row has 3 fields, but 2 are expected/);
    expect(() => parser.parse('1', 5)).toThrow(/the row has 1 field, but 2 are expected/);
    expect(() => parser.parse('"1"x,2', 5)).toThrow(ValueParseError);
    expect(() => parser.parse('1,"2', 5)).toThrow(/never closed/);
  });
});

describe('JSON lines', () => {
  it('is schemaless without a schema: maps, lists and JSON numbers', () => {
    const parsed = new JsonLinesParser(null, false).parse('{"a":1,"b":[true,null],"c":1.5}')!;
    expect(parsed.schema).toBeNull();
    const map = parsed.value as Map<string, unknown>;
    expect(map.get('a')).toBe(1);
    expect(map.get('b')).toEqual([true, null]);
    expect(map.get('c')).toBe(1.5);
  });

  it('converts to a declared schema and makes misfits parse errors', () => {
    const schema = jsonToSchema(parseJson('{"type":"struct","fields":[{"field":"id","type":"int32"},{"field":"tags","type":"array","items":{"type":"string"},"optional":true}]}'))!;
    const parser = new JsonLinesParser(schema, false);
    const value = parser.parse('{"id":5,"tags":["x"]}')!.value as Struct;
    expect(value.get('id')).toBe(5);
    expect(value.get('tags')).toEqual(['x']);
    expect(() => parser.parse('{"id":"five"}')).toThrow(/does not fit value.schema/);
    expect(() => parser.parse('{"id":')).toThrow(/not valid JSON/);
    expect(parser.parse('   ')).toBeNull();
  });

  it('infers structs with optional fields, INT64 and FLOAT64, and keeps mixed arrays as JSON text', () => {
    const { schema, value } = inferJson(parseJson('{"n":1,"f":2.5,"s":"x","o":{"k":true},"mixed":[1,"a",{"z":1}],"none":null}'), true);
    expect(schema.type).toBe('STRUCT');
    expect(schema.optional).toBe(false);
    expect(schema.fields().map((f) => `${f.name}:${f.schema.type}${f.schema.optional ? '?' : ''}`)).toEqual([
      'n:INT64?',
      'f:FLOAT64?',
      's:STRING?',
      'o:STRUCT?',
      'mixed:ARRAY?',
      'none:STRING?',
    ]);
    const struct = value as Struct;
    expect((struct.get('o') as Struct).get('k')).toBe(true);
    expect(struct.get('mixed')).toEqual(['1', '"a"', '{"z":1}']);
    const big = inferJson(parseJson('{"big":12345678901234567890123}'), true).value as Struct;
    expect(big.schema.field('big')!.schema.type).toBe('FLOAT64');
  });

  it('lines are strings, empty ones included', () => {
    expect(new LinesParser().parse('')).toEqual({ schema: Schemas.STRING, value: '' });
  });
});

describe('charsets', () => {
  const bad = Buffer.from([0x61, 0xff, 0x62]);

  it('reports or replaces invalid UTF-8', () => {
    expect(charsetFor('UTF-8', 'REPORT').decode(bad, 0, 3)).toBeNull();
    expect(charsetFor('utf8', 'REPLACE').decode(bad, 0, 3)).toBe('a\ufffdb');
    expect(charsetFor('UTF-8', 'REPORT').allValid(Buffer.from('héllo\nwörld\n'), 0, 14)).toBe(true);
  });

  it('decodes ISO-8859-1 exactly, US-ASCII strictly, and windows-1252 by TextDecoder', () => {
    expect(charsetFor('ISO-8859-1', 'REPORT').decode(Buffer.from([0xe9]), 0, 1)).toBe('é');
    expect(charsetFor('US-ASCII', 'REPORT').decode(Buffer.from([0x41, 0xe9]), 0, 2)).toBeNull();
    expect(charsetFor('US-ASCII', 'REPLACE').decode(Buffer.from([0x41, 0xe9]), 0, 2)).toBe('A\ufffd');
    expect(charsetFor('windows-1252', 'REPORT').decode(Buffer.from([0x80]), 0, 1)).toBe('€');
  });

  it('refuses charsets whose newline is not the byte 0x0A, and unknown ones', () => {
    expect(charsetProblem('UTF-16LE')).toMatch(/UTF-16 is not supported/);
    expect(charsetProblem('klingon')).toMatch(/unknown charset/);
    expect(charsetProblem('UTF-8')).toBeUndefined();
  });
});
