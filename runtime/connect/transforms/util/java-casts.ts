/**
 * Java's primitive conversions, which Cast and MaskField inherit from Kafka: integer narrowing
 * keeps the low bits (300 → int8 44), floating point to integer truncates toward zero and
 * saturates (NaN → 0), and int64 values stay exact (bigint beyond 2^53).
 */
import type { SchemaType } from '../../api/index.ts';
import { BigDecimal } from '../../api/index.ts';

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export type IntegerType = 'INT8' | 'INT16' | 'INT32' | 'INT64';
const BITS: Readonly<Record<IntegerType, number>> = { INT8: 8, INT16: 16, INT32: 32, INT64: 64 };

/** A 64-bit integer as a JavaScript value: a number when exactly representable, else a bigint. */
export function longValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** Java's (long) cast of a double: toward zero, saturating, NaN → 0. */
export function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 9.223372036854776e18) return LONG_MAX;
  if (d <= -9.223372036854776e18) return LONG_MIN;
  return BigInt(Math.trunc(d));
}

/** Java's (int) cast of a double: toward zero, saturating at the int range, NaN → 0. */
function doubleToInt(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  return BigInt(Math.max(-2147483648, Math.min(2147483647, Math.trunc(d))));
}

/** BigDecimal.longValue(): the integer part's low 64 bits. */
export function decimalToLong(value: BigDecimal): bigint {
  const truncated = value.scale <= 0 ? value.unscaled * 10n ** BigInt(-value.scale) : value.unscaled / 10n ** BigInt(value.scale);
  return BigInt.asIntN(64, truncated);
}

/**
 * Number.byteValue()/shortValue()/intValue()/longValue() of a numeric value: `isFloating` says the
 * value is a float/double in Java (so it truncates and saturates before narrowing).
 */
export function toIntegerType(value: number | bigint | BigDecimal, isFloating: boolean, type: IntegerType): number | bigint {
  let whole: bigint;
  if (value instanceof BigDecimal) whole = decimalToLong(value);
  else if (typeof value === 'bigint') whole = value;
  else if (isFloating || !Number.isSafeInteger(value)) whole = type === 'INT64' ? doubleToLong(value) : doubleToInt(value);
  else whole = BigInt(value);
  const narrowed = BigInt.asIntN(BITS[type], whole);
  return type === 'INT64' ? longValue(narrowed) : Number(narrowed);
}

/** floatValue()/doubleValue() of a numeric value. */
export function toFloatType(value: number | bigint | BigDecimal, type: 'FLOAT32' | 'FLOAT64'): number {
  const d = value instanceof BigDecimal ? value.toNumber() : Number(value);
  return type === 'FLOAT32' ? Math.fround(d) : d;
}

/** Whether a number of this schema type is a Java float/double (null: tell from the value). */
export function isFloatingType(type: SchemaType | null, value: number): boolean {
  return type === null ? !Number.isInteger(value) : type === 'FLOAT32' || type === 'FLOAT64';
}
