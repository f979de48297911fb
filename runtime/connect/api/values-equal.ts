/**
 * Deep equality of Connect values: numbers (an INT64 number equals the same bigint), strings,
 * bytes, arrays, Maps, plain records, Dates, and anything with an `equals` method (Struct,
 * BigDecimal, Schema).
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b !== 'number' && typeof b !== 'bigint') return false;
    if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    // Loose equality compares a number and a bigint by value.
    return a == b;
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => valuesEqual(v, b[i]));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (b.has(k)) {
        if (!valuesEqual(v, b.get(k))) return false;
        continue;
      }
      // Keys that are not primitives (or bigint vs number) are matched by value.
      let found = false;
      for (const [k2, v2] of b) {
        if (valuesEqual(k, k2) && valuesEqual(v, v2)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  const withEquals = a as { equals?: (other: unknown) => boolean };
  if (typeof withEquals.equals === 'function') return withEquals.equals(b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
