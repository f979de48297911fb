/**
 * Java `.properties` parser with the semantics of java.util.Properties.load: natural lines end at
 * \n, \r or \r\n; leading whitespace (space, tab, form feed) is skipped; `#` and `!` start comment
 * lines; a line ending in an odd number of backslashes continues on the next line, whose leading
 * whitespace is dropped; the key ends at the first unescaped `=`, `:` or whitespace; escapes are
 * \t \n \r \f, \uXXXX, and `\c` = c for any other c. The last occurrence of a key wins.
 */
import { SluiceError } from '../../util/errors.ts';

/** A syntax error in a properties file, naming the file and the line. */
export class PropertiesSyntaxError extends SluiceError {
  constructor(message: string, file: string | undefined, line: number) {
    super('PROPERTIES_SYNTAX', `${file ?? '<properties>'}:${line}: ${message}`, { context: { file, line } });
  }
}

/** Parsed properties: entries in file order and the (1-based) line where each key was last set. */
export interface ParsedProperties {
  readonly file: string | undefined;
  readonly entries: ReadonlyMap<string, string>;
  readonly lines: ReadonlyMap<string, number>;
}

/** A logical line: its text and, per character, the physical line it came from. */
interface LogicalLine {
  text: string;
  /** Physical line number of each character of `text`. */
  lineOf: number[];
  firstLine: number;
}

const isBlank = (c: string): boolean => c === ' ' || c === '\t' || c === '\f';

function* logicalLines(input: string): Generator<LogicalLine> {
  let line = 1;
  let i = 0;
  const n = input.length;
  while (i < n) {
    // Skip leading whitespace and empty natural lines.
    let c = input[i];
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    if (c === '#' || c === '!') {
      // Comment lines are never continued, even when they end with a backslash.
      while (i < n && input[i] !== '\n' && input[i] !== '\r') i++;
      continue;
    }
    const chars: string[] = [];
    const lineOf: number[] = [];
    const firstLine = line;
    let precedingBackslash = false;
    for (;;) {
      if (i >= n) {
        // A continuation backslash at end of input is dropped.
        if (precedingBackslash) {
          chars.pop();
          lineOf.pop();
        }
        break;
      }
      c = input[i];
      if (c !== '\n' && c !== '\r') {
        chars.push(c);
        lineOf.push(line);
        precedingBackslash = c === '\\' ? !precedingBackslash : false;
        i++;
        continue;
      }
      i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      if (!precedingBackslash) break;
      // Continuation: drop the backslash and the next line's leading whitespace. An empty
      // continuation line ends the logical line (as in java.util.Properties).
      chars.pop();
      lineOf.pop();
      precedingBackslash = false;
      while (i < n && isBlank(input[i])) i++;
      if (i < n && (input[i] === '\n' || input[i] === '\r')) {
        i += input[i] === '\r' && input[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      }
    }
    yield { text: chars.join(''), lineOf, firstLine };
  }
}

const HEX = /^[0-9a-fA-F]{4}$/;

function unescape(l: LogicalLine, from: number, to: number, file: string | undefined): string {
  const s = l.text;
  let out = '';
  for (let i = from; i < to; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    const e = s[i];
    if (e === 'u') {
      const hex = s.slice(i + 1, Math.min(i + 5, to));
      if (!HEX.test(hex)) {
        throw new PropertiesSyntaxError(`malformed \\uxxxx escape "\\u${hex}" (expected 4 hex digits)`, file, l.lineOf[i]);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else out += e;
  }
  return out;
}

/** Splits a logical line into its key and value span, as Properties.load does. */
function splitKeyValue(l: LogicalLine, file: string | undefined): [string, string] {
  const s = l.text;
  const limit = s.length;
  let keyLen = 0;
  let valueStart = limit;
  let hasSep = false;
  let precedingBackslash = false;
  while (keyLen < limit) {
    const c = s[keyLen];
    if ((c === '=' || c === ':') && !precedingBackslash) {
      valueStart = keyLen + 1;
      hasSep = true;
      break;
    }
    if (isBlank(c) && !precedingBackslash) {
      valueStart = keyLen + 1;
      break;
    }
    precedingBackslash = c === '\\' ? !precedingBackslash : false;
    keyLen++;
  }
  while (valueStart < limit) {
    const c = s[valueStart];
    if (!isBlank(c)) {
      if (!hasSep && (c === '=' || c === ':')) hasSep = true;
      else break;
    }
    valueStart++;
  }
  return [unescape(l, 0, keyLen, file), unescape(l, valueStart, limit, file)];
}

/** Parses the text of a properties file. `file` only names the source in errors. */
export function parseProperties(text: string, file?: string): ParsedProperties {
  const entries = new Map<string, string>();
  const lines = new Map<string, number>();
  // A byte order mark is not part of the first key.
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const l of logicalLines(input)) {
    const [key, value] = splitKeyValue(l, file);
    entries.delete(key); // keep file order of the last assignment
    entries.set(key, value);
    lines.set(key, l.firstLine);
  }
  return { file, entries, lines };
}

/** Properties as a plain record (own properties only, so keys like `__proto__` are safe). */
export function propertiesToRecord(parsed: ParsedProperties): Record<string, string> {
  return Object.fromEntries(parsed.entries);
}
