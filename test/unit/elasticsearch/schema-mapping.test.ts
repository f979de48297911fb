import { describe, expect, it } from 'vitest';
import { BigDecimal, LogicalDate, LogicalDecimal, LogicalTimestamp, SchemaBuilder, Schemas } from '../../../runtime/connect/api/index.ts';
import { mappingForSchema } from '../../../connectors/elasticsearch/schema-mapping.ts';

describe('mappings from Connect schemas', () => {
  it('maps every type as the documents are written', () => {
    const schema = SchemaBuilder.struct()
      .field('b', Schemas.BOOLEAN)
      .field('i8', Schemas.INT8)
      .field('i16', Schemas.INT16)
      .field('i32', SchemaBuilder.int32().defaultValue(5).build())
      .field('i64', Schemas.INT64)
      .field('f32', Schemas.FLOAT32)
      .field('f64', Schemas.FLOAT64)
      .field('s', SchemaBuilder.string().defaultValue('x').build())
      .field('bytes', Schemas.BYTES)
      .field('price', LogicalDecimal.builder(2).defaultValue(new BigDecimal(150n, 2)).build())
      .field('day', LogicalDate.SCHEMA)
      .field('at', LogicalTimestamp.builder().defaultValue(new Date(1000)).build())
      .field('tags', SchemaBuilder.array(Schemas.STRING).build())
      .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build())
      .field('codes', SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build())
      .field('inner', SchemaBuilder.struct().field('x', Schemas.INT32).build())
      .build();
    const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
    expect(mappingForSchema(schema, true)).toEqual({
      properties: {
        b: { type: 'boolean' },
        i8: { type: 'byte' },
        i16: { type: 'short' },
        i32: { type: 'integer', null_value: 5 },
        i64: { type: 'long' },
        f32: { type: 'float' },
        f64: { type: 'double' },
        s: text,
        bytes: { type: 'binary' },
        price: { type: 'double', null_value: 1.5 },
        day: { type: 'date' },
        at: { type: 'date', null_value: 1000 },
        tags: text,
        attrs: { type: 'object' },
        codes: { properties: { key: { type: 'integer' }, value: text } },
        inner: { properties: { x: { type: 'integer' } } },
      },
    });
    expect((mappingForSchema(schema, false)!.properties.attrs as object)).toEqual({ properties: { key: text, value: { type: 'integer' } } });
  });

  it('gives no mapping for values that are not structs', () => {
    expect(mappingForSchema(null, true)).toBeNull();
    expect(mappingForSchema(Schemas.STRING, true)).toBeNull();
  });
});
