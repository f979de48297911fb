/**
 * What makes a file the same file across renames: its device and inode (from a bigint stat, as
 * inode numbers can exceed 2^53), plus its first bytes (see file-offsets.ts) against inode reuse.
 */
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { errnoOf } from './errors.ts';
import { FINGERPRINT_BYTES } from './file-offsets.ts';

export interface FileStat {
  /** `device:inode`. */
  id: string;
  size: number;
  mtimeMs: number;
  isFile: boolean;
}

export function fileStatOf(stats: BigIntStats): FileStat {
  return { id: `${stats.dev}:${stats.ino}`, size: Number(stats.size), mtimeMs: Number(stats.mtimeMs), isFile: stats.isFile() };
}

/** The stat of a path, or null when nothing is there (any more). */
export async function statPath(path: string): Promise<FileStat | null> {
  try {
    return fileStatOf(await stat(path, { bigint: true }));
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

export async function statHandle(handle: FileHandle): Promise<FileStat> {
  return fileStatOf(await handle.stat({ bigint: true }));
}

/** Up to `length` bytes from the start of the file. */
export async function readHead(handle: FileHandle, length = FINGERPRINT_BYTES): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
