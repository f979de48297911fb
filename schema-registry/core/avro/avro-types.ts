/**
 * The Avro schema model the registry reasons about. It keeps everything Avro's Java implementation
 * keeps (doc, aliases, custom properties in written order, default values as written) because the
 * canonical string, and so the schema id, depends on all of it.
 */
import type { JsonNode, JsonObject } from '../json/json-tree.ts';

export const AVRO_PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
export type AvroPrimitiveType = (typeof AVRO_PRIMITIVES)[number];

export const isAvroPrimitive = (s: string): s is AvroPrimitiveType => (AVRO_PRIMITIVES as readonly string[]).includes(s);

/** A (possibly namespaced) name; `space` null means the null namespace. */
export interface AvroName {
  name: string;
  space: string | null;
  full: string;
}

export interface AvroPrimitive {
  kind: 'primitive';
  type: AvroPrimitiveType;
  props: JsonObject;
}

interface AvroNamedBase {
  name: AvroName;
  doc?: string;
  aliases: AvroName[];
  props: JsonObject;
}

export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  /** Absent when the field has no default; JSON null when the default is null. */
  default?: JsonNode;
  order: 'ascending' | 'descending' | 'ignore';
  aliases: string[];
  props: JsonObject;
  pos: number;
}

export interface AvroRecord extends AvroNamedBase {
  kind: 'record';
  isError: boolean;
  fields: AvroField[];
}

export interface AvroEnum extends AvroNamedBase {
  kind: 'enum';
  symbols: string[];
  enumDefault?: string;
}

export interface AvroFixed extends AvroNamedBase {
  kind: 'fixed';
  size: number;
}

export interface AvroArray {
  kind: 'array';
  items: AvroSchema;
  props: JsonObject;
}

export interface AvroMap {
  kind: 'map';
  values: AvroSchema;
  props: JsonObject;
}

export interface AvroUnion {
  kind: 'union';
  types: AvroSchema[];
}

export type AvroNamed = AvroRecord | AvroEnum | AvroFixed;
export type AvroSchema = AvroPrimitive | AvroRecord | AvroEnum | AvroFixed | AvroArray | AvroMap | AvroUnion;

export const isNamed = (s: AvroSchema): s is AvroNamed => s.kind === 'record' || s.kind === 'enum' || s.kind === 'fixed';

/** Java's Schema.Type name (RECORD, INT, ...), used verbatim in compatibility messages. */
export function typeName(s: AvroSchema): string {
  return (s.kind === 'primitive' ? s.type : s.kind).toUpperCase();
}

/** Builds a name the way Avro does: a dotted name carries its own namespace; "" means none. */
export function makeName(name: string, space: string | null): AvroName {
  const dot = name.lastIndexOf('.');
  let ns = space;
  let short = name;
  if (dot >= 0) {
    ns = name.slice(0, dot);
    short = name.slice(dot + 1);
  }
  if (ns === '') ns = null;
  return { name: short, space: ns, full: ns === null ? short : `${ns}.${short}` };
}

const TYPE_WORDS = new Set(['record', 'enum', 'array', 'map', 'union', 'fixed', ...AVRO_PRIMITIVES]);

/** Avro's Name.getQualified: the short name when the namespace is the enclosing one. */
export function qualifiedName(n: AvroName, currentSpace: string | null): string {
  if (n.space !== null && n.space === currentSpace && !TYPE_WORDS.has(n.name)) return n.name;
  return n.full;
}

/** Avro's Schema.getAliases for a named type: an alias in the null namespace of a namespaced type reads ".name". */
export function aliasStrings(s: AvroNamed): string[] {
  return s.aliases.map((a) => (a.space === null && s.name.space !== null ? `.${a.name}` : a.full));
}
