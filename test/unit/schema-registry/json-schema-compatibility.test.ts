import { describe, expect, it } from 'vitest';
import { parseJsonSchema, JsonSchemaError, type ParsedJsonSchema } from '../../../schema-registry/core/json-schema/json-schema.ts';
import { compatibleChanges, diffSchemas, javaHashSetOrder } from '../../../schema-registry/core/json-schema/json-schema-diff.ts';
import type { CompatibilityPolicy } from '../../../schema-registry/core/compatibility.ts';

const parse = (schema: object | boolean): ParsedJsonSchema => parseJsonSchema(JSON.stringify(schema), [], false);

/** Incompatible change types when `next` must accept what `old` accepted (BACKWARD). */
function backward(next: object, old: object, policy: CompatibilityPolicy = 'STRICT'): string[] {
  return parse(next)
    .isBackwardCompatible(parse(old), policy)
    .map((m) => /errorType:"([A-Z_]+)"/.exec(m)?.[1] ?? m);
}
/** FORWARD: the old schema must accept what the new one produces. */
const forward = (next: object, old: object, policy: CompatibilityPolicy = 'STRICT') => backward(old, next, policy);

const obj = (properties: object, extra: object = {}) => ({ type: 'object', properties, ...extra });
const closed = (properties: object, extra: object = {}) => obj(properties, { additionalProperties: false, ...extra });

describe('JSON Schema change types (Confluent SchemaDiff), both directions', () => {
  it('adding an optional property to an open model: incompatible under STRICT, fine under LENIENT; forward fine', () => {
    const old = obj({ a: { type: 'string' } });
    const next = obj({ a: { type: 'string' }, b: { type: 'integer' } });
    expect(backward(next, old)).toEqual(['OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL']);
    expect(backward(next, old, 'LENIENT')).toEqual([]);
    expect(forward(next, old)).toEqual([]);
  });

  it('adding a property with the empty schema to an open model is compatible', () => {
    expect(backward(obj({ a: { type: 'string' }, b: {} }), obj({ a: { type: 'string' } }))).toEqual([]);
  });

  it('adding a required property with a default to an open model: LENIENT only', () => {
    const old = obj({ a: { type: 'string' } });
    const next = obj({ a: { type: 'string' }, b: { type: 'integer', default: 0 } }, { required: ['b'] });
    expect(backward(next, old)).toEqual(['REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL']);
    expect(backward(next, old, 'LENIENT')).toEqual([]);
  });

  it('adding a required property without a default is incompatible under both policies', () => {
    const old = obj({ a: { type: 'string' } });
    const next = obj({ a: { type: 'string' }, b: { type: 'integer' } }, { required: ['b'] });
    expect(backward(next, old)).toEqual(['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL']);
    expect(backward(next, old, 'LENIENT')).toEqual(['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL']);
    const oldClosed = closed({ a: { type: 'string' } });
    const nextClosed = closed({ a: { type: 'string' }, b: { type: 'integer' } }, { required: ['b'] });
    expect(backward(nextClosed, oldClosed)).toEqual(['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL']);
  });

  it('adding an optional or defaulted required property to a closed model is backward compatible; forward it was missing', () => {
    const old = closed({ a: { type: 'string' } });
    expect(backward(closed({ a: { type: 'string' }, b: { type: 'integer' } }), old)).toEqual([]);
    expect(backward(closed({ a: { type: 'string' }, b: { type: 'integer', default: 1 } }, { required: ['b'] }), old)).toEqual([]);
    expect(forward(closed({ a: { type: 'string' }, b: { type: 'integer' } }), old)).toEqual(['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL']);
    expect(forward(closed({ a: { type: 'string' }, b: { type: 'integer' } }), old, 'LENIENT')).toEqual([]);
  });

  it('removing a property from an open model is backward compatible; forward the old open model gains it', () => {
    const old = obj({ a: { type: 'string' }, b: { type: 'integer' } });
    const next = obj({ a: { type: 'string' } });
    expect(backward(next, old)).toEqual([]);
    expect(forward(next, old)).toEqual(['OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL']);
  });

  it('removing a property from a closed model is incompatible unless its schema was false', () => {
    expect(backward(closed({ a: { type: 'string' } }), closed({ a: { type: 'string' }, b: { type: 'integer' } }))).toEqual([
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    ]);
    expect(backward(closed({ a: { type: 'string' } }), closed({ a: { type: 'string' }, b: false }))).toEqual([]);
  });

  it('patternProperties: an added property covered by the old pattern is compatible, one not covered is not', () => {
    const old = obj({ a: { type: 'string' } }, { patternProperties: { '^x_': { type: 'string' } } });
    expect(backward(obj({ a: { type: 'string' }, x_b: { type: 'string' } }, { patternProperties: { '^x_': { type: 'string' } } }), old)).toEqual([]);
    expect(backward(obj({ a: { type: 'string' }, y: { type: 'string' } }, { patternProperties: { '^x_': { type: 'string' } } }), old)).toEqual([]);
    expect(backward(obj({ a: { type: 'string' }, x_c: { type: 'integer' } }, { patternProperties: { '^x_': { type: 'string' } } }), old)).toEqual([
      'TYPE_CHANGED',
      'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    ]);
  });

  it('opening a closed model is compatible; closing an open one is not (STRICT) but is under LENIENT', () => {
    const open = obj({ a: { type: 'string' } });
    const shut = closed({ a: { type: 'string' } });
    expect(backward(open, shut)).toEqual([]);
    expect(backward(shut, open)).toEqual(['ADDITIONAL_PROPERTIES_REMOVED']);
    expect(backward(shut, open, 'LENIENT')).toEqual([]);
  });

  it('additionalProperties: a schema that narrows an open model is incompatible, dropping the schema widens', () => {
    const open = obj({ a: { type: 'string' } });
    const narrowed = obj({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } });
    expect(backward(narrowed, open)).toEqual(['ADDITIONAL_PROPERTIES_NARROWED']);
    expect(backward(open, narrowed)).toEqual([]);
  });

  it('making an existing property required is incompatible unless it has a default; dropping required is fine', () => {
    const optional = obj({ a: { type: 'string' } });
    expect(backward(obj({ a: { type: 'string' } }, { required: ['a'] }), optional)).toEqual(['REQUIRED_ATTRIBUTE_ADDED']);
    expect(backward(obj({ a: { type: 'string', default: 'x' } }, { required: ['a'] }), obj({ a: { type: 'string', default: 'x' } }))).toEqual([]);
    expect(backward(optional, obj({ a: { type: 'string' } }, { required: ['a'] }))).toEqual([]);
  });

  it('integer to number extends the type; number to integer narrows it', () => {
    expect(backward({ type: 'number' }, { type: 'integer' })).toEqual([]);
    expect(forward({ type: 'number' }, { type: 'integer' })).toEqual(['TYPE_NARROWED']);
  });

  it('any other type change is TYPE_CHANGED both ways', () => {
    expect(backward({ type: 'integer' }, { type: 'string' })).toEqual(['TYPE_CHANGED']);
    expect(forward({ type: 'integer' }, { type: 'string' })).toEqual(['TYPE_CHANGED']);
  });

  it('enum values added is compatible, removed is not; a changed const is not', () => {
    expect(backward({ enum: ['a', 'b', 'c'] }, { enum: ['a', 'b'] })).toEqual([]);
    expect(forward({ enum: ['a', 'b', 'c'] }, { enum: ['a', 'b'] })).toEqual(['ENUM_ARRAY_NARROWED']);
    expect(backward({ enum: ['a', 'x'] }, { enum: ['a', 'b'] })).toEqual(['ENUM_ARRAY_CHANGED']);
    expect(backward({ const: 2 }, { const: 1 })).toEqual(['ENUM_ARRAY_CHANGED']);
  });

  it('loosening a constraint is compatible, tightening or adding one is not', () => {
    expect(backward({ type: 'string', maxLength: 20 }, { type: 'string', maxLength: 10 })).toEqual([]);
    expect(forward({ type: 'string', maxLength: 20 }, { type: 'string', maxLength: 10 })).toEqual(['MAX_LENGTH_DECREASED']);
    expect(backward({ type: 'string', minLength: 1 }, { type: 'string', minLength: 3 })).toEqual([]);
    expect(backward({ type: 'integer', minimum: 5 }, { type: 'integer', minimum: 0 })).toEqual(['MINIMUM_INCREASED']);
    expect(backward({ type: 'integer', maximum: 5 }, { type: 'integer' })).toEqual(['MAXIMUM_ADDED']);
    expect(backward({ type: 'integer' }, { type: 'integer', maximum: 5 })).toEqual([]);
    expect(backward({ type: 'string', pattern: '^a' }, { type: 'string' })).toEqual(['PATTERN_ADDED']);
    expect(backward({ type: 'string' }, { type: 'string', pattern: '^a' })).toEqual([]);
    expect(backward({ type: 'string', pattern: '^b' }, { type: 'string', pattern: '^a' })).toEqual(['PATTERN_CHANGED']);
    expect(backward({ type: 'number', multipleOf: 2 }, { type: 'number', multipleOf: 4 })).toEqual([]);
    expect(backward({ type: 'number', multipleOf: 4 }, { type: 'number', multipleOf: 2 })).toEqual(['MULTIPLE_OF_EXPANDED']);
    expect(backward({ type: 'number', multipleOf: 0.5 }, { type: 'number', multipleOf: 0.5 })).toEqual([]);
    expect(backward({ type: 'array', items: { type: 'string' }, uniqueItems: true }, { type: 'array', items: { type: 'string' } })).toEqual([
      'UNIQUE_ITEMS_ADDED',
    ]);
  });

  it('oneOf/anyOf: adding a branch is compatible, removing one is not', () => {
    const two = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
    const three = { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }] };
    expect(backward(three, two)).toEqual([]);
    expect(forward(three, two)).toEqual(['SUM_TYPE_NARROWED']);
  });

  it('allOf: removing a branch is compatible, adding one is not', () => {
    const one = { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }] };
    const two = { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { required: ['a'] }] };
    expect(backward(one, two)).toEqual([]);
    expect(backward(two, one)).toContain('PRODUCT_TYPE_EXTENDED');
  });

  it('a type widened to a type list containing it is compatible; the reverse is not', () => {
    expect(backward({ type: ['string', 'null'] }, { type: 'string' })).toEqual([]);
    expect(forward({ type: ['string', 'null'] }, { type: 'string' })).toEqual(['TYPE_CHANGED']);
  });

  it('title, description, $id and default changes are compatible', () => {
    expect(backward({ type: 'string', title: 'b', description: 'y', default: 'n' }, { type: 'string', title: 'a', description: 'x', default: 'm' })).toEqual([]);
  });

  it('array items are compared with their path', () => {
    const old = parse({ type: 'array', items: { type: 'string' } });
    const next = parse({ type: 'array', items: { type: 'integer' } });
    expect(next.isBackwardCompatible(old, 'STRICT')).toEqual([
      "{errorType:\"TYPE_CHANGED\", description:\"A type at path '#/items' is different between the %s schema and the %s schema'}",
    ]);
  });

  it('changes behind $ref definitions are found', () => {
    const old = { type: 'object', properties: { p: { $ref: '#/definitions/P' } }, definitions: { P: { type: 'string' } } };
    const next = { type: 'object', properties: { p: { $ref: '#/definitions/P' } }, definitions: { P: { type: 'integer' } } };
    expect(backward(next, old)).toEqual(['TYPE_CHANGED']);
    expect(backward(old, old)).toEqual([]);
  });

  it('recursive schemas compare without looping', () => {
    const tree = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } } } };
    expect(backward(tree, tree)).toEqual([]);
  });

  it('two schemas marked connect.type bytes count as the same type', () => {
    expect(backward({ type: 'string', 'connect.type': 'bytes' }, { type: 'number', 'connect.type': 'bytes' })).toEqual([]);
  });

  it('LENIENT allows exactly Confluent\'s extra changes', () => {
    const lenientOnly = [...compatibleChanges('LENIENT')].filter((t) => !compatibleChanges('STRICT').has(t));
    expect(lenientOnly.sort()).toEqual(
      [
        'ADDITIONAL_PROPERTIES_NARROWED',
        'ADDITIONAL_PROPERTIES_REMOVED',
        'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
        'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
        'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
        'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
        'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
        'UNEVALUATED_PROPERTIES_NARROWED',
        'UNEVALUATED_PROPERTIES_REMOVED',
      ].sort(),
    );
  });

  it('walks property names in Java HashSet order (the order Confluent reports them in)', () => {
    // "b" (98) and "a" (97) land in buckets 2 and 1 of a 16-slot table.
    expect(javaHashSetOrder(['b', 'a'], ['c'])).toEqual(['a', 'b', 'c']);
    expect(diffSchemas(compatibleChanges('STRICT'), { kind: 'empty', key: '{}' }, { kind: 'empty', key: '{}' })).toEqual([]);
  });
});

describe('JSON Schema validation and canonical form', () => {
  it.each([
    ['http://json-schema.org/draft-04/schema#', { exclusiveMaximum: true, maximum: 5, type: 'number' }],
    ['http://json-schema.org/draft-06/schema#', { type: 'number', exclusiveMaximum: 5 }],
    ['http://json-schema.org/draft-07/schema#', { type: 'string', if: { minLength: 1 }, then: { maxLength: 3 } }],
    ['https://json-schema.org/draft/2019-09/schema', { type: 'object', dependentRequired: { a: ['b'] } }],
    ['https://json-schema.org/draft/2020-12/schema', { type: 'array', prefixItems: [{ type: 'string' }], items: false }],
    ['http://json-schema.org/draft/2020-12/schema#', { type: 'object' }],
  ])('accepts a valid %s schema', ($schema, body) => {
    expect(parse({ $schema, ...body }).draft).toBeDefined();
  });

  it.each([
    ['http://json-schema.org/draft-04/schema#', { type: 'number', exclusiveMaximum: 5 }, '#/exclusiveMaximum'],
    ['http://json-schema.org/draft-07/schema#', { type: 'strnig' }, '#/type'],
    ['https://json-schema.org/draft/2019-09/schema', { type: 'object', required: 'a' }, '#/required'],
    ['https://json-schema.org/draft/2020-12/schema', { minLength: -1 }, '#/minLength'],
  ])('refuses an invalid %s schema naming the keyword', ($schema, body, where) => {
    expect(() => parse({ $schema, ...body })).toThrow(JsonSchemaError);
    expect(() => parse({ $schema, ...body })).toThrow(where);
  });

  it('refuses a dangling $ref and an invalid pattern', () => {
    expect(() => parse({ properties: { a: { $ref: '#/definitions/nope' } } })).toThrow("Unresolved $ref '#/definitions/nope'");
    expect(() => parse({ type: 'string', pattern: '([a-z' })).toThrow('Invalid regular expression');
  });

  it('does not follow $refs in definitions nothing uses (Confluent never loads them)', () => {
    expect(parse({ type: 'string', definitions: { unused: { $ref: '#/definitions/nope' } } }).canonical).toContain('unused');
  });

  it('resolves $ref to a referenced document by its reference name', () => {
    const address = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } });
    const main = JSON.stringify({ type: 'object', properties: { home: { $ref: 'address.json' } } });
    expect(parseJsonSchema(main, [{ name: 'address.json', text: address }], false).canonical).toBe(main);
  });

  it('stores the schema compactly in written key order; normalize sorts keys; decimals stay exact', () => {
    const text = '{ "type": "object", "properties": { "b": {"type":"number","maximum":1.50}, "a": {"type":"string"} } }';
    expect(parseJsonSchema(text, [], false).canonical).toBe('{"type":"object","properties":{"b":{"type":"number","maximum":1.50},"a":{"type":"string"}}}');
    expect(parseJsonSchema(text, [], true).canonical).toBe('{"properties":{"a":{"type":"string"},"b":{"maximum":1.50,"type":"number"}},"type":"object"}');
  });
});
