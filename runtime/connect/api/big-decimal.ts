/**
 * An exact decimal: unscaled integer × 10^-scale, as Java's BigDecimal, which Kafka Connect's
 * Decimal logical type carries. Equality is Java's (1.50 ≠ 1.5; use compareTo for numeric order);
 * toString follows BigDecimal.toString, so JSON written with decimal.format=NUMERIC matches Kafka.
 */
import { DataException } from './errors.ts';

export type RoundingMode = 'UNNECESSARY' | 'HALF_UP' | 'HALF_EVEN' | 'DOWN' | 'UP' | 'FLOOR' | 'CEILING';

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

export class BigDecimal {
  readonly unscaled: bigint;
  readonly scale: number;

  constructor(unscaled: bigint, scale = 0) {
    if (!Number.isInteger(scale)) throw new DataException(`BigDecimal scale must be an integer, got ${scale}`);
    this.unscaled = unscaled;
    this.scale = scale;
  }

  /** Parses decimal text as Java's `new BigDecimal(String)`: "1.50" has scale 2, "1E+3" scale -3. */
  static parse(text: string): BigDecimal {
    const m = DECIMAL_TEXT.exec(text.trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DataException(`Not a decimal number: "${text}"`);
    const [, sign, intPart, fraction = '', exponent = '0'] = m;
    const digits = `${intPart}${fraction}` || '0';
    const scale = fraction.length - Number(exponent);
    const unscaled = BigInt(digits);
    return new BigDecimal(sign === '-' ? -unscaled : unscaled, scale);
  }

  /** The decimal of a double's shortest representation (Java's BigDecimal.valueOf(double)). */
  static fromNumber(value: number): BigDecimal {
    if (!Number.isFinite(value)) throw new DataException(`Cannot represent ${value} as a decimal`);
    const parsed = BigDecimal.parse(String(value));
    // valueOf(double) keeps at least one fraction digit for whole numbers (Double.toString gives "2.0").
    return Number.isInteger(value) && parsed.scale <= 0 && Math.abs(value) < 1e7 ? parsed.setScale(1) : parsed;
  }

  /** Decodes the two's-complement big-endian unscaled value (Java's BigInteger.toByteArray form). */
  static fromBytes(bytes: Uint8Array, scale: number): BigDecimal {
    if (bytes.length === 0) throw new DataException('Cannot decode a decimal from zero bytes');
    let n = 0n;
    for (const b of bytes) n = (n << 8n) | BigInt(b);
    if (bytes[0] & 0x80) n -= 1n << BigInt(bytes.length * 8);
    return new BigDecimal(n, scale);
  }

  /** The unscaled value as minimal two's-complement big-endian bytes (BigInteger.toByteArray). */
  toBytes(): Uint8Array {
    const n = this.unscaled;
    let length = 1;
    while (n < -(1n << BigInt(length * 8 - 1)) || n >= 1n << BigInt(length * 8 - 1)) length++;
    const out = new Uint8Array(length);
    let v = n < 0n ? (1n << BigInt(length * 8)) + n : n;
    for (let i = length - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }

  /** Same value with another scale; `rounding` decides what happens to dropped digits. */
  setScale(newScale: number, rounding: RoundingMode = 'UNNECESSARY'): BigDecimal {
    if (newScale === this.scale) return this;
    if (newScale > this.scale) return new BigDecimal(this.unscaled * pow10(newScale - this.scale), newScale);
    const divisor = pow10(this.scale - newScale);
    const quotient = this.unscaled / divisor; // truncates toward zero
    const remainder = this.unscaled % divisor;
    if (remainder === 0n) return new BigDecimal(quotient, newScale);
    const negative = this.unscaled < 0n;
    const away = negative ? quotient - 1n : quotient + 1n;
    const twice = abs(remainder) * 2n;
    let rounded: bigint;
    switch (rounding) {
      case 'UNNECESSARY':
        throw new DataException(`Rounding necessary to change the scale of ${this.toString()} from ${this.scale} to ${newScale}`);
      case 'DOWN':
        rounded = quotient;
        break;
      case 'UP':
        rounded = away;
        break;
      case 'FLOOR':
        rounded = negative ? away : quotient;
        break;
      case 'CEILING':
        rounded = negative ? quotient : away;
        break;
      case 'HALF_UP':
        rounded = twice >= divisor ? away : quotient;
        break;
      case 'HALF_EVEN':
        rounded = twice > divisor || (twice === divisor && quotient % 2n !== 0n) ? away : quotient;
        break;
    }
    return new BigDecimal(rounded, newScale);
  }

  /** -1, 0 or 1 by numeric value (1.5 and 1.50 compare equal). */
  compareTo(other: BigDecimal): number {
    const scale = Math.max(this.scale, other.scale);
    const a = this.unscaled * pow10(scale - this.scale);
    const b = other.unscaled * pow10(scale - other.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Java's BigDecimal.equals: same unscaled value and same scale. */
  equals(other: unknown): boolean {
    return other instanceof BigDecimal && other.unscaled === this.unscaled && other.scale === this.scale;
  }

  /** Number of digits of the unscaled value. */
  precision(): number {
    return abs(this.unscaled).toString().length;
  }

  toNumber(): number {
    return Number(this.toString());
  }

  /** Without exponent notation: 1E+3 → "1000". */
  toPlainString(): string {
    const negative = this.unscaled < 0n;
    const digits = abs(this.unscaled).toString();
    let body: string;
    if (this.scale <= 0) body = digits + '0'.repeat(-this.scale);
    else if (digits.length > this.scale) body = `${digits.slice(0, digits.length - this.scale)}.${digits.slice(digits.length - this.scale)}`;
    else body = `0.${'0'.repeat(this.scale - digits.length)}${digits}`;
    return negative ? `-${body}` : body;
  }

  /** Java's BigDecimal.toString: plain unless the scale is negative or the value is very small. */
  toString(): string {
    const digits = abs(this.unscaled).toString();
    const adjusted = -this.scale + (digits.length - 1);
    if (this.scale >= 0 && adjusted >= -6) return this.toPlainString();
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponent = adjusted === 0 ? '' : `E${adjusted > 0 ? '+' : ''}${adjusted}`;
    return `${this.unscaled < 0n ? '-' : ''}${mantissa}${exponent}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
