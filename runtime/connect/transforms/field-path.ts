/**
 * Field paths (KIP-821, Kafka's SingleFieldPath and FieldSyntaxVersion). With
 * `field.syntax.version=V1` a path is one top-level field name, dots included. With V2, dots
 * separate nested field names, and a name containing dots is wrapped in backticks
 * ("`foo.bar`.baz"); a backtick inside a wrapped name that is followed by a dot is escaped with a
 * backslash.
 */
import type { Field, Schema } from '../api/index.ts';
import { ConfigError } from '../../util/errors.ts';
import { validators } from '../config/index.ts';
import type { Struct } from '../api/index.ts';
import type { FieldMap } from './util/requirements.ts';
import { requireMapOrNull, requireStructOrNull } from './util/requirements.ts';

export const FIELD_SYNTAX_VERSIONS = ['V1', 'V2'] as const;
export type FieldSyntaxVersion = (typeof FIELD_SYNTAX_VERSIONS)[number];

export const FIELD_SYNTAX_VERSION_CONFIG = 'field.syntax.version';
export const FIELD_SYNTAX_VERSION_DOC =
  'Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. ' +
  'If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. ' +
  'If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. ' +
  'E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its elements: "`foo.bar`.baz".';

/** The `field.syntax.version` key spec, for the ConfigDefs of SMTs that accept nested paths. */
export const FIELD_SYNTAX_VERSION_KEY = {
  name: FIELD_SYNTAX_VERSION_CONFIG,
  type: 'STRING',
  default: 'V1',
  validator: validators.oneOfIgnoreCase(...FIELD_SYNTAX_VERSIONS),
  importance: 'HIGH',
  documentation: FIELD_SYNTAX_VERSION_DOC,
} as const;

export function fieldSyntaxVersion(text: string): FieldSyntaxVersion {
  return text.toUpperCase() === 'V2' ? 'V2' : 'V1';
}

const BACKTICK = '`';
const DOT = '.';
const BACKSLASH = '\\';

function incomplete(path: string, backtickAt: number): ConfigError {
  return new ConfigError(`Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${backtickAt} to escape it`);
}

function stepsV2(path: string): string[] {
  const steps: string[] = [];
  let idx = 0;
  while (idx < path.length && idx >= 0) {
    if (path[idx] !== BACKTICK) {
      const start = idx;
      idx = path.indexOf(DOT, idx);
      if (idx >= 0) {
        steps.push(path.slice(start, idx));
        idx++;
      } else {
        steps.push(path.slice(start));
      }
      continue;
    }
    const backtickAt = idx;
    idx++;
    let field = '';
    let start = idx;
    for (;;) {
      idx = path.indexOf(BACKTICK, idx);
      if (idx === -1) throw incomplete(path, backtickAt);
      const escaped = path[idx - 1] === BACKSLASH;
      if (idx >= path.length - 1) {
        if (escaped) throw incomplete(path, backtickAt);
        field += path.slice(start, idx);
        steps.push(field);
        idx++;
        break;
      }
      if (path[idx + 1] !== DOT) {
        // Not a closing backtick: keep it in the name and look further.
        idx++;
        continue;
      }
      if (escaped) {
        field += path.slice(start, idx - 1) + BACKTICK;
        idx++;
        start = idx;
        continue;
      }
      field += path.slice(start, idx);
      steps.push(field);
      idx += 2;
      break;
    }
  }
  if (path.length > 0 && path.endsWith(DOT)) steps.push('');
  return steps;
}

export class SingleFieldPath {
  readonly version: FieldSyntaxVersion;
  readonly steps: readonly string[];

  /** Throws ConfigError for an unbalanced backtick (V2). */
  constructor(path: string, version: FieldSyntaxVersion) {
    this.version = version;
    this.steps = Object.freeze(version === 'V1' ? [path] : stepsV2(path));
  }

  get #parents(): readonly string[] {
    return this.steps.slice(0, -1);
  }

  get #last(): string {
    return this.steps[this.steps.length - 1];
  }

  /** The field at this path in a struct schema, or null when there is none. */
  fieldFrom(schema: Schema | null): Field | null {
    if (schema === null) return null;
    let current = schema;
    for (const step of this.#parents) {
      const field = current.type === 'STRUCT' ? current.field(step) : null;
      if (field === null) return null;
      current = field.schema;
    }
    return current.type === 'STRUCT' ? current.field(this.#last) : null;
  }

  /** The value at this path in a struct (defaults applied unless `withDefault` is false), or null. */
  valueFromStruct(struct: Struct | null, withDefault = true): unknown {
    let current = struct;
    if (current === null) return null;
    for (const step of this.#parents) {
      if (current.schema.field(step) === null) return null;
      current = requireStructOrNull(current.get(step), 'nested field access');
      if (current === null) return null;
    }
    const last = this.#last;
    if (current.schema.field(last) === null) return null;
    return withDefault ? current.get(last) : current.getWithoutDefault(last);
  }

  /** The value at this path in a schemaless map, or null. */
  valueFromMap(map: FieldMap | null): unknown {
    let current = map;
    if (current === null) return null;
    for (const step of this.#parents) {
      current = requireMapOrNull(current.get(step), 'nested field access');
      if (current === null) return null;
    }
    return current.get(this.#last) ?? null;
  }

  toString(): string {
    return `SingleFieldPath{version=${this.version}, path=${this.steps.join('.')}}`;
  }
}
