import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';
import { systemClock } from '../../util/clock.ts';
import { CorruptDataError, SluiceError } from '../../util/errors.ts';
import type { Random } from '../../util/random.ts';
import { systemRandom } from '../../util/random.ts';
import { analyzeAppend, assignOffsets } from '../log/append-validation.ts';
import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD } from '../log/batch-header.ts';
import type { EpochEntry, PartitionCheckpoint } from '../log/checkpoint-format.ts';
import { formatLeaderEpochCheckpoint, formatPartitionCheckpoint, parseLeaderEpochCheckpoint, parsePartitionCheckpoint } from '../log/checkpoint-format.ts';
import { OffsetOutOfRangeError, StorageError } from '../log/errors.ts';
import { parseSegmentFileName } from '../log/file-names.ts';
import { flushDueAfterAppend, flushDueByTime } from '../log/flush-policy.ts';
import { LeaderEpochCache } from '../log/leader-epoch-cache.ts';
import { needsRecompression, recompress, targetCodec } from '../log/recompress.ts';
import { decodeBatch } from '../log/records.ts';
import type { RetentionReason } from '../log/retention.ts';
import { planRetention } from '../log/retention.ts';
import { rollReason } from '../log/segment-roll.ts';
import type { TopicConfig } from '../log/topic-config.ts';
import { SerialFileWriter, fsyncDir, readIfExists, unlinkIfExists, writeFileAtomicSync } from './fs-util.ts';
import { recoverSegments } from './recovery.ts';
import type { RecoveryReport } from './recovery.ts';
import { LogSegment } from './segment.ts';
import type { SegmentSettings } from './segment.ts';

/**
 * One partition's log: a directory of segments with offsets, reads, durability and retention.
 *
 * - append() validates batch headers and CRCs, assigns offsets by rewriting base offset and leader
 *   epoch in place, and writes the bytes to the active segment before its promise settles: from
 *   then on a process kill cannot lose them. It waits for an fsync only when the flush policy says
 *   so (flush.messages); concurrent waiters share one fsync.
 * - read() returns whole batches, starting with the one that holds the requested offset.
 * - The high watermark is its own value: in single-node mode it follows the log end offset after
 *   each append; replication turns that off and sets it.
 * See README.md in this folder for the durability guarantees and the recovery rules.
 */
export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  config: TopicConfig;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Corruption that is not a torn tail: refuse to open (default) or cut the log there (logged). */
  onCorruption?: 'fail' | 'truncate';
  /** Single node: the high watermark is the log end offset. Replication passes false. */
  highWatermarkFollowsEnd?: boolean;
  /** Inactive segments kept open with their indexes loaded (least recently used go first). */
  maxLoadedSegments?: number;
  /** fdatasync of a segment's log file; tests inject one to decide when an fsync finishes. */
  syncData?: (fd: number) => Promise<void>;
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** Broker time stamped on the batches (LogAppendTime topics), else -1. */
  logAppendTime: bigint;
  logStartOffset: bigint;
  batchCount: number;
  recordCount: number;
}

export interface ReadOptions {
  /** Exclusive upper bound: batches starting at or after it are not returned. Default: the high watermark. */
  maxOffset?: bigint;
  /** Return the first batch whole even when it exceeds maxBytes (Kafka's KIP-74). Default true. */
  minOneBatch?: boolean;
}

export interface ReadResult {
  /** Whole batches, concatenated; empty when nothing is available. */
  records: Buffer;
  /** Offset after the last returned batch (the requested offset when nothing was returned). */
  nextOffset: bigint;
  highWatermark: bigint;
  logStartOffset: bigint;
  logEndOffset: bigint;
}

/** An append already written to the log; see PartitionLog.appendWritten. */
export interface WrittenAppend {
  result: AppendResult;
  /** Resolves when the append may be acknowledged; undefined when it may be at once. */
  durable: Promise<void> | undefined;
}

export interface AppendOptions {
  /** Refuse control batches (transaction markers) from clients. Default true. */
  fromClient?: boolean;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  reason: RetentionReason | undefined;
  logStartOffset: bigint;
}

/** What the cleaner sees of a log (see log-cleaner.ts). */
export interface CleaningView {
  segments: readonly LogSegment[];
  logStartOffset: number;
  cleanerOffset: number;
  tombstoneHorizon: number;
  config: TopicConfig;
  source: string;
}

const CHECKPOINT_FILE = 'partition.checkpoint';
const EPOCH_FILE = 'leader-epoch-checkpoint';
const DEFAULT_MAX_LOADED = 4;

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly name: string;
  #config: TopicConfig;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger | undefined;
  readonly #followEnd: boolean;
  readonly #maxLoaded: number;
  readonly #syncData: ((fd: number) => Promise<void>) | undefined;
  #segments: LogSegment[] = [];
  #loaded: LogSegment[] = [];
  #logStartOffset = 0;
  #leo = 0;
  #hw = 0;
  #recoveryPoint = 0;
  #cleanerOffset = 0;
  #tombstoneHorizon = Infinity;
  #epochs = new LeaderEpochCache();
  #lastFlushAt: number;
  #dirUnsynced = false;
  #flushing: Promise<void> | undefined;
  #nextFlush: Promise<void> | undefined;
  #failed: StorageError | undefined;
  #flushCount = 0;
  #closed = false;
  #readCache: { segment: LogSegment; offset: number; position: number } | undefined;
  #deleteTimers = new Set<NodeJS.Timeout>();
  readonly #files = new SerialFileWriter();
  recovery: RecoveryReport | undefined;

  private constructor(options: PartitionLogOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.dir = options.dir;
    this.name = `${options.topic}-${options.partition}`;
    this.#config = options.config;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#logger = options.logger;
    this.#followEnd = options.highWatermarkFollowsEnd ?? true;
    this.#maxLoaded = options.maxLoadedSegments ?? DEFAULT_MAX_LOADED;
    this.#syncData = options.syncData;
    this.#lastFlushAt = this.#clock.now();
  }

  /** Opens (creating if needed) the partition directory and recovers it. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    await log.#load(options.onCorruption ?? 'fail');
    return log;
  }

  // --- state ---------------------------------------------------------------------------------

  get config(): TopicConfig {
    return this.#config;
  }

  /** New topic config (AlterConfigs): applies to the next append, roll, retention and cleaning. */
  updateConfig(config: TopicConfig): void {
    this.#config = config;
    const settings = this.#settings();
    for (const segment of this.#segments) segment.settings = settings;
  }

  get logStartOffset(): bigint {
    return BigInt(this.#logStartOffset);
  }

  get logEndOffset(): bigint {
    return BigInt(this.#leo);
  }

  get highWatermark(): bigint {
    return BigInt(this.#hw);
  }

  /** Offset below which everything was fsynced. */
  get recoveryPoint(): bigint {
    return BigInt(this.#recoveryPoint);
  }

  /** Offsets below this were compacted at least once. */
  get cleanerOffset(): bigint {
    return BigInt(this.#cleanerOffset);
  }

  get sizeInBytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.size, 0);
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  get segmentBaseOffsets(): bigint[] {
    return this.#segments.map((s) => BigInt(s.baseOffset));
  }

  get leaderEpochs(): readonly EpochEntry[] {
    return this.#epochs.entries;
  }

  latestEpoch(): number {
    return this.#epochs.latest()?.epoch ?? -1;
  }

  /** OffsetsForLeaderEpoch: the largest epoch ≤ `epoch` and where it ends. */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint } {
    const r = this.#epochs.endOffsetFor(epoch, this.#leo);
    return { epoch: r.epoch, endOffset: BigInt(r.endOffset) };
  }

  /** Replication sets the high watermark (clamped to [log start, log end]). */
  setHighWatermark(offset: bigint): void {
    this.#hw = Math.min(Math.max(Number(offset), this.#logStartOffset), this.#leo);
  }

  #settings(): SegmentSettings {
    return { indexIntervalBytes: this.#config['index.interval.bytes'], maxIndexBytes: this.#config['segment.index.bytes'] };
  }

  #jitter(): number {
    const jitter = this.#config['segment.jitter.ms'];
    return jitter > 0 ? this.#random.int(Math.min(jitter, this.#config['segment.ms'])) : 0;
  }

  get #active(): LogSegment {
    return this.#segments[this.#segments.length - 1];
  }

  #checkUsable(): void {
    if (this.#closed) throw new SluiceError('LOG_CLOSED', `partition ${this.name} is closed`, { context: { topic: this.topic, partition: this.partition } });
    if (this.#failed !== undefined) throw this.#failed;
  }

  // --- open and recovery ---------------------------------------------------------------------

  async #load(onCorruption: 'fail' | 'truncate'): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const checkpoint = this.#readCheckpoint();
    this.#epochs = new LeaderEpochCache(this.#readEpochs());
    const now = this.#clock.now();
    const { bases, report } = prepareDirectory(this.dir);
    const settings = this.#settings();
    this.#segments = bases.map((base) => LogSegment.existing(this.dir, base, settings, now, this.#jitter()));
    if (this.#segments.length === 0) {
      const base = checkpoint?.logStartOffset ?? 0;
      this.#segments.push(LogSegment.create(this.dir, base, settings, now, this.#jitter()));
      this.#dirUnsynced = true;
    }

    const recovered = recoverSegments({
      segments: this.#segments,
      recoveryPoint: checkpoint?.recoveryPoint ?? 0,
      cleanShutdown: checkpoint?.cleanShutdown === true,
      onCorruption,
      logger: this.#logger,
      report,
    });
    for (const removed of recovered.removedSegments) this.#segments.splice(this.#segments.indexOf(removed), 1);
    if (this.#segments.length === 0) {
      this.#segments.push(LogSegment.create(this.dir, recovered.nextOffset, settings, now, this.#jitter()));
      this.#dirUnsynced = true;
    }
    this.recovery = report;

    this.#leo = this.#active.nextOffset;
    this.#logStartOffset = Math.min(Math.max(checkpoint?.logStartOffset ?? 0, this.#segments[0].baseOffset), this.#leo);
    this.#recoveryPoint = recovered.clean ? this.#leo : Math.min(checkpoint?.recoveryPoint ?? 0, this.#leo);
    this.#hw = this.#followEnd ? this.#leo : Math.min(Math.max(checkpoint?.highWatermark ?? 0, this.#logStartOffset), this.#leo);
    this.#cleanerOffset = Math.min(Math.max(checkpoint?.cleanerOffset ?? 0, this.#logStartOffset), this.#leo);
    let epochsChanged = this.#epochs.truncateFromEnd(this.#leo);
    epochsChanged = this.#epochs.truncateFromStart(this.#logStartOffset) || epochsChanged;
    if (epochsChanged) writeFileAtomicSync(path.join(this.dir, EPOCH_FILE), formatLeaderEpochCheckpoint(this.#epochs.entries));
    for (const segment of this.#segments) {
      if (segment !== this.#active) segment.unload();
    }
    // From here on a crash must trigger recovery: the checkpoint no longer says "clean".
    await this.#writeCheckpoint(false);
    // Recovered data may still be only in the page cache (a killed process): fsync it before
    // the recovery point moves past it.
    if (this.#recoveryPoint < this.#leo) await this.flush();
  }

  #readCheckpoint(): PartitionCheckpoint | undefined {
    const file = path.join(this.dir, CHECKPOINT_FILE);
    const text = readIfExists(file);
    if (text === undefined) return undefined;
    try {
      return parsePartitionCheckpoint(text.toString('utf8'), file);
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
      // Written atomically, so this is outside damage: recover everything from the segments.
      this.#logger?.error({ err, file }, 'partition checkpoint unreadable; recovering from the start of the log');
      return undefined;
    }
  }

  #readEpochs(): EpochEntry[] {
    const file = path.join(this.dir, EPOCH_FILE);
    const text = readIfExists(file);
    if (text === undefined) return [];
    try {
      return parseLeaderEpochCheckpoint(text.toString('utf8'), file);
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
      this.#logger?.error({ err, file }, 'leader epoch checkpoint unreadable; starting with no epochs');
      return [];
    }
  }

  #checkpointState(cleanShutdown: boolean): PartitionCheckpoint {
    return {
      logStartOffset: this.#logStartOffset,
      recoveryPoint: this.#recoveryPoint,
      highWatermark: this.#hw,
      cleanerOffset: this.#cleanerOffset,
      cleanShutdown,
    };
  }

  async #writeCheckpoint(cleanShutdown: boolean): Promise<void> {
    await this.#files.write(path.join(this.dir, CHECKPOINT_FILE), () => formatPartitionCheckpoint(this.#checkpointState(cleanShutdown)));
  }

  async #writeEpochs(): Promise<void> {
    await this.#files.write(path.join(this.dir, EPOCH_FILE), () => formatLeaderEpochCheckpoint(this.#epochs.entries));
  }

  /** Persists log start offset, recovery point, high watermark and cleaner offset (atomically). */
  async checkpoint(): Promise<void> {
    if (this.#closed) return;
    await this.#writeCheckpoint(false);
  }

  // --- append --------------------------------------------------------------------------------

  /**
   * Appends one or more batches (as a Produce request carries them). The buffer is modified in
   * place (offsets, leader epoch) and must not be reused by the caller. Validation, offset
   * assignment and the write all happen before the call returns its promise: log end offset and
   * high watermark have moved by then, and concurrent calls get offsets in call order. The
   * promise settles once the flush policy is satisfied (at once unless flush.messages is reached).
   */
  append(records: Buffer, leaderEpoch: number, options: AppendOptions = {}): Promise<AppendResult> {
    let written: WrittenAppend;
    try {
      written = this.appendWritten(records, leaderEpoch, options);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const { result, durable } = written;
    return durable === undefined ? Promise.resolve(result) : durable.then(() => result);
  }

  /**
   * append() in two steps, for callers that answer at once when nothing has to be waited for:
   * returns with the batches written (throwing when they are refused), and `durable` when the
   * result may only be acknowledged once that promise resolves (an fsync under flush.messages,
   * or the leader epoch file of a new epoch).
   */
  appendWritten(records: Buffer, leaderEpoch: number, options: AppendOptions = {}): WrittenAppend {
    this.#checkUsable();
    const now = this.#clock.now();
    const config = this.#config;
    const analysis = analyzeAppend(records, { source: this.name, config, now, fromClient: options.fromClient ?? true });
    const codec = targetCodec(config['compression.type']);
    if (codec !== undefined && needsRecompression(records, codec)) records = recompress(records, codec, this.name);

    const logAppendTime = config['message.timestamp.type'] === 'LogAppendTime' ? now : undefined;
    const firstOffset = this.#leo;
    const lastOffset = firstOffset + analysis.offsetCount - 1;
    const maxTimestamp = logAppendTime ?? analysis.maxTimestamp;
    const reason = rollReason(
      { baseOffset: this.#active.baseOffset, size: this.#active.size, firstBatchTimestamp: this.#active.firstBatchTimestamp, createdAt: this.#active.createdAt, rollJitterMs: this.#active.rollJitterMs, indexFull: this.#active.indexFull },
      { size: records.length, maxTimestamp, lastOffset },
      config,
      now,
    );
    if (reason !== undefined) this.#roll(now, reason);

    assignOffsets(records, firstOffset, leaderEpoch, logAppendTime);
    const active = this.#active;
    const sizeBefore = active.size;
    try {
      active.append(
        records,
        lastOffset,
        maxTimestamp,
        logAppendTime === undefined ? firstOffset + analysis.maxTimestampOffsetDelta : lastOffset,
        logAppendTime ?? analysis.firstBatchMaxTimestamp,
      );
    } catch (err) {
      throw this.#writeFailed(active, sizeBefore, err);
    }
    this.#leo = lastOffset + 1;
    if (this.#followEnd) this.#hw = this.#leo;
    const epochWritten = this.#epochs.assign(leaderEpoch, firstOffset) ? this.#writeEpochs() : undefined;
    const flushed = flushDueAfterAppend(this.#leo - this.#recoveryPoint, config) ? this.flush() : undefined;
    const result: AppendResult = {
      baseOffset: BigInt(firstOffset),
      lastOffset: BigInt(lastOffset),
      logAppendTime: BigInt(logAppendTime ?? -1),
      logStartOffset: BigInt(this.#logStartOffset),
      batchCount: analysis.batchCount,
      recordCount: analysis.recordCount,
    };
    if (epochWritten === undefined) return { result, durable: flushed };
    // Both are started now, so a later append's fsync cannot overtake this one's.
    return { result, durable: flushed === undefined ? epochWritten : Promise.all([epochWritten, flushed]).then(() => undefined) };
  }

  /** A failed write: cut the partial bytes off again, or take the partition offline if even that fails. */
  #writeFailed(segment: LogSegment, sizeBefore: number, err: unknown): StorageError {
    const error = new StorageError(`write to ${segment.path('log')} failed: ${(err as Error).message}`, {
      cause: err,
      context: { topic: this.topic, partition: this.partition, file: segment.path('log') },
    });
    try {
      segment.truncateTo(sizeBefore);
    } catch (truncateErr) {
      this.#failed = error;
      this.#logger?.error({ err: truncateErr, file: segment.path('log') }, 'could not undo a failed write; partition taken offline');
    }
    return error;
  }

  #roll(now: number, reason: string): void {
    const old = this.#active;
    if (old.size === 0) return;
    old.sealTimeIndex();
    old.writeIndexFiles();
    this.#segments.push(LogSegment.create(this.dir, this.#leo, this.#settings(), now, this.#jitter()));
    this.#dirUnsynced = true;
    this.#touch(old);
    this.#logger?.debug({ topic: this.topic, partition: this.partition, reason, baseOffset: this.#leo }, 'rolled segment');
    // Like Kafka, flush the finished segment in the background: it moves the recovery point.
    this.flush().catch((err: unknown) => this.#logger?.error({ err }, 'flush after roll failed'));
  }

  /** Closes the active segment and starts a new one (if the active one holds data). */
  roll(): void {
    this.#checkUsable();
    this.#roll(this.#clock.now(), 'requested');
  }

  // --- durability ----------------------------------------------------------------------------

  /**
   * fsyncs everything appended before the call. Calls made while an fsync runs share the next one
   * (group commit), so N concurrent appends that need durability cost at most two fsyncs.
   */
  flush(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#flushing !== undefined) {
      this.#nextFlush ??= this.#flushing.then(
        () => this.#startNextFlush(),
        () => this.#startNextFlush(),
      );
      return this.#nextFlush;
    }
    if (!this.#dirUnsynced && !this.#segments.some((s) => s.unsynced)) {
      this.#recoveryPoint = Math.max(this.#recoveryPoint, this.#leo);
      return Promise.resolve();
    }
    this.#flushing = this.#doFlush().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  #startNextFlush(): Promise<void> {
    this.#nextFlush = undefined;
    return this.flush();
  }

  async #doFlush(): Promise<void> {
    const target = this.#leo;
    const segments = this.#segments.filter((s) => s.unsynced);
    const dir = this.#dirUnsynced;
    this.#dirUnsynced = false;
    try {
      await Promise.all(segments.map((s) => s.fsync(this.#syncData)));
      if (dir) await fsyncDir(this.dir);
    } catch (err) {
      this.#dirUnsynced ||= dir;
      // After a failed fsync the page cache may have dropped the data (fsyncgate): stop appending.
      this.#failed = new StorageError(`fsync of partition ${this.name} failed: ${(err as Error).message}`, {
        cause: err,
        context: { topic: this.topic, partition: this.partition, dir: this.dir },
      });
      throw this.#failed;
    }
    this.#recoveryPoint = Math.max(this.#recoveryPoint, target);
    this.#lastFlushAt = this.#clock.now();
    this.#flushCount++;
  }

  /** fsync rounds completed since open (concurrent flush() calls share rounds). */
  get flushCount(): number {
    return this.#flushCount;
  }

  /** flush.ms: called by the flush scheduler; fsyncs when the last fsync is older than flush.ms. */
  async maybeFlushByTime(): Promise<boolean> {
    if (this.#closed || this.#failed !== undefined) return false;
    if (!flushDueByTime(this.#clock.now(), this.#lastFlushAt, this.#leo - this.#recoveryPoint, this.#config)) return false;
    await this.flush();
    return true;
  }

  // --- reads ---------------------------------------------------------------------------------

  /** The segment that holds `offset` (the last with base ≤ offset), or the first. */
  #segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#segments[mid].baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Keeps at most maxLoadedSegments inactive segments open, least recently used out first. */
  #touch(segment: LogSegment): void {
    if (segment === this.#active) return;
    const i = this.#loaded.indexOf(segment);
    if (i >= 0) this.#loaded.splice(i, 1);
    this.#loaded.push(segment);
    while (this.#loaded.length > this.#maxLoaded) {
      const evicted = this.#loaded.shift() as LogSegment;
      if (evicted !== this.#active && !evicted.unsynced) evicted.unload();
    }
  }

  #outOfRange(offset: number): OffsetOutOfRangeError {
    return new OffsetOutOfRangeError(`offset ${offset} of ${this.name} is outside [${this.#logStartOffset}, ${this.#leo}]`, {
      topic: this.topic,
      partition: this.partition,
      offset,
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#leo,
    });
  }

  /** Reads whole batches from `offset` (the batch holding it first) up to `maxBytes`. */
  async read(offset: bigint, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    return this.readSync(offset, maxBytes, options);
  }

  /** read() without the promise, for callers already on the broker's I/O loop. */
  readSync(offset: bigint, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.#checkUsable();
    const target = Number(offset);
    if (!Number.isSafeInteger(target) || target < this.#logStartOffset || target > this.#leo) throw this.#outOfRange(target);
    const upper = options.maxOffset === undefined ? this.#hw : Math.min(Number(options.maxOffset), this.#leo);
    const empty = (): ReadResult => this.#result(Buffer.alloc(0), target);
    if (target >= upper) return empty();

    let segment: LogSegment;
    let position: number;
    const cached = this.#readCache;
    if (cached !== undefined && cached.offset === target && !cached.segment.deleted && cached.position < cached.segment.size) {
      segment = cached.segment;
      position = cached.position;
    } else {
      let i = this.#segmentIndexFor(target);
      segment = this.#segments[i];
      position = segment.findPosition(target);
      while (position < 0 && i + 1 < this.#segments.length) {
        segment = this.#segments[++i];
        position = segment.findPosition(target);
      }
      if (position < 0) return empty();
    }
    this.#touch(segment);

    const available = segment.size - position;
    const want = Math.min(Math.max(maxBytes, 0), available);
    // A fresh buffer per read (the caller keeps it): malloc'd memory already mapped beats carving
    // slabs of new pages, as measured.
    let buf = Buffer.allocUnsafe(Math.max(want, LOG_OVERHEAD));
    let got = segment.readInto(buf, 0, Math.max(want, Math.min(LOG_OVERHEAD, available)), position);
    let used = 0;
    let next = target;
    while (got - used >= LOG_OVERHEAD) {
      const size = LOG_OVERHEAD + buf.readInt32BE(used + BATCH_LENGTH);
      const base = Number(buf.readBigInt64BE(used));
      if (base >= upper) break;
      if (size > got - used) {
        if (used > 0 || options.minOneBatch === false || size > available) break;
        // The first batch is larger than maxBytes: return it whole.
        buf = Buffer.allocUnsafe(size);
        got = segment.readInto(buf, 0, size, position);
        if (got < size) break;
        continue;
      }
      next = base + buf.readInt32BE(used + LAST_OFFSET_DELTA) + 1;
      used += size;
    }
    const records = buf.subarray(0, used);
    this.#readCache = used > 0 ? { segment, offset: next, position: position + used } : undefined;
    return this.#result(records, next);
  }

  #result(records: Buffer, nextOffset: number): ReadResult {
    return {
      records,
      nextOffset: BigInt(nextOffset),
      highWatermark: BigInt(this.#hw),
      logStartOffset: BigInt(this.#logStartOffset),
      logEndOffset: BigInt(this.#leo),
    };
  }

  /**
   * ListOffsets by timestamp: the first offset whose record timestamp is ≥ `timestamp`, with that
   * timestamp, or undefined when every record is older.
   */
  async offsetForTimestamp(timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint } | undefined> {
    this.#checkUsable();
    const target = Number(timestamp);
    for (const segment of this.#segments) {
      if (segment.size === 0 || segment.maxTimestamp < target) continue;
      this.#touch(segment);
      // Entries strictly below the target: every record up to their offset is older than it.
      const entry = segment.timeIndexLookup(target - 1);
      const start = entry === undefined ? 0 : Math.max(0, segment.findPosition(entry.offset));
      let found: { offset: bigint; timestamp: bigint } | undefined;
      segment.walkHeaders(start, (position, size, _base, lastOffset, maxTimestamp) => {
        if (maxTimestamp < target || lastOffset < this.#logStartOffset) return true;
        const bytes = Buffer.allocUnsafe(size);
        segment.readInto(bytes, 0, size, position);
        const { records } = decodeBatch(bytes, 0, { source: segment.path('log') });
        const hit = records.find((r) => r.timestamp >= timestamp && r.offset >= BigInt(this.#logStartOffset));
        if (hit === undefined) return true;
        found = { offset: hit.offset, timestamp: hit.timestamp };
        return false;
      });
      if (found !== undefined) return found;
    }
    return undefined;
  }

  // --- truncation and log start --------------------------------------------------------------

  /**
   * Replication: removes everything from `offset` on (whole batches: a batch holding `offset`
   * goes entirely). Offsets below the log start move the log to start at `offset`, empty.
   */
  async truncateTo(offset: bigint): Promise<void> {
    this.#checkUsable();
    const target = Number(offset);
    if (target >= this.#leo) return;
    this.#readCache = undefined;
    if (target <= this.#logStartOffset || target <= this.#segments[0].baseOffset) {
      for (const segment of this.#segments) this.#deleteSegmentFiles(segment);
      this.#segments = [LogSegment.create(this.dir, target, this.#settings(), this.#clock.now(), this.#jitter())];
      this.#loaded = [];
      this.#logStartOffset = target;
      this.#leo = target;
    } else {
      while (this.#active.baseOffset >= target) {
        const removed = this.#segments.pop() as LogSegment;
        this.#deleteSegmentFiles(removed);
      }
      const active = this.#active;
      const position = active.findPosition(target);
      if (position >= 0) active.truncateTo(position);
      this.#leo = active.nextOffset;
    }
    this.#dirUnsynced = true;
    this.#recoveryPoint = Math.min(this.#recoveryPoint, this.#leo);
    this.#hw = Math.min(this.#hw, this.#leo);
    this.#cleanerOffset = Math.min(this.#cleanerOffset, this.#leo);
    if (this.#epochs.truncateFromEnd(this.#leo)) await this.#writeEpochs();
    await this.#writeCheckpoint(false);
  }

  /** DeleteRecords: moves the log start offset forward (not beyond the high watermark). */
  async advanceLogStartOffset(offset: bigint): Promise<bigint> {
    this.#checkUsable();
    const target = Number(offset);
    if (target > this.#hw) throw this.#outOfRange(target);
    if (target <= this.#logStartOffset) return BigInt(this.#logStartOffset);
    this.#logStartOffset = target;
    this.#cleanerOffset = Math.max(this.#cleanerOffset, target);
    if (this.#epochs.truncateFromStart(target)) await this.#writeEpochs();
    await this.#writeCheckpoint(false);
    return BigInt(target);
  }

  // --- retention -------------------------------------------------------------------------------

  /** Deletes the oldest segments that retention (or the log start offset) no longer needs. */
  async applyRetention(): Promise<RetentionResult> {
    this.#checkUsable();
    const now = this.#clock.now();
    const plan = planRetention({
      segments: this.#segments.map((s) => ({ baseOffset: s.baseOffset, size: s.size, largestTimestamp: s.largestTimestamp })),
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#leo,
      highWatermark: this.#hw,
      config: this.#config,
      now,
    });
    this.#unloadInactive();
    if (plan.deleteCount === 0) return { deletedSegments: 0, deletedBytes: 0, reason: undefined, logStartOffset: BigInt(this.#logStartOffset) };
    if (plan.rollFirst) this.#roll(now, plan.reason ?? 'retention');
    const doomed = this.#segments.slice(0, plan.deleteCount);
    this.#segments = this.#segments.slice(plan.deleteCount);
    this.#readCache = undefined;
    let deletedBytes = 0;
    for (const segment of doomed) {
      deletedBytes += segment.size;
      this.#deleteSegmentFiles(segment);
    }
    this.#logStartOffset = Math.max(this.#logStartOffset, plan.newLogStartOffset);
    this.#cleanerOffset = Math.max(this.#cleanerOffset, this.#logStartOffset);
    this.#dirUnsynced = true;
    if (this.#epochs.truncateFromStart(this.#logStartOffset)) await this.#writeEpochs();
    await this.#writeCheckpoint(false);
    this.#logger?.info({ topic: this.topic, partition: this.partition, reason: plan.reason, segments: doomed.length, bytes: deletedBytes, logStartOffset: this.#logStartOffset }, 'retention deleted segments');
    return { deletedSegments: doomed.length, deletedBytes, reason: plan.reason, logStartOffset: BigInt(this.#logStartOffset) };
  }

  /** Retention touches every segment's timestamps; do not let that keep them all open. */
  #unloadInactive(): void {
    for (const segment of this.#segments) if (segment !== this.#active && !this.#loaded.includes(segment) && !segment.unsynced) segment.unload();
  }

  /** Renames a segment's files to *.deleted and unlinks them after file.delete.delay.ms. */
  #deleteSegmentFiles(segment: LogSegment): void {
    const i = this.#loaded.indexOf(segment);
    if (i >= 0) this.#loaded.splice(i, 1);
    const files = segment.markDeleted();
    const unlink = (): void => {
      for (const file of files) unlinkIfExists(file);
    };
    const delay = this.#config['file.delete.delay.ms'];
    if (delay <= 0) return unlink();
    const timer = setTimeout(() => {
      this.#deleteTimers.delete(timer);
      unlink();
    }, Math.min(delay, 2 ** 31 - 1));
    timer.unref();
    this.#deleteTimers.add(timer);
  }

  // --- cleaner interface -----------------------------------------------------------------------

  /** The segments and offsets the cleaner plans with; the last segment is the active one. */
  cleaningView(): CleaningView {
    return {
      segments: [...this.#segments],
      logStartOffset: this.#logStartOffset,
      cleanerOffset: this.#cleanerOffset,
      tombstoneHorizon: this.#tombstoneHorizon,
      config: this.#config,
      source: this.name,
    };
  }

  /**
   * Swaps a cleaned segment in (or removes a segment the cleaner emptied), in one synchronous
   * step so that no append or read sees a half state. `commit` renames the cleaned files over the
   * old ones; null removes the segment. Returns false (and does nothing) when the segment left the
   * log meanwhile (retention, truncation, close).
   */
  replaceSegment(old: LogSegment, commit: (() => void) | null): boolean {
    const i = this.#segments.indexOf(old);
    if (i < 0 || old.deleted || old === this.#active || this.#closed) return false;
    this.#readCache = undefined;
    const j = this.#loaded.indexOf(old);
    if (j >= 0) this.#loaded.splice(j, 1);
    if (commit === null) {
      this.#segments.splice(i, 1);
      this.#deleteSegmentFiles(old);
    } else {
      old.unload();
      commit();
      this.#segments[i] = LogSegment.existing(this.dir, old.baseOffset, this.#settings(), old.createdAt, old.rollJitterMs);
    }
    this.#dirUnsynced = true;
    return true;
  }

  /** Whether `segment` is still part of the log (the cleaner checks between chunks). */
  holdsSegment(segment: LogSegment): boolean {
    return this.#segments.includes(segment);
  }

  /** Records a finished pass: offsets below `endOffset` are clean; tombstones expire from `tombstoneHorizon`. */
  async cleaningDone(endOffset: number, tombstoneHorizon: number): Promise<void> {
    this.#cleanerOffset = Math.max(this.#cleanerOffset, Math.min(endOffset, this.#leo));
    this.#tombstoneHorizon = tombstoneHorizon;
    if (!this.#closed) await this.#writeCheckpoint(false);
  }

  // --- close -----------------------------------------------------------------------------------

  /** Clean shutdown: writes indexes, fsyncs, and marks the checkpoint clean so that the next open skips recovery. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#failed === undefined) {
      this.#active.writeIndexFiles();
      await this.flush();
    }
    this.#closed = true;
    if (this.#failed === undefined) await this.#writeCheckpoint(true);
    for (const timer of this.#deleteTimers) clearTimeout(timer);
    this.#deleteTimers.clear();
    for (const entry of fs.readdirSync(this.dir)) if (entry.endsWith('.deleted')) unlinkIfExists(path.join(this.dir, entry));
    for (const segment of this.#segments) segment.close();
  }

  /** Closes without the clean-shutdown mark and removes the partition directory (topic deletion). */
  async deleteFiles(): Promise<void> {
    this.#closed = true;
    await this.#flushing?.catch(() => undefined);
    await this.#files.settled();
    for (const timer of this.#deleteTimers) clearTimeout(timer);
    for (const segment of this.#segments) segment.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Settles what a crash left behind in a partition directory, before segments are loaded:
 * temp files and unfinished cleaner output (*.cleaned) go, segments renamed *.deleted go, a
 * finished cleaner swap (*.log.swap present) is completed, index files without a log go.
 * Returns the base offsets of the segments, sorted.
 */
function prepareDirectory(dir: string): { bases: number[]; report: RecoveryReport } {
  const report: RecoveryReport = { cleanShutdown: false, scannedBytes: 0, rebuiltIndexes: [], completedSwaps: [], removedFiles: [] };
  const names = fs.readdirSync(dir);
  const remove = (name: string): void => {
    unlinkIfExists(path.join(dir, name));
    report.removedFiles.push(name);
  };
  for (const name of names) {
    if (name.endsWith('.tmp')) remove(name);
    const parsed = parseSegmentFileName(name);
    if (parsed?.suffix === 'cleaned' || parsed?.suffix === 'deleted') remove(name);
  }
  const swaps = names.map(parseSegmentFileName).filter((p) => p?.suffix === 'swap' && p.kind === 'log');
  for (const swap of swaps) {
    const base = (swap as { baseOffset: number }).baseOffset;
    for (const kind of ['index', 'timeindex', 'log'] as const) {
      const from = path.join(dir, `${String(base).padStart(20, '0')}.${kind}.swap`);
      if (fs.existsSync(from)) fs.renameSync(from, from.slice(0, -'.swap'.length));
    }
    report.completedSwaps.push(`${String(base).padStart(20, '0')}.log`);
  }
  const after = fs.readdirSync(dir);
  // Index swaps without a log swap belong to a clean that never committed.
  for (const name of after) if (parseSegmentFileName(name)?.suffix === 'swap') remove(name);
  const logs = new Set(after.map(parseSegmentFileName).filter((p) => p !== undefined && p.suffix === undefined && p.kind === 'log').map((p) => (p as { baseOffset: number }).baseOffset));
  for (const name of after) {
    const p = parseSegmentFileName(name);
    if (p !== undefined && p.suffix === undefined && p.kind !== 'log' && !logs.has(p.baseOffset)) remove(name);
  }
  // A completed swap's indexes may predate the rename order's last step: rebuild them.
  for (const swapped of report.completedSwaps) {
    unlinkIfExists(path.join(dir, swapped.replace(/\.log$/, '.index')));
    unlinkIfExists(path.join(dir, swapped.replace(/\.log$/, '.timeindex')));
  }
  return { bases: [...logs].sort((a, b) => a - b), report };
}
