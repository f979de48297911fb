/**
 * ExtractField$Key / ExtractField$Value: replaces the key or value with one of its fields (a
 * nested one with `field.syntax.version=V2`). Null keys or values pass through as null.
 */
import type { ConnectRecord, Transformation } from '../api/index.ts';
import { ConfigDef, DataException } from '../api/index.ts';
import { ConfigError } from '../../util/errors.ts';
import { FIELD_SYNTAX_VERSION_KEY, SingleFieldPath, fieldSyntaxVersion } from './field-path.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { requireMapOrNull, requireStructOrNull } from './util/requirements.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC })
  .define(FIELD_SYNTAX_VERSION_KEY);

const PURPOSE = 'field extraction';

abstract class ExtractField<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Extract the specified field from a Struct when schema present, or a Map in the case of schemaless data. Any null values are passed through unmodified.';
  protected abstract readonly side: RecordSide;
  #path = new SingleFieldPath('', 'V1');
  #originalPath = '';
  #replaceNullWithDefault = true;

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.ExtractField${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#originalPath = c.field;
    try {
      this.#path = new SingleFieldPath(c.field, fieldSyntaxVersion(c['field.syntax.version']));
    } catch (err) {
      throw err instanceof ConfigError ? this.invalid('field', c.field, err.message) : err;
    }
    this.#replaceNullWithDefault = c['replace.null.with.default'];
  }

  apply(record: R): R {
    const schema = operatingSchema(this.side, record);
    const value = operatingValue(this.side, record);
    if (schema === null) {
      const map = requireMapOrNull(value, PURPOSE);
      return withOperated(this.side, record, null, map === null ? null : this.#path.valueFromMap(map));
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const field = this.#path.fieldFrom(schema);
    if (field === null) throw new DataException(`Unknown field: ${this.#originalPath}`, { context: { field: this.#originalPath } });
    return withOperated(this.side, record, field.schema, struct === null ? null : this.#path.valueFromStruct(struct, this.#replaceNullWithDefault));
  }

  close(): void {}
}

export class ExtractFieldKey<R extends ConnectRecord<R>> extends ExtractField<R> {
  protected readonly side = 'key';
}

export class ExtractFieldValue<R extends ConnectRecord<R>> extends ExtractField<R> {
  protected readonly side = 'value';
}
