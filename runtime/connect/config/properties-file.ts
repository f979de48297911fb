/**
 * Reads a `.properties` file. Text is decoded as UTF-8, falling back to ISO-8859-1 (what
 * java.util.Properties.load(InputStream) assumes) when the bytes are not valid UTF-8.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, messageOf } from '../../util/errors.ts';
import type { ParsedProperties } from './properties.ts';
import { parseProperties } from './properties.ts';

/** Decodes file bytes: UTF-8 when valid, ISO-8859-1 otherwise. */
export function decodePropertiesBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // Buffer's latin1 is true ISO-8859-1 (TextDecoder's 'latin1' is windows-1252).
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}

/** Reads and parses a properties file; an unreadable file is a ConfigError naming it. */
export async function readPropertiesFile(path: string): Promise<ParsedProperties> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : messageOf(err);
    throw new ConfigError(`Cannot read properties file ${path}: ${reason}`, { code: 'CONFIG_FILE_UNREADABLE', cause: err, context: { file: path } });
  }
  return parseProperties(decodePropertiesBytes(bytes), path);
}
