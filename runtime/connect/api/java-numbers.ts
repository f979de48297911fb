/**
 * Number text as Java writes it (Double.toString / Float.toString, which Jackson uses), so that
 * JSON and header strings match what Kafka Connect produces: 1.0 not 1, 1.0E7 not 10000000,
 * and float32 values with their shortest float digits (0.1f → "0.1").
 */

/** Shortest digits and decimal exponent of a finite, non-zero magnitude, from JS's shortest form. */
function digitsOf(text: string): { digits: string; exponent: number } {
  // `text` is toExponential()/toPrecision() output: d[.ddd]e±n
  const [mantissa, exp] = text.split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exponent: Number(exp) };
}

function format(negative: boolean, digits: string, exponent: number): string {
  const sign = negative ? '-' : '';
  if (exponent >= -3 && exponent < 7) {
    // Plain notation with at least one fraction digit.
    if (exponent >= 0) {
      const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const frac = digits.slice(exponent + 1) || '0';
      return `${sign}${intPart}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const frac = digits.slice(1) || '0';
  return `${sign}${digits[0]}.${frac}E${exponent}`;
}

function special(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  return null;
}

/** Java's Double.toString. */
export function javaDoubleToString(value: number): string {
  const s = special(value);
  if (s !== null) return s;
  const { digits, exponent } = digitsOf(Math.abs(value).toExponential());
  return format(value < 0, digits, exponent);
}

/** Java's Float.toString for a value that is a float32 (e.g. from Math.fround). */
export function javaFloatToString(value: number): string {
  const s = special(value);
  if (s !== null) return s;
  const f = Math.fround(value);
  const magnitude = Math.abs(f);
  for (let precision = 1; precision <= 9; precision++) {
    const text = magnitude.toExponential(precision - 1);
    if (Math.fround(Number(text)) === magnitude) {
      const { digits, exponent } = digitsOf(text);
      return format(f < 0, digits, exponent);
    }
  }
  return javaDoubleToString(f);
}
