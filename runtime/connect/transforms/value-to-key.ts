/** ValueToKey: replaces the record key with a struct (or map) of some fields of the value. */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef, DataException, SchemaBuilder, Struct } from '../api/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, nonEmptyList, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import { requireMap, requireStruct } from './util/requirements.ts';
import { SchemaCache } from './util/schema-cache.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'fields', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Field names on the record value to extract as the record key.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

const PURPOSE = 'copying fields from value to key';

export class ValueToKey<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Replace the record key with a new key formed from a subset of fields in the record value.';
  readonly className = 'org.apache.kafka.connect.transforms.ValueToKey';
  #fields: string[] = [];
  #replaceNullWithDefault = true;
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#fields = c.fields;
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemaCache.clear();
  }

  apply(record: R): R {
    if (record.valueSchema === null) {
      const value = requireMap(record.value, PURPOSE);
      const key = new Map<string, unknown>();
      for (const field of this.#fields) key.set(field, value.get(field) ?? null);
      return record.newRecord({ keySchema: null, key });
    }
    const value = requireStruct(record.value, PURPOSE);
    const keySchema = this.#schemaCache.getOrBuild(value.schema, (schema) => {
      const builder = SchemaBuilder.struct();
      for (const name of this.#fields) {
        const field = schema.field(name);
        if (field === null) throw new DataException(`Field does not exist: ${name}`, { context: { field: name } });
        builder.field(name, field.schema);
      }
      return builder.build();
    });
    const key = new Struct(keySchema);
    for (const name of this.#fields) key.put(name, this.#replaceNullWithDefault ? value.get(name) : value.getWithoutDefault(name));
    return record.newRecord({ keySchema, key, valueSchema: value.schema, value });
  }

  close(): void {
    this.#schemaCache.clear();
  }
}
