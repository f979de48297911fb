/**
 * Parses date strings by a java.time DateTimeFormatter pattern (timeseries.timefield.auto.convert.date.format),
 * for the numeric fields only: years, months, days, hours, minutes, seconds, fractions, offsets
 * and zone ids, literals in quotes and optional sections in brackets. Text fields (month and day
 * names, AM/PM) are refused when the pattern is read, since their meaning depends on a locale.
 * Times without an offset or zone are UTC, and a date without a time is the start of that day.
 */

/** The official connector's default: ISO-style date, optional `T`/space, time, offset or zone. */
export const DEFAULT_DATE_PATTERN = "yyyy-MM-dd[['T'][ ]][HH:mm[:ss][.SSSSSSSSS][.SSSSSS][.SSS]][XXX]['['VV']']";

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction' | 'offset' | 'zone';

export interface DatePattern {
  readonly regex: RegExp;
  readonly fields: readonly Field[];
}

/** Compiles `pattern`; throws an Error naming the position of anything it cannot parse by. */
export function compileDatePattern(pattern: string): DatePattern {
  const fields: Field[] = [];
  let source = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    if (char === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote at position ${i}`);
      source += end === i + 1 ? "'" : escapeRegex(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (char === '[') {
      source += '(?:';
      depth += 1;
      i += 1;
      continue;
    }
    if (char === ']') {
      if (depth === 0) throw new Error(`unmatched ] at position ${i}`);
      source += ')?';
      depth -= 1;
      i += 1;
      continue;
    }
    if (!/[A-Za-z]/.test(char)) {
      source += escapeRegex(char);
      i += 1;
      continue;
    }
    let count = 1;
    while (pattern[i + count] === char) count += 1;
    const token = letter(char, count, i);
    fields.push(token.field);
    source += `(${token.regex})`;
    i += count;
  }
  if (depth !== 0) throw new Error('unclosed [ in the pattern');
  return { regex: new RegExp(`^${source}$`), fields };
}

function letter(char: string, count: number, position: number): { field: Field; regex: string } {
  switch (char) {
    case 'y':
    case 'u':
      return { field: 'year', regex: count === 2 ? '\\d{2}' : `[+-]?\\d{${Math.max(count, 4)},9}` };
    case 'M':
    case 'L':
      if (count > 2) break;
      return { field: 'month', regex: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'd':
      return { field: 'day', regex: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'H':
      return { field: 'hour', regex: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'm':
      return { field: 'minute', regex: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 's':
      return { field: 'second', regex: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'S':
      return { field: 'fraction', regex: `\\d{${count}}` };
    case 'X':
    case 'x':
    case 'Z':
      return { field: 'offset', regex: `${char === 'X' ? 'Z|' : ''}[+-]\\d{2}(?::?\\d{2})?` };
    case 'V':
      return { field: 'zone', regex: '[A-Za-z][A-Za-z0-9_/+-]*' };
    default:
      break;
  }
  throw new Error(`pattern letter ${char.repeat(count)} at position ${position} is not supported (only numeric date/time fields, offsets and zone ids)`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Milliseconds since the epoch, or null when `text` does not match. */
export function parseDate(pattern: DatePattern, text: string): number | null {
  const match = pattern.regex.exec(text.trim());
  if (match === null) return null;
  const parts: Partial<Record<Field, string>> = {};
  pattern.fields.forEach((field, index) => {
    const value = match[index + 1];
    if (value !== undefined && parts[field] === undefined) parts[field] = value;
  });
  if (parts.year === undefined || parts.month === undefined || parts.day === undefined) return null;
  const year = parts.year.length === 2 ? 2000 + Number(parts.year) : Number(parts.year);
  const fractionMs = parts.fraction === undefined ? 0 : Math.floor(Number(`0.${parts.fraction}`) * 1000);
  const local = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour ?? 0), Number(parts.minute ?? 0), Number(parts.second ?? 0), fractionMs);
  if (Number.isNaN(local)) return null;
  if (parts.offset !== undefined) return local - offsetMinutes(parts.offset) * 60_000;
  if (parts.zone !== undefined) return zonedToUtc(local, parts.zone);
  return local;
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return offset.startsWith('-') ? -minutes : minutes;
}

/** The instant of wall-clock time `local` (as if UTC) in `zone`. */
function zonedToUtc(local: number, zone: string): number | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    return null;
  }
  const offsetAt = (instant: number): number => {
    const name = format.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
    return name === 'GMT' ? 0 : offsetMinutes(name.slice(3));
  };
  // Two rounds settle the offset around daylight-saving changes.
  const first = local - offsetAt(local) * 60_000;
  return local - offsetAt(first) * 60_000;
}
