/**
 * Avro schema resolution between a reader and a writer schema (the rules of the Avro
 * specification, checked the way Avro's SchemaCompatibility does so that the locations and
 * messages match what Confluent reports), plus Confluent's rendering of each incompatibility.
 */
import { aliasStrings, typeName, type AvroNamed, type AvroSchema } from './avro-types.ts';

export type AvroIncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface AvroIncompatibility {
  type: AvroIncompatibilityType;
  /** JSON pointer into the reader schema, e.g. "/fields/0/type". */
  location: string;
  message: string;
}

interface Result {
  state: 'compatible' | 'incompatible' | 'in-progress';
  incompatibilities: AvroIncompatibility[];
}

const COMPATIBLE: Result = { state: 'compatible', incompatibilities: [] };
const IN_PROGRESS: Result = { state: 'in-progress', incompatibilities: [] };

function merge(a: Result, b: Result): Result {
  if (b.incompatibilities.length === 0 && b.state !== 'incompatible') return a;
  return {
    state: a.state === 'compatible' ? b.state : 'incompatible',
    incompatibilities: [...a.incompatibilities, ...b.incompatibilities],
  };
}

const PROMOTIONS: Record<string, readonly string[]> = {
  LONG: ['INT'],
  FLOAT: ['INT', 'LONG'],
  DOUBLE: ['INT', 'LONG', 'FLOAT'],
  BYTES: ['STRING'],
  STRING: ['BYTES'],
};

/** Can data written with `writer` be read with `reader`? Returns every incompatibility found. */
export function checkReaderWriter(reader: AvroSchema, writer: AvroSchema): AvroIncompatibility[] {
  return new Checker().check(reader, writer).incompatibilities;
}

class Checker {
  // Memoized by schema identity: recursive types meet the same pair again and count as compatible meanwhile.
  private readonly memo = new Map<AvroSchema, Map<AvroSchema, Result>>();

  check(reader: AvroSchema, writer: AvroSchema): Result {
    return this.get('', reader, writer, []);
  }

  private get(token: string, reader: AvroSchema, writer: AvroSchema, location: string[]): Result {
    location.push(token);
    let byWriter = this.memo.get(reader);
    if (!byWriter) this.memo.set(reader, (byWriter = new Map()));
    let result = byWriter.get(writer);
    if (result) {
      if (result.state === 'in-progress') result = COMPATIBLE;
    } else {
      byWriter.set(writer, IN_PROGRESS);
      result = this.calculate(reader, writer, location);
      byWriter.set(writer, result);
    }
    location.pop();
    return result;
  }

  private incompatible(type: AvroIncompatibilityType, message: string, location: string[]): Result {
    const path = location
      .slice(1)
      .map((c) => c.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    return { state: 'incompatible', incompatibilities: [{ type, location: `/${path}`, message }] };
  }

  private typeMismatch(reader: AvroSchema, writer: AvroSchema, location: string[]): Result {
    return this.incompatible('TYPE_MISMATCH', `reader type: ${typeName(reader)} not compatible with writer type: ${typeName(writer)}`, location);
  }

  private calculate(reader: AvroSchema, writer: AvroSchema, location: string[]): Result {
    const rType = typeName(reader);
    const wType = typeName(writer);
    if (rType === wType) {
      switch (reader.kind) {
        case 'primitive':
          return COMPATIBLE;
        case 'array':
          return this.get('items', reader.items, (writer as typeof reader).items, location);
        case 'map':
          return this.get('values', reader.values, (writer as typeof reader).values, location);
        case 'fixed': {
          const w = writer as typeof reader;
          let result = this.checkNames(reader, w, location);
          if (reader.size !== w.size) {
            location.push('size');
            result = merge(result, this.incompatible('FIXED_SIZE_MISMATCH', `expected: ${w.size}, found: ${reader.size}`, location));
            location.pop();
          }
          return result;
        }
        case 'enum': {
          const w = writer as typeof reader;
          let result = this.checkNames(reader, w, location);
          const missing = w.symbols.filter((s) => !reader.symbols.includes(s)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          if (missing.length > 0 && !(reader.enumDefault !== undefined && reader.symbols.includes(reader.enumDefault))) {
            location.push('symbols');
            result = merge(result, this.incompatible('MISSING_ENUM_SYMBOLS', `[${missing.join(', ')}]`, location));
            location.pop();
          }
          return result;
        }
        case 'record':
          return merge(this.checkNames(reader, writer as typeof reader, location), this.checkFields(reader, writer as typeof reader, location));
        case 'union': {
          let result = COMPATIBLE;
          (writer as typeof reader).types.forEach((branch, i) => {
            location.push(String(i));
            // Avro checks each writer branch from a fresh location and reports only the missing branch.
            if (this.check(reader, branch).state === 'incompatible') {
              result = merge(result, this.incompatible('MISSING_UNION_BRANCH', `reader union lacking writer type: ${typeName(branch)}`, location));
            }
            location.pop();
          });
          return result;
        }
      }
    }
    if (writer.kind === 'union') {
      let result = COMPATIBLE;
      writer.types.forEach((branch, i) => {
        result = merge(result, this.get(String(i), reader, branch, location));
      });
      return result;
    }
    if (reader.kind === 'union') {
      if (reader.types.some((branch) => this.check(branch, writer).state === 'compatible')) return COMPATIBLE;
      return this.incompatible('MISSING_UNION_BRANCH', `reader union lacking writer type: ${wType}`, location);
    }
    if (PROMOTIONS[rType]?.includes(wType)) return COMPATIBLE;
    return this.typeMismatch(reader, writer, location);
  }

  private checkNames(reader: AvroNamed, writer: AvroNamed, location: string[]): Result {
    if (reader.name.name === writer.name.name || aliasStrings(reader).includes(writer.name.full)) return COMPATIBLE;
    location.push('name');
    const result = this.incompatible('NAME_MISMATCH', `expected: ${writer.name.full}`, location);
    location.pop();
    return result;
  }

  private checkFields(reader: AvroNamed & { kind: 'record' }, writer: AvroNamed & { kind: 'record' }, location: string[]): Result {
    let result = COMPATIBLE;
    location.push('fields');
    for (const field of reader.fields) {
      location.push(String(field.pos));
      const candidates = [field.name, ...field.aliases]
        .map((n) => writer.fields.find((w) => w.name === n))
        .filter((w) => w !== undefined);
      const writerField = candidates[0];
      if (writerField === undefined) {
        if (field.default === undefined) {
          // An enum with a default reads a missing field (Avro compares it against the writer record here).
          if (field.type.kind === 'enum' && field.type.enumDefault !== undefined) {
            result = merge(result, this.get('type', field.type, writer, location));
          } else {
            result = merge(result, this.incompatible('READER_FIELD_MISSING_DEFAULT_VALUE', field.name, location));
          }
        }
      } else {
        result = merge(result, this.get('type', field.type, writerField.type, location));
      }
      location.pop();
    }
    location.pop();
    return result;
  }
}

/**
 * Confluent's text for one incompatibility (client/.../avro/Difference.java format). The two
 * `%s` are filled with "new"/"old" by the compatibility strategy (reader first).
 */
export function describeAvroIncompatibility(i: AvroIncompatibility): string {
  const path = i.location;
  let description: string;
  switch (i.type) {
    case 'FIXED_SIZE_MISMATCH':
      description = `The size of FIXED type field at path '${path}' in the %s schema does not match with the %s schema`;
      break;
    case 'TYPE_MISMATCH':
      description = `The type (path '${path}') of a field in the %s schema does not match with the %s schema`;
      break;
    case 'NAME_MISMATCH':
      description = `The name of the schema has changed (path '${path}')`;
      break;
    case 'MISSING_ENUM_SYMBOLS':
      description = `The %s schema is missing enum symbols '${i.message}' at path '${path}' in the %s schema`;
      break;
    case 'MISSING_UNION_BRANCH':
      description = `The %s schema is missing a type inside a union field at path '${path}' in the %s schema`;
      break;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      description = `The field '${i.message}' at path '${path}' in the %s schema has no default value and is missing in the %s schema`;
      break;
  }
  return `{errorType:'${i.type}', description:'${description}', additionalInfo:'${i.message}'}`;
}

