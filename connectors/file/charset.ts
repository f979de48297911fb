/**
 * Decoding of line bytes in `file.charset`, with `file.charset.malformed.input` deciding what an
 * invalid byte sequence becomes: REPORT makes the line a bad line (handled by bad.line.policy),
 * REPLACE puts U+FFFD in its place (Java's CodingErrorAction names). Only charsets in which a
 * newline is the single byte 0x0A are accepted, because lines are found on bytes before decoding.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

export type MalformedInputAction = 'REPORT' | 'REPLACE';

/** Decodes bytes [start, end) of a buffer: the text, or null when malformed and the action is REPORT. */
export type LineDecoder = (buffer: Buffer, start: number, end: number) => string | null;

/** Decoding of one charset, with a fast check of a whole range of lines at once. */
export interface Charset {
  decode: LineDecoder;
  /** True when every line in [start, end) decodes without a problem. */
  allValid(buffer: Buffer, start: number, end: number): boolean;
  /** Decodes bytes known to be valid (inside a range allValid accepted). */
  decodeValid(buffer: Buffer, start: number, end: number): string;
}

const UTF8 = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);
const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'iso_8859-1']);
const ASCII = new Set(['us-ascii', 'ascii', 'ascii7', 'iso646-us']);

/** Why a charset cannot be used, or undefined when it can. */
export function charsetProblem(name: string): string | undefined {
  const label = name.trim().toLowerCase();
  if (UTF8.has(label) || LATIN1.has(label) || ASCII.has(label)) return undefined;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return `unknown charset; use UTF-8, ISO-8859-1, US-ASCII or another charset name that Node's TextDecoder knows (e.g. windows-1252)`;
  }
  // Lines are split on the byte 0x0A: the charset must encode "\n" as that one byte.
  if (decoder.encoding.startsWith('utf-16')) return 'UTF-16 is not supported: lines are split on the byte 0x0A; convert the file to UTF-8';
  return undefined;
}

function highByteAt(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] > 0x7f) return true;
  return false;
}

const always = (): boolean => true;

export function charsetFor(charset: string, action: MalformedInputAction): Charset {
  const label = charset.trim().toLowerCase();
  if (UTF8.has(label)) {
    // toString replaces invalid sequences silently; isUtf8 (SIMD) tells first. A range of whole
    // lines is valid exactly when each line is, as no UTF-8 sequence contains the byte 0x0A.
    const utf8 = (b: Buffer, s: number, e: number): string => b.toString('utf8', s, e);
    if (action === 'REPLACE') return { decode: utf8, allValid: always, decodeValid: utf8 };
    return {
      decode: (b, s, e) => (isUtf8(b.subarray(s, e)) ? b.toString('utf8', s, e) : null),
      allValid: (b, s, e) => isUtf8(b.subarray(s, e)),
      decodeValid: utf8,
    };
  }
  const latin1 = (b: Buffer, s: number, e: number): string => b.toString('latin1', s, e);
  if (LATIN1.has(label)) return { decode: latin1, allValid: always, decodeValid: latin1 };
  if (ASCII.has(label)) {
    if (action === 'REPLACE') {
      return {
        decode: (b, s, e) => (highByteAt(b, s, e) ? Array.from(b.subarray(s, e), (c) => (c > 0x7f ? '\ufffd' : String.fromCharCode(c))).join('') : b.toString('latin1', s, e)),
        allValid: () => false,
        decodeValid: latin1,
      };
    }
    return { decode: (b, s, e) => (highByteAt(b, s, e) ? null : latin1(b, s, e)), allValid: (b, s, e) => !highByteAt(b, s, e), decodeValid: latin1 };
  }
  const decoder = new TextDecoder(label, { fatal: action === 'REPORT' });
  const decode: LineDecoder = (b, s, e) => {
    try {
      return decoder.decode(b.subarray(s, e));
    } catch {
      return null;
    }
  };
  return { decode, allValid: () => false, decodeValid: (b, s, e) => decode(b, s, e) ?? '' };
}

/** The byte order mark that UTF-8 files sometimes start with; it is not part of the first line. */
export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function isUtf8Charset(charset: string): boolean {
  return UTF8.has(charset.trim().toLowerCase());
}
