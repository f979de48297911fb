/**
 * Source partitions and offsets of the file source (pure).
 *
 *   partition {"path": "/var/log/app.log", "file.id": "2049:1311"}          path + device:inode
 *   offset    {"position": 7340, "line": 112, "fingerprint": "1c291ca3", "fingerprint.bytes": 1024}
 *
 * `position` is the byte where the next line starts and `line` the number of lines before it, so
 * a restart resumes at the exact line. The fingerprint (CRC-32 of the first `fingerprint.bytes`
 * bytes, at most FINGERPRINT_BYTES) tells a file from another that got the same inode after the
 * first was deleted: a stored offset only applies when the fingerprint still matches.
 */
import { crc32 } from 'node:zlib';
import type { SourceMap } from '../../runtime/connect/api/index.ts';

export const PATH_FIELD = 'path';
export const FILE_ID_FIELD = 'file.id';
export const POSITION_FIELD = 'position';
export const LINE_FIELD = 'line';
export const FINGERPRINT_FIELD = 'fingerprint';
export const FINGERPRINT_BYTES_FIELD = 'fingerprint.bytes';

/** Bytes at the head of a file that identify its content. */
export const FINGERPRINT_BYTES = 1024;

export interface FileOffset {
  position: number;
  line: number;
  fingerprint: string;
  fingerprintBytes: number;
}

export function partitionOf(path: string, fileId: string): SourceMap {
  return { [PATH_FIELD]: path, [FILE_ID_FIELD]: fileId };
}

export function fingerprintOf(head: Uint8Array): string {
  return crc32(head).toString(16).padStart(8, '0');
}

/**
 * The offset map of one record (one per line, so it is built from a literal with plain keys: V8
 * then gives every such map the same shape with its four fields inside the object). The keys are
 * POSITION_FIELD, LINE_FIELD, FINGERPRINT_FIELD and FINGERPRINT_BYTES_FIELD.
 */
export function offsetMap(position: number, line: number, fingerprint: string, fingerprintBytes: number): SourceMap {
  return { position, line, fingerprint, 'fingerprint.bytes': fingerprintBytes };
}

/** A stored offset map read back; null when it is not one of ours (then it is ignored). */
export function readOffset(map: SourceMap | null): FileOffset | null {
  if (map === null) return null;
  const position = map[POSITION_FIELD];
  const line = map[LINE_FIELD];
  const fingerprint = map[FINGERPRINT_FIELD];
  const bytes = map[FINGERPRINT_BYTES_FIELD];
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!whole(position) || !whole(line) || !whole(bytes) || typeof fingerprint !== 'string') return null;
  if (bytes > FINGERPRINT_BYTES || bytes > position) return null;
  return { position, line, fingerprint, fingerprintBytes: bytes };
}

export type Resume = { kind: 'resume'; position: number; line: number } | { kind: 'other-file'; why: string };

/**
 * Whether a stored offset applies to the file now at hand: `head` holds its first bytes (at
 * least the stored fingerprint's length when the file is that long) and `size` its length.
 */
export function resumeFrom(offset: FileOffset, head: Uint8Array, size: number): Resume {
  if (size < offset.position) return { kind: 'other-file', why: `it is shorter (${size} bytes) than the stored position ${offset.position}: truncated or replaced` };
  if (head.length < offset.fingerprintBytes) return { kind: 'other-file', why: 'its first bytes could not be read' };
  const fingerprint = fingerprintOf(head.subarray(0, offset.fingerprintBytes));
  if (fingerprint !== offset.fingerprint) {
    return { kind: 'other-file', why: `its first ${offset.fingerprintBytes} bytes differ from those the stored offset was taken from (inode reused or content rewritten)` };
  }
  return { kind: 'resume', position: offset.position, line: offset.line };
}
