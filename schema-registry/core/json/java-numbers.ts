/**
 * Number text as Confluent's Java stack prints it. Avro's parser reads floating-point literals as
 * doubles and prints them with Double.toString ("1.0", "1.0E10"); the JSON Schema provider reads
 * them as exact BigDecimals and prints BigDecimal.toString ("1.50", "1E+3"). Integers print as
 * written. Matching this keeps our canonical strings (and so our schema ids) equal to Confluent's.
 */

/** Java's Double.toString for a finite double (shortest digits that round-trip). */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  // toExponential() without digits gives the shortest round-tripping digits: "d.ddde±x".
  const [mantissa, expText] = Math.abs(d).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1) || '0';
      return `${sign}${intPart}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const frac = digits.slice(1) || '0';
  return `${sign}${digits[0]}.${frac}E${exp}`;
}

/** Java's new BigDecimal(lexeme).toString() for a JSON number literal. */
export function javaBigDecimalToString(lexeme: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!m) throw new RangeError(`Not a JSON number: ${lexeme}`);
  const [, minus, intDigits, fracDigits = '', expText = '0'] = m;
  let coefficient = (intDigits + fracDigits).replace(/^0+(?=\d)/, '');
  const scale = fracDigits.length - Number(expText);
  const negative = minus === '-' && /[1-9]/.test(coefficient);
  if (coefficient === '') coefficient = '0';
  const adjusted = -scale + (coefficient.length - 1);
  let body: string;
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) body = coefficient;
    else if (coefficient.length > scale) {
      body = `${coefficient.slice(0, coefficient.length - scale)}.${coefficient.slice(coefficient.length - scale)}`;
    } else body = `0.${'0'.repeat(scale - coefficient.length)}${coefficient}`;
  } else {
    const rest = coefficient.length > 1 ? `.${coefficient.slice(1)}` : '';
    body = `${coefficient[0]}${rest}E${adjusted > 0 ? '+' : ''}${adjusted}`;
  }
  return negative ? `-${body}` : body;
}

/** An integer literal as Jackson prints its integer node ("-0" reads as 0). */
export function javaIntegerToString(lexeme: string): string {
  return lexeme === '-0' ? '0' : lexeme;
}
