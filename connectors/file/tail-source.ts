/**
 * Tail mode: follows the files that file.paths match (our glob resolver; chokidar events on the
 * patterns' folders trigger a rescan, and a rescan also runs every poll.interval.ms). Files are
 * known by identity (device:inode), not by name, so:
 *   - rename-and-create: the path now holds another inode; the old file is read on through its
 *     open descriptor to its end, and the new one starts only once the old one is finished (its
 *     end reached, and either rotate.wait.ms without growth or the new file has data);
 *   - rename without create, or delete: the old file is drained the same way, then closed;
 *   - copytruncate (or any shrink, or new first bytes): the file is read again from its start;
 *   - a file renamed to another matched name is not read twice.
 * A committed offset is found under the path the file had when first read, also after a restart
 * in which it is found under a new name; its fingerprint must still match.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { FSWatcher } from 'chokidar';
import { watch } from 'chokidar';
import type { OffsetStorageReader, SourceMap, SourceRecord } from '../../runtime/connect/api/index.ts';
import type { Charset } from './charset.ts';
import { errnoOf } from './errors.ts';
import type { FileStat } from './file-identity.ts';
import { readHead, statHandle, statPath } from './file-identity.ts';
import { endOfLastLine, openRecordReader } from './file-opener.ts';
import type { FileOffset } from './file-offsets.ts';
import { FINGERPRINT_BYTES, partitionOf, readOffset, resumeFrom } from './file-offsets.ts';
import type { FileRecordReader } from './file-record-reader.ts';
import type { FileSourceSettings } from './file-source-config.ts';
import { globBase, globDepth, resolveGlob } from './glob.ts';
import type { Logger } from './log.ts';
import type { RecordFactory } from './record-factory.ts';
import { Waker } from './waker.ts';

export interface TailSourceOptions {
  settings: FileSourceSettings;
  /** The patterns this task follows (a share of file.paths). */
  patterns: readonly string[];
  offsets: OffsetStorageReader;
  factory: RecordFactory;
  charset: Charset;
  logger: Logger;
  /** Whether to watch with chokidar (tests may rely on the periodic rescan alone). */
  watch?: boolean;
  /** Milliseconds now; injectable for rotation timing in tests. */
  now?: () => number;
}

interface TailFile {
  readonly id: string;
  /** Where it was last seen. */
  path: string;
  size: number;
  /** Found by the task's first scan (start.position applies to it). */
  readonly initial: boolean;
  handle: FileHandle | null;
  reader: FileRecordReader | null;
  /** Replaced at its path, or no longer at any matched path: finish it once quiet. */
  rotated: boolean;
  /** Not at any matched path any more. */
  gone: boolean;
  /** Read to its end after a rotation and closed. */
  finished: boolean;
  /** The file this one replaced at its path: it is finished first (this entry; not a later one of the same id). */
  waitFor: TailFile | null;
  atEnd: boolean;
  lastDataAt: number;
  readPosition: number;
  warned: boolean;
  /** Where a finished file ended, to go on from there if it grows again (it was closed). */
  ended: Ended | null;
}

/** Where a finished file ended, as a stored offset would say (fingerprint included). */
interface Ended {
  partition: SourceMap;
  offset: FileOffset;
}

/**
 * Finished files no longer seen at any matched path are forgotten, but where they ended is kept
 * (this many, the oldest dropped first): one that turns up again (a scan missed it while it was
 * renamed, or it was moved back) goes on from there, even before its offset was committed.
 */
const DEPARTED_KEPT = 1000;

export class TailSource {
  readonly #o: TailSourceOptions;
  readonly #s: FileSourceSettings;
  readonly #now: () => number;
  readonly #files = new Map<string, TailFile>();
  readonly #byPath = new Map<string, string>();
  readonly #departed = new Map<string, Ended>();
  readonly #waker = new Waker();
  #watchers: FSWatcher[] = [];
  #dirty = true;
  #nextScanAt = 0;
  #scans = 0;
  #failure: Error | null = null;
  #stopping = false;
  #polling = false;
  #roundRobin = 0;

  constructor(options: TailSourceOptions) {
    this.#o = options;
    this.#s = options.settings;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.#o.watch === false) return;
    for (const pattern of this.#o.patterns) {
      const depth = globDepth(pattern);
      const watcher = watch(globBase(pattern), { ignoreInitial: true, persistent: true, ...(depth === undefined ? {} : { depth }) });
      const structural = (): void => {
        this.#dirty = true;
        this.#waker.wake();
      };
      for (const event of ['add', 'unlink', 'addDir', 'unlinkDir'] as const) watcher.on(event, structural);
      watcher.on('change', () => this.#waker.wake());
      watcher.on('error', (err) => this.#o.logger.warn({ err }, `watching ${pattern} failed; files are still checked every ${this.#s.pollIntervalMs} ms`));
      this.#watchers.push(watcher);
    }
  }

  /** The files being followed: path → {position, line} (for tests and logs). */
  positions(): Map<string, { id: string; position: number; line: number; finished: boolean }> {
    const out = new Map<string, { id: string; position: number; line: number; finished: boolean }>();
    for (const f of this.#files.values()) {
      if (f.reader !== null) out.set(f.path, { id: f.id, position: f.reader.cursor.position, line: f.reader.cursor.line, finished: f.finished });
    }
    return out;
  }

  /** Up to `max` records (waits up to poll.interval.ms when there are none). */
  async poll(max: number): Promise<SourceRecord[]> {
    if (this.#failure !== null) throw this.#failure;
    if (this.#stopping) return [];
    this.#polling = true;
    try {
      return await this.#pollOnce(max);
    } finally {
      this.#polling = false;
      if (this.#stopping) await this.close();
    }
  }

  async #pollOnce(max: number): Promise<SourceRecord[]> {
    const now = this.#now();
    if (this.#dirty || now >= this.#nextScanAt) {
      this.#dirty = false;
      this.#nextScanAt = now + this.#s.pollIntervalMs;
      await this.rescan();
    }
    const records: SourceRecord[] = [];
    const readable = [...this.#files.values()].filter((f) => f.reader !== null && !f.finished && this.#mayRead(f));
    for (let k = 0; k < readable.length && records.length < max; k++) {
      const file = readable[(this.#roundRobin + k) % readable.length];
      await this.#readFrom(file, records, max);
      if (this.#failure !== null) break;
    }
    this.#roundRobin++;
    for (const file of readable) if (file.rotated && file.atEnd && !file.finished && this.#failure === null) await this.#maybeFinish(file, records);
    if (records.length === 0 && this.#failure === null && !this.#stopping) await this.#waker.sleep(this.#s.pollIntervalMs);
    return records;
  }

  /** A file that replaced another starts once that one is finished. */
  #mayRead(file: TailFile): boolean {
    if (file.waitFor === null) return true;
    const before = file.waitFor;
    if (before.finished || before.reader === null || this.#files.get(before.id) !== before) {
      file.waitFor = null;
      return true;
    }
    return false;
  }

  async #readFrom(file: TailFile, records: SourceRecord[], max: number): Promise<void> {
    // Reading on from the end of a file: first make sure it was not truncated or rewritten in
    // the meantime, or the new content would be read from the old position.
    if (file.atEnd) await this.#checkTruncation(file);
    const reader = file.reader!;
    while (records.length < max) {
      const batch = await reader.read(max - records.length, false);
      for (const r of batch.records) records.push(r);
      const read = reader.cursor.readPosition;
      if (read > file.readPosition) {
        file.readPosition = read;
        file.lastDataAt = this.#now();
      }
      if (batch.failure !== null) {
        // The records before the bad line go out; the task fails at the next poll.
        this.#failure = batch.failure;
        return;
      }
      file.atEnd = batch.atEnd;
      if (batch.atEnd) return;
    }
  }

  /**
   * A rotated file at its end is finished when the writer has evidently moved on: no growth for
   * rotate.wait.ms, or the file that replaced it has data. Its unterminated last line, if any,
   * is emitted then, since nothing will complete it.
   */
  async #maybeFinish(file: TailFile, records: SourceRecord[]): Promise<void> {
    const successor = [...this.#files.values()].find((f) => f.waitFor === file);
    const quiet = this.#now() - file.lastDataAt >= this.#s.rotateWaitMs;
    if (!quiet && !(successor !== undefined && successor.size > 0)) return;
    const reader = file.reader!;
    for (;;) {
      // At its end already: this takes at most the unterminated last line.
      const batch = await reader.read(this.#s.batchSize, true);
      for (const r of batch.records) records.push(r);
      if (batch.failure !== null) {
        this.#failure = batch.failure;
        return;
      }
      if (batch.atEnd) break;
    }
    this.#o.logger.info(`${file.path}: finished after rotation at line ${reader.cursor.line - 1} (byte ${reader.cursor.position})`);
    file.finished = true;
    // Only where it ended is kept (its buffer goes), in case it grows again.
    file.ended = { partition: reader.context.partition, offset: reader.endOffset() };
    file.reader = null;
    await this.#closeFile(file);
    if (file.gone) this.#forget(file);
  }

  /** Finds the matched files and notices rotations, truncations and new files. */
  async rescan(): Promise<void> {
    const initial = this.#scans === 0;
    this.#scans++;
    const paths = new Set<string>();
    for (const pattern of this.#o.patterns) for (const p of await resolveGlob(pattern)) paths.add(p);
    const seen = new Map<string, FileStat & { path: string }>();
    for (const p of [...paths].sort()) {
      let st: FileStat | null;
      try {
        st = await statPath(p);
      } catch (err) {
        this.#o.logger.warn({ err }, `cannot stat ${p}`);
        continue;
      }
      if (st === null || !st.isFile || seen.has(st.id)) continue;
      seen.set(st.id, { ...st, path: p });
    }
    const newFiles: TailFile[] = [];
    for (const st of seen.values()) {
      let file = this.#files.get(st.id);
      const previous = this.#byPath.get(st.path);
      if (file === undefined) {
        file = {
          id: st.id,
          path: st.path,
          size: st.size,
          initial,
          handle: null,
          reader: null,
          rotated: false,
          gone: false,
          finished: false,
          waitFor: null,
          atEnd: false,
          lastDataAt: this.#now(),
          readPosition: 0,
          warned: false,
          ended: null,
        };
        this.#files.set(st.id, file);
        newFiles.push(file);
        const old = previous === undefined ? undefined : this.#files.get(previous);
        if (old !== undefined && !old.finished) {
          old.rotated = true;
          file.waitFor = old;
          this.#o.logger.info(`${st.path}: rotated (a new file replaced it); the old file is read to its end first`);
        }
      } else {
        file.path = st.path;
        file.size = st.size;
        file.gone = false;
        if (file.finished && file.ended !== null && st.size > file.ended.offset.position) {
          // A rotated file that grew after it was finished: open it again and read on.
          file.finished = false;
          file.atEnd = false;
        }
      }
      this.#byPath.set(st.path, st.id);
    }
    for (const [p, id] of this.#byPath) if (!paths.has(p) || seen.get(id)?.path !== p) this.#byPath.delete(p);
    for (const file of [...this.#files.values()]) {
      if (seen.has(file.id)) continue;
      if (!file.gone) {
        file.gone = true;
        file.rotated = true;
        if (file.handle !== null && !file.finished) this.#o.logger.info(`${file.path}: no longer at a matched path (renamed or deleted); reading it to its end`);
      }
      if (file.handle === null) this.#forget(file);
    }
    for (const file of newFiles) await this.#open(file, seen);
    for (const file of this.#files.values()) {
      if (file.handle === null && !file.finished && !newFiles.includes(file)) await this.#open(file, seen);
      else if (file.reader !== null && !file.finished) await this.#checkTruncation(file);
    }
  }

  /** Opens a newly seen file at its committed offset, or per start.position. */
  async #open(file: TailFile, seen: ReadonlyMap<string, FileStat & { path: string }>): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(file.path, 'r');
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT' && !file.warned) {
        file.warned = true;
        this.#o.logger.warn({ err }, `cannot open ${file.path}; trying again at the next scan`);
      }
      return;
    }
    const st = await statHandle(handle);
    if (st.id !== file.id) {
      // Replaced between the scan and the open: the next scan sorts it out.
      await handle.close();
      return;
    }
    const { partition, start } =
      file.ended === null ? await this.#startOf(file, handle, st, seen) : { partition: file.ended.partition, start: { position: file.ended.offset.position, line: file.ended.offset.line + 1 } };
    file.ended = null;
    const reader = await openRecordReader({
      handle,
      context: this.#o.factory.contextOf(partition, file.path, st.mtimeMs),
      position: start.position,
      line: start.line,
      settings: this.#s,
      charset: this.#o.charset,
      factory: this.#o.factory,
      final: false,
      size: st.size,
      onSkip: (error) => this.#o.logger.warn(`skipped a bad line: ${error.message}`),
      onIgnoredColumns: (columns) => this.#o.logger.warn(`${file.path}: value.schema has no field for the CSV column(s) ${columns.join(', ')}; they are ignored`),
    }).catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    if (reader === null) {
      // A CSV file without its header row yet.
      await handle.close();
      return;
    }
    file.handle = handle;
    file.reader = reader;
    file.readPosition = start.position;
    file.lastDataAt = this.#now();
  }

  async #startOf(
    file: TailFile,
    handle: FileHandle,
    st: FileStat,
    seen: ReadonlyMap<string, FileStat & { path: string }>,
  ): Promise<{ partition: SourceMap; start: { position: number; line: number } }> {
    const own = partitionOf(file.path, file.id);
    let partition = own;
    let stored: FileOffset | null = null;
    const departed = this.#departed.get(file.id);
    if (departed !== undefined) {
      // Finished here before and seen again: where it ended is newer than any committed offset.
      this.#departed.delete(file.id);
      partition = departed.partition;
      stored = departed.offset;
    } else stored = readOffset(await this.#o.offsets.offset(own));
    if (stored === null) {
      // Renamed while the task was down: its offset is under the name it was first read as.
      const others = [...seen.values()].filter((s) => s.path !== file.path).map((s) => partitionOf(s.path, file.id));
      if (others.length > 0) {
        for (const { partition: p, offset } of await this.#o.offsets.offsets(others)) {
          const found = readOffset(offset);
          if (found !== null) {
            partition = p;
            stored = found;
            break;
          }
        }
      }
    }
    if (stored !== null) {
      const resume = resumeFrom(stored, await readHead(handle), st.size);
      if (resume.kind === 'resume') {
        this.#o.logger.info(`${file.path}: resuming at line ${resume.line + 1} (byte ${resume.position})`);
        return { partition, start: { position: resume.position, line: resume.line + 1 } };
      }
      this.#o.logger.warn(`${file.path}: the committed offset does not apply (${resume.why}); reading it from the start`);
      return { partition: own, start: { position: 0, line: 1 } };
    }
    if (file.initial && this.#s.startPosition === 'end') return { partition, start: await endOfLastLine(handle, st.size) };
    return { partition, start: { position: 0, line: 1 } };
  }

  /** Drops a file no longer at any matched path, remembering where it ended if it was finished. */
  #forget(file: TailFile): void {
    this.#files.delete(file.id);
    if (file.ended === null) return;
    this.#departed.delete(file.id);
    this.#departed.set(file.id, file.ended);
    if (this.#departed.size > DEPARTED_KEPT) this.#departed.delete(this.#departed.keys().next().value!);
  }

  /** copytruncate and the like: the file got shorter than what was read, or its first bytes changed. */
  async #checkTruncation(file: TailFile): Promise<void> {
    const reader = file.reader!;
    let st: FileStat;
    try {
      st = await statHandle(file.handle!);
    } catch {
      return;
    }
    file.size = st.size;
    const position = reader.cursor.position;
    let why: string | null = null;
    if (st.size < reader.cursor.readPosition) why = `it shrank to ${st.size} bytes below the read position ${reader.cursor.readPosition} (copytruncate?)`;
    else if (position > 0 && !reader.sameStart(await readHead(file.handle!, Math.min(position, FINGERPRINT_BYTES)))) why = 'its first bytes changed (rewritten in place)';
    if (why === null) return;
    this.#o.logger.info(`${file.path}: ${why}; reading it again from the start`);
    reader.restart(0, 1, await readHead(file.handle!));
    file.readPosition = 0;
    file.atEnd = false;
    file.lastDataAt = this.#now();
  }

  async #closeFile(file: TailFile): Promise<void> {
    const handle = file.handle;
    file.handle = null;
    await handle?.close().catch(() => undefined);
  }

  /** Stops watching; files are closed now, or when a running poll returns. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#waker.wake();
    const watchers = this.#watchers;
    this.#watchers = [];
    await Promise.all(watchers.map((w) => w.close()));
    if (!this.#polling) await this.close();
  }

  async close(): Promise<void> {
    for (const file of this.#files.values()) await this.#closeFile(file);
  }
}
