import fs from 'node:fs';
import path from 'node:path';
import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAX_TIMESTAMP } from '../log/batch-header.ts';
import { segmentFileName } from '../log/file-names.ts';
import { SegmentIndexer } from '../log/segment-indexer.ts';
import { fdatasync, fsyncFile, unlinkIfExists, writeFully } from './fs-util.ts';
import type { SegmentSettings } from './segment.ts';

/**
 * Writes the cleaner's replacement of one segment as `<base>.log.cleaned` (+ `.index.cleaned`,
 * `.timeindex.cleaned`), buffered, building its indexes as it goes. commit() makes it durable and
 * swaps it in by renames: `.cleaned` → `.swap` (the log's rename is the commit point), then
 * `.swap` → live names. A crash before the log's `.swap` exists leaves the old segment; after, the
 * next open finishes the renames (see PartitionLog's directory preparation).
 */
export type SwapStep = 'cleaned-written' | 'indexes-swapped' | 'log-swapped' | 'indexes-live' | 'log-live';

export class CleanedSegmentWriter {
  readonly baseOffset: number;
  readonly dir: string;
  #fd: number;
  #buffer: Buffer;
  #buffered = 0;
  #written = 0;
  #indexer: SegmentIndexer;

  constructor(dir: string, baseOffset: number, settings: SegmentSettings, ioBufferSize: number) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.#fd = fs.openSync(this.#path('log', 'cleaned'), 'w');
    this.#buffer = Buffer.allocUnsafe(Math.max(ioBufferSize, 64 * 1024));
    this.#indexer = new SegmentIndexer(baseOffset, settings);
  }

  #path(kind: 'log' | 'index' | 'timeindex', suffix?: 'cleaned' | 'swap'): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, kind, suffix));
  }

  get size(): number {
    return this.#written + this.#buffered;
  }

  /** Appends whole batches (one or more, back to back) from `bytes[start, end)`. */
  append(bytes: Buffer, start: number, end: number): void {
    for (let at = start; at < end; ) {
      const size = LOG_OVERHEAD + bytes.readInt32BE(at + BATCH_LENGTH);
      const lastOffset = Number(bytes.readBigInt64BE(at)) + bytes.readInt32BE(at + LAST_OFFSET_DELTA);
      this.#indexer.add(this.size + (at - start), size, lastOffset, Number(bytes.readBigInt64BE(at + MAX_TIMESTAMP)), lastOffset);
      at += size;
    }
    const length = end - start;
    if (this.#buffered + length > this.#buffer.length) this.#drain();
    if (length > this.#buffer.length) {
      writeFully(this.#fd, bytes.subarray(start, end), this.#written);
      this.#written += length;
      return;
    }
    bytes.copy(this.#buffer, this.#buffered, start, end);
    this.#buffered += length;
  }

  #drain(): void {
    if (this.#buffered === 0) return;
    writeFully(this.#fd, this.#buffer.subarray(0, this.#buffered), this.#written);
    this.#written += this.#buffered;
    this.#buffered = 0;
  }

  /** Writes indexes, fsyncs all three files: the `.cleaned` set is complete on disk. */
  async finish(): Promise<void> {
    this.#drain();
    this.#indexer.seal();
    fs.writeFileSync(this.#path('index', 'cleaned'), this.#indexer.index.bytes());
    fs.writeFileSync(this.#path('timeindex', 'cleaned'), this.#indexer.timeIndex.bytes());
    await fdatasync(this.#fd);
    fs.closeSync(this.#fd);
    this.#fd = -1;
    await fsyncFile(this.#path('index', 'cleaned'));
    await fsyncFile(this.#path('timeindex', 'cleaned'));
  }

  /**
   * The swap, synchronous so that it happens between two appends or reads. `onStep` lets fault
   * tests stop the process between renames.
   */
  commit(onStep?: (step: SwapStep) => void): void {
    onStep?.('cleaned-written');
    fs.renameSync(this.#path('index', 'cleaned'), this.#path('index', 'swap'));
    fs.renameSync(this.#path('timeindex', 'cleaned'), this.#path('timeindex', 'swap'));
    onStep?.('indexes-swapped');
    fs.renameSync(this.#path('log', 'cleaned'), this.#path('log', 'swap'));
    onStep?.('log-swapped');
    fs.renameSync(this.#path('index', 'swap'), this.#path('index'));
    fs.renameSync(this.#path('timeindex', 'swap'), this.#path('timeindex'));
    onStep?.('indexes-live');
    fs.renameSync(this.#path('log', 'swap'), this.#path('log'));
    onStep?.('log-live');
  }

  /** Drops the output (the pass was abandoned). */
  abort(): void {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
    for (const kind of ['log', 'index', 'timeindex'] as const) unlinkIfExists(this.#path(kind, 'cleaned'));
  }
}
