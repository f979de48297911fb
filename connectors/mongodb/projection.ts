/**
 * Field projections on documents (allow list / block list of dot paths), used by the partial id
 * strategies and the projector post processors. `*` matches any one field name at its level.
 */
import type { Document } from 'mongodb';
import type { Projection } from './sink-config.ts';
import { isPlainDocument } from './sink-document.ts';

/** A copy of `doc` projected as `projection` says (none = unchanged copy). */
export function project(doc: Document, projection: Projection): Document {
  if (projection.type === 'none') return { ...doc };
  const paths = projection.fields.map((field) => field.split('.'));
  return projection.type === 'allowlist' ? allow(doc, paths) : block(doc, paths);
}

function matches(name: string, pattern: string): boolean {
  return pattern === '*' || pattern === name;
}

function allow(doc: Document, paths: string[][]): Document {
  const out: Document = {};
  for (const [name, value] of Object.entries(doc)) {
    const here = paths.filter((path) => path.length > 0 && matches(name, path[0]!));
    if (here.length === 0) continue;
    if (here.some((path) => path.length === 1)) {
      out[name] = value;
    } else if (isPlainDocument(value)) {
      out[name] = allow(value, here.map((path) => path.slice(1)));
    }
  }
  return out;
}

function block(doc: Document, paths: string[][]): Document {
  const out: Document = {};
  for (const [name, value] of Object.entries(doc)) {
    const here = paths.filter((path) => path.length > 0 && matches(name, path[0]!));
    if (here.some((path) => path.length === 1)) continue;
    out[name] = here.length > 0 && isPlainDocument(value) ? block(value, here.map((path) => path.slice(1))) : value;
  }
  return out;
}
