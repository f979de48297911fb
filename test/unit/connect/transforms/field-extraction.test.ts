import { describe, expect, it } from 'vitest';
import type { Struct } from '../../../../runtime/connect/api/index.ts';
import { DataException, SchemaBuilder, Schemas } from '../../../../runtime/connect/api/index.ts';
import {
  ExtractFieldKey,
  ExtractFieldValue,
  HoistFieldKey,
  HoistFieldValue,
  SingleFieldPath,
  ValueToKey,
} from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { configured, keyRecord, map, sinkRecord, struct, valueRecord } from './helpers.ts';

describe('SingleFieldPath', () => {
  const v2 = (path: string) => new SingleFieldPath(path, 'V2').steps;

  it('keeps V1 paths whole', () => {
    for (const path of ['foo.bar.baz', 'foo`bar`', 'foo.`bar.baz`']) expect(new SingleFieldPath(path, 'V1').steps).toEqual([path]);
  });

  it('splits V2 paths on dots, with empty names and backtick-wrapped names', () => {
    expect(v2('..')).toEqual(['', '', '']);
    expect(v2('foo..')).toEqual(['foo', '', '']);
    expect(v2('.bar.')).toEqual(['', 'bar', '']);
    expect(v2('')).toEqual([]);
    expect(v2('foobarbaz')).toEqual(['foobarbaz']);
    expect(v2('foo.bar.baz')).toEqual(['foo', 'bar', 'baz']);
    expect(v2('foo`bar`baz')).toEqual(['foo`bar`baz']);
    expect(v2('`foo.bar.baz`')).toEqual(['foo.bar.baz']);
    expect(v2('foo.`bar.baz`')).toEqual(['foo', 'bar.baz']);
    expect(v2('`foo.bar`.baz')).toEqual(['foo.bar', 'baz']);
    expect(v2('foo.`bar`.baz')).toEqual(['foo', 'bar', 'baz']);
  });

  it('keeps backticks that do not wrap, and unescapes escaped ones', () => {
    expect(v2('foo.``bar.baz`')).toEqual(['foo', '`bar.baz']);
    expect(v2('foo.`bar.baz``')).toEqual(['foo', 'bar.baz`']);
    expect(v2('foo.`ba`r.baz`')).toEqual(['foo', 'ba`r.baz']);
    expect(v2('foo.ba`r.baz')).toEqual(['foo', 'ba`r', 'baz']);
    expect(v2('foo.``bar``.baz')).toEqual(['foo', '`bar`', 'baz']);
    expect(v2('``foo.bar.baz``')).toEqual(['`foo.bar.baz`']);
    expect(v2('foo.`bar\\`.baz`')).toEqual(['foo', 'bar`.baz']);
    expect(v2('foo.`bar.`baz`')).toEqual(['foo', 'bar.`baz']);
    expect(v2('foo.`bar\\`.`baz`')).toEqual(['foo', 'bar`.`baz']);
    expect(v2('foo.`bar\\\\`.\\`baz`')).toEqual(['foo', 'bar\\`.\\`baz']);
  });

  it('fails on an unbalanced backtick, saying where', () => {
    expect(() => v2('`foo.bar.baz')).toThrow(
      'Incomplete backtick pair in path: [`foo.bar.baz], consider adding a backslash before backtick at position 0 to escape it',
    );
    expect(() => v2('foo.`bar.baz')).toThrow(/at position 4/);
    expect(() => v2('foo.bar.`baz')).toThrow(/at position 8/);
    expect(() => v2('foo.bar.`baz\\`')).toThrow(/at position 8/);
  });
});

describe('ExtractField', () => {
  it('extracts from schemaless maps, also nested with V2', () => {
    const flat = configured(new ExtractFieldKey(), { field: 'magic' });
    const out = flat.apply(keyRecord(null, map({ magic: 42 })));
    expect(out.keySchema).toBeNull();
    expect(out.key).toBe(42);
    const nested = configured(new ExtractFieldKey(), { field: 'magic.foo', 'field.syntax.version': 'v2' });
    expect(nested.apply(keyRecord(null, map({ magic: map({ foo: 42 }) }))).key).toBe(42);
    expect(nested.apply(keyRecord(null, map({ magic: null }))).key).toBeNull();
    expect(flat.apply(keyRecord(null, null)).key).toBeNull();
    expect(flat.apply(keyRecord(null, map({ other: 1 }))).key).toBeNull();
  });

  it('extracts from structs with the field schema, also nested with V2', () => {
    const schema = SchemaBuilder.struct().field('magic', Schemas.INT32).build();
    const out = configured(new ExtractFieldKey(), { field: 'magic' }).apply(keyRecord(schema, struct(schema, { magic: 42 })));
    expect(out.keySchema).toBe(Schemas.INT32);
    expect(out.key).toBe(42);

    const foo = SchemaBuilder.struct().field('foo', Schemas.INT32).build();
    const outer = SchemaBuilder.struct().field('magic', foo).build();
    const nested = configured(new ExtractFieldKey(), { field: 'magic.foo', 'field.syntax.version': 'V2' });
    const n = nested.apply(keyRecord(outer, struct(outer, { magic: struct(foo, { foo: 42 }) })));
    expect(n.keySchema).toBe(Schemas.INT32);
    expect(n.key).toBe(42);
    const tombstone = nested.apply(keyRecord(outer, null));
    expect(tombstone.keySchema).toBe(Schemas.INT32);
    expect(tombstone.key).toBeNull();
  });

  it('fails on a field the schema does not have, naming the path', () => {
    const schema = SchemaBuilder.struct().field('magic', Schemas.INT32).build();
    expect(() => configured(new ExtractFieldKey(), { field: 'nonexistent' }).apply(keyRecord(schema, struct(schema, { magic: 42 })))).toThrow(
      'Unknown field: nonexistent',
    );
    const foo = SchemaBuilder.struct().field('foo', Schemas.INT32).build();
    const outer = SchemaBuilder.struct().field('magic', foo).build();
    const xform = configured(new ExtractFieldKey(), { field: 'magic.nonexistent', 'field.syntax.version': 'V2' });
    expect(() => xform.apply(keyRecord(outer, struct(outer, { magic: struct(foo, { foo: 42 }) })))).toThrow('Unknown field: magic.nonexistent');
  });

  it.each([
    [false, null],
    [true, 42],
  ])('replace.null.with.default=%s extracts %s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('optional_with_default', SchemaBuilder.int32().optional().defaultValue(42).build()).build();
    const xform = configured(new ExtractFieldValue(), { field: 'optional_with_default', 'replace.null.with.default': replace });
    expect(xform.apply(valueRecord(schema, struct(schema, { optional_with_default: null }))).value).toBe(expected);
  });

  it('validates field and field.syntax.version', () => {
    expect(() => configured(new ExtractFieldValue(), {})).toThrow(/Missing required configuration "field"/);
    expect(() => configured(new ExtractFieldValue(), { field: 'a', 'field.syntax.version': 'V3' })).toThrow(/field\.syntax\.version/);
    expect(() => configured(new ExtractFieldValue(), { field: '`a.b', 'field.syntax.version': 'V2' })).toThrow(ConfigError);
    expect(() => configured(new ExtractFieldValue(), { field: '`a.b', 'field.syntax.version': 'V2' })).toThrow(/configuration field: Incomplete backtick pair/);
  });
});

describe('HoistField', () => {
  it('wraps a schemaless key in a map', () => {
    const out = configured(new HoistFieldKey(), { field: 'magic' }).apply(keyRecord(null, 42));
    expect(out.keySchema).toBeNull();
    expect(out.key).toEqual(map({ magic: 42 }));
  });

  it('wraps a value with a schema in a one-field struct, caching the schema', () => {
    const xform = configured(new HoistFieldValue(), { field: 'magic' });
    const out = xform.apply(valueRecord(Schemas.INT32, 42));
    expect(out.valueSchema!.fields().map((f) => [f.name, f.schema])).toEqual([['magic', Schemas.INT32]]);
    expect((out.value as Struct).get('magic')).toBe(42);
    expect(xform.apply(valueRecord(Schemas.INT32, 43)).valueSchema).toBe(out.valueSchema);
  });

  it('wraps a null value with an optional schema', () => {
    const out = configured(new HoistFieldValue(), { field: 'magic' }).apply(valueRecord(Schemas.OPTIONAL_INT32, null));
    expect((out.value as Struct).get('magic')).toBeNull();
  });
});

describe('ValueToKey', () => {
  it('builds a schemaless key from value fields', () => {
    const xform = configured(new ValueToKey(), { fields: 'a,b' });
    const value = map({ a: 1, b: 2, c: 3 });
    const out = xform.apply(sinkRecord({ value }));
    expect(out.key).toEqual(map({ a: 1, b: 2 }));
    expect(out.keySchema).toBeNull();
    expect(out.value).toBe(value);
  });

  it('builds a struct key from struct value fields', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).field('b', Schemas.INT32).field('c', Schemas.INT32).build();
    const out = configured(new ValueToKey(), { fields: 'a,b' }).apply(sinkRecord({ valueSchema: schema, value: struct(schema, { a: 1, b: 2, c: 3 }) }));
    expect(out.keySchema!.fields().map((f) => f.name)).toEqual(['a', 'b']);
    expect((out.key as Struct).get('a')).toBe(1);
    expect((out.key as Struct).get('b')).toBe(2);
  });

  it('fails for a field the value schema lacks', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const xform = configured(new ValueToKey(), { fields: 'not_exist' });
    const apply = () => xform.apply(sinkRecord({ valueSchema: schema, value: struct(schema, { a: 1 }) }));
    expect(apply).toThrow(DataException);
    expect(apply).toThrow('Field does not exist: not_exist');
  });

  it.each([
    [false, null],
    [true, 42],
  ])('replace.null.with.default=%s copies %s', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('optional_with_default', SchemaBuilder.int32().optional().defaultValue(42).build()).build();
    const xform = configured(new ValueToKey(), { fields: 'optional_with_default', 'replace.null.with.default': replace });
    const out = xform.apply(sinkRecord({ valueSchema: schema, value: struct(schema, { optional_with_default: null }) }));
    expect((out.key as Struct).getWithoutDefault('optional_with_default')).toBe(expected);
  });

  it('requires a non-empty fields list', () => {
    expect(() => configured(new ValueToKey(), { fields: '' })).toThrow(/Invalid value \[\] for configuration fields: Empty list/);
  });
});
