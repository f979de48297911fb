import { describe, expect, it } from 'vitest';
import { DataException, SchemaBuilder, Schemas, Struct } from '../../../../runtime/connect/api/index.ts';
import { FlattenKey, FlattenValue } from '../../../../runtime/connect/transforms/index.ts';
import { configured, keyRecord, map, struct, valueRecord } from './helpers.ts';

const SUPPORTED = SchemaBuilder.struct()
  .field('int8', Schemas.INT8)
  .field('int16', Schemas.INT16)
  .field('int32', Schemas.INT32)
  .field('int64', Schemas.INT64)
  .field('float32', Schemas.FLOAT32)
  .field('float64', Schemas.FLOAT64)
  .field('boolean', Schemas.BOOLEAN)
  .field('string', Schemas.STRING)
  .field('bytes', Schemas.BYTES)
  .build();
const BYTES = new TextEncoder().encode('bytes');
const VALUES = { int8: 8, int16: 16, int32: 32, int64: 64, float32: 32, float64: 64, boolean: true, string: 'stringy', bytes: BYTES };

describe('Flatten', () => {
  it('requires a struct (with schema) or a map (without)', () => {
    const xform = configured(new FlattenValue(), {});
    expect(() => xform.apply(valueRecord(Schemas.INT32, 42))).toThrow(DataException);
    expect(() => xform.apply(valueRecord(null, 42))).toThrow(/Only Map objects supported in absence of schema for \[flattening\], found: number/);
  });

  it('flattens nested structs with the default delimiter', () => {
    const one = SchemaBuilder.struct().field('B', SUPPORTED).build();
    const two = SchemaBuilder.struct().field('A', one).build();
    const value = struct(two, { A: struct(one, { B: struct(SUPPORTED, VALUES) }) });
    const out = configured(new FlattenValue(), {}).apply(valueRecord(two, value));
    const flat = out.value as Struct;
    expect(flat.schema.fields().map((f) => f.name)).toEqual(Object.keys(VALUES).map((k) => `A.B.${k}`));
    for (const [k, v] of Object.entries(VALUES)) expect(flat.get(`A.B.${k}`)).toEqual(v);
  });

  it('flattens nested maps with a custom delimiter', () => {
    const out = configured(new FlattenValue(), { delimiter: '#' }).apply(valueRecord(null, map({ A: map({ B: map(VALUES) }) })));
    expect(out.valueSchema).toBeNull();
    expect(out.value).toEqual(new Map(Object.entries(VALUES).map(([k, v]) => [`A#B#${k}`, v])));
  });

  it('handles optional fields and optional nested structs', () => {
    const inner = SchemaBuilder.struct().field('opt_int32', Schemas.OPTIONAL_INT32).build();
    const outer = SchemaBuilder.struct().field('B', inner).build();
    const xform = configured(new FlattenValue(), {});
    const out = xform.apply(valueRecord(outer, struct(outer, { B: struct(inner, { opt_int32: null }) })));
    expect((out.value as Struct).get('B.opt_int32')).toBeNull();

    const optionalInner = SchemaBuilder.struct().field('opt_int32', Schemas.OPTIONAL_INT32).optional().build();
    const tombstone = xform.apply(valueRecord(optionalInner, null));
    expect(tombstone.valueSchema!.type).toBe('STRUCT');
    expect(tombstone.value).toBeNull();

    const withOptional = SchemaBuilder.struct().field('B', optionalInner).build();
    const nullNested = xform.apply(valueRecord(withOptional, struct(withOptional, { B: null })));
    expect((nullNested.value as Struct).get('B.opt_int32')).toBeNull();
  });

  it('flattens maps with null fields and keys', () => {
    const value = map({ firstNull: null, firstNonNull: 'nonNull', secondNull: null, secondNonNull: 'alsoNonNull', thirdNonNull: null });
    expect(configured(new FlattenValue(), {}).apply(valueRecord(null, value)).value).toEqual(value);
    const key = configured(new FlattenKey(), {}).apply(keyRecord(null, map({ A: map({ B: 12 }) })));
    expect(key.key).toEqual(map({ 'A.B': 12 }));
  });

  it('leaves arrays alone', () => {
    const value = map({ list: [map({ nested: 1 })] });
    expect(configured(new FlattenValue(), {}).apply(valueRecord(null, value)).value).toEqual(value);
    const nested = SchemaBuilder.struct().field('lfg', Schemas.STRING).build();
    const inner = SchemaBuilder.struct().field('baz', nested).build();
    const schema = SchemaBuilder.struct().field('foo', SchemaBuilder.array(inner).doc('durk').build()).build();
    const v = struct(schema, { foo: [struct(inner, { baz: struct(nested, { lfg: 'lfg' }) })] });
    const out = configured(new FlattenValue(), {}).apply(valueRecord(schema, v));
    expect(out.valueSchema!.equals(schema)).toBe(true);
    expect((out.value as Struct).equals(v)).toBe(true);
  });

  it('makes children of an optional struct optional and takes defaults from the parent', () => {
    const plain = SchemaBuilder.struct()
      .optional()
      .field('req_field', Schemas.STRING)
      .field('opt_field', SchemaBuilder.string().optional().defaultValue('child_default').build())
      .build();
    const schema = SchemaBuilder.struct()
      .optional()
      .field('req_field', Schemas.STRING)
      .field('opt_field', SchemaBuilder.string().optional().defaultValue('child_default').build())
      .defaultValue(struct(plain, { req_field: 'req_default' }))
      .build();
    const out = configured(new FlattenValue(), {}).apply(valueRecord(schema, new Struct(schema)));
    const s = out.valueSchema!;
    expect(s.fields()).toHaveLength(2);
    expect(s.field('req_field')!.schema.equals(SchemaBuilder.string().optional().defaultValue('req_default').build())).toBe(true);
    expect(s.field('opt_field')!.schema.equals(SchemaBuilder.string().optional().defaultValue('child_default').build())).toBe(true);
  });

  it('passes tombstones through', () => {
    const xform = configured(new FlattenValue(), {});
    const schemaless = valueRecord(null, null);
    expect(xform.apply(schemaless)).toBe(schemaless);
    const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').field('magic', Schemas.OPTIONAL_INT64).build();
    const withSchema = valueRecord(schema, null);
    expect(xform.apply(withSchema).valueSchema).toBe(schema);
  });

  it('refuses map fields in structs and structs in maps', () => {
    const schema = SchemaBuilder.struct().field('m', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build()).build();
    expect(() => configured(new FlattenValue(), {}).apply(valueRecord(schema, struct(schema, { m: new Map() })))).toThrow(
      /does not support MAP for record with schemas \(for field m\)/,
    );
    const inner = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    expect(() => configured(new FlattenValue(), {}).apply(valueRecord(null, map({ s: struct(inner, { a: 1 }) })))).toThrow(/does not support Struct/);
  });

  it('caches the flattened schema', () => {
    const inner = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const outer = SchemaBuilder.struct().field('x', inner).build();
    const xform = configured(new FlattenValue(), {});
    const a = xform.apply(valueRecord(outer, struct(outer, { x: struct(inner, { a: 1 }) })));
    const b = xform.apply(valueRecord(outer, struct(outer, { x: struct(inner, { a: 2 }) })));
    expect(b.valueSchema).toBe(a.valueSchema);
  });
});
