import { describe, expect, it } from 'vitest';
import {
  BigDecimal,
  DataException,
  LogicalDate,
  LogicalDecimal,
  LogicalTime,
  LogicalTimestamp,
  SchemaBuilder,
  SchemaBuilderException,
  Schemas,
  Struct,
  validateValue,
  valuesEqual,
} from '../../../../runtime/connect/api/index.ts';
import type { Schema } from '../../../../runtime/connect/api/index.ts';
import { hasCode } from '../../../../runtime/util/errors.ts';

const address = SchemaBuilder.struct().name('com.example.Address').field('street', Schemas.STRING).field('zip', Schemas.INT32).build();
const person = SchemaBuilder.struct()
  .name('com.example.Person')
  .version(2)
  .field('name', Schemas.STRING)
  .field('age', SchemaBuilder.int8().optional().build())
  .field('nickname', SchemaBuilder.string().defaultValue('none').build())
  .field('tags', SchemaBuilder.array(Schemas.STRING).optional().build())
  .field('scores', SchemaBuilder.map(Schemas.STRING, Schemas.FLOAT64).optional().build())
  .field('address', SchemaBuilder.struct().name('com.example.Address').field('street', Schemas.STRING).field('zip', Schemas.INT32).optional().build())
  .build();

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('SchemaBuilder', () => {
  it('builds schemas with metadata and compares them structurally', () => {
    const a = SchemaBuilder.int32().name('n').version(1).doc('d').parameter('p', 'v').optional().build();
    const b = SchemaBuilder.int32().name('n').version(1).doc('d').parameters({ p: 'v' }).optional().build();
    expect(a.equals(b)).toBe(true);
    expect(a.equals(SchemaBuilder.int32().name('n').version(2).doc('d').parameter('p', 'v').optional().build())).toBe(false);
    expect(a.toString()).toBe('Schema{n:INT32}');
    expect(Schemas.STRING.toString()).toBe('Schema{STRING}');
    expect(a.parameters).toEqual({ p: 'v' });
    expect(Object.isFrozen(a.parameters)).toBe(true);
  });

  it('refuses to set a property twice to different values', () => {
    expect(() => SchemaBuilder.string().name('a').name('b')).toThrow('Invalid SchemaBuilder call: name has already been set.');
    expect(() => SchemaBuilder.string().optional().required()).toThrow(SchemaBuilderException);
    expect(() => SchemaBuilder.string().name('a').name('a')).not.toThrow();
  });

  it('validates defaults against the schema', () => {
    expect(() => SchemaBuilder.int8().defaultValue(1000)).toThrow(/Invalid default value: .*1000 is out of range \[-128, 127\]/);
    expect(() => SchemaBuilder.string().defaultValue(5)).toThrow(SchemaBuilderException);
    expect(SchemaBuilder.int64().defaultValue(2n ** 62n).build().defaultValue).toBe(2n ** 62n);
  });

  it('rejects fields on non-structs and duplicate field names', () => {
    expect(() => SchemaBuilder.string().field('a', Schemas.STRING)).toThrow('Cannot create fields on type STRING');
    expect(() => SchemaBuilder.struct().field('a', Schemas.STRING).field('a', Schemas.INT32)).toThrow('field name duplication a');
  });

  it('gives DataException for accessors that do not apply to the type', () => {
    expect(() => Schemas.STRING.fields()).toThrow('Cannot list fields on non-struct type');
    expect(() => Schemas.STRING.keySchema()).toThrow(DataException);
    expect(() => Schemas.STRING.valueSchema()).toThrow(DataException);
    expect(person.field('nope')).toBeNull();
    expect(person.field('age')?.index).toBe(1);
  });

  it('copies a schema with SchemaBuilder.from', () => {
    const copy = SchemaBuilder.from(person).build();
    expect(copy.equals(person)).toBe(true);
    expect(copy).not.toBe(person);
  });
});

describe('validateValue (ConnectSchema.validateValue semantics)', () => {
  it('accepts the JavaScript type of each schema type', () => {
    const ok: Array<[Schema, unknown]> = [
      [Schemas.INT8, -128],
      [Schemas.INT16, 32767],
      [Schemas.INT32, -2147483648],
      [Schemas.INT64, Number.MAX_SAFE_INTEGER],
      [Schemas.INT64, -(2n ** 63n)],
      [Schemas.FLOAT32, 1.5],
      [Schemas.FLOAT64, NaN],
      [Schemas.BOOLEAN, false],
      [Schemas.STRING, ''],
      [Schemas.BYTES, new Uint8Array([1])],
      [Schemas.BYTES, Buffer.from('x')],
      [SchemaBuilder.array(Schemas.INT32).build(), [1, 2]],
      [SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build(), new Map([[1, 'a']])],
      [LogicalDecimal.schema(2), new BigDecimal(150n, 2)],
      [LogicalDate.SCHEMA, new Date(0)],
      [Schemas.OPTIONAL_STRING, null],
    ];
    for (const [schema, value] of ok) expect(() => validateValue(schema, value)).not.toThrow();
  });

  it('rejects wrong types and out-of-range numbers, naming the type and value', () => {
    expect(thrown(() => validateValue(Schemas.INT32, '5')).message).toBe('Invalid value for schema with type INT32: string "5" for value');
    expect(thrown(() => validateValue(Schemas.INT8, 128)).message).toContain('128 is out of range [-128, 127]');
    expect(thrown(() => validateValue(Schemas.INT32, 1.5)).message).toContain('number 1.5');
    expect(thrown(() => validateValue(Schemas.INT64, 2 ** 60)).message).toContain('is not a safe integer (use a bigint)');
    expect(thrown(() => validateValue(Schemas.INT64, 2n ** 63n)).message).toContain('out of the 64-bit range');
    expect(thrown(() => validateValue(Schemas.STRING, null)).message).toBe('Invalid value: null used for required value, schema type: STRING');
    expect(thrown(() => validateValue(Schemas.BYTES, [1, 2])).message).toContain('with type BYTES');
    expect(thrown(() => validateValue(SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build(), { a: 'b' })).message).toContain('with type MAP');
    expect(thrown(() => validateValue(LogicalDecimal.schema(2), 1.5)).message).toContain('"org.apache.kafka.connect.data.Decimal" with type BYTES: expected a BigDecimal');
    expect(thrown(() => validateValue(LogicalTimestamp.SCHEMA, new Date(NaN))).message).toContain('expected a valid Date');
  });

  it('checks array elements and map entries with their position', () => {
    const arr = SchemaBuilder.array(Schemas.INT32).build();
    expect(thrown(() => validateValue(arr, [1, 'two'], 'numbers')).message).toContain('for field: "numbers[1]"');
    const map = SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build();
    expect(thrown(() => validateValue(map, new Map([['a', 1], ['b', null]]), 'm')).message).toContain('null used for required field: "m["b"]"');
  });
});

describe('Struct', () => {
  const addressField = person.field('address')!.schema;
  const addr = () => new Struct(addressField).put('street', 'Main St').put('zip', 12345);

  it('puts and gets values, with defaults for unset fields', () => {
    const p = new Struct(person).put('name', 'Ann').put('tags', ['a']).put('address', addr());
    expect(p.get('name')).toBe('Ann');
    expect(p.getString('name')).toBe('Ann');
    expect(p.get('nickname')).toBe('none');
    expect(p.getWithoutDefault('nickname')).toBeNull();
    expect(p.getInt8('age')).toBeNull();
    expect(p.getArray<string>('tags')).toEqual(['a']);
    expect(p.getStruct('address')?.getInt32('zip')).toBe(12345);
    expect(() => p.validate()).not.toThrow();
    expect(p.toString()).toBe('Struct{name=Ann,tags=[a],address=Struct{street=Main St,zip=12345}}');
    p.put('scores', new Map([['x', 1.5]]));
    expect(p.toString()).toContain('scores={x=1.5}');
  });

  it('names the field in validation errors, including nested paths', () => {
    const p = new Struct(person);
    const err = thrown(() => p.put('age', 300));
    expect(err).toBeInstanceOf(DataException);
    expect(err.message).toContain('for field: "age"');
    expect((err as DataException).context.field).toBe('age');
    expect(thrown(() => p.put('unknown', 1)).message).toBe('unknown is not a valid field name (fields: name, age, nickname, tags, scores, address)');
    expect(thrown(() => p.validate()).message).toBe('Invalid value: null used for required field: "name", schema type: STRING');
    const incomplete = new Struct(addressField).put('street', 'x');
    p.put('name', 'Ann');
    expect(thrown(() => p.put('address', incomplete)).message).toBe('Invalid value: null used for required field: "address.zip", schema type: INT32');
    expect(hasCode(thrown(() => p.getInt32('name')), 'CONNECT_DATA')).toBe(true);
  });

  it('rejects a struct of another schema', () => {
    const other = SchemaBuilder.struct().name('com.example.Other').field('street', Schemas.STRING).build();
    expect(thrown(() => new Struct(person).put('address', new Struct(other).put('street', 'x'))).message).toContain('a Struct of another schema');
    expect(() => new Struct(Schemas.STRING)).toThrow('Not a struct schema: Schema{STRING}');
  });

  it('compares by schema and values', () => {
    expect(addr().equals(addr())).toBe(true);
    expect(new Struct(address).put('street', 'a').put('zip', 1).equals(new Struct(addressField).put('street', 'a').put('zip', 1))).toBe(false);
    expect(addr().equals(addr().put('zip', 1))).toBe(false);
    expect(valuesEqual([addr(), new Map([['k', new Uint8Array([1])]])], [addr(), new Map([['k', new Uint8Array([1])]])])).toBe(true);
    expect(valuesEqual(5, 5n)).toBe(true);
    expect(valuesEqual(new Date(1), new Date(2))).toBe(false);
  });
});

describe('BigDecimal (java.math.BigDecimal semantics)', () => {
  // Expected strings and bytes were produced by java.math.BigDecimal / BigInteger.toByteArray.
  const cases: Array<[string, string, string, number, string]> = [
    ['1.50', '1.50', '1.50', 2, '0096'],
    ['1E+3', '1E+3', '1000', -3, '01'],
    ['-0.001', '-0.001', '-0.001', 3, 'ff'],
    ['0.0000001', '1E-7', '0.0000001', 7, '01'],
    ['123456789.123', '123456789.123', '123456789.123', 3, '1cbe991a83'],
    ['-1.5E-10', '-1.5E-10', '-0.00000000015', 11, 'f1'],
    ['0', '0', '0', 0, '00'],
    ['0.00', '0.00', '0.00', 2, '00'],
    ['12E3', '1.2E+4', '12000', -3, '0c'],
    ['-128', '-128', '-128', 0, '80'],
    ['128', '128', '128', 0, '0080'],
    ['255', '255', '255', 0, '00ff'],
    ['-129', '-129', '-129', 0, 'ff7f'],
    ['-32768', '-32768', '-32768', 0, '8000'],
    ['9223372036854775808', '9223372036854775808', '9223372036854775808', 0, '008000000000000000'],
  ];
  it.each(cases)('%s', (input, str, plain, scale, hex) => {
    const d = BigDecimal.parse(input);
    expect(d.toString()).toBe(str);
    expect(d.toPlainString()).toBe(plain);
    expect(d.scale).toBe(scale);
    expect(Buffer.from(d.toBytes()).toString('hex')).toBe(hex);
    expect(BigDecimal.fromBytes(d.toBytes(), scale).equals(d)).toBe(true);
  });

  it('rounds when changing scale', () => {
    expect(BigDecimal.parse('123456789.123').setScale(2, 'HALF_EVEN').toString()).toBe('123456789.12');
    expect(BigDecimal.parse('-1.5E-10').setScale(10, 'HALF_EVEN').toString()).toBe('-2E-10');
    expect(BigDecimal.parse('2.5').setScale(0, 'HALF_EVEN').toString()).toBe('2');
    expect(BigDecimal.parse('2.5').setScale(0, 'HALF_UP').toString()).toBe('3');
    expect(BigDecimal.parse('-2.5').setScale(0, 'FLOOR').toString()).toBe('-3');
    expect(BigDecimal.parse('-2.5').setScale(0, 'CEILING').toString()).toBe('-2');
    expect(BigDecimal.parse('1.5').setScale(3).toString()).toBe('1.500');
    expect(() => BigDecimal.parse('1.55').setScale(1)).toThrow(/Rounding necessary/);
  });

  it('compares numerically but equals by scale, like Java', () => {
    expect(BigDecimal.parse('1.5').compareTo(BigDecimal.parse('1.50'))).toBe(0);
    expect(BigDecimal.parse('1.5').equals(BigDecimal.parse('1.50'))).toBe(false);
    expect(BigDecimal.parse('-1').compareTo(BigDecimal.parse('0.5'))).toBe(-1);
    expect(BigDecimal.fromNumber(2).toString()).toBe('2.0');
    expect(BigDecimal.fromNumber(0.1).toString()).toBe('0.1');
    expect(() => BigDecimal.parse('1.2.3')).toThrow(DataException);
    expect(() => BigDecimal.parse('')).toThrow(DataException);
  });
});

describe('logical types', () => {
  it('Decimal: schema with scale, two’s-complement bytes, scale mismatch refused', () => {
    const schema = LogicalDecimal.schema(2);
    expect(schema.name).toBe('org.apache.kafka.connect.data.Decimal');
    expect(schema.version).toBe(1);
    expect(schema.parameters).toEqual({ scale: '2' });
    expect([...LogicalDecimal.fromLogical(schema, new BigDecimal(156n, 2))]).toEqual([0, 156]);
    expect(LogicalDecimal.toLogical(schema, new Uint8Array([0, 156])).toString()).toBe('1.56');
    expect(() => LogicalDecimal.fromLogical(schema, BigDecimal.parse('1.5'))).toThrow(
      'Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1.',
    );
    expect(() => LogicalDecimal.scale(Schemas.BYTES)).toThrow('scale parameter not found');
  });

  it('Date: days since epoch; time fields must be zero', () => {
    expect(LogicalDate.fromLogical(LogicalDate.SCHEMA, new Date(Date.UTC(1997, 4, 13)))).toBe(9994);
    expect(LogicalDate.toLogical(LogicalDate.SCHEMA, 10000).toISOString()).toBe('1997-05-19T00:00:00.000Z');
    expect(LogicalDate.fromLogical(LogicalDate.SCHEMA, new Date(Date.UTC(1969, 11, 31)))).toBe(-1);
    expect(() => LogicalDate.fromLogical(LogicalDate.SCHEMA, new Date(1000))).toThrow('should not have any time fields');
    expect(() => LogicalDate.fromLogical(Schemas.INT32, new Date(0))).toThrow('schema does not match');
  });

  it('Time: milliseconds since midnight on 1970-01-01', () => {
    expect(LogicalTime.fromLogical(LogicalTime.SCHEMA, new Date(14_400_000))).toBe(14_400_000);
    expect(LogicalTime.toLogical(LogicalTime.SCHEMA, 14_400_000).toISOString()).toBe('1970-01-01T04:00:00.000Z');
    expect(() => LogicalTime.fromLogical(LogicalTime.SCHEMA, new Date(Date.UTC(2020, 0, 1)))).toThrow('should not have any date fields');
    expect(() => LogicalTime.toLogical(LogicalTime.SCHEMA, -1)).toThrow(DataException);
  });

  it('Timestamp: milliseconds since the epoch', () => {
    expect(LogicalTimestamp.fromLogical(LogicalTimestamp.SCHEMA, new Date(4_000_000_000))).toBe(4_000_000_000);
    expect(LogicalTimestamp.toLogical(LogicalTimestamp.SCHEMA, 42n).getTime()).toBe(42);
    expect(LogicalTimestamp.SCHEMA.type).toBe('INT64');
  });
});
