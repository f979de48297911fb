/** Schema copying helpers shared by the SMTs that rebuild a schema (Kafka's SchemaUtil). */
import type { Schema } from '../../api/index.ts';
import { SchemaBuilder } from '../../api/index.ts';

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
