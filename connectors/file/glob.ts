/**
 * Glob patterns for file.paths, resolved by walking only the folders a pattern can reach
 * (chokidar ≥ 4 watches paths, not globs). `*` and `?` match within one path segment, `[abc]`,
 * `[a-z]` and `[!abc]` match one character, `**` matches any number of folders. As in shells, a
 * wildcard does not match a leading dot unless the pattern segment starts with one.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const GLOB_CHARS = /[*?[]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** The segment's pattern as an anchored regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let body = segment.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The folder above the first segment with a wildcard (the pattern's own folder when it has none). */
export function globBase(pattern: string): string {
  const absolute = path.resolve(pattern);
  const segments = absolute.split(path.sep);
  const first = segments.findIndex((s) => isGlob(s));
  if (first === -1) return path.dirname(absolute);
  return segments.slice(0, first).join(path.sep) || path.sep;
}

/** How many folder levels below globBase() a pattern reaches; undefined for `**` (any). */
export function globDepth(pattern: string): number | undefined {
  const absolute = path.resolve(pattern);
  const rest = path.relative(globBase(pattern), absolute).split(path.sep);
  if (rest.includes('**')) return undefined;
  return rest.length - 1;
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // A folder that vanished or cannot be read matches nothing.
    return [];
  }
}

async function kindOf(dir: string, entry: Dirent): Promise<'file' | 'dir' | null> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (!entry.isSymbolicLink()) return null;
  try {
    const s = await stat(path.join(dir, entry.name));
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : null;
  } catch {
    return null;
  }
}

function matches(name: string, segment: string, regex: RegExp): boolean {
  if (name.startsWith('.') && !segment.startsWith('.')) return false;
  return regex.test(name);
}

/** Regular files the pattern matches now, sorted. */
export async function resolveGlob(pattern: string): Promise<string[]> {
  const absolute = path.resolve(pattern);
  if (!isGlob(absolute)) {
    try {
      return (await stat(absolute)).isFile() ? [absolute] : [];
    } catch {
      return [];
    }
  }
  const base = globBase(absolute);
  const segments = path.relative(base, absolute).split(path.sep);
  const regexes = segments.map((s) => (s === '**' ? null : segmentRegExp(s)));
  const found = new Set<string>();
  const visited = new Set<string>();
  const walk = async (dir: string, index: number): Promise<void> => {
    const key = `${dir}\0${index}`;
    if (visited.has(key)) return;
    visited.add(key);
    const segment = segments[index];
    const last = index === segments.length - 1;
    if (segment === '**') {
      if (last) return;
      await walk(dir, index + 1);
      for (const entry of await entries(dir)) {
        if (entry.name.startsWith('.')) continue;
        if ((await kindOf(dir, entry)) === 'dir') await walk(path.join(dir, entry.name), index);
      }
      return;
    }
    const regex = regexes[index]!;
    if (!isGlob(segment)) {
      const child = path.join(dir, segment);
      if (last) {
        try {
          if ((await stat(child)).isFile()) found.add(child);
        } catch {
          // not there
        }
      } else await walk(child, index + 1);
      return;
    }
    for (const entry of await entries(dir)) {
      if (!matches(entry.name, segment, regex)) continue;
      const kind = await kindOf(dir, entry);
      if (last && kind === 'file') found.add(path.join(dir, entry.name));
      else if (!last && kind === 'dir') await walk(path.join(dir, entry.name), index + 1);
    }
  };
  await walk(base, 0);
  return [...found].sort();
}
