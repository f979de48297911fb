/**
 * SetSchemaMetadata$Key / SetSchemaMetadata$Value: sets the name and/or version of the key or
 * value schema (a struct value is re-created against the renamed schema). Schemaless records
 * with a value are an error; null schemaless values pass.
 */
import type { ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { ConfigDef, ConnectSchema, Struct } from '../api/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { requireSchema } from './util/requirements.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'schema.name', type: 'STRING', default: null, importance: 'HIGH', documentation: 'Schema name to set.' })
  .define({ name: 'schema.version', type: 'INT', default: null, importance: 'HIGH', documentation: 'Schema version to set.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

abstract class SetSchemaMetadata<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = "Set the schema name, version or both on the record's key or value schema.";
  protected abstract readonly side: RecordSide;
  #name: string | null = null;
  #version: number | null = null;
  #replaceNullWithDefault = true;

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.SetSchemaMetadata${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#name = c['schema.name'];
    this.#version = c['schema.version'];
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    if (this.#name === null && this.#version === null) throw this.problem('Neither schema name nor version configured: set schema.name or schema.version');
  }

  apply(record: R): R {
    const value = operatingValue(this.side, record);
    const original = operatingSchema(this.side, record);
    if (value === null && original === null) return record;
    const schema = requireSchema(original, 'updating schema metadata');
    const updated: Schema = new ConnectSchema({
      type: schema.type,
      optional: schema.optional,
      defaultValue: schema.defaultValue,
      name: this.#name ?? schema.name,
      version: this.#version ?? schema.version,
      doc: schema.doc,
      parameters: schema.parameters,
      fields: schema.type === 'STRUCT' ? schema.fields() : undefined,
      keySchema: schema.type === 'MAP' ? schema.keySchema() : null,
      valueSchema: schema.type === 'MAP' || schema.type === 'ARRAY' ? schema.valueSchema() : null,
    });
    return withOperated(this.side, record, updated, this.#rebind(value, updated));
  }

  /** A struct value re-created against the updated schema (other values do not reference it). */
  #rebind(value: unknown, schema: Schema): unknown {
    if (!(value instanceof Struct)) return value;
    const rebound = new Struct(schema);
    for (const field of schema.fields()) rebound.put(field, this.#replaceNullWithDefault ? value.get(field.name) : value.getWithoutDefault(field.name));
    return rebound;
  }

  close(): void {}
}

export class SetSchemaMetadataKey<R extends ConnectRecord<R>> extends SetSchemaMetadata<R> {
  protected readonly side = 'key';
}

export class SetSchemaMetadataValue<R extends ConnectRecord<R>> extends SetSchemaMetadata<R> {
  protected readonly side = 'value';
}
