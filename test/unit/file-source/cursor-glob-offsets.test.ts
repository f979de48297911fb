import { appendFile, mkdir, open, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CursorItem } from '../../../connectors/file/file-cursor.ts';
import { FileCursor } from '../../../connectors/file/file-cursor.ts';
import { endOfLastLine } from '../../../connectors/file/file-opener.ts';
import { FINGERPRINT_BYTES_FIELD, FINGERPRINT_FIELD, LINE_FIELD, POSITION_FIELD, fingerprintOf, offsetMap, readOffset, resumeFrom } from '../../../connectors/file/file-offsets.ts';
import { CsvFramer, LineFramer } from '../../../connectors/file/framing.ts';
import { globBase, globDepth, resolveGlob, segmentRegExp } from '../../../connectors/file/glob.ts';
import { tempDir } from './harness.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

function describeItem(item: CursorItem): string {
  if (item.kind === 'line') return `${item.window.toString('utf8', item.start, item.end)}@${item.position}:${item.line}->${item.nextPosition}:${item.nextLine}`;
  return `TOO-LONG(${item.length},${item.prefix.length})@${item.position}:${item.line}->${item.nextPosition}:${item.nextLine}`;
}

async function takeAll(cursor: FileCursor, final: boolean): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const { items, atEnd } = await cursor.take(1000, final);
    out.push(...items.map(describeItem));
    if (atEnd) break;
  }
  return out;
}

describe('FileCursor', () => {
  it('gives each line its byte position and line number, and the next ones', async () => {
    const file = path.join(dir, 'a.log');
    await writeFile(file, 'one\r\ntwo\n\nthree');
    const handle = await open(file, 'r');
    try {
      expect(await takeAll(new FileCursor(handle, new LineFramer(), 0, 1, { maxLineBytes: 100 }), false)).toEqual(['one@0:1->5:2', 'two@5:2->9:3', '@9:3->10:4']);
      expect(await takeAll(new FileCursor(handle, new LineFramer(), 5, 2, { maxLineBytes: 100 }), true)).toEqual(['two@5:2->9:3', '@9:3->10:4', 'three@10:4->15:4']);
    } finally {
      await handle.close();
    }
  });

  it('picks up an unterminated line once its end arrives', async () => {
    const file = path.join(dir, 'grow.log');
    await writeFile(file, 'abc');
    const handle = await open(file, 'r');
    try {
      const cursor = new FileCursor(handle, new LineFramer(), 0, 1, { maxLineBytes: 100 });
      expect(await takeAll(cursor, false)).toEqual([]);
      expect(cursor.position).toBe(0);
      await appendFile(file, 'def\nxy');
      expect(await takeAll(cursor, false)).toEqual(['abcdef@0:1->7:2']);
      expect([cursor.position, cursor.line, cursor.readPosition]).toEqual([7, 2, 9]);
    } finally {
      await handle.close();
    }
  });

  it('skips a 10 MB line without holding it: a too-long item with its length and a bounded prefix, then goes on', async () => {
    const file = path.join(dir, 'huge.log');
    const huge = 'x'.repeat(10 * 1024 * 1024);
    await writeFile(file, `before\n${huge}\r\nafter\n`);
    const handle = await open(file, 'r');
    try {
      const cursor = new FileCursor(handle, new LineFramer(), 0, 1, { maxLineBytes: 1024, readBytes: 64 * 1024 });
      const items = await takeAll(cursor, false);
      expect(items).toEqual([
        'before@0:1->7:2',
        `TOO-LONG(${huge.length},1024)@7:2->${7 + huge.length + 2}:3`,
        `after@${7 + huge.length + 2}:3->${7 + huge.length + 8}:4`,
      ]);
    } finally {
      await handle.close();
    }
  });

  it('reports a too-long line found whole in one read, and one cut off by the end of a final file', async () => {
    const file = path.join(dir, 'long.log');
    await writeFile(file, `${'y'.repeat(300)}\nok\n${'z'.repeat(5000)}`);
    const handle = await open(file, 'r');
    try {
      const items = await takeAll(new FileCursor(handle, new LineFramer(), 0, 1, { maxLineBytes: 100, readBytes: 1024 }), true);
      expect(items).toEqual(['TOO-LONG(300,100)@0:1->301:2', 'ok@301:2->304:3', 'TOO-LONG(5000,100)@304:3->5304:3']);
    } finally {
      await handle.close();
    }
  });

  it('counts the lines of CSV records with quoted line breaks', async () => {
    const file = path.join(dir, 'a.csv');
    await writeFile(file, 'h1,h2\n1,"a\nb"\n2,c\n');
    const handle = await open(file, 'r');
    try {
      const items = await takeAll(new FileCursor(handle, new CsvFramer('"', ''), 0, 1, { maxLineBytes: 100 }), false);
      expect(items).toEqual(['h1,h2@0:1->6:2', '1,"a\nb"@6:2->14:4', '2,c@14:4->18:5']);
    } finally {
      await handle.close();
    }
  });

  it('finds where the last complete line ends (start.position=end)', async () => {
    const file = path.join(dir, 'end.log');
    await writeFile(file, 'a\nbb\nccc');
    const handle = await open(file, 'r');
    try {
      expect(await endOfLastLine(handle, 8)).toEqual({ position: 5, line: 3 });
      expect(await endOfLastLine(handle, 0)).toEqual({ position: 0, line: 1 });
    } finally {
      await handle.close();
    }
  });
});

describe('glob', () => {
  it('translates segments: *, ?, classes, literal dots', () => {
    expect(segmentRegExp('app-*.log').test('app-1.log')).toBe(true);
    expect(segmentRegExp('app-*.log').test('app-1xlog')).toBe(false);
    expect(segmentRegExp('a?[0-9][!x].txt').test('ab5y.txt')).toBe(true);
    expect(segmentRegExp('a?[0-9][!x].txt').test('ab5x.txt')).toBe(false);
  });

  it('computes the folder to watch and its depth', () => {
    expect(globBase('/var/log/app/*.log')).toBe('/var/log/app');
    expect(globDepth('/var/log/app/*.log')).toBe(0);
    expect(globDepth('/var/log/*/x/*.log')).toBe(2);
    expect(globDepth('/var/log/**/*.log')).toBeUndefined();
    expect(globBase('/var/log/app.log')).toBe('/var/log');
  });

  it('resolves files only, skips dot files for wildcards, follows ** to any depth and symlinks to files', async () => {
    await mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    for (const f of ['x.log', '.hidden.log', 'y.txt', 'a/z.log', 'a/b/w.log']) await writeFile(path.join(dir, f), '');
    await mkdir(path.join(dir, 'dir.log'));
    await symlink(path.join(dir, 'y.txt'), path.join(dir, 'link.log'));
    expect(await resolveGlob(path.join(dir, '*.log'))).toEqual([path.join(dir, 'link.log'), path.join(dir, 'x.log')]);
    expect(await resolveGlob(path.join(dir, '**', '*.log'))).toEqual(['a/b/w.log', 'a/z.log', 'link.log', 'x.log'].map((f) => path.join(dir, f)));
    expect(await resolveGlob(path.join(dir, '.*.log'))).toEqual([path.join(dir, '.hidden.log')]);
    expect(await resolveGlob(path.join(dir, 'x.log'))).toEqual([path.join(dir, 'x.log')]);
    expect(await resolveGlob(path.join(dir, 'missing', '*.log'))).toEqual([]);
  });
});

describe('offsets', () => {
  const head = Buffer.from('first line\nsecond line\n');

  it('round-trips and rejects maps that are not ours', () => {
    const offset = { position: 11, line: 1, fingerprint: fingerprintOf(head.subarray(0, 11)), fingerprintBytes: 11 };
    const map = offsetMap(offset.position, offset.line, offset.fingerprint, offset.fingerprintBytes);
    expect(Object.keys(map)).toEqual([POSITION_FIELD, LINE_FIELD, FINGERPRINT_FIELD, FINGERPRINT_BYTES_FIELD]);
    expect(readOffset(map)).toEqual(offset);
    expect(readOffset({ position: 42 })).toBeNull();
    expect(readOffset({ ...map, 'fingerprint.bytes': 2000 })).toBeNull();
    expect(readOffset(null)).toBeNull();
  });

  it('resumes only on the same content: matching fingerprint and not shorter', () => {
    const offset = { position: 11, line: 1, fingerprint: fingerprintOf(head.subarray(0, 11)), fingerprintBytes: 11 };
    expect(resumeFrom(offset, head, head.length)).toEqual({ kind: 'resume', position: 11, line: 1 });
    expect(resumeFrom(offset, Buffer.from('other text!\n'), 12)).toMatchObject({ kind: 'other-file', why: expect.stringMatching(/differ/) });
    expect(resumeFrom(offset, head.subarray(0, 5), 5)).toMatchObject({ kind: 'other-file', why: expect.stringMatching(/shorter/) });
  });
});
