import { describe, expect, it } from 'vitest';
import { parseAvro, AvroSchemaError } from '../../../schema-registry/core/avro/avro-parser.ts';
import { avroCanonicalString, avroNormalizedString } from '../../../schema-registry/core/avro/avro-writer.ts';
import { javaBigDecimalToString, javaDoubleToString } from '../../../schema-registry/core/json/java-numbers.ts';
import { JsonSyntaxError, parseJson } from '../../../schema-registry/core/json/json-tree.ts';
import { writeJson } from '../../../schema-registry/core/json/json-writer.ts';

const canonical = (text: string, refs: string[] = []) => {
  const p = parseAvro(text, refs, { validateDefaults: true });
  return avroCanonicalString(p.schema, p.referencedNames);
};
const normalized = (text: string, refs: string[] = []) => {
  const p = parseAvro(text, refs, { validateDefaults: true });
  return avroNormalizedString(p.schema, p.referencedNames, refs);
};

describe('ordered JSON with Java number text', () => {
  it('keeps key order, including integer-like keys JavaScript objects would move', () => {
    expect(writeJson(parseJson('{"b":1,"10":2,"a":{"2":3,"1":4}}'), 'bigdecimal')).toBe('{"b":1,"10":2,"a":{"2":3,"1":4}}');
  });

  it('prints floating-point literals as Java doubles or exact BigDecimals', () => {
    expect(javaDoubleToString(1)).toBe('1.0');
    expect(javaDoubleToString(1e10)).toBe('1.0E10');
    expect(javaDoubleToString(0.001)).toBe('0.001');
    expect(javaDoubleToString(1.5e-5)).toBe('1.5E-5');
    expect(javaDoubleToString(1234567.5)).toBe('1234567.5');
    expect(javaBigDecimalToString('1.50')).toBe('1.50');
    expect(javaBigDecimalToString('1e3')).toBe('1E+3');
    expect(javaBigDecimalToString('0.000001')).toBe('0.000001');
    expect(javaBigDecimalToString('1e-7')).toBe('1E-7');
    expect(writeJson(parseJson('[1.0, 12345678901234567890, -0]'), 'double')).toBe('[1.0,12345678901234567890,0]');
  });

  it('escapes control characters like Jackson (uppercase \\u00XX)', () => {
    expect(writeJson('a\u001fb\n"', 'double')).toBe('"a\\u001Fb\\n\\""');
  });

  it('names the position of a syntax error', () => {
    expect(() => parseJson('{"a": tru}')).toThrow(JsonSyntaxError);
    expect(() => parseJson('{"a": 1,}')).toThrow(/line 1, column 9/);
  });

  it('refuses nesting deeper than 1000 levels instead of overflowing the stack', () => {
    expect(() => parseJson('['.repeat(5000))).toThrow(/nesting deeper than 1000/);
  });
});

describe('Avro canonical string (what Confluent stores and returns)', () => {
  it('a primitive without properties is its bare name', () => {
    expect(canonical('{"type":"string"}')).toBe('"string"');
    expect(canonical('"int"')).toBe('"int"');
    expect(canonical('{"type":"int","logicalType":"date"}')).toBe('{"type":"int","logicalType":"date"}');
  });

  it('writes attributes in Avro order whatever order they were given in', () => {
    const given = '{"fields":[{"type":"string","name":"f1","doc":"d"}],"doc":"top","name":"R","type":"record","aliases":["Old"],"x-prop":1}';
    expect(canonical(given)).toBe(
      '{"type":"record","name":"R","doc":"top","fields":[{"name":"f1","type":"string","doc":"d"}],"x-prop":1,"aliases":["Old"]}',
    );
  });

  it('writes a namespace only where it differs from the enclosing one', () => {
    const given = JSON.stringify({
      type: 'record',
      name: 'a.b.Outer',
      fields: [
        { name: 'same', type: { type: 'record', name: 'Inner', fields: [] } },
        { name: 'other', type: { type: 'record', name: 'x.Y', fields: [] } },
        { name: 'none', type: { type: 'enum', name: 'E', namespace: '', symbols: ['A'] } },
        { name: 'again', type: 'Inner' },
      ],
    });
    expect(canonical(given)).toBe(
      '{"type":"record","name":"Outer","namespace":"a.b","fields":[' +
        '{"name":"same","type":{"type":"record","name":"Inner","fields":[]}},' +
        '{"name":"other","type":{"type":"record","name":"Y","namespace":"x","fields":[]}},' +
        '{"name":"none","type":{"type":"enum","name":"E","namespace":"","symbols":["A"]}},' +
        '{"name":"again","type":"Inner"}]}',
    );
  });

  it('keeps defaults as written, doubles in Java form, and non-default order/aliases of fields', () => {
    const given = JSON.stringify({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'd', type: 'double', default: 1.0 },
        { name: 'i', type: 'int', default: 7, order: 'descending', aliases: ['ii'] },
      ],
    });
    // JSON.stringify drops ".0"; write the literal by hand to test Java's "1.0".
    expect(canonical(given.replace('"default":1}', '"default":1.0}'))).toBe(
      '{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1.0},{"name":"i","type":"int","default":7,"order":"descending","aliases":["ii"]}]}',
    );
  });

  it('writes types that came from references by name', () => {
    const ref = '{"type":"record","name":"Address","namespace":"com.x","fields":[{"name":"city","type":"string"}]}';
    const main = '{"type":"record","name":"User","namespace":"com.x","fields":[{"name":"home","type":"Address"}]}';
    expect(canonical(main, [ref])).toBe('{"type":"record","name":"User","namespace":"com.x","fields":[{"name":"home","type":"Address"}]}');
  });

  it('inlines a type nested inside a reference (only the reference\'s top-level type is known by name)', () => {
    const ref = '{"type":"record","name":"Address","fields":[{"name":"country","type":{"type":"enum","name":"Country","symbols":["FR"]}}]}';
    const main = '{"type":"record","name":"User","fields":[{"name":"home","type":"Address"},{"name":"c","type":"Country"}]}';
    expect(canonical(main, [ref])).toBe(
      '{"type":"record","name":"User","fields":[{"name":"home","type":"Address"},{"name":"c","type":{"type":"enum","name":"Country","symbols":["FR"]}}]}',
    );
  });

  it('normalization sorts properties and aliases, qualifies names and types defaults', () => {
    const a = '{"type":"record","name":"R","namespace":"n","b-prop":1,"a-prop":2,"aliases":["Z","A"],"fields":[{"name":"x","type":"double","default":1}]}';
    const b = '{"a-prop":2,"aliases":["A","Z"],"namespace":"n","name":"R","type":"record","b-prop":1,"fields":[{"default":1.0,"type":"double","name":"x"}]}';
    expect(canonical(a)).not.toBe(canonical(b));
    expect(normalized(a)).toBe(normalized(b));
    expect(normalized(a)).toBe(
      '{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":"double","default":1.0}],"a-prop":2,"b-prop":1,"aliases":["A","Z"]}',
    );
  });

  it('normalization puts a valid logical type first', () => {
    const given = '{"type":"bytes","scale":2,"precision":10,"logicalType":"decimal"}';
    expect(normalized(given)).toBe('{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}');
  });

  it.each([
    ['{"type":"record","name":"R"}', 'Record has no fields'],
    ['{"type":"record","name":"1R","fields":[]}', 'Illegal initial character'],
    ['{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}', 'Duplicate field a'],
    ['{"type":"enum","name":"E","symbols":["A","A"]}', 'Duplicate enum symbol: A'],
    ['{"type":"enum","name":"E","symbols":["A"],"default":"B"}', 'The Enum Default: B is not in the enum symbol set'],
    ['["int","int"]', 'Duplicate in union:int'],
    ['["int",["null"]]', 'Nested union'],
    ['{"type":"fixed","name":"F","size":"16"}', 'Invalid or no size'],
    ['{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}', 'Undefined name: "Missing"'],
    ['{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}', 'Invalid default for field a'],
    ['{"type":"record","name":"int","fields":[]}', 'Schemas may not be named after primitives'],
    ['{"type":"strnig"}', 'Undefined name: "strnig"'],
    ['{"type":', 'schema is not valid JSON'],
  ])('refuses %s naming the problem', (text, message) => {
    expect(() => parseAvro(text, [], { validateDefaults: true })).toThrow(AvroSchemaError);
    expect(() => parseAvro(text, [], { validateDefaults: true })).toThrow(message);
  });

  it('checks defaults only for schemas registered as new', () => {
    const bad = '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}';
    expect(() => parseAvro(bad, [], { validateDefaults: false })).not.toThrow();
  });

  it('accepts forward references and self references', () => {
    const text = JSON.stringify({
      type: 'record',
      name: 'A',
      fields: [
        { name: 'b', type: ['null', 'B'] },
        { name: 'b2', type: { type: 'record', name: 'B', fields: [{ name: 'a', type: ['null', 'A'] }] } },
      ],
    });
    // Written like Avro's toString: a type is defined where the output first meets it.
    expect(canonical(text)).toBe(
      '{"type":"record","name":"A","fields":[{"name":"b","type":["null",{"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]}]}]},{"name":"b2","type":"B"}]}',
    );
  });
});
