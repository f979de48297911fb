/**
 * Kafka Connect's logical types: named schemas over primitive types with conversions between the
 * logical value and its primitive form.
 *   Decimal   BYTES, param `scale`; BigDecimal ⇄ two's-complement unscaled bytes
 *   Date      INT32; a Date at UTC midnight ⇄ days since the epoch
 *   Time      INT32; a Date on 1970-01-01 UTC ⇄ milliseconds since midnight
 *   Timestamp INT64; a Date ⇄ milliseconds since the epoch
 */
import { BigDecimal } from './big-decimal.ts';
import { DataException } from './errors.ts';
import type { Schema } from './schema.ts';
import { SchemaBuilder } from './schema-builder.ts';
import { DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME } from './struct.ts';

const MILLIS_PER_DAY = 24 * 60 * 60 * 1000;

function requireName(schema: Schema, name: string, what: string): void {
  if (schema.name !== name) throw new DataException(`Requested conversion of ${what} object but the schema does not match.`);
}

function validDate(value: Date, what: string): number {
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (Number.isNaN(ms)) throw new DataException(`Invalid ${what} value: not a valid Date`);
  return ms;
}

export const LogicalDecimal = Object.freeze({
  LOGICAL_NAME: DECIMAL_LOGICAL_NAME,
  SCALE_FIELD: 'scale',
  builder(scale: number): SchemaBuilder {
    return SchemaBuilder.bytes().name(DECIMAL_LOGICAL_NAME).parameter('scale', String(scale)).version(1);
  },
  schema(scale: number): Schema {
    return LogicalDecimal.builder(scale).build();
  },
  /** The scale parameter of a Decimal schema. */
  scale(schema: Schema): number {
    const text = schema.parameters?.scale;
    if (text === undefined) throw new DataException('Invalid Decimal schema: scale parameter not found.');
    if (!/^[+-]?\d+$/.test(text)) throw new DataException(`Invalid scale parameter found in Decimal schema: "${text}"`);
    return Number(text);
  },
  fromLogical(schema: Schema, value: BigDecimal): Uint8Array {
    const scale = LogicalDecimal.scale(schema);
    if (value.scale !== scale) {
      throw new DataException(`Decimal value has mismatching scale for given Decimal schema. Schema has scale ${scale}, value has scale ${value.scale}.`);
    }
    return value.toBytes();
  },
  toLogical(schema: Schema, bytes: Uint8Array): BigDecimal {
    return BigDecimal.fromBytes(bytes, LogicalDecimal.scale(schema));
  },
});

export const LogicalDate = Object.freeze({
  LOGICAL_NAME: DATE_LOGICAL_NAME,
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1).build() as Schema,
  /** Days since the epoch; the Date must be at UTC midnight. */
  fromLogical(schema: Schema, value: Date): number {
    requireName(schema, DATE_LOGICAL_NAME, 'Date');
    const ms = validDate(value, 'Date');
    if (ms % MILLIS_PER_DAY !== 0) throw new DataException('Kafka Connect Date type should not have any time fields set to non-zero values.');
    return ms / MILLIS_PER_DAY;
  },
  toLogical(schema: Schema, days: number): Date {
    requireName(schema, DATE_LOGICAL_NAME, 'Date');
    return new Date(days * MILLIS_PER_DAY);
  },
});

export const LogicalTime = Object.freeze({
  LOGICAL_NAME: TIME_LOGICAL_NAME,
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1).build() as Schema,
  /** Milliseconds since midnight; the Date must be on 1970-01-01 UTC. */
  fromLogical(schema: Schema, value: Date): number {
    requireName(schema, TIME_LOGICAL_NAME, 'Time');
    const ms = validDate(value, 'Time');
    if (ms < 0 || ms > MILLIS_PER_DAY) throw new DataException('Kafka Connect Time type should not have any date fields set to non-zero values.');
    return ms;
  },
  toLogical(schema: Schema, millis: number): Date {
    requireName(schema, TIME_LOGICAL_NAME, 'Time');
    if (millis < 0 || millis > MILLIS_PER_DAY) {
      throw new DataException('Time values must use number of milliseconds greater than 0 and less than 86400000');
    }
    return new Date(millis);
  },
});

export const LogicalTimestamp = Object.freeze({
  LOGICAL_NAME: TIMESTAMP_LOGICAL_NAME,
  builder(): SchemaBuilder {
    return SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1).build() as Schema,
  /** Milliseconds since the epoch. */
  fromLogical(schema: Schema, value: Date): number {
    requireName(schema, TIMESTAMP_LOGICAL_NAME, 'Timestamp');
    return validDate(value, 'Timestamp');
  },
  toLogical(schema: Schema, millis: number | bigint): Date {
    requireName(schema, TIMESTAMP_LOGICAL_NAME, 'Timestamp');
    const date = new Date(Number(millis));
    if (Number.isNaN(date.getTime())) throw new DataException(`Timestamp ${millis} is outside the range of a Date`);
    return date;
  },
});

/** The Date, Time or Timestamp logical type a schema name stands for (all three carry a JS Date), or null. */
export function dateLogicalType(name: string | null): typeof LogicalDate | typeof LogicalTime | typeof LogicalTimestamp | null {
  switch (name) {
    case DATE_LOGICAL_NAME:
      return LogicalDate;
    case TIME_LOGICAL_NAME:
      return LogicalTime;
    case TIMESTAMP_LOGICAL_NAME:
      return LogicalTimestamp;
    default:
      return null;
  }
}
