/**
 * MaskField$Key / MaskField$Value: replaces the listed fields with the "empty" value of their
 * type (0, false, "", epoch, empty array or map) or with `replacement` converted to the field's
 * type (numbers and strings only). Null values stay null.
 */
import type { ConnectRecord, SchemaType, Transformation } from '../api/index.ts';
import { BigDecimal, ConfigDef, DataException } from '../api/index.ts';
import { isFloatingType, toFloatType, toIntegerType } from './util/java-casts.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, nonEmptyList, nonEmptyString, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { describeType, requireMap, requireStruct } from './util/requirements.ts';
import { copyStruct } from './util/schema-util.ts';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'fields', type: 'LIST', validator: nonEmptyList, importance: 'HIGH', documentation: 'Names of fields to mask.' })
  .define({
    name: 'replacement',
    type: 'STRING',
    default: null,
    validator: nonEmptyString,
    importance: 'LOW',
    documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
  })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

const PURPOSE = 'mask fields';

/** The empty value of a value's type (Kafka maps by Java class). */
function emptyValueOf(value: unknown): unknown {
  if (typeof value === 'boolean') return false;
  if (typeof value === 'number') return 0;
  if (typeof value === 'bigint') return 0n;
  if (typeof value === 'string') return '';
  // Kafka uses BigDecimal.ZERO (scale 0), which a Decimal schema of another scale then refuses
  // to serialise; zero at the value's own scale fits the schema.
  if (value instanceof BigDecimal) return new BigDecimal(0n, value.scale);
  if (value instanceof Date) return new Date(0);
  if (Array.isArray(value)) return [];
  if (value instanceof Map) return new Map();
  throw new DataException(`Cannot mask value of type: ${describeType(value)}`);
}

/** A decimal from replacement text, as Java's `new BigDecimal(String)` (Values.convertTo* use it). */
function parseNumber(replacement: string): BigDecimal {
  try {
    return BigDecimal.parse(replacement);
  } catch (err) {
    throw new DataException(`Unable to convert ${replacement} (string) to a number`, { cause: err });
  }
}

/** `replacement` converted to the type of `value` (`type`: its field's schema type, or null). */
function replacementFor(value: unknown, type: SchemaType | null, replacement: string): unknown {
  if (typeof value === 'string') return replacement;
  if (value instanceof BigDecimal) return parseNumber(replacement);
  if (typeof value === 'bigint') return BigInt(toIntegerType(parseNumber(replacement), false, 'INT64'));
  if (typeof value === 'number') {
    const target: SchemaType = type ?? (isFloatingType(null, value) ? 'FLOAT64' : 'INT64');
    const number = parseNumber(replacement);
    if (target === 'FLOAT32' || target === 'FLOAT64') return toFloatType(number, target);
    if (target === 'INT8' || target === 'INT16' || target === 'INT32' || target === 'INT64') return toIntegerType(number, false, target);
  }
  throw new DataException(`Cannot mask value of type ${describeType(value)} with custom replacement.`);
}

abstract class MaskField<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    'Mask specified fields with a valid null value for the field type (i.e. 0, false, empty string, and so on). For numeric and string fields, an optional replacement value can be specified that is converted to the correct type.';
  protected abstract readonly side: RecordSide;
  #fields = new Set<string>();
  #replacement: string | null = null;
  #replaceNullWithDefault = true;

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.MaskField${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#fields = new Set(c.fields);
    this.#replacement = c.replacement;
    this.#replaceNullWithDefault = c['replace.null.with.default'];
  }

  #masked(value: unknown, type: SchemaType | null): unknown {
    if (value === null || value === undefined) return null;
    return this.#replacement === null ? emptyValueOf(value) : replacementFor(value, type, this.#replacement);
  }

  apply(record: R): R {
    const value = operatingValue(this.side, record);
    if (operatingSchema(this.side, record) === null) {
      const original = requireMap(value, PURPOSE);
      const updated = new Map(original);
      for (const field of this.#fields) updated.set(field, this.#masked(original.get(field) ?? null, null));
      return withOperated(this.side, record, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = copyStruct(struct, struct.schema, this.#replaceNullWithDefault, (field, fieldValue) =>
      this.#fields.has(field.name) ? this.#masked(fieldValue, field.schema.type) : fieldValue,
    );
    return withOperated(this.side, record, struct.schema, updated);
  }

  close(): void {}
}

export class MaskFieldKey<R extends ConnectRecord<R>> extends MaskField<R> {
  protected readonly side = 'key';
}

export class MaskFieldValue<R extends ConnectRecord<R>> extends MaskField<R> {
  protected readonly side = 'value';
}
