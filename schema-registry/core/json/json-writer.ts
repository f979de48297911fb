/**
 * Compact JSON output byte-compatible with Jackson's default generator: no whitespace, keys in
 * tree order, control characters escaped with the short forms Jackson uses (\b \t \n \f \r) and
 * uppercase \u00XX otherwise, everything else written raw.
 */
import { JsonNumber, type JsonNode } from './json-tree.ts';
import { javaBigDecimalToString, javaDoubleToString, javaIntegerToString } from './java-numbers.ts';

/** How floating-point literals print: as Java doubles (Avro) or exact BigDecimals (JSON Schema). */
export type FloatStyle = 'double' | 'bigdecimal';

const SHORT_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

export function quoteJson(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i);
    out += SHORT_ESCAPES[c] ?? `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}

export function formatNumber(n: JsonNumber, style: FloatStyle): string {
  if (n.isIntegral) return javaIntegerToString(n.lexeme);
  return style === 'double' ? javaDoubleToString(n.value) : javaBigDecimalToString(n.lexeme);
}

export function writeJson(node: JsonNode, style: FloatStyle): string {
  if (node === null) return 'null';
  if (typeof node === 'boolean') return node ? 'true' : 'false';
  if (typeof node === 'string') return quoteJson(node);
  if (node instanceof JsonNumber) return formatNumber(node, style);
  if (Array.isArray(node)) return `[${node.map((x) => writeJson(x, style)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of node) parts.push(`${quoteJson(k)}:${writeJson(v, style)}`);
  return `{${parts.join(',')}}`;
}
