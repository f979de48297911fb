/**
 * Java's java.text.SimpleDateFormat for the patterns Kafka's TimestampConverter (`format`) and
 * TimestampRouter (`timestamp.format`) take, fixed to UTC and the US English locale as Kafka's
 * SMTs use it (Kafka sets the UTC zone; the JVM default locale is usually en_US).
 *
 * Pattern letters: G y Y M L w W D d F E u a H k K h m s S z Z X, text in single quotes (`''` is a
 * quote), every other non-letter character literal; any other letter is an error, as in Java.
 * Formatting follows Java (`yy` → two digits, `MMM` → Jan, `EEEE` → Monday, `SSS` → millis padded,
 * `z` → UTC, `Z` → +0000, `X` → Z). Parsing is lenient like Java's default: out-of-range values
 * roll over (month 13 → January next year), each field may be preceded by spaces, adjacent
 * numeric fields (`yyyyMMdd`) take their width in digits, `yy` maps two digits into the century
 * that starts 80 years before now, `S` counts milliseconds (Java reads ".5" as 5 ms), zones are
 * `Z`, `UTC`/`GMT` with an optional offset, or `+hh`, `+hhmm`, `+hh:mm`; text after the pattern
 * is ignored. Not supported for parsing (an error says so): week-based fields (Y w W F), whose
 * Java resolution depends on calendar leniency rules, and named zones other than UTC/GMT.
 * Dates before the 1582 Gregorian cutover use the proleptic Gregorian calendar (Java: Julian).
 */
import { ConfigError, SluiceError } from '../../../util/errors.ts';

const MILLIS_PER_DAY = 86_400_000;
const PATTERN_LETTERS = 'GyMdkHmsSEDFwWahKzZYuXL';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const short = (names: string[]) => names.map((n) => n.slice(0, 3));
const MONTHS_SHORT = short(MONTHS);
const WEEKDAYS_SHORT = short(WEEKDAYS);

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

/** A date string that does not fit the pattern (Java's ParseException); `errorIndex` is where. */
export class DateParseError extends SluiceError {
  readonly errorIndex: number;
  constructor(message: string, errorIndex: number) {
    super('DATE_UNPARSEABLE', message, { context: { errorIndex } });
    this.errorIndex = errorIndex;
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const literal = (text: string) => {
    const last = tokens.at(-1);
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new ConfigError(`Unterminated quote in date pattern "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j++];
      }
      literal(text);
      i = j + 1;
    } else if (/[a-zA-Z]/.test(c)) {
      if (!PATTERN_LETTERS.includes(c)) throw new ConfigError(`Illegal pattern character '${c}' in date pattern "${pattern}"`);
      let j = i;
      while (pattern[j] === c) j++;
      const count = j - i;
      if (c === 'X' && count > 3) throw new ConfigError(`invalid ISO 8601 format: length=${count} in date pattern "${pattern}"`);
      tokens.push({ kind: 'field', letter: c, count });
      i = j;
    } else {
      literal(c);
      i++;
    }
  }
  return tokens;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Days since the epoch of a UTC calendar date. */
function epochDay(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return Math.floor(d.getTime() / MILLIS_PER_DAY);
}

/** Start (epoch day) of week 1 of `year` in the US convention: the Sunday on or before January 1. */
function firstWeekStart(year: number): number {
  const jan1 = epochDay(year, 0, 1);
  const dow = (((jan1 + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
  return jan1 - dow;
}

function weekOfYear(date: Date): { weekYear: number; week: number } {
  const year = date.getUTCFullYear();
  const day = Math.floor(date.getTime() / MILLIS_PER_DAY);
  const next = firstWeekStart(year + 1);
  if (day >= next) return { weekYear: year + 1, week: 1 + Math.floor((day - next) / 7) };
  return { weekYear: year, week: 1 + Math.floor((day - firstWeekStart(year)) / 7) };
}

function formatField(date: Date, letter: string, count: number): string {
  const year = date.getUTCFullYear();
  const yearOfEra = year > 0 ? year : 1 - year;
  const yearText = (y: number) => (count === 2 ? pad(y % 100, 2) : pad(y, count));
  switch (letter) {
    case 'G':
      return year > 0 ? 'AD' : 'BC';
    case 'y':
      return yearText(yearOfEra);
    case 'Y':
      return yearText(weekOfYear(date).weekYear);
    case 'M':
    case 'L': {
      const m = date.getUTCMonth();
      return count >= 4 ? MONTHS[m] : count === 3 ? MONTHS_SHORT[m] : pad(m + 1, count);
    }
    case 'w':
      return pad(weekOfYear(date).week, count);
    case 'W': {
      const first = new Date(date.getTime());
      first.setUTCDate(1);
      return pad(1 + Math.floor((date.getUTCDate() - 1 + first.getUTCDay()) / 7), count);
    }
    case 'D': {
      const day = Math.floor(date.getTime() / MILLIS_PER_DAY);
      return pad(day - epochDay(year, 0, 1) + 1, count);
    }
    case 'd':
      return pad(date.getUTCDate(), count);
    case 'F':
      return pad(Math.floor((date.getUTCDate() - 1) / 7) + 1, count);
    case 'E':
      return count >= 4 ? WEEKDAYS[date.getUTCDay()] : WEEKDAYS_SHORT[date.getUTCDay()];
    case 'u':
      return pad(date.getUTCDay() === 0 ? 7 : date.getUTCDay(), count);
    case 'a':
      return date.getUTCHours() < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(date.getUTCHours(), count);
    case 'k':
      return pad(date.getUTCHours() === 0 ? 24 : date.getUTCHours(), count);
    case 'K':
      return pad(date.getUTCHours() % 12, count);
    case 'h':
      return pad(date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12, count);
    case 'm':
      return pad(date.getUTCMinutes(), count);
    case 's':
      return pad(date.getUTCSeconds(), count);
    case 'S':
      return pad(date.getUTCMilliseconds(), count);
    case 'z':
      return count >= 4 ? 'Coordinated Universal Time' : 'UTC';
    case 'Z':
      return '+0000';
    default: // 'X'
      return 'Z';
  }
}

const NUMERIC_LETTERS = new Set(['y', 'Y', 'w', 'W', 'D', 'd', 'F', 'u', 'H', 'k', 'K', 'h', 'm', 's', 'S']);

function isNumeric(token: Token | undefined): boolean {
  if (token?.kind !== 'field') return false;
  if (token.letter === 'M' || token.letter === 'L') return token.count <= 2;
  return NUMERIC_LETTERS.has(token.letter);
}

interface ParsedFields {
  bc?: boolean;
  year?: number;
  month?: number;
  day?: number;
  dayOfYear?: number;
  hourOfDay?: number;
  hour?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  millis?: number;
  offsetMinutes?: number;
}

export interface SimpleDateFormatOptions {
  /** Where the 100-year window for two-digit years starts (ms since the epoch); default: 80 years before now. */
  defaultCenturyStart?: number;
}

export class SimpleDateFormat {
  readonly pattern: string;
  readonly #tokens: readonly Token[];
  readonly #centuryStartYear: number;

  /** Throws ConfigError for an invalid pattern, with Java's message. */
  constructor(pattern: string, options: SimpleDateFormatOptions = {}) {
    this.pattern = pattern;
    this.#tokens = tokenize(pattern);
    const start = options.defaultCenturyStart ?? (() => {
      const d = new Date();
      d.setUTCFullYear(d.getUTCFullYear() - 80);
      return d.getTime();
    })();
    this.#centuryStartYear = new Date(start).getUTCFullYear();
  }

  format(date: Date): string {
    let out = '';
    for (const t of this.#tokens) out += t.kind === 'literal' ? t.text : formatField(date, t.letter, t.count);
    return out;
  }

  /** Parses `text` as Java's DateFormat.parse(String); throws DateParseError when it does not fit. */
  parse(text: string): Date {
    const fields: ParsedFields = {};
    let pos = 0;
    const fail = (at: number): never => {
      throw new DateParseError(`Unparseable date: "${text}"`, at);
    };
    for (let i = 0; i < this.#tokens.length; i++) {
      const token = this.#tokens[i];
      if (token.kind === 'literal') {
        if (!text.startsWith(token.text, pos)) fail(pos);
        pos += token.text.length;
        continue;
      }
      while (text[pos] === ' ' || text[pos] === '\t') pos++;
      if (pos >= text.length) fail(pos);
      const start = pos;
      const readNumber = (): number => {
        const abutting = isNumeric(this.#tokens[i + 1]);
        let end = pos;
        if (!abutting && (text[end] === '-' || text[end] === '+')) end++;
        const digitsFrom = end;
        while (end < text.length && text[end] >= '0' && text[end] <= '9' && (!abutting || end - digitsFrom < token.count)) end++;
        if (end === digitsFrom) fail(pos);
        const value = Number(text.slice(pos, end));
        pos = end;
        return value;
      };
      const readName = (names: readonly string[][]): number => {
        let best = -1;
        let bestLength = 0;
        for (const list of names) {
          list.forEach((name, index) => {
            if (name.length > bestLength && text.slice(pos, pos + name.length).toLowerCase() === name.toLowerCase()) {
              best = index;
              bestLength = name.length;
            }
          });
        }
        if (best < 0) fail(pos);
        pos += bestLength;
        return best;
      };
      switch (token.letter) {
        case 'G':
          fields.bc = readName([['BC', 'AD']]) === 0;
          break;
        case 'y': {
          let year = readNumber();
          if (token.count <= 2 && pos - start === 2 && /^\d\d$/.test(text.slice(start, pos))) {
            const ambiguous = this.#centuryStartYear % 100;
            year += Math.floor(this.#centuryStartYear / 100) * 100 + (year < ambiguous ? 100 : 0);
          }
          fields.year = year;
          break;
        }
        case 'M':
        case 'L':
          fields.month = token.count <= 2 ? readNumber() - 1 : readName([MONTHS, MONTHS_SHORT]);
          break;
        case 'd':
          fields.day = readNumber();
          break;
        case 'D':
          fields.dayOfYear = readNumber();
          break;
        case 'E':
          readName([WEEKDAYS, WEEKDAYS_SHORT]); // the date fields decide the day; Java ignores a contradicting weekday too
          break;
        case 'u':
          readNumber();
          break;
        case 'a':
          fields.pm = readName([['AM', 'PM']]) === 1;
          break;
        case 'H':
          fields.hourOfDay = readNumber();
          break;
        case 'k': {
          const h = readNumber();
          fields.hourOfDay = h === 24 ? 0 : h;
          break;
        }
        case 'K':
          fields.hour = readNumber();
          break;
        case 'h': {
          const h = readNumber();
          fields.hour = h === 12 ? 0 : h;
          break;
        }
        case 'm':
          fields.minute = readNumber();
          break;
        case 's':
          fields.second = readNumber();
          break;
        case 'S':
          fields.millis = readNumber();
          break;
        case 'z':
        case 'Z':
        case 'X': {
          const offset = parseZone(text, pos, token.letter === 'X');
          if (offset === null) fail(pos);
          fields.offsetMinutes = offset!.minutes;
          pos = offset!.end;
          break;
        }
        default:
          throw new DateParseError(
            `Pattern letter '${token.letter}' (week-based) is not supported for parsing dates (pattern "${this.pattern}")`,
            pos,
          );
      }
    }
    return resolve(fields);
  }
}

/** A zone designator at `pos`: its offset in minutes and where it ends, or null. */
function parseZone(text: string, pos: number, allowZ: boolean): { minutes: number; end: number } | null {
  if (allowZ && text[pos] === 'Z') return { minutes: 0, end: pos + 1 };
  const named = /^(?:UTC|GMT|UT)/i.exec(text.slice(pos));
  let at = pos + (named ? named[0].length : 0);
  const offset = /^([+-])(\d{2})(?::?(\d{2}))?/.exec(text.slice(at)) ?? (named ? /^([+-])(\d{1,2})(?::(\d{2}))?/.exec(text.slice(at)) : null);
  if (offset === null) return named ? { minutes: 0, end: at } : null;
  const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
  at += offset[0].length;
  return { minutes: offset[1] === '-' ? -minutes : minutes, end: at };
}

function resolve(f: ParsedFields): Date {
  let year = f.year ?? 1970;
  if (f.bc === true) year = 1 - year;
  const date = new Date(0);
  if (f.dayOfYear !== undefined && f.month === undefined && f.day === undefined) date.setUTCFullYear(year, 0, f.dayOfYear);
  else date.setUTCFullYear(year, f.month ?? 0, f.day ?? 1);
  const hour = f.hourOfDay ?? (f.hour ?? 0) + (f.pm === true ? 12 : 0);
  date.setUTCHours(hour, f.minute ?? 0, f.second ?? 0, f.millis ?? 0);
  return new Date(date.getTime() - (f.offsetMinutes ?? 0) * 60_000);
}
