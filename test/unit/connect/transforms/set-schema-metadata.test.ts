import { describe, expect, it } from 'vitest';
import type { Struct } from '../../../../runtime/connect/api/index.ts';
import { DataException, SchemaBuilder, Schemas } from '../../../../runtime/connect/api/index.ts';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from '../../../../runtime/connect/transforms/index.ts';
import { configured, keyRecord, sinkRecord, struct } from './helpers.ts';

const record = () => sinkRecord({ valueSchema: SchemaBuilder.struct().build(), value: null });

describe('SetSchemaMetadata', () => {
  it('sets the name, the version or both', () => {
    expect(configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo' }).apply(record()).valueSchema!.name).toBe('foo');
    expect(configured(new SetSchemaMetadataValue(), { 'schema.version': 42 }).apply(record()).valueSchema!.version).toBe(42);
    const both = configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo', 'schema.version': '42' }).apply(record()).valueSchema!;
    expect([both.name, both.version]).toEqual(['foo', 42]);
  });

  it('re-creates a struct value against the renamed schema', () => {
    const schema = SchemaBuilder.struct().name('my.orig.SchemaDefn').field('stringField', Schemas.STRING).field('intField', Schemas.INT32).build();
    const out = configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo', 'schema.version': '42' }).apply(
      sinkRecord({ valueSchema: schema, value: struct(schema, { stringField: 'value', intField: 1 }) }),
    );
    const value = out.value as Struct;
    expect(value.schema).toBe(out.valueSchema);
    expect([out.valueSchema!.name, out.valueSchema!.version]).toEqual(['foo', 42]);
    expect(value.get('stringField')).toBe('value');
    expect(value.get('intField')).toBe(1);
    expect(value.schema.fields().map((f) => [f.name, f.index])).toEqual([
      ['stringField', 0],
      ['intField', 1],
    ]);
  });

  it.each([
    [false, null],
    [true, 'default'],
  ])('replace.null.with.default=%s keeps %s for an unset defaulted field', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('f', SchemaBuilder.string().defaultValue('default').optional().build()).field('i', Schemas.INT32).build();
    const out = configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo', 'replace.null.with.default': replace }).apply(
      sinkRecord({ valueSchema: schema, value: struct(schema, { f: null, i: 1 }) }),
    );
    expect((out.value as Struct).getWithoutDefault('f')).toBe(expected);
  });

  it('keeps other schema types and their values, arrays and maps included', () => {
    const array = SchemaBuilder.array(Schemas.INT32).optional().doc('d').build();
    const values = [1, 2];
    const out = configured(new SetSchemaMetadataKey(), { 'schema.name': 'ints' }).apply(keyRecord(array, values));
    expect(out.key).toBe(values);
    expect(out.keySchema!.valueSchema()).toBe(Schemas.INT32);
    expect([out.keySchema!.name, out.keySchema!.optional, out.keySchema!.doc]).toEqual(['ints', true, 'd']);
  });

  it('requires a schema unless the value is null, and a name or version', () => {
    expect(() => configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo' }).apply(sinkRecord({ value: 'x' }))).toThrow(DataException);
    expect(() => configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo' }).apply(sinkRecord({ value: 'x' }))).toThrow(
      'Schema required for [updating schema metadata]',
    );
    const nullRecord = sinkRecord();
    expect(configured(new SetSchemaMetadataValue(), { 'schema.name': 'foo' }).apply(nullRecord)).toBe(nullRecord);
    expect(() => configured(new SetSchemaMetadataValue(), {})).toThrow(/Neither schema name nor version configured/);
    expect(() => configured(new SetSchemaMetadataValue(), { 'schema.version': 'x' })).toThrow(/configuration schema\.version/);
  });
});
