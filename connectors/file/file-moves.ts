/**
 * Moving finished and failed spool files. A file is only moved if the path still holds the file
 * that was read (same device and inode): a file dropped under the same name in the meantime is
 * left alone. Names already taken in the target folder get a numeric suffix, never overwritten.
 * Across file systems the move is a copy into a temporary name, fsync, rename, then unlink.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileAccessError, errnoOf } from './errors.ts';
import { statPath } from './file-identity.ts';

/** A free name for `name` in `dir`: the name itself, else name.1, name.2, ... */
async function freeTarget(dir: string, name: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = path.join(dir, i === 0 ? name : `${name}.${i}`);
    if ((await statPath(candidate)) === null) return candidate;
  }
}

/** Whether `file` still is the file with this id (false when gone or replaced). */
export async function stillSameFile(file: string, fileId: string): Promise<boolean> {
  const st = await statPath(file);
  return st !== null && st.id === fileId;
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Folders known to exist (created once, not once per file of a spool of thousands). */
const ensured = new Set<string>();

/** Moves `file` into `dir`; returns where it went. */
export async function moveInto(file: string, dir: string): Promise<string> {
  if (!ensured.has(dir)) {
    await mkdir(dir, { recursive: true });
    ensured.add(dir);
  }
  const target = await freeTarget(dir, path.basename(file));
  try {
    // link + unlink never replaces a file another process created at `target` meanwhile.
    await link(file, target);
    await unlink(file);
    return target;
  } catch (err) {
    const code = errnoOf(err);
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
      if (code === 'EEXIST') return moveInto(file, dir);
      if (code === 'ENOENT' && ensured.delete(dir) && (await statPath(file)) !== null) return moveInto(file, dir);
      throw new FileAccessError(`Cannot move ${file} to ${dir}: ${(err as Error).message}`, file, err, true);
    }
  }
  const temp = path.join(dir, `.${path.basename(target)}.moving`);
  try {
    await copyFile(file, temp, constants.COPYFILE_EXCL);
    await fsyncFile(temp);
    await rename(temp, target);
    await unlink(file);
    return target;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new FileAccessError(`Cannot copy ${file} to ${dir}: ${(err as Error).message}`, file, err, true);
  }
}

export async function deleteFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw new FileAccessError(`Cannot delete ${file}: ${(err as Error).message}`, file, err, true);
  }
}

/** Writes `<moved file>.error.txt` beside a failed file: what went wrong and where. */
export async function writeErrorNote(movedTo: string, originalPath: string, error: Error, now: Date): Promise<string> {
  const note = `${movedTo}.error.txt`;
  const context = (error as { context?: Record<string, unknown> }).context ?? {};
  const lines = [
    `file: ${originalPath}`,
    `failed at: ${now.toISOString()}`,
    `error code: ${(error as { code?: string }).code ?? error.name}`,
    ...(context.line === undefined ? [] : [`line: ${String(context.line)}`]),
    ...(context.position === undefined ? [] : [`byte position: ${String(context.position)}`]),
    `error: ${error.message}`,
    ...(error.cause instanceof Error ? [`cause: ${error.cause.message}`] : []),
    '',
    'Records before the failing line were delivered and their offset committed. To retry, fix the',
    'cause and move the file back into input.path: an unchanged file resumes after its last',
    'committed line; an edited file (a new inode or new first bytes) is read from its start.',
    '',
  ];
  await writeFile(note, lines.join('\n'), 'utf8');
  return note;
}
