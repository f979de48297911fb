/** Schema and struct copying helpers shared by the SMTs that rebuild a key or value (Kafka's SchemaUtil). */
import type { Field, Schema } from '../../api/index.ts';
import { SchemaBuilder, Struct } from '../../api/index.ts';

/**
 * Copies name, version, doc and parameters of `source` onto `builder` (a new builder of the
 * source's type when none is given). Optionality, default and fields are left to the caller.
 */
export function copySchemaBasics(source: Schema, builder?: SchemaBuilder): SchemaBuilder {
  let target = builder;
  if (target === undefined) {
    if (source.type === 'ARRAY') target = SchemaBuilder.array(source.valueSchema());
    else if (source.type === 'MAP') target = SchemaBuilder.map(source.keySchema(), source.valueSchema());
    else target = SchemaBuilder.type(source.type);
  }
  if (source.name !== null) target.name(source.name);
  if (source.version !== null) target.version(source.version);
  if (source.doc !== null) target.doc(source.doc);
  if (source.parameters !== null) target.parameters(source.parameters);
  return target;
}

/**
 * Copies every field of `struct` into a new Struct of `schema`, through `convert` when given.
 * `replaceNullWithDefault` is the SMTs' `replace.null.with.default`: false keeps a null field null
 * where the schema has a default.
 */
export function copyStruct(
  struct: Struct,
  schema: Schema,
  replaceNullWithDefault: boolean,
  convert?: (field: Field, value: unknown) => unknown,
): Struct {
  const updated = new Struct(schema);
  for (const field of struct.schema.fields()) {
    const value = replaceNullWithDefault ? struct.get(field) : struct.getWithoutDefault(field);
    updated.put(field.name, convert === undefined ? value : convert(field, value));
  }
  return updated;
}
