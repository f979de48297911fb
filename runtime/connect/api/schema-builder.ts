/**
 * Fluent schema construction (Kafka's SchemaBuilder): each property may be set once (setting it
 * again to a different value is an error), defaults are validated against the schema being
 * built, and struct field names must be unique.
 */
import { messageOf } from '../../util/errors.ts';
import { SchemaBuilderException } from './errors.ts';
import type { Schema, SchemaType } from './schema.ts';
import { ConnectSchema, Field } from './schema.ts';
import { validateValue } from './struct.ts';

export class SchemaBuilder {
  readonly type: SchemaType;
  #optional: boolean | null = null;
  #defaultValue: unknown = null;
  #name: string | null = null;
  #version: number | null = null;
  #doc: string | null = null;
  #parameters: Record<string, string> | null = null;
  readonly #fields: Field[] = [];
  #keySchema: Schema | null = null;
  #valueSchema: Schema | null = null;

  constructor(type: SchemaType) {
    this.type = type;
  }

  static type(type: SchemaType): SchemaBuilder {
    return new SchemaBuilder(type);
  }
  static int8(): SchemaBuilder {
    return new SchemaBuilder('INT8');
  }
  static int16(): SchemaBuilder {
    return new SchemaBuilder('INT16');
  }
  static int32(): SchemaBuilder {
    return new SchemaBuilder('INT32');
  }
  static int64(): SchemaBuilder {
    return new SchemaBuilder('INT64');
  }
  static float32(): SchemaBuilder {
    return new SchemaBuilder('FLOAT32');
  }
  static float64(): SchemaBuilder {
    return new SchemaBuilder('FLOAT64');
  }
  static bool(): SchemaBuilder {
    return new SchemaBuilder('BOOLEAN');
  }
  static string(): SchemaBuilder {
    return new SchemaBuilder('STRING');
  }
  static bytes(): SchemaBuilder {
    return new SchemaBuilder('BYTES');
  }
  static struct(): SchemaBuilder {
    return new SchemaBuilder('STRUCT');
  }
  static array(valueSchema: Schema): SchemaBuilder {
    const b = new SchemaBuilder('ARRAY');
    b.#valueSchema = valueSchema;
    return b;
  }
  static map(keySchema: Schema, valueSchema: Schema): SchemaBuilder {
    const b = new SchemaBuilder('MAP');
    b.#keySchema = keySchema;
    b.#valueSchema = valueSchema;
    return b;
  }

  /** A builder preset from an existing schema (to change its name, version, optionality...). */
  static from(schema: Schema): SchemaBuilder {
    const b = new SchemaBuilder(schema.type);
    b.#optional = schema.optional;
    b.#name = schema.name;
    b.#version = schema.version;
    b.#doc = schema.doc;
    b.#parameters = schema.parameters ? { ...schema.parameters } : null;
    if (schema.type === 'STRUCT') for (const f of schema.fields()) b.field(f.name, f.schema);
    if (schema.type === 'MAP') b.#keySchema = schema.keySchema();
    if (schema.type === 'ARRAY' || schema.type === 'MAP') b.#valueSchema = schema.valueSchema();
    b.#defaultValue = schema.defaultValue;
    return b;
  }

  static #checkCanSet(what: string, current: unknown, next: unknown): void {
    if (current !== null && current !== next) throw new SchemaBuilderException(`Invalid SchemaBuilder call: ${what} has already been set.`);
  }

  get isOptional(): boolean {
    return this.#optional === true;
  }

  optional(): this {
    SchemaBuilder.#checkCanSet('optional', this.#optional, true);
    this.#optional = true;
    return this;
  }

  required(): this {
    SchemaBuilder.#checkCanSet('optional', this.#optional, false);
    this.#optional = false;
    return this;
  }

  name(name: string): this {
    SchemaBuilder.#checkCanSet('name', this.#name, name);
    this.#name = name;
    return this;
  }

  version(version: number): this {
    SchemaBuilder.#checkCanSet('version', this.#version, version);
    this.#version = version;
    return this;
  }

  doc(doc: string): this {
    SchemaBuilder.#checkCanSet('doc', this.#doc, doc);
    this.#doc = doc;
    return this;
  }

  parameter(name: string, value: string): this {
    this.#parameters ??= {};
    this.#parameters[name] = value;
    return this;
  }

  parameters(params: Readonly<Record<string, string>>): this {
    for (const [k, v] of Object.entries(params)) this.parameter(k, v);
    return this;
  }

  /** Sets the default, validated against the schema as built so far. */
  defaultValue(value: unknown): this {
    SchemaBuilder.#checkCanSet('default', this.#defaultValue, value);
    try {
      validateValue(this.#snapshot(null), value);
    } catch (err) {
      throw new SchemaBuilderException(`Invalid default value: ${messageOf(err)}`, { cause: err });
    }
    this.#defaultValue = value;
    return this;
  }

  field(name: string, schema: Schema): this {
    if (this.type !== 'STRUCT') throw new SchemaBuilderException(`Cannot create fields on type ${this.type}`);
    if (!name) throw new SchemaBuilderException('fieldName cannot be null.');
    if (this.#fields.some((f) => f.name === name)) throw new SchemaBuilderException(`Cannot create field because of field name duplication ${name}`);
    this.#fields.push(new Field(name, this.#fields.length, schema));
    return this;
  }

  #snapshot(defaultValue: unknown): ConnectSchema {
    return new ConnectSchema({
      type: this.type,
      optional: this.isOptional,
      defaultValue,
      name: this.#name,
      version: this.#version,
      doc: this.#doc,
      parameters: this.#parameters,
      fields: this.#fields,
      keySchema: this.#keySchema,
      valueSchema: this.#valueSchema,
    });
  }

  build(): ConnectSchema {
    return this.#snapshot(this.#defaultValue);
  }
}
