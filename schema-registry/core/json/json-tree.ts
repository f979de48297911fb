/**
 * An ordered JSON tree that keeps what Confluent's Java stack keeps and JavaScript's JSON.parse
 * loses: object key order exactly as written (JS objects move integer-like keys first) and the
 * source text of every number (so 1.0 stays a floating-point literal and 12345678901234567890 is
 * not rounded). Canonical schema strings — and therefore schema ids — depend on both.
 */
import { SluiceError } from '../../../runtime/util/errors.ts';

/** A JSON number, kept as its source text. */
export class JsonNumber {
  readonly lexeme: string;
  constructor(lexeme: string) {
    this.lexeme = lexeme;
  }
  /** Jackson reads a number without fraction or exponent as an integer node. */
  get isIntegral(): boolean {
    return !/[.eE]/.test(this.lexeme);
  }
  get value(): number {
    return Number(this.lexeme);
  }
}

export type JsonObject = Map<string, JsonNode>;
export type JsonArray = JsonNode[];
export type JsonNode = null | boolean | string | JsonNumber | JsonArray | JsonObject;

export const isJsonObject = (n: JsonNode | undefined): n is JsonObject => n instanceof Map;
export const isJsonArray = (n: JsonNode | undefined): n is JsonArray => Array.isArray(n);

/** Nesting limit (Jackson's default is 1000 too): deeper input is refused instead of overflowing the stack. */
const MAX_DEPTH = 1000;

export class JsonSyntaxError extends SluiceError {
  constructor(message: string, offset: number, text: string) {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    super('JSON_SYNTAX', `${message} at line ${line}, column ${column}`, { context: { offset, line, column } });
  }
}

/** Parses JSON text into an ordered tree. Throws JsonSyntaxError naming the position of the problem. */
export function parseJson(text: string): JsonNode {
  const p = new Parser(text);
  p.skipWs();
  const value = p.value(0);
  p.skipWs();
  if (p.pos < text.length) p.fail('Unexpected content after the JSON value');
  return value;
}

class Parser {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos, this.text);
  }

  skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`JSON nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('Unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail(`Unexpected character '${c}'`);
    }
  }

  literal<T>(word: string, result: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`Unexpected token, expected '${word}'`);
    this.pos += word.length;
    return result;
  }

  number(): JsonNumber {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const match = m.exec(this.text);
    if (!match) this.fail('Invalid number');
    this.pos += match[0].length;
    return new JsonNumber(match[0]);
  }

  string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('Unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('Unescaped control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.pos -= 1;
          this.fail('Invalid escape in string');
      }
      start = this.pos;
    }
  }

  array(depth: number): JsonArray {
    this.pos++;
    const out: JsonArray = [];
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.value(depth + 1));
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return out;
      } else this.fail("Expected ',' or ']' in array");
    }
  }

  object(depth: number): JsonObject {
    this.pos++;
    const out: JsonObject = new Map();
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail('Expected a property name in double quotes');
      const key = this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail("Expected ':' after property name");
      this.pos++;
      this.skipWs();
      // A repeated key keeps its first position and takes the last value, as Jackson's ObjectNode does.
      out.set(key, this.value(depth + 1));
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return out;
      } else this.fail("Expected ',' or '}' in object");
    }
  }
}

/** Converts the tree to plain JavaScript values (numbers as doubles), e.g. for ajv. */
export function toPlain(node: JsonNode): unknown {
  if (node instanceof JsonNumber) return node.value;
  if (node instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of node) out[k] = toPlain(v);
    return out;
  }
  if (Array.isArray(node)) return node.map(toPlain);
  return node;
}

/** Builds an ordered tree from plain JavaScript values (numbers become their shortest text). */
export function fromPlain(value: unknown): JsonNode {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return new JsonNumber(String(value));
  if (Array.isArray(value)) return value.map(fromPlain);
  if (typeof value === 'object') {
    const out: JsonObject = new Map();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out.set(k, fromPlain(v));
    return out;
  }
  throw new TypeError(`Not representable as JSON: ${typeof value}`);
}

/** Deep structural equality; numbers compare by numeric value. */
export function jsonEquals(a: JsonNode, b: JsonNode): boolean {
  if (a === b) return true;
  if (a instanceof JsonNumber) return b instanceof JsonNumber && a.value === b.value;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !jsonEquals(v, b.get(k) as JsonNode)) return false;
    }
    return true;
  }
  return false;
}
