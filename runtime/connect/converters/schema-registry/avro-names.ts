/**
 * Avro schemas as parsed JSON, with named types resolved: a reference such as "com.acme.Address"
 * (or a bare name inside the namespace that defines it) finds its definition. Referenced schemas
 * (registry references) are added before the schema that uses them.
 */
import { DataException } from '../../api/index.ts';

export type AvroJson = string | AvroJson[] | AvroObject;
export interface AvroObject {
  type: AvroJson;
  [key: string]: unknown;
}

export const AVRO_PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

export function fullName(name: string, namespace: string | undefined): string {
  if (name.includes('.')) return name;
  return namespace === undefined || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(full: string): string | undefined {
  const i = full.lastIndexOf('.');
  return i < 0 ? undefined : full.slice(0, i);
}

/** A schema node with the namespace its names are relative to. */
export interface ResolvedNode {
  node: AvroJson;
  namespace: string | undefined;
}

export class AvroNames {
  private readonly defined = new Map<string, AvroObject>();

  /** Records every named type defined in `schema` (recursively). */
  add(schema: AvroJson, namespace?: string): void {
    if (typeof schema === 'string') return;
    if (Array.isArray(schema)) {
      for (const branch of schema) this.add(branch, namespace);
      return;
    }
    const type = schema.type;
    if (typeof type !== 'string') {
      this.add(type, namespace);
      return;
    }
    let ns = namespace;
    if (NAMED.has(type)) {
      const name = schema.name;
      if (typeof name !== 'string') throw new DataException(`Avro ${type} schema without a name: ${JSON.stringify(schema).slice(0, 200)}`);
      const full = fullName(name, typeof schema.namespace === 'string' ? schema.namespace : namespace);
      this.defined.set(full, schema);
      ns = namespaceOf(full);
    }
    if (type === 'record' || type === 'error') for (const f of (schema.fields as { type: AvroJson }[]) ?? []) this.add(f.type, ns);
    if (type === 'array') this.add(schema.items as AvroJson, ns);
    if (type === 'map') this.add(schema.values as AvroJson, ns);
  }

  /** The definition a node stands for: named references are looked up, primitives stay strings. */
  resolve(node: AvroJson, namespace: string | undefined): ResolvedNode {
    if (typeof node === 'string' && !AVRO_PRIMITIVES.has(node)) {
      const found = this.defined.get(fullName(node, namespace)) ?? this.defined.get(node);
      if (found === undefined) throw new DataException(`Avro schema refers to undefined type "${node}"`);
      return { node: found, namespace };
    }
    if (typeof node === 'object' && !Array.isArray(node) && typeof node.type === 'string' && !AVRO_PRIMITIVES.has(node.type) && !NAMED.has(node.type) && node.type !== 'array' && node.type !== 'map') {
      return this.resolve(node.type, namespace);
    }
    return { node, namespace };
  }

  /** The namespace names inside a named type are relative to. */
  static innerNamespace(node: AvroObject, namespace: string | undefined): string | undefined {
    if (typeof node.name !== 'string') return namespace;
    return namespaceOf(fullName(node.name, typeof node.namespace === 'string' ? node.namespace : namespace));
  }
}

/** The Avro type name of a resolved node: "record", "int", ... */
export function typeOf(node: AvroJson): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return 'union';
  return typeof node.type === 'string' ? node.type : typeOf(node.type);
}

/** The name avsc uses for a union branch holding this (resolved) type. */
export function branchName(node: AvroJson, namespace: string | undefined): string {
  const type = typeOf(node);
  if ((NAMED.has(type) || type === 'error') && typeof node === 'object' && !Array.isArray(node) && typeof node.name === 'string') {
    return fullName(node.name, typeof node.namespace === 'string' ? node.namespace : namespace);
  }
  return type;
}
