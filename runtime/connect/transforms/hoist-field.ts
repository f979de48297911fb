/**
 * HoistField$Key / HoistField$Value: wraps the whole key or value in a one-field struct (with a
 * schema) or map (without), under `field`.
 */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef, SchemaBuilder, Struct } from '../api/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { SchemaCache } from './util/schema-cache.ts';

const CONFIG_DEF = new ConfigDef().define({
  name: 'field',
  type: 'STRING',
  importance: 'MEDIUM',
  documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
});

abstract class HoistField<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Wrap data using the specified field name in a Struct when schema present, or a Map in the case of schemaless data.';
  protected abstract readonly side: RecordSide;
  #field = '';
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.HoistField${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    this.#field = this.parseConfig(configs).field;
    this.#schemaCache.clear();
  }

  apply(record: R): R {
    const schema = operatingSchema(this.side, record);
    const value = operatingValue(this.side, record);
    if (schema === null) return withOperated(this.side, record, null, new Map([[this.#field, value]]));
    const updatedSchema = this.#schemaCache.getOrBuild(schema, (s) => SchemaBuilder.struct().field(this.#field, s).build());
    return withOperated(this.side, record, updatedSchema, new Struct(updatedSchema).put(this.#field, value));
  }

  close(): void {
    this.#schemaCache.clear();
  }
}

export class HoistFieldKey<R extends ConnectRecord<R>> extends HoistField<R> {
  protected readonly side = 'key';
}

export class HoistFieldValue<R extends ConnectRecord<R>> extends HoistField<R> {
  protected readonly side = 'value';
}
