import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Small fs helpers of the storage layer. Appends and reads use synchronous positional I/O on open
 * descriptors (page-cache copies, cheaper than a thread-pool hop per batch); fsyncs, which wait
 * for the disk, run on the thread pool so that appends continue meanwhile.
 */
export const fdatasync = promisify(fs.fdatasync);
const fsyncFd = promisify(fs.fsync);

/** Writes all of `data` at `position`. */
export function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

/** Reads up to `length` bytes at `position` into `into[offset..]`; fewer only at end of file. */
export function readFully(fd: number, into: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, into, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** fsync of a directory, so that created, renamed and removed entries survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await fs.promises.open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync of a file by path (index files written with writeFileSync). */
export async function fsyncFile(file: string): Promise<void> {
  const fd = await promisify(fs.open)(file, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `file` atomically: a reader (or a restart after power loss) sees either the old or the
 * new content, never a mix. Temp file, fsync, rename, fsync of the directory.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/**
 * Atomic replacements of small files, one at a time: two writers of the same file would share its
 * temp file. The content is rendered when the write starts, so the last write carries the latest
 * state even when writes were requested out of order.
 */
export class SerialFileWriter {
  #chain: Promise<void> = Promise.resolve();

  write(file: string, render: () => string | Uint8Array): Promise<void> {
    const run = this.#chain.then(() => writeFileAtomic(file, render()));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every write requested so far has finished (successfully or not). */
  settled(): Promise<void> {
    return this.#chain;
  }
}

/** Synchronous twin of writeFileAtomic, for the few places that must finish before returning. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeFully(fd, typeof data === 'string' ? Buffer.from(data) : data, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirSync(path.dirname(file));
}

/** Reads a file, or undefined when it does not exist. */
export function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function unlinkIfExists(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
