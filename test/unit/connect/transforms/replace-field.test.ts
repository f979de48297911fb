import { describe, expect, it } from 'vitest';
import type { Struct } from '../../../../runtime/connect/api/index.ts';
import { SchemaBuilder, Schemas } from '../../../../runtime/connect/api/index.ts';
import { ReplaceFieldKey, ReplaceFieldValue } from '../../../../runtime/connect/transforms/index.ts';
import { configured, keyRecord, map, sinkRecord, struct } from './helpers.ts';

const SCHEMA = SchemaBuilder.struct()
  .name('row')
  .field('dont', Schemas.STRING)
  .field('abc', Schemas.INT32)
  .field('foo', Schemas.BOOLEAN)
  .field('etc', Schemas.STRING)
  .build();
const VALUE = struct(SCHEMA, { dont: 'whatever', abc: 42, foo: true, etc: 'etc' });

describe('ReplaceField', () => {
  it('passes tombstones through', () => {
    const xform = configured(new ReplaceFieldValue(), { include: 'abc,foo', renames: 'abc:xyz,foo:bar' });
    const schemaless = xform.apply(sinkRecord());
    expect(schemaless.value).toBeNull();
    expect(schemaless.valueSchema).toBeNull();
    const withSchema = xform.apply(sinkRecord({ valueSchema: SCHEMA }));
    expect(withSchema.value).toBeNull();
    expect(withSchema.valueSchema).toBe(SCHEMA);
  });

  it('excludes and renames schemaless fields', () => {
    const xform = configured(new ReplaceFieldValue(), { exclude: 'dont', renames: 'abc:xyz,foo:bar' });
    const out = xform.apply(sinkRecord({ value: map({ dont: 'whatever', abc: 42, foo: true, etc: 'etc' }) }));
    expect(out.value).toEqual(map({ xyz: 42, bar: true, etc: 'etc' }));
  });

  it('includes and renames struct fields, keeping the schema name', () => {
    const xform = configured(new ReplaceFieldValue(), { include: 'abc,foo', renames: 'abc:xyz,foo:bar' });
    const out = xform.apply(sinkRecord({ valueSchema: SCHEMA, value: VALUE }));
    const v = out.value as Struct;
    expect(v.schema.fields().map((f) => f.name)).toEqual(['xyz', 'bar']);
    expect(v.schema.name).toBe('row');
    expect(v.getInt32('xyz')).toBe(42);
    expect(v.getBoolean('bar')).toBe(true);
  });

  it('lets exclude win over include', () => {
    const xform = configured(new ReplaceFieldValue(), { include: 'abc,foo', exclude: 'foo' });
    expect((xform.apply(sinkRecord({ valueSchema: SCHEMA, value: VALUE })).value as Struct).schema.fields().map((f) => f.name)).toEqual(['abc']);
  });

  it('reads the legacy blacklist/whitelist names unless the current ones are set', () => {
    const legacy = configured(new ReplaceFieldValue(), { blacklist: 'dont,etc' });
    expect(legacy.apply(sinkRecord({ value: map({ dont: 1, abc: 2, etc: 3 }) })).value).toEqual(map({ abc: 2 }));
    const whitelisted = configured(new ReplaceFieldValue(), { whitelist: 'abc' });
    expect(whitelisted.apply(sinkRecord({ value: map({ dont: 1, abc: 2 }) })).value).toEqual(map({ abc: 2 }));
    const both = configured(new ReplaceFieldValue(), { blacklist: 'abc', exclude: 'dont' });
    expect(both.apply(sinkRecord({ value: map({ dont: 1, abc: 2 }) })).value).toEqual(map({ abc: 2 }));
  });

  it.each([
    [false, null],
    [true, 42],
  ])('replace.null.with.default=%s gives %s, on value and key', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('abc', SchemaBuilder.int32().optional().defaultValue(42).build()).build();
    const props = { include: 'abc', renames: 'abc:optional_with_default', 'replace.null.with.default': String(replace) };
    const value = configured(new ReplaceFieldValue(), props).apply(sinkRecord({ valueSchema: schema, value: struct(schema, { abc: null }) }));
    expect((value.value as Struct).getWithoutDefault('optional_with_default')).toBe(expected);
    const key = configured(new ReplaceFieldKey(), props).apply(keyRecord(schema, struct(schema, { abc: null })));
    expect((key.key as Struct).schema.fields()).toHaveLength(1);
    expect((key.key as Struct).getWithoutDefault('optional_with_default')).toBe(expected);
  });

  it('rejects malformed rename mappings, naming the key', () => {
    expect(() => configured(new ReplaceFieldValue(), { renames: 'abc' })).toThrow(/configuration renames: Invalid rename mapping: abc/);
    expect(() => configured(new ReplaceFieldValue(), { renames: 'a:b:c' })).toThrow(/Invalid rename mapping: a:b:c/);
    // Java's split drops trailing empty parts, so "a:b:" is still a pair.
    const trailing = configured(new ReplaceFieldValue(), { renames: 'a:b:' });
    expect(trailing.apply(sinkRecord({ value: map({ a: 1 }) })).value).toEqual(map({ b: 1 }));
  });
});
