/**
 * Java regular expressions as Kafka's RegexRouter and TopicNameMatches use them
 * (java.util.regex.Pattern): `matches()` means the whole input matches, and replacements use
 * Java's syntax (`$1`, `${name}`, `\$` for a literal dollar), not JavaScript's.
 *
 * Patterns run on JavaScript's engine after translating what differs in common use: `\Q...\E`
 * quoting, leading inline flags `(?i)` `(?s)` `(?m)`, and `\A` `\z` `\Z`. Java-only constructs
 * (possessive quantifiers, atomic groups, `(?x)`) are rejected as invalid patterns.
 */
import { SluiceError } from '../../../util/errors.ts';

/** A pattern or replacement that is not valid (Kafka: PatternSyntaxException / IllegalArgumentException). */
export class RegexSyntaxError extends SluiceError {
  constructor(message: string) {
    super('REGEX_INVALID', message);
  }
}

const SUPPORTED_FLAGS: Readonly<Record<string, string>> = { i: 'i', m: 'm', s: 's' };

function escapeLiteral(text: string): string {
  // '-' is left alone: it is only special inside a class, and escaping it breaks Unicode mode.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Rewrites the Java-only syntax that has a JavaScript equivalent; returns source and flags. */
function translate(pattern: string): { source: string; flags: string } {
  let rest = pattern;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (inline) {
    for (const f of inline[1]) {
      const js = SUPPORTED_FLAGS[f];
      if (js === undefined) throw new RegexSyntaxError(`Unsupported inline flag '${f}' in regex "${pattern}" (supported: i, m, s)`);
      if (!flags.includes(js)) flags += js;
    }
    rest = rest.slice(inline[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) throw new RegexSyntaxError(`Unexpected internal error near index ${rest.length}: trailing backslash in regex "${pattern}"`);
      if (next === 'Q') {
        const end = rest.indexOf('\\E', i + 2);
        const literal = end < 0 ? rest.slice(i + 2) : rest.slice(i + 2, end);
        out += escapeLiteral(literal);
        i = end < 0 ? rest.length : end + 1;
        continue;
      }
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && (next === 'z' || next === 'Z')) out += '$';
      else out += c + next;
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return { source: out, flags };
}

/** Compiles with Unicode semantics when the pattern allows it (Java is Unicode-aware), else without. */
function compile(source: string, flags: string, pattern: string): RegExp {
  try {
    return new RegExp(source, flags + 'u');
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (err) {
      throw new RegexSyntaxError(`${(err as Error).message.replace(/^Invalid regular expression: /, '')} (regex "${pattern}")`);
    }
  }
}

type ReplacementPart = string | { group: number } | { name: string };

export class JavaRegex {
  readonly pattern: string;
  readonly #find: RegExp;
  readonly #whole: RegExp;
  readonly groupCount: number;
  readonly #groupNames: ReadonlySet<string>;

  private constructor(pattern: string) {
    this.pattern = pattern;
    const { source, flags } = translate(pattern);
    this.#find = compile(source, flags, pattern);
    this.#whole = new RegExp(`^(?:${source})$`, this.#find.flags);
    // An alternative that matches the empty string reveals the number of capture groups.
    const probe = new RegExp(`${source}|`, this.#find.flags).exec('')!;
    this.groupCount = probe.length - 1;
    this.#groupNames = new Set(Object.keys(probe.groups ?? {}));
  }

  /** Throws RegexSyntaxError when the pattern is not a valid (supported) Java regex. */
  static compile(pattern: string): JavaRegex {
    return new JavaRegex(pattern);
  }

  /** Java's Matcher.matches(): the whole input matches. */
  matches(input: string): boolean {
    return this.#whole.test(input);
  }

  /**
   * Parses a Java replacement string against this pattern's groups, so that a reference to a
   * group that does not exist fails once at configuration rather than on every record.
   */
  replacement(text: string): JavaReplacement {
    const parts: ReplacementPart[] = [];
    let literal = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        i++;
        if (i >= text.length) throw new RegexSyntaxError('character to be escaped is missing');
        literal += text[i];
      } else if (c === '$') {
        i++;
        if (i >= text.length) throw new RegexSyntaxError('Illegal group reference: group index is missing');
        if (text[i] === '{') {
          const end = text.indexOf('}', i);
          if (end < 0) throw new RegexSyntaxError("named capturing group is missing trailing '}'");
          const name = text.slice(i + 1, end);
          if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new RegexSyntaxError(`Illegal group name "${name}" in replacement`);
          if (!this.#groupNames.has(name)) throw new RegexSyntaxError(`No group with name {${name}}`);
          if (literal !== '') parts.push(literal);
          literal = '';
          parts.push({ name });
          i = end;
        } else {
          if (!/[0-9]/.test(text[i])) throw new RegexSyntaxError('Illegal group reference');
          // Java takes more digits only while the number still names an existing group.
          let group = Number(text[i]);
          while (i + 1 < text.length && /[0-9]/.test(text[i + 1]) && group * 10 + Number(text[i + 1]) <= this.groupCount) {
            group = group * 10 + Number(text[i + 1]);
            i++;
          }
          if (group > this.groupCount) throw new RegexSyntaxError(`No group ${group}`);
          if (literal !== '') parts.push(literal);
          literal = '';
          parts.push({ group });
        }
      } else {
        literal += c;
      }
    }
    if (literal !== '') parts.push(literal);
    return new JavaReplacement(this.#find, parts);
  }
}

/** A parsed Java replacement bound to its pattern. */
export class JavaReplacement {
  readonly #find: RegExp;
  readonly #parts: readonly ReplacementPart[];

  constructor(find: RegExp, parts: readonly ReplacementPart[]) {
    this.#find = find;
    this.#parts = parts;
  }

  /** Java's Matcher.replaceFirst(): the first match replaced, the rest of the input kept. */
  replaceFirst(input: string): string {
    const m = this.#find.exec(input);
    if (m === null) return input;
    let expanded = '';
    for (const part of this.#parts) {
      if (typeof part === 'string') expanded += part;
      else if ('group' in part) expanded += m[part.group] ?? '';
      else expanded += m.groups?.[part.name] ?? '';
    }
    return input.slice(0, m.index) + expanded + input.slice(m.index + m[0].length);
  }
}
