/**
 * Flatten$Key / Flatten$Value: flattens nested structs (with a schema) or maps (without) into one
 * level, joining field names with `delimiter` ("." by default). Arrays are left as they are. A
 * flattened field is optional when any ancestor is, and takes a default from its ancestors.
 */
import type { ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { ConfigDef, DataException, SchemaBuilder, Struct } from '../api/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import type { FieldMap } from './util/requirements.ts';
import { describeType, requireMap, requireStructOrNull } from './util/requirements.ts';
import { SchemaCache } from './util/schema-cache.ts';
import { copySchemaBasics } from './util/schema-util.ts';

const CONFIG_DEF = new ConfigDef().define({
  name: 'delimiter',
  type: 'STRING',
  default: '.',
  importance: 'MEDIUM',
  documentation: 'Delimiter to insert between field names from the input record when generating field names for the output record',
});

const PURPOSE = 'flattening';

abstract class Flatten<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    "Flatten a nested data structure, generating names for each field by concatenating the field names at each level with a configurable delimiter character. Applies to Struct when schema present, or a Map in the case of schemaless data. Array fields and their contents are not modified. The default delimiter is '.'.";
  protected abstract readonly side: RecordSide;
  #delimiter = '.';
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.Flatten${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.#delimiter = this.parseConfig(configs).delimiter;
    this.#schemaCache.clear();
  }

  #name(prefix: string, name: string): string {
    return prefix === '' ? name : prefix + this.#delimiter + name;
  }

  apply(record: R): R {
    const value = operatingValue(this.side, record);
    if (value === null) return record;
    const schema = operatingSchema(this.side, record);
    if (schema === null) {
      const flat = new Map<string, unknown>();
      this.#flattenMap(requireMap(value, PURPOSE), '', flat);
      return withOperated(this.side, record, null, flat);
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const updatedSchema = this.#schemaCache.getOrBuild(schema, (s) => {
      const builder = copySchemaBasics(s, SchemaBuilder.struct());
      this.#flattenSchema(s, '', builder, s.optional, s.defaultValue as Struct | null);
      return builder.build();
    });
    if (struct === null) return withOperated(this.side, record, updatedSchema, null);
    const flat = new Struct(updatedSchema);
    this.#flattenStruct(struct, '', flat);
    return withOperated(this.side, record, updatedSchema, flat);
  }

  #flattenMap(map: FieldMap, prefix: string, out: FieldMap): void {
    for (const [key, value] of map) {
      const name = this.#name(prefix, key);
      if (value === null || value === undefined) {
        out.set(name, null);
      } else if (value instanceof Map) {
        this.#flattenMap(requireMap(value, PURPOSE), name, out);
      } else if (
        typeof value === 'number' ||
        typeof value === 'bigint' ||
        typeof value === 'boolean' ||
        typeof value === 'string' ||
        value instanceof Uint8Array ||
        Array.isArray(value)
      ) {
        out.set(name, value);
      } else if (value instanceof Struct) {
        throw new DataException(`Flatten transformation does not support Struct for record without schemas (for field ${name}).`, { context: { field: name } });
      } else {
        throw new DataException(`Flatten transformation was passed a value of type ${describeType(value)} which is not supported by Connect's data API`, {
          context: { field: name },
        });
      }
    }
  }

  #flattenSchema(schema: Schema, prefix: string, builder: SchemaBuilder, optional: boolean, defaultFromParent: Struct | null): void {
    for (const field of schema.fields()) {
      const name = this.#name(prefix, field.name);
      const fieldOptional = optional || field.schema.optional;
      const fieldDefault = field.schema.defaultValue ?? (defaultFromParent === null ? null : defaultFromParent.get(field));
      switch (field.schema.type) {
        case 'STRUCT':
          this.#flattenSchema(field.schema, name, builder, fieldOptional, fieldDefault as Struct | null);
          break;
        case 'MAP':
          throw new DataException(`Flatten transformation does not support MAP for record with schemas (for field ${name}).`, { context: { field: name } });
        default: {
          const fieldBuilder = copySchemaBasics(field.schema);
          if (fieldOptional) fieldBuilder.optional();
          if (fieldDefault !== null) fieldBuilder.defaultValue(fieldDefault);
          builder.field(name, fieldBuilder.build());
        }
      }
    }
  }

  #flattenStruct(struct: Struct, prefix: string, out: Struct): void {
    for (const field of struct.schema.fields()) {
      const name = this.#name(prefix, field.name);
      if (field.schema.type === 'STRUCT') {
        const nested = struct.getWithoutDefault(field);
        if (nested !== null) this.#flattenStruct(nested as Struct, name, out);
      } else if (field.schema.type === 'MAP') {
        throw new DataException(`Flatten transformation does not support MAP for record with schemas (for field ${name}).`, { context: { field: name } });
      } else {
        out.put(name, struct.get(field));
      }
    }
  }

  close(): void {
    this.#schemaCache.clear();
  }
}

export class FlattenKey<R extends ConnectRecord<R>> extends Flatten<R> {
  protected readonly side = 'key';
}

export class FlattenValue<R extends ConnectRecord<R>> extends Flatten<R> {
  protected readonly side = 'value';
}
