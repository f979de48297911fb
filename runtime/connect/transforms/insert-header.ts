/**
 * InsertHeader: adds the header `header` to every record, with `value.literal` parsed as Kafka's
 * Values.parseString does (so "42" becomes an int8 header, "true" a boolean, other text a string).
 */
import type { ConnectRecord, SchemaAndValue, Transformation } from '../api/index.ts';
import { ConfigDef, NULL_SCHEMA_AND_VALUE, parseValueString } from '../api/index.ts';
import { validators } from '../config/index.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin } from './util/plugin-config.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'header', type: 'STRING', validator: validators.nonNull(), importance: 'HIGH', documentation: 'The name of the header.' })
  .define({
    name: 'value.literal',
    type: 'STRING',
    validator: validators.nonNull(),
    importance: 'HIGH',
    documentation: 'The literal value that is to be set as the header value on all records.',
  });

export class InsertHeader<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Add a header to each record.';
  readonly className = 'org.apache.kafka.connect.transforms.InsertHeader';
  #header = '';
  #literal: SchemaAndValue = NULL_SCHEMA_AND_VALUE;

  constructor() {
    super(CONFIG_DEF);
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#header = c.header;
    this.#literal = parseValueString(c['value.literal']);
  }

  apply(record: R): R {
    const headers = record.headers.duplicate().add(this.#header, this.#literal.value, this.#literal.schema);
    return record.newRecord({ headers });
  }

  close(): void {}
}
