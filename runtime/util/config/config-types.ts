/**
 * Config value types and Kafka's parsing rules (ConfigDef.parseType): strings are trimmed,
 * booleans are `true`/`false` in any case, numbers are strict (no units, no fractions for
 * integers, range-checked), lists are comma-separated with whitespace around commas dropped.
 */
import { ConfigError } from '../errors.ts';
import { HIDDEN, Password } from './password.ts';

export const CONFIG_TYPES = ['BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

/** The parsed value of each config type. CLASS values are class (or alias) names; the caller resolves them. */
export interface ConfigTypeValues {
  BOOLEAN: boolean;
  STRING: string;
  INT: number;
  SHORT: number;
  LONG: number;
  DOUBLE: number;
  LIST: string[];
  CLASS: string;
  PASSWORD: Password;
}

/** What a default may be given as: the parsed form or its string form. */
export interface ConfigTypeInputs {
  BOOLEAN: boolean | string;
  STRING: string;
  INT: number | string;
  SHORT: number | string;
  LONG: number | bigint | string;
  DOUBLE: number | string;
  LIST: readonly string[] | string;
  CLASS: string;
  PASSWORD: Password | string;
}

export const IMPORTANCES = ['HIGH', 'MEDIUM', 'LOW'] as const;
export type Importance = (typeof IMPORTANCES)[number];

export const WIDTHS = ['NONE', 'SHORT', 'MEDIUM', 'LONG'] as const;
export type Width = (typeof WIDTHS)[number];

/** Renders a raw value for an error message; secrets never appear. */
export function describeValue(value: unknown, type?: ConfigType): string {
  if (type === 'PASSWORD' || value instanceof Password) return HIDDEN;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value.map(String));
  return String(value);
}

/** The error for a value that does not fit its key: names the key, the value and what was expected. */
export function invalidValue(name: string, value: unknown, expected: string, type?: ConfigType): ConfigError {
  return new ConfigError(`Invalid value ${describeValue(value, type)} for configuration ${name}: ${expected}`, {
    code: 'CONFIG_INVALID',
    context: { key: name, value: describeValue(value, type) },
  });
}

const INTEGER = /^[+-]?\d+$/;
// Java's Double.parseDouble accepts these forms (hex floats aside), including a d/f suffix.
const DOUBLE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
const COMMA_WITH_WHITESPACE = /\s*,\s*/;

const INT_RANGE: Record<'INT' | 'SHORT' | 'LONG', [bigint, bigint]> = {
  SHORT: [-32768n, 32767n],
  INT: [-2147483648n, 2147483647n],
  LONG: [-9223372036854775808n, 9223372036854775807n],
};

function parseWhole(name: string, raw: unknown, text: string, type: 'INT' | 'SHORT' | 'LONG'): number {
  const [min, max] = INT_RANGE[type];
  const bits = type === 'SHORT' ? 16 : type === 'INT' ? 32 : 64;
  const expected = `Not a number of type ${type} (expected a ${bits}-bit whole number between ${min} and ${max})`;
  if (!INTEGER.test(text)) throw invalidValue(name, raw, expected);
  const big = BigInt(text);
  if (big < min || big > max) throw invalidValue(name, raw, expected);
  return Number(big);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/**
 * Parses one raw value (a string, or an already-typed value) into the type's value.
 * Throws ConfigError (CONFIG_INVALID) naming the key, the value and what was expected.
 */
export function parseType<T extends ConfigType>(name: string, value: unknown, type: T): ConfigTypeValues[T];
export function parseType(name: string, value: unknown, type: ConfigType): unknown {
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (type) {
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (text !== undefined) {
        const lower = text.toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
      }
      throw invalidValue(name, value, 'Expected value to be either true or false');
    case 'PASSWORD':
      if (value instanceof Password) return value;
      if (text !== undefined) return new Password(text);
      throw invalidValue(name, value, `Expected value to be a string, but it was a ${typeName(value)}`, type);
    case 'STRING':
    case 'CLASS':
      if (text !== undefined) return text;
      throw invalidValue(name, value, type === 'CLASS' ? 'Expected a class name' : `Expected value to be a string, but it was a ${typeName(value)}`);
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (typeof value === 'number' && Number.isInteger(value)) return parseWhole(name, value, String(value), type);
      if (typeof value === 'bigint' && type === 'LONG') return parseWhole(name, value, value.toString(), type);
      if (text !== undefined) return parseWhole(name, value, text, type);
      throw invalidValue(name, value, `Not a number of type ${type}`);
    }
    case 'DOUBLE':
      if (typeof value === 'number') return value;
      if (text !== undefined && DOUBLE.test(text)) return Number(text.replace(/[fFdD]$/, ''));
      throw invalidValue(name, value, 'Not a number of type DOUBLE');
    case 'LIST':
      if (Array.isArray(value)) return value.map((v) => String(v));
      if (text !== undefined) return text === '' ? [] : text.split(COMMA_WITH_WHITESPACE);
      throw invalidValue(name, value, 'Expected a comma separated list.');
  }
}

/**
 * The string form of a parsed value, as Kafka's ConfigDef.convertToString renders it (lists
 * joined with commas). Secrets render as `[hidden]` unless `revealSecrets` is set.
 */
export function convertToString(value: unknown, type?: ConfigType, revealSecrets = false): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Password) return revealSecrets ? value.value() : HIDDEN;
  if (type === 'PASSWORD' && !revealSecrets) return HIDDEN;
  if (Array.isArray(value)) return value.map(String).join(',');
  // Java renders whole doubles with a fraction (1.0), which users see in docs and /config/validate.
  if (type === 'DOUBLE' && typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e7) return value.toFixed(1);
  return String(value);
}
