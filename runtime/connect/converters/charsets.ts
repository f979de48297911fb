/**
 * Java charset names as used by `converter.encoding` (StringConverter), mapped onto what Node can
 * encode and decode. Unknown names are a config error listing the supported ones.
 */
import { ConfigError } from '../../util/errors.ts';

export interface Charset {
  encode(text: string): Uint8Array;
  decode(bytes: Uint8Array): string;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function swapPairs(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1];
    out[i + 1] = bytes[i];
  }
  return out;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8: Charset = { encode: (t) => Buffer.from(t, 'utf8'), decode: (b) => utf8Decoder.decode(b) };
// Java writes '?' for each code point the charset cannot map; Node's latin1 would keep the low byte
// (U+20AC would become 0xAC), so unmappable code points are replaced first.
const latin1: Charset = { encode: (t) => Buffer.from(t.replace(/[^\x00-\xff]/gu, '?'), 'latin1'), decode: (b) => asBuffer(b).toString('latin1') };
const ascii: Charset = {
  encode: (t) => Buffer.from(t.replace(/[^\x00-\x7f]/gu, '?'), 'latin1'),
  decode: (b) => asBuffer(b).toString('latin1').replace(/[^\x00-\x7f]/g, '\ufffd'),
};
const utf16le: Charset = { encode: (t) => Buffer.from(t, 'utf16le'), decode: (b) => asBuffer(b).toString('utf16le') };
const utf16be: Charset = { encode: (t) => swapPairs(Buffer.from(t, 'utf16le')), decode: (b) => swapPairs(b).toString('utf16le') };
// Java's "UTF-16": writes a big-endian byte order mark; reads either mark, big-endian without one.
const utf16: Charset = {
  encode: (t) => (t === '' ? new Uint8Array(0) : Buffer.concat([Buffer.from([0xfe, 0xff]), swapPairs(Buffer.from(t, 'utf16le'))])),
  decode: (b) => {
    if (b[0] === 0xff && b[1] === 0xfe) return utf16le.decode(b.subarray(2));
    if (b[0] === 0xfe && b[1] === 0xff) return utf16be.decode(b.subarray(2));
    return utf16be.decode(b);
  },
};

const CHARSETS: Record<string, Charset> = {
  'UTF-8': utf8,
  UTF8: utf8,
  'ISO-8859-1': latin1,
  'ISO8859_1': latin1,
  LATIN1: latin1,
  'US-ASCII': ascii,
  ASCII: ascii,
  'UTF-16': utf16,
  'UTF-16BE': utf16be,
  'UTF-16LE': utf16le,
};

export const SUPPORTED_CHARSETS = ['UTF-8', 'ISO-8859-1', 'US-ASCII', 'UTF-16', 'UTF-16BE', 'UTF-16LE'];

/** The charset for a Java charset name (case-insensitive); ConfigError naming `key` when unknown. */
export function charsetFor(name: string, key: string): Charset {
  const charset = CHARSETS[name.trim().toUpperCase()];
  if (!charset) {
    throw new ConfigError(`Invalid value "${name}" for configuration ${key}: unsupported character set; supported: ${SUPPORTED_CHARSETS.join(', ')}`, {
      context: { key, value: name },
    });
  }
  return charset;
}
