/**
 * Decoded text of one record → a Connect value with its schema (pure), per `format`:
 *   lines  STRING
 *   json   a declared schema (value.schema), an inferred one (schema.generation.enabled), or
 *          schemaless (maps, lists, numbers as JSON has them)
 *   csv    a struct: field names from the header row (or value.schema, or column01...), types
 *          from value.schema, from inference over the file's first rows, or optional strings
 * A blank line carries no record in json and csv (it has no value to carry); in lines it is an
 * empty string. Problems throw ValueParseError, which the caller turns into a bad line.
 */
import type { Field, JsonValue, Schema } from '../../runtime/connect/api/index.ts';
import { SchemaBuilder, Schemas, Struct, jsonToConnect, parseJson } from '../../runtime/connect/api/index.ts';
import type { CsvDialect } from './csv-fields.ts';
import { CsvSyntaxError, splitCsvRecord } from './csv-fields.ts';
import { inferJson } from './json-inference.ts';
import { TypedTextError, inferTextSchema, textToValue } from './typed-text.ts';

export class ValueParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ValueParseError';
  }
}

export interface ParsedValue {
  schema: Schema | null;
  value: unknown;
}

export interface ValueParser {
  /** The record's value, or null when the text carries none (a header row, a blank line). */
  parse(text: string, position: number): ParsedValue | null;
}

export class LinesParser implements ValueParser {
  parse(text: string): ParsedValue {
    return { schema: Schemas.STRING, value: text };
  }
}

function isBlank(text: string): boolean {
  return text.length === 0 || text.trim().length === 0;
}

export class JsonLinesParser implements ValueParser {
  readonly #schema: Schema | null;
  readonly #infer: boolean;

  constructor(schema: Schema | null, infer: boolean) {
    this.#schema = schema;
    this.#infer = infer;
  }

  parse(text: string): ParsedValue | null {
    if (isBlank(text)) return null;
    let json: JsonValue;
    try {
      json = parseJson(text);
    } catch (err) {
      throw new ValueParseError(`not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (this.#infer) return inferJson(json, true);
    try {
      return { schema: this.#schema, value: jsonToConnect(this.#schema, json) };
    } catch (err) {
      throw new ValueParseError(`does not fit ${this.#schema === null ? 'a schemaless value' : 'value.schema'}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Column names and the struct schema of a CSV file, fixed once its header (and samples) are known. */
export interface CsvLayout {
  schema: Schema;
  /** Per column, the struct field it fills (null: not in the schema, ignored). */
  fields: Array<Field | null>;
  /** Header columns the declared schema does not have (reported once per file). */
  ignored: string[];
}

export function columnName(index: number): string {
  return `column${String(index + 1).padStart(2, '0')}`;
}

/** Header names must be usable as distinct field names. */
export function checkHeader(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    if (names[i].trim() === '') return `column ${i + 1} of the header row has no name`;
    if (seen.has(names[i])) return `the header row names "${names[i]}" twice`;
    seen.add(names[i]);
  }
  return undefined;
}

/**
 * The layout for a file. `header`: its header names (null without a header row). `declared`:
 * value.schema. `samples`: rows for inference (null: no inference). `width`: the first row's
 * column count (files without header and schema). Throws ValueParseError for layouts that can
 * never work (header problems, a required field no column fills).
 */
export function csvLayout(header: string[] | null, declared: Schema | null, samples: string[][] | null, width: number): CsvLayout {
  if (header !== null) {
    const problem = checkHeader(header);
    if (problem !== undefined) throw new ValueParseError(problem);
  }
  if (declared !== null) {
    const names = header ?? declared.fields().map((f) => f.name);
    const fields = names.map((n) => declared.field(n));
    const missing = declared.fields().filter((f) => !names.includes(f.name) && !f.schema.optional && f.schema.defaultValue === null);
    if (missing.length > 0) {
      throw new ValueParseError(`value.schema requires ${missing.map((f) => `"${f.name}"`).join(', ')}, which the header row does not have (columns: ${names.join(', ')})`);
    }
    return { schema: declared, fields, ignored: names.filter((_, i) => fields[i] === null) };
  }
  const names = header ?? Array.from({ length: width }, (_, i) => columnName(i));
  const builder = SchemaBuilder.struct();
  names.forEach((name, i) => builder.field(name, samples === null ? Schemas.OPTIONAL_STRING : inferTextSchema(samples.map((row) => row[i] ?? ''))));
  const schema = builder.build();
  return { schema, fields: names.map((n) => schema.field(n)), ignored: [] };
}

export class CsvParser implements ValueParser {
  readonly #dialect: CsvDialect;
  readonly #layout: CsvLayout;
  /** Byte position of the header row; that record is not a value. -1: no header row. */
  readonly #headerPosition: number;

  constructor(dialect: CsvDialect, layout: CsvLayout, headerPosition: number) {
    this.#dialect = dialect;
    this.#layout = layout;
    this.#headerPosition = headerPosition;
  }

  get layout(): CsvLayout {
    return this.#layout;
  }

  parse(text: string, position: number): ParsedValue | null {
    if (position === this.#headerPosition || isBlank(text)) return null;
    const columns = splitRow(text, this.#dialect);
    const { schema, fields } = this.#layout;
    if (columns.length !== fields.length) {
      throw new ValueParseError(`the row has ${columns.length} field${columns.length === 1 ? '' : 's'}, but ${fields.length} ${fields.length === 1 ? 'is' : 'are'} expected`);
    }
    const struct = new Struct(schema);
    for (let i = 0; i < columns.length; i++) {
      const field = fields[i];
      if (field === null) continue;
      try {
        struct.put(field, textToValue(field.schema, columns[i]));
      } catch (err) {
        if (err instanceof TypedTextError) throw new ValueParseError(`field "${field.name}" (column ${i + 1}): ${err.message}`, { cause: err });
        throw new ValueParseError(`field "${field.name}" (column ${i + 1}): ${(err as Error).message}`, { cause: err });
      }
    }
    try {
      struct.validate();
    } catch (err) {
      throw new ValueParseError((err as Error).message, { cause: err });
    }
    return { schema, value: struct };
  }
}

/** Fields of a row; syntax problems as ValueParseError. */
export function splitRow(text: string, dialect: CsvDialect): string[] {
  try {
    return splitCsvRecord(text, dialect);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ValueParseError(`malformed CSV: ${err.message}`, { cause: err });
    throw err;
  }
}
