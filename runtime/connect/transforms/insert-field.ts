/**
 * InsertField$Key / InsertField$Value: adds fields from the record's metadata (topic, partition,
 * offset, timestamp) or a static string. A field name ending in `!` makes the added field
 * required, `?` (or nothing) optional.
 */
import type { ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { ConfigDef, LogicalTimestamp, SchemaBuilder, Schemas } from '../api/index.ts';
import { requireMap, requireSinkRecord, requireStruct } from './util/requirements.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import { SchemaCache } from './util/schema-cache.ts';
import { copySchemaBasics, copyStruct } from './util/schema-util.ts';

const OPTIONALITY_DOC = 'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'topic.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for Kafka topic. ${OPTIONALITY_DOC}` })
  .define({ name: 'partition.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for Kafka partition. ${OPTIONALITY_DOC}` })
  .define({
    name: 'offset.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: `Field name for Kafka offset - only applicable to sink connectors.<br/>${OPTIONALITY_DOC}`,
  })
  .define({ name: 'timestamp.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for record timestamp. ${OPTIONALITY_DOC}` })
  .define({ name: 'static.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for static data field. ${OPTIONALITY_DOC}` })
  .define({ name: 'static.value', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'Static field value, if field name configured.' })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

const PURPOSE = 'field insertion';
const OPTIONAL_TIMESTAMP_SCHEMA = LogicalTimestamp.builder().optional().build();

interface InsertionSpec {
  name: string;
  optional: boolean;
}

function parseSpec(spec: string | null): InsertionSpec | null {
  if (spec === null) return null;
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true };
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false };
  return { name: spec, optional: true };
}

abstract class InsertField<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC = 'Insert field(s) using attributes from the record metadata or a configured static value.';
  protected abstract readonly side: RecordSide;
  #topic: InsertionSpec | null = null;
  #partition: InsertionSpec | null = null;
  #offset: InsertionSpec | null = null;
  #timestamp: InsertionSpec | null = null;
  #static: InsertionSpec | null = null;
  #staticValue: string | null = null;
  #replaceNullWithDefault = true;
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.InsertField${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#topic = parseSpec(c['topic.field']);
    this.#partition = parseSpec(c['partition.field']);
    this.#offset = parseSpec(c['offset.field']);
    this.#timestamp = parseSpec(c['timestamp.field']);
    this.#static = parseSpec(c['static.field']);
    this.#staticValue = c['static.value'];
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    if (!this.#topic && !this.#partition && !this.#offset && !this.#timestamp && !this.#static) {
      throw this.problem('No field insertion configured: set at least one of topic.field, partition.field, offset.field, timestamp.field, static.field');
    }
    if (this.#static && this.#staticValue === null) {
      throw this.invalid('static.value', null, `No value specified for static field: ${this.#static.name}`);
    }
    this.#schemaCache.clear();
  }

  apply(record: R): R {
    const value = operatingValue(this.side, record);
    if (value === null) return record;
    return operatingSchema(this.side, record) === null ? this.#applySchemaless(record, value) : this.#applyWithSchema(record, value);
  }

  #applySchemaless(record: R, value: unknown): R {
    const updated = new Map(requireMap(value, PURPOSE));
    if (this.#topic) updated.set(this.#topic.name, record.topic);
    if (this.#partition && record.kafkaPartition !== null) updated.set(this.#partition.name, record.kafkaPartition);
    if (this.#offset) updated.set(this.#offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.#timestamp && record.timestamp !== null) updated.set(this.#timestamp.name, record.timestamp);
    if (this.#static && this.#staticValue !== null) updated.set(this.#static.name, this.#staticValue);
    return withOperated(this.side, record, null, updated);
  }

  #applyWithSchema(record: R, value: unknown): R {
    const struct = requireStruct(value, PURPOSE);
    const schema = this.#schemaCache.getOrBuild(struct.schema, (s) => this.#updatedSchema(s));
    const updated = copyStruct(struct, schema, this.#replaceNullWithDefault);
    if (this.#topic) updated.put(this.#topic.name, record.topic);
    if (this.#partition && record.kafkaPartition !== null) updated.put(this.#partition.name, record.kafkaPartition);
    if (this.#offset) updated.put(this.#offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.#timestamp && record.timestamp !== null) updated.put(this.#timestamp.name, new Date(record.timestamp));
    if (this.#static && this.#staticValue !== null) updated.put(this.#static.name, this.#staticValue);
    return withOperated(this.side, record, schema, updated);
  }

  #updatedSchema(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields()) builder.field(field.name, field.schema);
    const add = (spec: InsertionSpec | null, optional: Schema, required: Schema) => {
      if (spec) builder.field(spec.name, spec.optional ? optional : required);
    };
    add(this.#topic, Schemas.OPTIONAL_STRING, Schemas.STRING);
    add(this.#partition, Schemas.OPTIONAL_INT32, Schemas.INT32);
    add(this.#offset, Schemas.OPTIONAL_INT64, Schemas.INT64);
    add(this.#timestamp, OPTIONAL_TIMESTAMP_SCHEMA, LogicalTimestamp.SCHEMA);
    add(this.#static, Schemas.OPTIONAL_STRING, Schemas.STRING);
    return builder.build();
  }

  close(): void {
    this.#schemaCache.clear();
  }
}

export class InsertFieldKey<R extends ConnectRecord<R>> extends InsertField<R> {
  protected readonly side = 'key';
}

export class InsertFieldValue<R extends ConnectRecord<R>> extends InsertField<R> {
  protected readonly side = 'value';
}
