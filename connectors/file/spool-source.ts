/**
 * Spool mode: files whose whole name matches input.file.pattern appear in input.path (watched
 * with chokidar, plus a listing at start) and are read completely, one after the other in name
 * order. A file leaves input.path (moved to finished.path or deleted per cleanup.policy, or moved
 * to error.path with a note when it failed) only once SpoolLedger says all of its records were
 * acknowledged and the offset store holds its last offset. There is no marker file: after a
 * crash, a file still in input.path resumes from its committed offset (the exact line), and a
 * file whose offset already covers it is cleaned up without being read again.
 */
import { readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { FSWatcher } from 'chokidar';
import { watch } from 'chokidar';
import type { OffsetStorageReader, SourceRecord } from '../../runtime/connect/api/index.ts';
import { ConnectError } from '../../runtime/connect/api/index.ts';
import type { Charset } from './charset.ts';
import { FileAccessError, FileFormatError, errnoOf } from './errors.ts';
import type { FileStat } from './file-identity.ts';
import { readHead, statHandle, statPath } from './file-identity.ts';
import { deleteFile, moveInto, stillSameFile, writeErrorNote } from './file-moves.ts';
import { openRecordReader } from './file-opener.ts';
import { POSITION_FIELD, partitionOf, readOffset, resumeFrom } from './file-offsets.ts';
import type { FileRecordReader } from './file-record-reader.ts';
import type { FileSourceSettings } from './file-source-config.ts';
import { INPUT_PATH_CONFIG } from './file-source-config.ts';
import type { Logger } from './log.ts';
import type { RecordFactory } from './record-factory.ts';
import type { SpoolEntry } from './spool-ledger.ts';
import { SpoolLedger } from './spool-ledger.ts';
import { Waker } from './waker.ts';

const CLEANUP_CONCURRENCY = 16;
/** How long a file whose move or delete failed waits before the next try (and the next error line). */
const CLEANUP_RETRY_MS = 10_000;

export interface SpoolSourceOptions {
  settings: FileSourceSettings;
  offsets: OffsetStorageReader;
  factory: RecordFactory;
  charset: Charset;
  logger: Logger;
  /** Whether to watch with chokidar (tests may drive discovery by rescan()). */
  watch?: boolean;
}

interface Reading {
  entry: SpoolEntry;
  handle: FileHandle;
  reader: FileRecordReader;
}

/** Whether this task takes the file: files are spread over tasks by a hash of their name. */
export function ownedByTask(name: string, taskIndex: number, taskCount: number): boolean {
  return taskCount <= 1 || crc32(name) % taskCount === taskIndex;
}

export class SpoolSource {
  readonly #o: SpoolSourceOptions;
  readonly #s: FileSourceSettings;
  readonly #ledger = new SpoolLedger();
  readonly #queued = new Set<string>();
  #order: string[] = [];
  #sorted = true;
  #reading: Reading | null = null;
  #watcher: FSWatcher | null = null;
  readonly #waker = new Waker();
  #stopping = false;
  #polling = false;

  constructor(options: SpoolSourceOptions) {
    this.#o = options;
    this.#s = options.settings;
  }

  async start(): Promise<void> {
    const input = this.#s.inputPath;
    let isDir = false;
    try {
      isDir = (await stat(input)).isDirectory();
    } catch (err) {
      throw new ConnectError(`${INPUT_PATH_CONFIG}=${input} cannot be read: ${(err as Error).message}; create the folder or fix the path`, {
        code: 'FILE_ACCESS',
        cause: err,
        context: { key: INPUT_PATH_CONFIG, file: input },
      });
    }
    if (!isDir) throw new ConnectError(`${INPUT_PATH_CONFIG}=${input} is not a folder`, { code: 'FILE_ACCESS', context: { key: INPUT_PATH_CONFIG, file: input } });
    await this.rescan();
    if (this.#o.watch !== false) {
      this.#watcher = watch(input, { depth: 0, ignoreInitial: true, persistent: true });
      this.#watcher.on('add', (p) => this.#consider(p));
      this.#watcher.on('change', (p) => {
        if (this.#s.cleanupPolicy === 'NONE') this.#consider(p);
      });
      this.#watcher.on('unlink', (p) => this.#queued.delete(p));
      this.#watcher.on('error', (err) => this.#o.logger.warn({ err }, `watching ${input} failed; new files are still found every ${this.#s.pollIntervalMs} ms`));
    }
  }

  /** Lists input.path (at start, and when idle, in case an event was missed). */
  async rescan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#s.inputPath);
    } catch (err) {
      this.#o.logger.warn({ err }, `cannot list ${this.#s.inputPath}`);
      return;
    }
    for (const name of names) this.#consider(path.join(this.#s.inputPath, name));
  }

  #consider(file: string): void {
    const name = path.basename(file);
    if (path.resolve(path.dirname(file)) !== path.resolve(this.#s.inputPath)) return;
    if (!this.#s.inputFilePattern!.test(name) || !ownedByTask(name, this.#s.taskIndex, this.#s.taskCount)) return;
    if (this.#queued.has(file) || this.#ledger.has(file)) return;
    this.#queued.add(file);
    this.#order.push(file);
    this.#sorted = false;
    this.#waker.wake();
  }

  /** Up to `max` records (waits up to poll.interval.ms when there are none). */
  async poll(max: number): Promise<SourceRecord[]> {
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
    const records: SourceRecord[] = [];
    while (records.length < max && !this.#stopping) {
      if (this.#reading === null) {
        this.#reading = await this.#openNext();
        if (this.#reading === null) break;
      }
      const { entry, reader } = this.#reading;
      const batch = await reader.read(max - records.length, true);
      for (const r of batch.records) records.push(r);
      const last = reader.lastOffset;
      this.#ledger.emitted(entry, batch.records.length, last === null ? null : (last[POSITION_FIELD] as number));
      if (batch.atEnd) await this.#endReading(batch.failure === null ? { kind: 'finished' } : { kind: 'failed', error: batch.failure });
    }
    await this.#cleanUp();
    if (records.length === 0 && !this.#stopping) {
      await this.#waker.sleep(this.#s.pollIntervalMs);
      if (this.#queued.size === 0 && this.#reading === null) await this.rescan();
    }
    return records;
  }

  async #endReading(outcome: SpoolEntry['outcome'] & object): Promise<void> {
    const reading = this.#reading!;
    this.#reading = null;
    this.#ledger.finish(reading.entry, outcome);
    await reading.handle.close().catch(() => undefined);
    if (outcome.kind === 'failed') this.#o.logger.error({ err: outcome.error }, `${reading.entry.path} failed; it goes to ${this.#s.errorPath} once the records before the failure are committed`);
  }

  #next(): string | undefined {
    if (!this.#sorted) {
      this.#order = this.#order.filter((f) => this.#queued.has(f)).sort();
      this.#sorted = true;
    }
    const now = Date.now();
    for (let i = 0; i < this.#order.length; i++) {
      const file = this.#order[i];
      if (!this.#queued.has(file)) continue;
      if (this.#s.fileMinimumAgeMs > 0 && this.#tooYoung(file, now)) continue;
      this.#order.splice(i, 1);
      this.#queued.delete(file);
      return file;
    }
    return undefined;
  }

  /** Files found too young: their mtime and when that was seen. */
  readonly #mtimes = new Map<string, { mtimeMs: number; checkedAt: number }>();
  /** cleanup.policy=NONE: files done and left in place, as they were then (read again only if they change). */
  readonly #leftInPlace = new Map<string, FileStat>();

  #tooYoung(file: string, now: number): boolean {
    const seen = this.#mtimes.get(file);
    // Unknown, or last looked at a poll interval ago: taken, and checked by the stat after
    // opening (authoritative; the file may have been touched since).
    if (seen === undefined || now - seen.checkedAt >= this.#s.pollIntervalMs) return false;
    return now - seen.mtimeMs < this.#s.fileMinimumAgeMs;
  }

  /** Opens the next queued file (resuming from its committed offset); null when none is ready. */
  async #openNext(): Promise<Reading | null> {
    for (;;) {
      const file = this.#next();
      if (file === undefined) return null;
      let handle: FileHandle;
      try {
        handle = await open(file, 'r');
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') continue;
        const entry = this.#ledger.start(file, 'unknown', partitionOf(file, 'unknown'));
        this.#ledger.finish(entry, { kind: 'failed', error: new FileAccessError(`Cannot open ${file}: ${(err as Error).message}`, file, err) });
        continue;
      }
      const st = await statHandle(handle);
      if (!st.isFile) {
        await handle.close();
        continue;
      }
      if (this.#s.fileMinimumAgeMs > 0 && Date.now() - st.mtimeMs < this.#s.fileMinimumAgeMs) {
        await handle.close();
        this.#mtimes.set(file, { mtimeMs: st.mtimeMs, checkedAt: Date.now() });
        this.#queued.add(file);
        this.#order.push(file);
        this.#sorted = false;
        continue;
      }
      this.#mtimes.delete(file);
      const done = this.#leftInPlace.get(file);
      if (done !== undefined && done.id === st.id && done.size === st.size && done.mtimeMs === st.mtimeMs) {
        await handle.close();
        continue;
      }
      const partition = partitionOf(file, st.id);
      const entry = this.#ledger.start(file, st.id, partition);
      try {
        const head = await readHead(handle);
        const start = await this.#startPoint(head, partition, st.size);
        const reader = await openRecordReader({
          handle,
          context: this.#o.factory.contextOf(partition, file, st.mtimeMs),
          position: start.position,
          line: start.line,
          settings: this.#s,
          charset: this.#o.charset,
          factory: this.#o.factory,
          final: true,
          size: st.size,
          head,
          onSkip: (error) => this.#o.logger.warn(`skipped a bad line: ${error.message}`),
          onIgnoredColumns: (columns) => this.#o.logger.warn(`${file}: value.schema has no field for the CSV column(s) ${columns.join(', ')}; they are ignored`),
        });
        if (start.position > 0) this.#o.logger.info(`${file}: resuming at line ${start.line} (byte ${start.position}) from the committed offset`);
        return { entry, handle, reader: reader! };
      } catch (err) {
        await handle.close().catch(() => undefined);
        if (!(err instanceof FileFormatError || err instanceof FileAccessError)) throw err;
        this.#ledger.finish(entry, { kind: 'failed', error: err });
      }
    }
  }

  async #startPoint(head: Buffer, partition: ReturnType<typeof partitionOf>, size: number): Promise<{ position: number; line: number }> {
    const stored = readOffset(await this.#o.offsets.offset(partition));
    if (stored === null) return { position: 0, line: 1 };
    const resume = resumeFrom(stored, head, size);
    if (resume.kind === 'resume') return { position: resume.position, line: resume.line + 1 };
    this.#o.logger.warn(`${String(partition.path)}: the committed offset does not apply (${resume.why}); reading it from the start`);
    return { position: 0, line: 1 };
  }

  /**
   * The worker flushed offsets: note what the store now holds for each file with records, and
   * clean up the files it covers.
   */
  async committed(): Promise<void> {
    const entries = this.#ledger.withRecords();
    if (entries.length > 0) {
      const stored = await this.#o.offsets.offsets(entries.map((e) => e.partition));
      entries.forEach((entry, i) => this.#ledger.committedAt(entry, readOffset(stored[i].offset)?.position ?? null));
    }
    await this.#cleanUp();
  }

  async #cleanUp(): Promise<void> {
    const ready = this.#ledger.cleanable(Date.now());
    // Moves are independent file system calls: a few at a time instead of one after another.
    for (let i = 0; i < ready.length; i += CLEANUP_CONCURRENCY) await Promise.all(ready.slice(i, i + CLEANUP_CONCURRENCY).map((e) => this.#clean(e)));
  }

  async #clean(entry: SpoolEntry): Promise<void> {
    if (entry.cleaning) return;
    entry.cleaning = true;
    const outcome = entry.outcome!;
    try {
      if (entry.fileId !== 'unknown' && !(await stillSameFile(entry.path, entry.fileId))) {
        this.#o.logger.warn(`${entry.path} was replaced or removed by someone else after it was read; nothing to clean up`);
      } else if (outcome.kind === 'failed') {
        const moved = await moveInto(entry.path, this.#s.errorPath);
        await writeErrorNote(moved, entry.path, outcome.error, new Date());
        this.#o.logger.warn(`${entry.path} moved to ${moved}: ${outcome.error.message}`);
      } else if (this.#s.cleanupPolicy === 'MOVE') {
        const moved = await moveInto(entry.path, this.#s.finishedPath);
        this.#o.logger.info(`${entry.path} finished (${entry.emitted} records this run); moved to ${moved}`);
      } else if (this.#s.cleanupPolicy === 'DELETE') {
        await deleteFile(entry.path);
        this.#o.logger.info(`${entry.path} finished (${entry.emitted} records this run); deleted`);
      } else {
        const st = await statPath(entry.path);
        if (st !== null) this.#leftInPlace.set(entry.path, st);
      }
      this.#ledger.remove(entry);
    } catch (err) {
      entry.cleaning = false;
      entry.retryAt = Date.now() + CLEANUP_RETRY_MS;
      this.#o.logger.error({ err }, `cleaning up ${entry.path} failed; it is tried again in ${CLEANUP_RETRY_MS / 1000} s`);
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#waker.wake();
    await this.#watcher?.close();
    this.#watcher = null;
    if (!this.#polling) await this.close();
  }

  /** Closes the file being read (after the last poll returned). */
  async close(): Promise<void> {
    const reading = this.#reading;
    this.#reading = null;
    await reading?.handle.close().catch(() => undefined);
  }
}
