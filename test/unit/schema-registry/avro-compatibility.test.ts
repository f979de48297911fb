import { describe, expect, it } from 'vitest';
import { checkReaderWriter, describeAvroIncompatibility } from '../../../schema-registry/core/avro/avro-compatibility.ts';
import { avro, record } from './helpers.ts';

/** Incompatibilities when the new schema reads data written with the old one (BACKWARD). */
const backward = (next: string, old: string) => checkReaderWriter(avro(next), avro(old));
/** Incompatibilities when the old schema reads data written with the new one (FORWARD). */
const forward = (next: string, old: string) => checkReaderWriter(avro(old), avro(next));
const types = (list: { type: string }[]) => list.map((i) => i.type);

const id = { name: 'id', type: 'long' };

describe('Avro schema resolution rules, both directions', () => {
  it('adding a field with a default is backward and forward compatible', () => {
    const old = record([id]);
    const next = record([id, { name: 'email', type: 'string', default: '' }]);
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([]);
  });

  it('adding a field without a default breaks backward (READER_FIELD_MISSING_DEFAULT_VALUE) but not forward', () => {
    const old = record([id]);
    const next = record([id, { name: 'email', type: 'string' }]);
    expect(backward(next, old)).toEqual([{ type: 'READER_FIELD_MISSING_DEFAULT_VALUE', location: '/fields/1', message: 'email' }]);
    expect(forward(next, old)).toEqual([]);
  });

  it('removing a field without a default breaks forward but not backward', () => {
    const old = record([id, { name: 'email', type: 'string' }]);
    const next = record([id]);
    expect(backward(next, old)).toEqual([]);
    expect(types(forward(next, old))).toEqual(['READER_FIELD_MISSING_DEFAULT_VALUE']);
  });

  it('removing a field that had a default is compatible both ways', () => {
    const old = record([id, { name: 'email', type: 'string', default: 'x' }]);
    const next = record([id]);
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([]);
  });

  it.each([
    ['int', 'long'],
    ['int', 'float'],
    ['int', 'double'],
    ['long', 'float'],
    ['long', 'double'],
    ['float', 'double'],
  ])('promoting %s to %s is backward compatible only', (from, to) => {
    const old = record([{ name: 'n', type: from }]);
    const next = record([{ name: 'n', type: to }]);
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([
      { type: 'TYPE_MISMATCH', location: '/fields/0/type', message: `reader type: ${from.toUpperCase()} not compatible with writer type: ${to.toUpperCase()}` },
    ]);
  });

  it('string and bytes read each other in both directions', () => {
    const old = record([{ name: 'n', type: 'string' }]);
    const next = record([{ name: 'n', type: 'bytes' }]);
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([]);
  });

  it('an unrelated type change (int to string) is a TYPE_MISMATCH both ways', () => {
    const old = record([{ name: 'n', type: 'int' }]);
    const next = record([{ name: 'n', type: 'string' }]);
    expect(types(backward(next, old))).toEqual(['TYPE_MISMATCH']);
    expect(types(forward(next, old))).toEqual(['TYPE_MISMATCH']);
  });

  const color = (symbols: string[], extra: object = {}) => record([{ name: 'c', type: { type: 'enum', name: 'Color', symbols, ...extra } }]);

  it('adding an enum symbol is backward compatible; the old reader misses it (MISSING_ENUM_SYMBOLS)', () => {
    const old = color(['RED', 'GREEN']);
    const next = color(['RED', 'GREEN', 'BLUE']);
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([{ type: 'MISSING_ENUM_SYMBOLS', location: '/fields/0/type/symbols', message: '[BLUE]' }]);
  });

  it('removing an enum symbol breaks backward, unless the reader enum declares a default', () => {
    const old = color(['RED', 'GREEN', 'BLUE']);
    expect(types(backward(color(['RED', 'GREEN']), old))).toEqual(['MISSING_ENUM_SYMBOLS']);
    expect(backward(color(['RED', 'GREEN'], { default: 'RED' }), old)).toEqual([]);
    expect(forward(color(['RED', 'GREEN']), old)).toEqual([]);
  });

  it('widening a type to a union containing it is backward compatible; forward fails on the null branch', () => {
    const old = record([{ name: 's', type: 'string' }]);
    const next = record([{ name: 's', type: ['null', 'string'], default: null }]);
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([
      { type: 'TYPE_MISMATCH', location: '/fields/0/type/0', message: 'reader type: STRING not compatible with writer type: NULL' },
    ]);
  });

  it('removing a union branch breaks backward (MISSING_UNION_BRANCH) but not forward', () => {
    const old = record([{ name: 'v', type: ['null', 'string', 'int'] }]);
    const next = record([{ name: 'v', type: ['null', 'string'] }]);
    expect(backward(next, old)).toEqual([
      { type: 'MISSING_UNION_BRANCH', location: '/fields/0/type/2', message: 'reader union lacking writer type: INT' },
    ]);
    expect(forward(next, old)).toEqual([]);
  });

  it('narrowing a union to one type: the reader union lacks nothing, the plain reader misses branches', () => {
    const old = record([{ name: 'v', type: 'string' }]);
    const next = record([{ name: 'v', type: ['int', 'long'] }]);
    expect(backward(next, old)).toEqual([
      { type: 'MISSING_UNION_BRANCH', location: '/fields/0/type', message: 'reader union lacking writer type: STRING' },
    ]);
  });

  it('array items and map values follow the same promotion rules', () => {
    const oldArr = record([{ name: 'a', type: { type: 'array', items: 'int' } }]);
    const newArr = record([{ name: 'a', type: { type: 'array', items: 'long' } }]);
    expect(backward(newArr, oldArr)).toEqual([]);
    expect(forward(newArr, oldArr)[0].location).toBe('/fields/0/type/items');
    const oldMap = record([{ name: 'm', type: { type: 'map', values: 'float' } }]);
    const newMap = record([{ name: 'm', type: { type: 'map', values: 'double' } }]);
    expect(backward(newMap, oldMap)).toEqual([]);
    expect(forward(newMap, oldMap)[0].location).toBe('/fields/0/type/values');
  });

  it('changing an array into a map is a TYPE_MISMATCH', () => {
    const old = record([{ name: 'a', type: { type: 'array', items: 'int' } }]);
    const next = record([{ name: 'a', type: { type: 'map', values: 'int' } }]);
    expect(types(backward(next, old))).toEqual(['TYPE_MISMATCH']);
  });

  it('a fixed size change is a FIXED_SIZE_MISMATCH in both directions', () => {
    const old = record([{ name: 'f', type: { type: 'fixed', name: 'Hash', size: 16 } }]);
    const next = record([{ name: 'f', type: { type: 'fixed', name: 'Hash', size: 32 } }]);
    expect(backward(next, old)).toEqual([{ type: 'FIXED_SIZE_MISMATCH', location: '/fields/0/type/size', message: 'expected: 16, found: 32' }]);
    expect(forward(next, old)).toEqual([{ type: 'FIXED_SIZE_MISMATCH', location: '/fields/0/type/size', message: 'expected: 32, found: 16' }]);
  });

  it('renaming a record is a NAME_MISMATCH, unless the reader lists the old full name as an alias', () => {
    const old = record([id], 'User');
    const renamed = record([id], 'Customer');
    expect(backward(renamed, old)).toEqual([{ type: 'NAME_MISMATCH', location: '/name', message: 'expected: com.example.User' }]);
    const aliased = record([id], 'Customer', { aliases: ['User'] });
    expect(backward(aliased, old)).toEqual([]);
    expect(types(forward(aliased, old))).toEqual(['NAME_MISMATCH']);
  });

  it('a namespace-only change passes: named types match by unqualified name', () => {
    const old = JSON.stringify({ type: 'record', name: 'User', namespace: 'a.b', fields: [id] });
    const next = JSON.stringify({ type: 'record', name: 'User', namespace: 'c.d', fields: [id] });
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual([]);
  });

  it('a renamed field is matched through the reader field alias only', () => {
    const old = record([id, { name: 'email', type: 'string' }]);
    const next = record([id, { name: 'mail', type: 'string', aliases: ['email'] }]);
    expect(backward(next, old)).toEqual([]);
    expect(types(forward(next, old))).toEqual(['READER_FIELD_MISSING_DEFAULT_VALUE']);
  });

  it('nested records are checked field by field with their path', () => {
    const address = (fields: object[]) => ({ name: 'address', type: { type: 'record', name: 'Address', fields } });
    const old = record([id, address([{ name: 'city', type: 'string' }])]);
    const next = record([id, address([{ name: 'city', type: 'string' }, { name: 'zip', type: 'string' }])]);
    expect(backward(next, old)).toEqual([{ type: 'READER_FIELD_MISSING_DEFAULT_VALUE', location: '/fields/1/type/fields/1', message: 'zip' }]);
    expect(forward(next, old)).toEqual([]);
  });

  it('recursive types terminate and are compatible with themselves', () => {
    const list = JSON.stringify({
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'value', type: 'int' },
        { name: 'next', type: ['null', 'Node'], default: null },
      ],
    });
    expect(backward(list, list)).toEqual([]);
  });

  it('renders incompatibilities in Confluent verbose format', () => {
    const [issue] = backward(record([id, { name: 'email', type: 'string' }]), record([id]));
    expect(describeAvroIncompatibility(issue)).toBe(
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'email' at path '/fields/1' in the %s schema has no default value and is missing in the %s schema', additionalInfo:'email'}",
    );
  });
});
