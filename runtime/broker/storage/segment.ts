import fs from 'node:fs';
import path from 'node:path';
import { CorruptDataError } from '../../util/errors.ts';
import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAX_TIMESTAMP } from '../log/batch-header.ts';
import type { ScannedBatch } from '../log/batch-scan.ts';
import { scanChunk } from '../log/batch-scan.ts';
import { segmentFileName } from '../log/file-names.ts';
import type { SegmentFileKind, TransientSuffix } from '../log/file-names.ts';
import { OffsetIndex } from '../log/offset-index.ts';
import { SegmentIndexer } from '../log/segment-indexer.ts';
import { TimeIndex } from '../log/time-index.ts';
import { fdatasync, fsyncFile, readFully, readIfExists, unlinkIfExists, writeFully } from './fs-util.ts';

/**
 * One segment: `<base>.log` with its `.index` and `.timeindex`. The active segment keeps its log
 * open for appends and its indexes in memory (written to their files when it rolls or closes);
 * older segments open their log and load their indexes on first use and may be unloaded again.
 */
export interface SegmentSettings {
  indexIntervalBytes: number;
  maxIndexBytes: number;
}

/** Outcome of walking a segment's batches from some position. */
export interface SegmentWalk {
  /** Position after the last valid batch. */
  validEnd: number;
  /** Offset after the last valid batch (the start offset if none). */
  nextOffset: number;
  /** The first invalid or incomplete batch, if the walk stopped before the end of the file. */
  failure?: { position: number; error: CorruptDataError };
}

const WALK_CHUNK = 4 * 1024 * 1024;
const HEADER_PEEK = 64 * 1024;
const UNKNOWN = -2;

export class LogSegment {
  readonly baseOffset: number;
  readonly dir: string;
  size: number;
  /** Clock time of creation (or of opening, for segments found on disk). */
  readonly createdAt: number;
  readonly rollJitterMs: number;
  #settings: SegmentSettings;
  #fd: number | undefined;
  #indexer: SegmentIndexer | undefined;
  #nextOffset = UNKNOWN;
  #maxTimestamp = UNKNOWN;
  #offsetOfMaxTimestamp = -1;
  #firstBatchTimestamp = UNKNOWN;
  #indexFilesUnsynced = false;
  #dataUnsynced = false;
  /** fsyncs running on the thread pool: the descriptor must stay open until they finish. */
  #syncing = 0;
  #closeWhenSynced = false;
  deleted = false;

  private constructor(dir: string, baseOffset: number, size: number, settings: SegmentSettings, createdAt: number, rollJitterMs: number) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.size = size;
    this.#settings = settings;
    this.createdAt = createdAt;
    this.rollJitterMs = rollJitterMs;
  }

  /** A new, empty segment; its log file must not exist yet. */
  static create(dir: string, baseOffset: number, settings: SegmentSettings, now: number, rollJitterMs: number): LogSegment {
    const segment = new LogSegment(dir, baseOffset, 0, settings, now, rollJitterMs);
    // Index files of an earlier segment with this base (truncated away) must not be mistaken for ours.
    unlinkIfExists(segment.path('index'));
    unlinkIfExists(segment.path('timeindex'));
    segment.#fd = fs.openSync(segment.path('log'), 'wx+');
    segment.#indexer = new SegmentIndexer(baseOffset, settings);
    segment.#nextOffset = baseOffset;
    segment.#maxTimestamp = -1;
    segment.#firstBatchTimestamp = -1;
    segment.#dataUnsynced = true;
    return segment;
  }

  /** A segment found on disk; nothing is read until needed. */
  static existing(dir: string, baseOffset: number, settings: SegmentSettings, now: number, rollJitterMs: number): LogSegment {
    const size = fs.statSync(path.join(dir, segmentFileName(baseOffset, 'log'))).size;
    return new LogSegment(dir, baseOffset, size, settings, now, rollJitterMs);
  }

  path(kind: SegmentFileKind, suffix?: TransientSuffix): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, kind, suffix));
  }

  get settings(): SegmentSettings {
    return this.#settings;
  }

  set settings(settings: SegmentSettings) {
    this.#settings = settings;
  }

  #open(): number {
    if (this.deleted) throw new Error(`segment ${this.path('log')} was deleted`);
    this.#closeWhenSynced = false;
    this.#fd ??= fs.openSync(this.path('log'), 'r+');
    return this.#fd;
  }

  /** Closes the descriptor now, or once the running fsyncs are done (closing it under them could hit a reused number). */
  #closeFd(): void {
    if (this.#fd === undefined) return;
    if (this.#syncing > 0) {
      this.#closeWhenSynced = true;
      return;
    }
    fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Closes the file and drops the in-memory indexes (they are on disk). */
  unload(): void {
    this.#closeFd();
    this.#indexer = undefined;
  }

  // --- indexes ---------------------------------------------------------------------------------

  #ensureIndexes(): SegmentIndexer {
    if (this.#indexer === undefined) this.#loadIndexes();
    return this.#indexer as SegmentIndexer;
  }

  /** Loads `.index` and `.timeindex`, rebuilding them from the log when missing or invalid. */
  #loadIndexes(): void {
    const { maxIndexBytes } = this.#settings;
    const indexFile = readIfExists(this.path('index'));
    const timeFile = readIfExists(this.path('timeindex'));
    try {
      if (indexFile === undefined || timeFile === undefined) throw new CorruptDataError('index file missing', { code: 'INDEX_MISSING' });
      const index = OffsetIndex.load(this.baseOffset, maxIndexBytes, indexFile, this.size, this.path('index'));
      const timeIndex = TimeIndex.load(this.baseOffset, maxIndexBytes, timeFile, this.path('timeindex'));
      const indexer = new SegmentIndexer(this.baseOffset, this.#settings, { index, timeIndex });
      const last = timeIndex.lastEntry();
      indexer.maxTimestamp = Math.max(last?.timestamp ?? -1, this.#maxTimestamp);
      indexer.offsetOfMaxTimestamp = this.#maxTimestamp > (last?.timestamp ?? -1) ? this.#offsetOfMaxTimestamp : (last?.offset ?? -1);
      this.#indexer = indexer;
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
      this.rebuildIndexes();
      this.writeIndexFiles();
    }
  }

  /** Rebuilds both indexes (and the segment's timestamps) by walking the whole log. */
  rebuildIndexes(): SegmentWalk {
    const indexer = new SegmentIndexer(this.baseOffset, this.#settings);
    this.#indexer = indexer;
    const walk = this.walk(0, this.baseOffset, (b) => indexer.add(b.position, b.size, b.lastOffset, b.maxTimestamp, b.lastOffset));
    this.#maxTimestamp = indexer.maxTimestamp;
    this.#offsetOfMaxTimestamp = indexer.offsetOfMaxTimestamp;
    this.#firstBatchTimestamp = indexer.firstBatchTimestamp;
    this.#nextOffset = walk.nextOffset;
    return walk;
  }

  /** Adds the segment's final max timestamp to its time index, as Kafka does when a segment stops being active. */
  sealTimeIndex(): void {
    this.#ensureIndexes().seal();
  }

  /** Writes both index files (no fsync; see fsync()). */
  writeIndexFiles(): void {
    const { index, timeIndex } = this.#ensureIndexes();
    fs.writeFileSync(this.path('index'), index.bytes());
    fs.writeFileSync(this.path('timeindex'), timeIndex.bytes());
    this.#indexFilesUnsynced = true;
  }

  get indexFull(): boolean {
    const { index, timeIndex } = this.#ensureIndexes();
    return index.isFull || timeIndex.isFull;
  }

  /** The time index entry at or before `timestamp` (for ListOffsets), if any. */
  timeIndexLookup(timestamp: number): { timestamp: number; offset: number } | undefined {
    return this.#ensureIndexes().timeIndex.lookup(timestamp);
  }

  // --- facts about the segment ---------------------------------------------------------------

  /** Offset after the segment's last batch (computed once for segments found on disk). */
  get nextOffset(): number {
    if (this.#nextOffset === UNKNOWN) this.#walkTail();
    return this.#nextOffset;
  }

  /** Walks the batch headers after the last index entry: sets next offset and max timestamp, returns where the walk ended. */
  #walkTail(): number {
    const indexer = this.#ensureIndexes();
    const last = indexer.index.lastEntry();
    const walk = this.walkHeaders(last.position, (_position, _size, _base, lastOffset, maxTimestamp) => {
      if (maxTimestamp > indexer.maxTimestamp) {
        indexer.maxTimestamp = maxTimestamp;
        indexer.offsetOfMaxTimestamp = lastOffset;
      }
    });
    this.#maxTimestamp = indexer.maxTimestamp;
    this.#offsetOfMaxTimestamp = indexer.offsetOfMaxTimestamp;
    this.#nextOffset = Math.max(walk.nextOffset, last.offset + (indexer.index.entries > 0 ? 1 : 0), this.baseOffset);
    return walk.end;
  }

  /**
   * After a clean shutdown: whether the batch headers after the last index entry run exactly to
   * the end of the file (a cheap check before trusting the segment without a CRC scan).
   */
  tailIsComplete(): boolean {
    return this.#walkTail() === this.size;
  }

  /** Largest batch max timestamp in the segment, -1 when it has none. */
  get maxTimestamp(): number {
    if (this.#nextOffset === UNKNOWN || this.#maxTimestamp === UNKNOWN) this.#walkTail();
    return this.#maxTimestamp;
  }

  /** Largest batch max timestamp in the segment, or the log file's mtime when it has none (for retention). */
  get largestTimestamp(): number {
    const ts = this.maxTimestamp;
    if (ts >= 0) return ts;
    return this.deleted ? -1 : fs.statSync(this.path('log')).mtimeMs;
  }

  /** Max timestamp of the first batch, -1 when empty (Kafka's rollingBasedTimestamp). */
  get firstBatchTimestamp(): number {
    if (this.#firstBatchTimestamp === UNKNOWN) {
      if (this.size < 43) this.#firstBatchTimestamp = -1;
      else {
        const header = Buffer.allocUnsafe(8);
        readFully(this.#open(), header, 0, 8, MAX_TIMESTAMP);
        this.#firstBatchTimestamp = Number(header.readBigInt64BE(0));
      }
    }
    return this.#firstBatchTimestamp;
  }

  // --- append ------------------------------------------------------------------------------

  /** Writes batches whose offsets are already assigned; indexes follow in memory. */
  append(records: Buffer, lastOffset: number, maxTimestamp: number, offsetOfMaxTimestamp: number, firstBatchMaxTimestamp: number): void {
    const position = this.size;
    if (this.#nextOffset === UNKNOWN || this.#maxTimestamp === UNKNOWN) this.#walkTail();
    if (position > 0 && this.#firstBatchTimestamp === UNKNOWN) void this.firstBatchTimestamp;
    writeFully(this.#open(), records, position);
    const indexer = this.#ensureIndexes();
    indexer.add(position, records.length, lastOffset, maxTimestamp, offsetOfMaxTimestamp, firstBatchMaxTimestamp);
    if (position === 0) this.#firstBatchTimestamp = firstBatchMaxTimestamp;
    this.#maxTimestamp = indexer.maxTimestamp;
    this.#offsetOfMaxTimestamp = indexer.offsetOfMaxTimestamp;
    this.size = position + records.length;
    this.#nextOffset = lastOffset + 1;
    this.#dataUnsynced = true;
  }

  // --- reads -------------------------------------------------------------------------------

  /** Reads up to `length` bytes at `position` into `into[offset..]`; returns the bytes read. */
  readInto(into: Buffer, offset: number, length: number, position: number): number {
    return readFully(this.#open(), into, offset, Math.min(length, this.size - position), position);
  }

  /**
   * Position of the first batch whose last offset is ≥ `offset`, or -1 when the segment holds
   * none (the offset is past its end, or only a gap left by compaction follows).
   */
  findPosition(offset: number): number {
    const start = this.#ensureIndexes().index.lookup(offset).position;
    let found = -1;
    this.walkHeaders(start, (position, _size, _base, lastOffset) => {
      if (lastOffset < offset) return true;
      found = position;
      return false;
    });
    return found;
  }

  /**
   * Walks batch headers from `position` without checking CRCs (for data already validated),
   * until `visit` returns false or the data ends. Returns where it stopped.
   */
  walkHeaders(
    position: number,
    visit: (position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number) => boolean | void,
  ): { end: number; nextOffset: number } {
    const peek = Buffer.allocUnsafe(HEADER_PEEK);
    let chunkStart = position;
    let chunkLength = 0;
    let pos = position;
    let nextOffset = -1;
    while (pos + LOG_OVERHEAD + 31 <= this.size) {
      if (pos + 43 > chunkStart + chunkLength) {
        chunkStart = pos;
        chunkLength = this.readInto(peek, 0, HEADER_PEEK, pos);
        if (chunkLength < 43) break;
      }
      const at = pos - chunkStart;
      const size = LOG_OVERHEAD + peek.readInt32BE(at + BATCH_LENGTH);
      if (size < 61 || pos + size > this.size) break;
      const base = Number(peek.readBigInt64BE(at));
      const lastOffset = base + peek.readInt32BE(at + LAST_OFFSET_DELTA);
      const maxTimestamp = Number(peek.readBigInt64BE(at + MAX_TIMESTAMP));
      if (visit(pos, size, base, lastOffset, maxTimestamp) === false) return { end: pos, nextOffset };
      nextOffset = lastOffset + 1;
      pos += size;
    }
    return { end: pos, nextOffset };
  }

  /**
   * Validates batches (CRC included) from `position`, expecting offsets from `nextOffset` on,
   * and reports where valid data ends. Reads in large chunks.
   */
  walk(position: number, nextOffset: number, onBatch: (batch: ScannedBatch) => void): SegmentWalk {
    const source = this.path('log');
    let pos = position;
    let next = nextOffset;
    let chunk = Buffer.allocUnsafe(Math.min(WALK_CHUNK, Math.max(4096, this.size - position)));
    while (pos < this.size) {
      const length = this.readInto(chunk, 0, chunk.length, pos);
      const result = scanChunk(chunk.subarray(0, length), { source, chunkPosition: pos, segmentBaseOffset: this.baseOffset, nextOffset: next }, (b) => {
        onBatch(b);
        next = b.lastOffset + 1;
      });
      pos += result.consumed;
      if (result.stop === 'invalid') return { validEnd: pos, nextOffset: next, failure: { position: pos, error: result.error as CorruptDataError } };
      if (result.stop === 'need-more') {
        const needed = result.needed as number;
        if (pos + needed > this.size) {
          const error = new CorruptDataError(`record batch at ${source} position ${pos} is incomplete: ${this.size - pos} of ${needed} bytes present`, {
            code: 'BATCH_TRUNCATED',
            context: { source, position: pos },
          });
          return { validEnd: pos, nextOffset: next, failure: { position: pos, error } };
        }
        if (needed > chunk.length) chunk = Buffer.allocUnsafe(needed);
      }
    }
    return { validEnd: pos, nextOffset: next };
  }

  // --- truncation, durability, files ---------------------------------------------------------

  /** Cuts the log at `position` (a batch boundary) and rebuilds the indexes of what remains. */
  truncateTo(position: number): void {
    fs.ftruncateSync(this.#open(), position);
    this.size = position;
    this.rebuildIndexes();
    this.#dataUnsynced = true;
  }

  /** Data recovery found that may still sit only in the page cache. */
  markUnsynced(): void {
    this.#dataUnsynced = true;
  }

  /** Whether the log or its index files have writes not yet fsynced. */
  get unsynced(): boolean {
    return this.#dataUnsynced || this.#indexFilesUnsynced;
  }

  /** fdatasync of the log (by `syncData`, which tests replace), and of the index files written since the last call. */
  async fsync(syncData: (fd: number) => Promise<void> = fdatasync): Promise<void> {
    if (this.deleted) return;
    const fd = this.#open();
    const syncIndexes = this.#indexFilesUnsynced;
    this.#dataUnsynced = false;
    this.#indexFilesUnsynced = false;
    this.#syncing++;
    try {
      // Side by side rather than one after the other: the file system commits them together.
      await Promise.all(syncIndexes ? [syncData(fd), fsyncFile(this.path('index')), fsyncFile(this.path('timeindex'))] : [syncData(fd)]);
    } catch (err) {
      if (this.deleted) return;
      this.#dataUnsynced = true;
      throw err;
    } finally {
      this.#syncing--;
      if (this.#syncing === 0 && this.#closeWhenSynced) {
        this.#closeWhenSynced = false;
        this.#closeFd();
      }
    }
  }

  /** Renames the segment's files to `*.deleted` (it leaves the log) and closes it. */
  markDeleted(): string[] {
    this.deleted = true;
    this.#closeFd();
    const renamed: string[] = [];
    for (const kind of ['log', 'index', 'timeindex'] as const) {
      try {
        fs.renameSync(this.path(kind), this.path(kind, 'deleted'));
        renamed.push(this.path(kind, 'deleted'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return renamed;
  }

  close(): void {
    this.unload();
  }
}
