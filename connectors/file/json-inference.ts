/**
 * A Connect schema and value inferred from one JSON document (schema.generation.enabled with
 * format=json): objects become structs with their keys as fields in document order, integers
 * INT64, other numbers FLOAT64, strings STRING, booleans BOOLEAN, null an optional STRING; every
 * field is optional. An array takes its elements' schema when they all agree; otherwise (mixed
 * types) its elements are kept as their JSON text in an array of STRING, so no data is lost.
 */
import type { JsonValue, Schema } from '../../runtime/connect/api/index.ts';
import { JsonNumber, SchemaBuilder, Schemas, Struct, isJsonObject } from '../../runtime/connect/api/index.ts';

export interface Inferred {
  schema: Schema;
  value: unknown;
}

function numberValue(json: JsonNumber): Inferred {
  if (json.integral) {
    const n = BigInt(json.text);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return { schema: Schemas.OPTIONAL_INT64, value: n };
  }
  return { schema: Schemas.OPTIONAL_FLOAT64, value: json.toNumber() };
}

/** JSON text of a parsed value (JsonNumber keeps its digits). */
function jsonText(json: JsonValue): string {
  if (json instanceof JsonNumber) return json.text;
  if (Array.isArray(json)) return `[${json.map(jsonText).join(',')}]`;
  if (isJsonObject(json)) return `{${Object.entries(json).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  return JSON.stringify(json);
}

/** `top`: the document itself, whose struct schema is required (its fields stay optional). */
export function inferJson(json: JsonValue, top = false): Inferred {
  if (json === null) return { schema: Schemas.OPTIONAL_STRING, value: null };
  if (typeof json === 'string') return { schema: Schemas.OPTIONAL_STRING, value: json };
  if (typeof json === 'boolean') return { schema: Schemas.OPTIONAL_BOOLEAN, value: json };
  if (typeof json === 'number') return Number.isInteger(json) ? { schema: Schemas.OPTIONAL_INT64, value: json } : { schema: Schemas.OPTIONAL_FLOAT64, value: json };
  if (json instanceof JsonNumber) return numberValue(json);
  if (Array.isArray(json)) {
    const elements = json.map((e) => inferJson(e));
    const nonNull = elements.filter((e) => e.value !== null);
    const first = nonNull[0]?.schema ?? Schemas.OPTIONAL_STRING;
    if (nonNull.every((e) => e.schema.equals(first))) return { schema: SchemaBuilder.array(first).optional().build(), value: elements.map((e) => e.value) };
    return { schema: SchemaBuilder.array(Schemas.OPTIONAL_STRING).optional().build(), value: json.map((e) => (e === null ? null : jsonText(e))) };
  }
  const builder = top ? SchemaBuilder.struct() : SchemaBuilder.struct().optional();
  const fields: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(json)) {
    const inferred = inferJson(value);
    builder.field(key, inferred.schema);
    fields.push([key, inferred.value]);
  }
  const schema = builder.build();
  const struct = new Struct(schema);
  for (const [key, value] of fields) struct.put(key, value);
  return { schema, value: struct };
}
