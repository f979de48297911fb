/**
 * HeaderFrom$Key / HeaderFrom$Value: copies (`operation=copy`) or moves (`move`, removing them
 * from the key/value) the listed `fields` into the headers named at the same positions in
 * `headers`. With a schema the header keeps the field's schema.
 */
import type { ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { ConfigDef, DataException, SchemaBuilder, Struct } from '../api/index.ts';
import { validators } from '../config/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, nonEmptyList, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { requireMap, requireStruct } from './util/requirements.ts';
import { SchemaCache } from './util/schema-cache.ts';
import { copySchemaBasics } from './util/schema-util.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'fields', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Field names in the record whose values are to be copied or moved to headers.' })
  .define({
    name: 'headers',
    type: 'LIST',
    validator: nonEmptyList,
    importance: 'HIGH',
    documentation: 'Header names, in the same order as the field names listed in the fields configuration property.',
  })
  .define({
    name: 'operation',
    type: 'STRING',
    validator: validators.oneOf('move', 'copy'),
    importance: 'HIGH',
    documentation:
      'Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).',
  })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

abstract class HeaderFrom<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    'Moves or copies fields in the key/value of a record into that record\'s headers. Corresponding elements of <code>fields</code> and <code>headers</code> together identify a field and the header it should be moved or copied to.';
  protected abstract readonly side: RecordSide;
  #fields: string[] = [];
  #headers: string[] = [];
  #move = false;
  #replaceNullWithDefault = true;
  readonly #moveSchemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.HeaderFrom${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    if (c.headers.length !== c.fields.length) {
      throw this.invalid('headers', c.headers, `'fields' config must have the same number of elements as 'headers' config (${c.fields.length} fields, ${c.headers.length} headers).`);
    }
    this.#fields = c.fields;
    this.#headers = c.headers;
    this.#move = c.operation === 'move';
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#moveSchemaCache.clear();
  }

  apply(record: R): R {
    const schema = operatingSchema(this.side, record);
    const value = operatingValue(this.side, record);
    const purpose = `header ${this.#move ? 'move' : 'copy'}`;
    const headers = record.headers.duplicate();
    if (schema === null) {
      const original = requireMap(value, purpose);
      const updated = new Map(original);
      this.#fields.forEach((field, i) => {
        if (this.#move) updated.delete(field);
        headers.add(this.#headers[i], original.get(field) ?? null, null);
      });
      return withOperated(this.side, record, null, updated, headers);
    }
    const struct = requireStruct(value, purpose);
    const fieldValue = (name: string) => (this.#replaceNullWithDefault ? struct.get(name) : struct.getWithoutDefault(name));
    let updatedSchema: Schema = schema;
    let updated: Struct = struct;
    if (this.#move) {
      updatedSchema = this.#moveSchemaCache.getOrBuild(schema, (s) => {
        const builder = copySchemaBasics(s, SchemaBuilder.struct());
        for (const field of s.fields()) if (!this.#fields.includes(field.name)) builder.field(field.name, field.schema);
        return builder.build();
      });
      updated = new Struct(updatedSchema);
      for (const field of updatedSchema.fields()) updated.put(field, fieldValue(field.name));
    }
    this.#fields.forEach((name, i) => {
      const field = struct.schema.field(name);
      // Kafka fails here with a NullPointerException; name the missing field instead.
      if (field === null) throw new DataException(`Field does not exist: ${name} (in ${schema})`, { context: { field: name } });
      headers.add(this.#headers[i], fieldValue(name), field.schema);
    });
    return withOperated(this.side, record, updatedSchema, updated, headers);
  }

  close(): void {
    this.#moveSchemaCache.clear();
  }
}

export class HeaderFromKey<R extends ConnectRecord<R>> extends HeaderFrom<R> {
  protected readonly side = 'key';
}

export class HeaderFromValue<R extends ConnectRecord<R>> extends HeaderFrom<R> {
  protected readonly side = 'value';
}
