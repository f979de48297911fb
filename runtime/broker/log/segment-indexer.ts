import { OffsetIndex } from './offset-index.ts';
import { TimeIndex } from './time-index.ts';

/**
 * Builds a segment's sparse indexes as batches are written, by Kafka's rule: before a batch is
 * added, if more than index.interval.bytes were written since the last entry, index it (its last
 * offset → its position) and note the largest timestamp so far in the time index. Also tracks the
 * segment's timestamps that rolling and retention need.
 */
export class SegmentIndexer {
  readonly index: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly #intervalBytes: number;
  #bytesSinceEntry = 0;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  firstBatchTimestamp = -1;

  /** Fresh indexes, or (to keep appending to a segment found on disk) indexes loaded from its files. */
  constructor(baseOffset: number, settings: { indexIntervalBytes: number; maxIndexBytes: number }, loaded?: { index: OffsetIndex; timeIndex: TimeIndex }) {
    this.index = loaded?.index ?? new OffsetIndex(baseOffset, settings.maxIndexBytes);
    this.timeIndex = loaded?.timeIndex ?? new TimeIndex(baseOffset, settings.maxIndexBytes);
    this.#intervalBytes = settings.indexIntervalBytes;
  }

  /** Registers batches [position, position + size) ending at `lastOffset`. */
  add(position: number, size: number, lastOffset: number, maxTimestamp: number, offsetOfMaxTimestamp: number, firstBatchTimestamp = maxTimestamp): void {
    if (position === 0) this.firstBatchTimestamp = firstBatchTimestamp;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = offsetOfMaxTimestamp;
    }
    if (this.#bytesSinceEntry > this.#intervalBytes) {
      this.index.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.#bytesSinceEntry = 0;
    }
    this.#bytesSinceEntry += size;
  }

  /** The segment stops being active: its final max timestamp goes into the time index. */
  seal(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
  }
}
