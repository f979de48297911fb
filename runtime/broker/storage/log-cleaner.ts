import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { systemClock } from '../../util/clock.ts';
import { ATTRIBUTES, BATCH_LENGTH, CONTROL_BIT, LAST_OFFSET_DELTA, LOG_OVERHEAD, RECORD_COUNT } from '../log/batch-header.ts';
import type { FilterContext, FilterStats } from '../log/compaction-filter.ts';
import { filterBatch, newFilterStats } from '../log/compaction-filter.ts';
import type { CleaningPlan } from '../log/compaction-plan.ts';
import { planCleaning } from '../log/compaction-plan.ts';
import { OffsetMap } from '../log/offset-map.ts';
import { RecordWalker } from '../log/record-walk.ts';
import { CleanedSegmentWriter } from './cleaned-segment-writer.ts';
import type { SwapStep } from './cleaned-segment-writer.ts';
import type { PartitionLog } from './partition-log.ts';
import type { LogSegment } from './segment.ts';

/**
 * The log cleaner (compaction) of cleanup.policy=compact topics. One pass over a log:
 * 1. plan: cleanable range, dirty ratio, lag rules (compaction-plan.ts);
 * 2. build the key → latest offset map over the dirty range, as far as the map's memory allows
 *    (the pass then ends at that offset: `endOffset`);
 * 3. rewrite every segment below endOffset (the clean part too) keeping what compaction-filter.ts
 *    keeps; a segment with nothing to drop is left untouched, an emptied one is removed;
 * 4. swap each rewritten segment in with renames (.cleaned → .swap → live) in a synchronous step.
 * The cleaner works in io-buffer-sized chunks and yields to the event loop between them, so appends
 * (which only touch the active segment, never cleaned) and reads go on while it runs.
 */
export interface LogCleanerOptions {
  /** log.cleaner.dedupe.buffer.size */
  dedupeBufferSize: number;
  /** log.cleaner.io.buffer.size */
  ioBufferSize: number;
  /** log.cleaner.io.buffer.load.factor */
  loadFactor: number;
  clock?: Clock;
  logger?: Logger;
  /** Between chunks; defaults to a macrotask turn (setImmediate). */
  yieldToOthers?: () => Promise<void>;
  /** Called between the renames of a swap (fault tests stop the process there). */
  onSwapStep?: (step: SwapStep, segment: string) => void;
}

export interface CleanResult {
  topic: string;
  partition: number;
  plan: CleaningPlan;
  /** Offsets below this are now compacted. */
  endOffset: number;
  segmentsRewritten: number;
  segmentsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
  stats: FilterStats;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Abandons a pass whose segment left the log (retention, truncation, close) mid-way. */
class SegmentGone extends Error {}

export class LogCleaner {
  readonly #map: OffsetMap;
  readonly #ioBufferSize: number;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #yield: () => Promise<void>;
  readonly #onSwapStep: ((step: SwapStep, segment: string) => void) | undefined;
  #chunk: Buffer;

  constructor(options: LogCleanerOptions) {
    this.#map = new OffsetMap(options.dedupeBufferSize, options.loadFactor);
    this.#ioBufferSize = Math.max(options.ioBufferSize, 64 * 1024);
    this.#chunk = Buffer.allocUnsafe(this.#ioBufferSize);
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#yield = options.yieldToOthers ?? yieldTurn;
    this.#onSwapStep = options.onSwapStep;
  }

  /** What a pass over `log` would do now. */
  plan(log: PartitionLog): CleaningPlan {
    const view = log.cleaningView();
    return planCleaning({
      segments: view.segments.map((s) => ({ baseOffset: s.baseOffset, size: s.size, largestTimestamp: s.maxTimestamp, firstBatchTimestamp: s.firstBatchTimestamp })),
      logStartOffset: view.logStartOffset,
      cleanerOffset: view.cleanerOffset,
      tombstoneHorizon: view.tombstoneHorizon,
      config: view.config,
      now: this.#clock.now(),
    });
  }

  /** One cleaning pass if the plan calls for one; undefined when there was nothing to do. */
  async clean(log: PartitionLog): Promise<CleanResult | undefined> {
    const plan = this.plan(log);
    if (plan.reason === undefined) return undefined;
    const view = log.cleaningView();
    const now = this.#clock.now();
    const inactive = view.segments.slice(0, -1);
    try {
      const pass = await this.#buildMap(log, inactive, plan);
      if (pass === undefined) return undefined;
      const { endOffset } = pass;
      const superseded = this.#superseded(inactive, pass.wholeKeyed);
      const ctx: FilterContext = { map: this.#map, now, deleteRetentionMs: view.config['delete.retention.ms'], source: '', stats: newFilterStats() };
      const result: CleanResult = {
        topic: log.topic, partition: log.partition, plan, endOffset, segmentsRewritten: 0, segmentsRemoved: 0, bytesBefore: 0, bytesAfter: 0, stats: ctx.stats,
      };
      let horizon = Infinity;
      for (const segment of inactive) {
        if (segment.baseOffset >= endOffset) break;
        ctx.source = segment.path('log');
        if (superseded.has(segment)) {
          if (!log.replaceSegment(segment, null)) throw new SegmentGone();
          result.bytesBefore += segment.size;
          result.segmentsRemoved++;
          continue;
        }
        const outcome = await this.#cleanSegment(log, segment, endOffset, ctx);
        horizon = Math.min(horizon, outcome.tombstoneHorizon);
        result.bytesBefore += outcome.bytesBefore;
        result.bytesAfter += outcome.bytesAfter;
        if (outcome.replaced === 'rewritten') result.segmentsRewritten++;
        if (outcome.replaced === 'removed') result.segmentsRemoved++;
      }
      await log.cleaningDone(endOffset, horizon);
      this.#logger?.info({ topic: log.topic, partition: log.partition, reason: plan.reason, endOffset, ...ctx.stats, bytesBefore: result.bytesBefore, bytesAfter: result.bytesAfter }, 'cleaned log');
      return result;
    } catch (err) {
      if (err instanceof SegmentGone) return undefined;
      throw err;
    }
  }

  /** Reads whole batches of `segment` in [from, to) chunk by chunk, yielding between chunks. */
  async #forEachChunk(log: PartitionLog, segment: LogSegment, from: number, to: number, visit: (chunk: Buffer, length: number, chunkPosition: number) => boolean): Promise<void> {
    let position = from;
    while (position < to) {
      if (segment.deleted) throw new SegmentGone();
      const read = segment.readInto(this.#chunk, 0, Math.min(this.#chunk.length, to - position), position);
      let whole = 0;
      while (read - whole >= LOG_OVERHEAD) {
        const size = LOG_OVERHEAD + this.#chunk.readInt32BE(whole + BATCH_LENGTH);
        if (whole + size > read) break;
        whole += size;
      }
      if (whole === 0) {
        // A batch larger than the buffer: grow it to hold that batch.
        const size = LOG_OVERHEAD + this.#chunk.readInt32BE(BATCH_LENGTH);
        if (read < LOG_OVERHEAD || position + size > to) return;
        this.#chunk = Buffer.allocUnsafe(size);
        continue;
      }
      const more = visit(this.#chunk, whole, position);
      position += whole;
      if (!more) return;
      await this.#yield();
      if (!log.holdsSegment(segment)) throw new SegmentGone();
    }
  }

  /**
   * Pass 1: fills the map from the dirty range; returns the offset the pass ends at and the
   * segments it read whole that hold no control batch (candidates for removal unread).
   */
  async #buildMap(log: PartitionLog, inactive: readonly LogSegment[], plan: CleaningPlan): Promise<{ endOffset: number; wholeKeyed: LogSegment[] } | undefined> {
    const map = this.#map;
    map.clear();
    let end = plan.firstDirtyOffset;
    let full = false;
    const walker = new RecordWalker();
    const wholeKeyed: LogSegment[] = [];
    for (let i = 0; i < inactive.length && !full; i++) {
      const segment = inactive[i];
      const segmentEnd = i + 1 < inactive.length ? inactive[i + 1].baseOffset : plan.firstUncleanableOffset;
      if (segment.baseOffset >= plan.firstUncleanableOffset) break;
      if (segmentEnd <= plan.firstDirtyOffset) continue;
      const from = segment.baseOffset >= plan.firstDirtyOffset ? 0 : Math.max(0, segment.findPosition(plan.firstDirtyOffset));
      let control = false;
      await this.#forEachChunk(log, segment, from, segment.size, (chunk, length, chunkPosition) => {
        for (let at = 0; at < length; ) {
          const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH);
          const base = Number(chunk.readBigInt64BE(at));
          const last = base + chunk.readInt32BE(at + LAST_OFFSET_DELTA);
          if (last >= plan.firstDirtyOffset) {
            if ((chunk.readInt16BE(at + ATTRIBUTES) & CONTROL_BIT) === 0) {
              if (!map.hasRoomFor(chunk.readInt32BE(at + RECORD_COUNT))) {
                full = true;
                return false;
              }
              walker.open(chunk, at, segment.path('log'), chunkPosition + at);
              const keys = walker.records;
              while (walker.next()) if (walker.keyLength >= 0) map.putRange(keys, walker.keyStart, walker.keyStart + walker.keyLength, base + walker.offsetDelta);
            } else control = true;
            end = last + 1;
          }
          at += size;
        }
        return true;
      });
      if (!full && from === 0 && !control) wholeKeyed.push(segment);
    }
    if (full && end === plan.firstDirtyOffset) {
      this.#logger?.error({ maxKeys: map.maxEntries, offset: end }, 'a single batch has more records than the cleaner dedupe buffer holds; raise log.cleaner.dedupe.buffer.size');
      return undefined;
    }
    if (end === plan.firstDirtyOffset && plan.reason !== 'tombstone-horizon') return undefined;
    return { endOffset: Math.min(Math.max(end, plan.firstDirtyOffset), plan.firstUncleanableOffset), wholeKeyed };
  }

  /**
   * Segments read whole by pass 1 that hold no key's latest offset: every record in them is
   * superseded (or keyless), so pass 2 removes them without reading them again.
   */
  #superseded(inactive: readonly LogSegment[], wholeKeyed: readonly LogSegment[]): Set<LogSegment> {
    const bases = inactive.map((s) => s.baseOffset);
    const holdsLatest = new Set<number>();
    this.#map.forEachOffset((offset) => {
      let lo = 0;
      let hi = bases.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (bases[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      holdsLatest.add(lo);
    });
    return new Set(wholeKeyed.filter((s) => !holdsLatest.has(inactive.indexOf(s))));
  }

  /** Pass 2 for one segment: filter its batches below endOffset; swap the result in if anything changed. */
  async #cleanSegment(
    log: PartitionLog,
    segment: LogSegment,
    endOffset: number,
    ctx: FilterContext,
  ): Promise<{ tombstoneHorizon: number; replaced: 'none' | 'rewritten' | 'removed'; bytesBefore: number; bytesAfter: number }> {
    let writer: CleanedSegmentWriter | undefined;
    let horizon = Infinity;
    const bytesBefore = segment.size;
    try {
      await this.#forEachChunk(log, segment, 0, segment.size, (chunk, length, chunkPosition) => {
        for (let at = 0; at < length; ) {
          const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH);
          const base = Number(chunk.readBigInt64BE(at));
          const outcome = base >= endOffset ? ({ kind: 'keep', tombstoneHorizon: Infinity } as const) : filterBatch(chunk, at, ctx, chunkPosition + at);
          if (outcome.kind !== 'drop') horizon = Math.min(horizon, outcome.tombstoneHorizon);
          if (outcome.kind === 'keep') {
            writer?.append(chunk, at, at + size);
          } else {
            if (writer === undefined) {
              writer = new CleanedSegmentWriter(segment.dir, segment.baseOffset, segment.settings, this.#ioBufferSize);
              // Everything before this batch was kept as is: copy it over first.
              this.#copyPrefix(segment, writer, chunk, chunkPosition, at);
            }
            if (outcome.kind === 'rewrite') writer.append(outcome.bytes, 0, outcome.bytes.length);
          }
          at += size;
        }
        return true;
      });
      if (writer === undefined) return { tombstoneHorizon: horizon, replaced: 'none', bytesBefore, bytesAfter: bytesBefore };
      const output = writer;
      await output.finish();
      const emptied = output.size === 0;
      const bytesAfter = output.size;
      const swapped = log.replaceSegment(segment, emptied ? null : () => output.commit((step) => this.#onSwapStep?.(step, segment.path('log'))));
      if (!swapped || emptied) output.abort();
      if (!swapped) throw new SegmentGone();
      return { tombstoneHorizon: horizon, replaced: emptied ? 'removed' : 'rewritten', bytesBefore, bytesAfter };
    } catch (err) {
      writer?.abort();
      throw err;
    }
  }

  /**
   * Copies the segment's bytes before `chunkPosition + at` into the writer: the part of the
   * current chunk directly, anything earlier by reading the segment again.
   */
  #copyPrefix(segment: LogSegment, writer: CleanedSegmentWriter, chunk: Buffer, chunkPosition: number, at: number): void {
    const buffer = Buffer.allocUnsafe(this.#ioBufferSize);
    let position = 0;
    while (position < chunkPosition) {
      const read = segment.readInto(buffer, 0, Math.min(buffer.length, chunkPosition - position), position);
      let whole = 0;
      while (read - whole >= LOG_OVERHEAD && whole + LOG_OVERHEAD + buffer.readInt32BE(whole + BATCH_LENGTH) <= read) whole += LOG_OVERHEAD + buffer.readInt32BE(whole + BATCH_LENGTH);
      if (whole === 0) {
        // One batch larger than the buffer.
        const size = LOG_OVERHEAD + buffer.readInt32BE(BATCH_LENGTH);
        const big = Buffer.allocUnsafe(size);
        segment.readInto(big, 0, size, position);
        writer.append(big, 0, size);
        position += size;
        continue;
      }
      writer.append(buffer, 0, whole);
      position += whole;
    }
    if (at > 0) writer.append(chunk, 0, at);
  }
}
