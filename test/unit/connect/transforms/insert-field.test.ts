import { describe, expect, it } from 'vitest';
import { DataException, LogicalTimestamp, SchemaBuilder, Schemas, Struct } from '../../../../runtime/connect/api/index.ts';
import { InsertFieldKey, InsertFieldValue } from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { configured, keyRecord, map, sinkRecord, struct, valueRecord } from './helpers.ts';

const ALL = {
  'topic.field': 'topic_field!',
  'partition.field': 'partition_field',
  'timestamp.field': 'timestamp_field?',
  'static.field': 'instance_id',
  'static.value': 'my-instance-id',
};

describe('InsertField', () => {
  it('requires a struct when there is a schema', () => {
    const xform = configured(new InsertFieldValue(), { 'topic.field': 'topic_field' });
    expect(() => xform.apply(valueRecord(Schemas.INT32, 42))).toThrow(DataException);
  });

  it('copies the schema basics and inserts the configured fields with their optionality', () => {
    const xform = configured(new InsertFieldValue(), ALL);
    const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').field('magic', Schemas.OPTIONAL_INT64).build();
    const out = xform.apply(valueRecord(schema, struct(schema, { magic: 42 }), { timestamp: 789 }));
    const s = out.valueSchema!;
    expect([s.name, s.version, s.doc]).toEqual(['name', 1, 'doc']);
    expect(s.field('magic')!.schema.equals(Schemas.OPTIONAL_INT64)).toBe(true);
    expect(s.field('topic_field')!.schema.equals(Schemas.STRING)).toBe(true);
    expect(s.field('partition_field')!.schema.equals(Schemas.OPTIONAL_INT32)).toBe(true);
    expect(s.field('timestamp_field')!.schema.equals(LogicalTimestamp.builder().optional().build())).toBe(true);
    expect(s.field('instance_id')!.schema.equals(Schemas.OPTIONAL_STRING)).toBe(true);
    const v = out.value as Struct;
    expect(v.get('magic')).toBe(42);
    expect(v.get('topic_field')).toBe('test');
    expect(v.get('partition_field')).toBe(0);
    expect((v.get('timestamp_field') as Date).getTime()).toBe(789);
    expect(v.get('instance_id')).toBe('my-instance-id');

    // The updated schema is cached per input schema.
    const again = xform.apply(valueRecord(schema, new Struct(schema), { kafkaPartition: 1 }));
    expect(again.valueSchema).toBe(out.valueSchema);
  });

  it('finds the cached schema for a structurally equal input schema', () => {
    const xform = configured(new InsertFieldValue(), { 'topic.field': 't' });
    const build = () => SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const first = xform.apply(valueRecord(build(), struct(build(), { a: 1 })));
    const a2 = build();
    const second = xform.apply(valueRecord(a2, struct(a2, { a: 2 })));
    expect(second.valueSchema).toBe(first.valueSchema);
  });

  it('inserts into schemaless maps', () => {
    const xform = configured(new InsertFieldValue(), ALL);
    const out = xform.apply(valueRecord(null, map({ magic: 42 }), { timestamp: 123 }));
    expect(out.value).toEqual(map({ magic: 42, topic_field: 'test', partition_field: 0, timestamp_field: 123, instance_id: 'my-instance-id' }));
  });

  it('leaves tombstones unchanged, with or without schema', () => {
    const xform = configured(new InsertFieldValue(), ALL);
    const schemaless = valueRecord(null, null);
    expect(xform.apply(schemaless)).toBe(schemaless);
    const schema = SchemaBuilder.struct().field('magic', Schemas.OPTIONAL_INT64).build();
    const out = xform.apply(valueRecord(schema, null));
    expect(out.value).toBeNull();
    expect(out.valueSchema).toBe(schema);
  });

  it('inserts into the key and skips a missing timestamp; a null key is left alone', () => {
    const xform = configured(new InsertFieldKey(), ALL);
    const out = xform.apply(keyRecord(null, map({ magic: 42 })));
    expect(out.key).toEqual(map({ magic: 42, topic_field: 'test', partition_field: 0, instance_id: 'my-instance-id' }));
    expect(out.value).toBeNull();
    const nullKey = valueRecord(null, map({ magic: 42 }));
    expect(xform.apply(nullKey)).toBe(nullKey);
  });

  it('inserts the offset of sink records and refuses it for source records', () => {
    const xform = configured(new InsertFieldValue(), { 'offset.field': 'offset!' });
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const out = xform.apply(sinkRecord({ kafkaOffset: 77, valueSchema: schema, value: struct(schema, { a: 1 }) }));
    expect(out.valueSchema!.field('offset')!.schema.equals(Schemas.INT64)).toBe(true);
    expect((out.value as Struct).get('offset')).toBe(77);
    expect(() => xform.apply(valueRecord(null, map({ a: 1 })))).toThrow(/Only SinkRecord supported for \[field insertion\]/);
  });

  it.each([
    [false, null],
    [true, 42],
  ])('replace.null.with.default=%s gives %s for an unset optional field with a default', (replace, expected) => {
    const xform = configured(new InsertFieldValue(), { ...ALL, 'replace.null.with.default': replace });
    const magic = SchemaBuilder.int64().optional().defaultValue(42).build();
    const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').field('magic_with_default', magic).build();
    const out = xform.apply(valueRecord(schema, struct(schema, { magic_with_default: null }), { timestamp: 789 }));
    expect(out.valueSchema!.field('magic_with_default')!.schema).toBe(magic);
    expect((out.value as Struct).getWithoutDefault('magic_with_default')).toBe(expected);
  });

  it('rejects a config without any field and a static field without value', () => {
    expect(() => configured(new InsertFieldValue(), {})).toThrow(/No field insertion configured/);
    const err = (() => {
      try {
        configured(new InsertFieldValue(), { 'static.field': 'x' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toContain('No value specified for static field: x');
    expect(err!.context.key).toBe('static.value');
  });

  it('names the full key in errors once the chain gives it its prefix', () => {
    const xform = new InsertFieldValue();
    xform.setConfigKeyPrefix('transforms.ins.');
    expect(() => xform.configure({ 'static.field': 'x', 'replace.null.with.default': 'maybe' })).toThrow(/transforms\.ins\.replace\.null\.with\.default/);
    expect(() => xform.configure({ 'static.field': 'x' })).toThrow(/configuration transforms\.ins\.static\.value/);
  });

  it('reports its Kafka class name and config', () => {
    expect(new InsertFieldKey().className).toBe('org.apache.kafka.connect.transforms.InsertField$Key');
    expect(new InsertFieldValue().className).toBe('org.apache.kafka.connect.transforms.InsertField$Value');
    expect(new InsertFieldValue().config().names()).toEqual([
      'topic.field',
      'partition.field',
      'offset.field',
      'timestamp.field',
      'static.field',
      'static.value',
      'replace.null.with.default',
    ]);
  });
});
