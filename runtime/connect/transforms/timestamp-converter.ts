/**
 * TimestampConverter$Key / TimestampConverter$Value: converts a timestamp field (`field`, nested
 * paths not supported, as in Kafka) or the whole key/value between `unix` (int64 in
 * `unix.precision`), `string` (a SimpleDateFormat `format`, UTC), and Connect's `Date`, `Time`
 * and `Timestamp` logical types.
 */
import type { ConnectRecord, Schema, Struct, Transformation } from '../api/index.ts';
import {
  ConfigDef,
  ConnectError,
  DataException,
  DATE_LOGICAL_NAME,
  LogicalDate,
  LogicalTime,
  LogicalTimestamp,
  SchemaBuilder,
  Schemas,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from '../api/index.ts';
import { validators } from '../config/index.ts';
import { ConfigError } from '../../util/errors.ts';
import type { ConfigValuesOf } from './util/plugin-config.ts';
import { ConfiguredPlugin, REPLACE_NULL_WITH_DEFAULT_DOC } from './util/plugin-config.ts';
import type { RecordSide } from './util/record-side.ts';
import { operatingSchema, operatingValue, sideSuffix, withOperated } from './util/record-side.ts';
import { describeType, requireMap, requireStructOrNull } from './util/requirements.ts';
import { SchemaCache } from './util/schema-cache.ts';
import { copySchemaBasics, copyStruct } from './util/schema-util.ts';
import { DateParseError, SimpleDateFormat } from './util/simple-date-format.ts';

const TIMESTAMP_TYPES = ['string', 'unix', 'Date', 'Time', 'Timestamp'] as const;
type TimestampType = (typeof TIMESTAMP_TYPES)[number];
const UNIX_PRECISIONS = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'] as const;
type UnixPrecision = (typeof UNIX_PRECISIONS)[number];

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'field', type: 'STRING', default: '', importance: 'HIGH', documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp' })
  .define({
    name: 'target.type',
    type: 'STRING',
    validator: validators.oneOf(...TIMESTAMP_TYPES),
    importance: 'HIGH',
    documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
  })
  .define({
    name: 'format',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    documentation:
      'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.',
  })
  .define({
    name: 'unix.precision',
    type: 'STRING',
    default: 'milliseconds',
    validator: validators.oneOf(...UNIX_PRECISIONS),
    importance: 'LOW',
    documentation:
      'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.' +
      'Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.',
  })
  .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: REPLACE_NULL_WITH_DEFAULT_DOC });

const PURPOSE = 'converting timestamp formats';
const MILLIS_PER_DAY = 86_400_000;
const OPTIONAL_DATE = LogicalDate.builder().optional().build();
const OPTIONAL_TIME = LogicalTime.builder().optional().build();
const OPTIONAL_TIMESTAMP = LogicalTimestamp.builder().optional().build();
const UNITS_PER_MILLI: Readonly<Record<UnixPrecision, bigint>> = { nanoseconds: 1_000_000n, microseconds: 1000n, milliseconds: 1n, seconds: 1n };

function schemaOf(type: TimestampType, optional: boolean): Schema {
  switch (type) {
    case 'string':
      return optional ? Schemas.OPTIONAL_STRING : Schemas.STRING;
    case 'unix':
      return optional ? Schemas.OPTIONAL_INT64 : Schemas.INT64;
    case 'Date':
      return optional ? OPTIONAL_DATE : LogicalDate.SCHEMA;
    case 'Time':
      return optional ? OPTIONAL_TIME : LogicalTime.SCHEMA;
    case 'Timestamp':
      return optional ? OPTIONAL_TIMESTAMP : LogicalTimestamp.SCHEMA;
  }
}

/** The timestamp kind a schema carries (Kafka: logical name first, then STRING → string, INT64 → unix). */
function typeFromSchema(schema: Schema): TimestampType {
  if (schema.name === TIMESTAMP_LOGICAL_NAME) return 'Timestamp';
  if (schema.name === DATE_LOGICAL_NAME) return 'Date';
  if (schema.name === TIME_LOGICAL_NAME) return 'Time';
  if (schema.type === 'STRING') return 'string';
  if (schema.type === 'INT64') return 'unix';
  throw new ConnectError(`Schema ${schema} does not correspond to a known timestamp type format`);
}

/** The timestamp kind of a schemaless value (Date/Time/Timestamp are all Dates, so Timestamp). */
function inferType(value: unknown): TimestampType {
  if (value instanceof Date) return 'Timestamp';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'unix';
  if (typeof value === 'string') return 'string';
  throw new DataException(`TimestampConverter does not support ${describeType(value)} objects as timestamps`);
}

abstract class TimestampConverter<R extends ConnectRecord<R>> extends ConfiguredPlugin<ConfigValuesOf<typeof CONFIG_DEF>> implements Transformation<R> {
  static readonly OVERVIEW_DOC =
    'Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp types.Applies to individual fields or to the entire value.';
  protected abstract readonly side: RecordSide;
  #field = '';
  #type: TimestampType = 'Timestamp';
  #format: SimpleDateFormat | null = null;
  #precision: UnixPrecision = 'milliseconds';
  #replaceNullWithDefault = true;
  readonly #schemaCache = new SchemaCache();

  constructor() {
    super(CONFIG_DEF);
  }

  get className(): string {
    return `org.apache.kafka.connect.transforms.TimestampConverter${sideSuffix(this.side)}`;
  }

  configure(configs: Readonly<Record<string, unknown>>): void {
    const c = this.parseConfig(configs);
    this.#field = c.field;
    this.#type = c['target.type'] as TimestampType;
    this.#precision = c['unix.precision'] as UnixPrecision;
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    const pattern = c.format;
    if (this.#type === 'string' && pattern.trim() === '') {
      throw this.invalid('format', pattern, 'TimestampConverter requires format option to be specified when using string timestamps');
    }
    this.#format = null;
    if (pattern.trim() !== '') {
      try {
        this.#format = new SimpleDateFormat(pattern);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        throw this.invalid('format', pattern, `TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${err.message}`);
      }
    }
    this.#schemaCache.clear();
  }

  apply(record: R): R {
    const schema = operatingSchema(this.side, record);
    const value = operatingValue(this.side, record);
    return schema === null ? this.#applySchemaless(record, value) : this.#applyWithSchema(record, schema, value);
  }

  #applySchemaless(record: R, value: unknown): R {
    if (value === null || this.#field === '') return withOperated(this.side, record, null, this.#convert(value, null));
    const updated = new Map(requireMap(value, PURPOSE));
    updated.set(this.#field, this.#convert(updated.get(this.#field) ?? null, null));
    return withOperated(this.side, record, null, updated);
  }

  #applyWithSchema(record: R, schema: Schema, value: unknown): R {
    if (this.#field === '') return withOperated(this.side, record, schemaOf(this.#type, schema.optional), this.#convert(value, typeFromSchema(schema)));
    const struct = requireStructOrNull(value, PURPOSE);
    const updatedSchema = this.#schemaCache.getOrBuild(schema, (s) => this.#updatedSchema(s));
    return withOperated(this.side, record, updatedSchema, this.#convertStruct(struct, updatedSchema));
  }

  #updatedSchema(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields()) {
      builder.field(field.name, field.name === this.#field ? schemaOf(this.#type, field.schema.optional) : field.schema);
    }
    if (schema.optional) builder.optional();
    if (schema.defaultValue !== null) builder.defaultValue(this.#convertStruct(schema.defaultValue as Struct, builder.build()));
    return builder.build();
  }

  #convertStruct(struct: Struct | null, updatedSchema: Schema): Struct | null {
    if (struct === null) return null;
    return copyStruct(struct, updatedSchema, this.#replaceNullWithDefault, (field, fieldValue) =>
      field.name === this.#field ? this.#convert(fieldValue, typeFromSchema(field.schema)) : fieldValue,
    );
  }

  /** Converts a timestamp of `from` (inferred when null) to the target type; null stays null. */
  #convert(timestamp: unknown, from: TimestampType | null): unknown {
    if (timestamp === null || timestamp === undefined) return null;
    return this.#toType(this.#toRaw(timestamp, from ?? inferType(timestamp)));
  }

  #toRaw(value: unknown, from: TimestampType): Date {
    switch (from) {
      case 'string': {
        if (typeof value !== 'string') throw new DataException(`Expected string timestamp to be a String, but found ${describeType(value)}`);
        // A string source needs a format; Kafka fails here too (with a NullPointerException).
        if (this.#format === null) throw new DataException(`Cannot parse string timestamp "${value}": no format configured (${this.keyName('format')})`);
        try {
          return this.#format.parse(value);
        } catch (err) {
          if (!(err instanceof DateParseError)) throw err;
          throw new DataException(`Could not parse timestamp: value (${value}) does not match pattern (${this.#format.pattern})`, { cause: err });
        }
      }
      case 'unix': {
        if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) {
          throw new DataException(`Expected Unix timestamp to be a Long, but found ${describeType(value)}`);
        }
        const n = BigInt(value);
        const millis = this.#precision === 'seconds' ? n * 1000n : n / UNITS_PER_MILLI[this.#precision];
        return LogicalTimestamp.toLogical(LogicalTimestamp.SCHEMA, Number(millis));
      }
      default:
        if (!(value instanceof Date)) throw new DataException(`Expected ${from} to be a Date, but found ${describeType(value)}`);
        return value;
    }
  }

  #toType(date: Date): unknown {
    switch (this.#type) {
      case 'string':
        return this.#format!.format(date);
      case 'unix': {
        const millis = BigInt(LogicalTimestamp.fromLogical(LogicalTimestamp.SCHEMA, date));
        const n = this.#precision === 'seconds' ? millis / 1000n : millis * UNITS_PER_MILLI[this.#precision];
        return Number.isSafeInteger(Number(n)) ? Number(n) : n;
      }
      case 'Date': {
        const ms = date.getTime();
        return new Date(ms - (((ms % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY));
      }
      case 'Time': {
        const ms = date.getTime();
        return new Date(((ms % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY);
      }
      case 'Timestamp':
        return date;
    }
  }

  close(): void {
    this.#schemaCache.clear();
  }
}

export class TimestampConverterKey<R extends ConnectRecord<R>> extends TimestampConverter<R> {
  protected readonly side = 'key';
}

export class TimestampConverterValue<R extends ConnectRecord<R>> extends TimestampConverter<R> {
  protected readonly side = 'value';
}
