import fs from 'node:fs';
import type { Logger } from '../../observability/logger.ts';
import { CorruptDataError } from '../../util/errors.ts';
import { findValidBatch } from '../log/batch-scan.ts';
import { readFully, unlinkIfExists } from './fs-util.ts';
import type { LogSegment } from './segment.ts';

/**
 * Crash recovery of a partition's segments (the rules are in README.md, "Recovery"):
 * - after a clean shutdown nothing is scanned; only the active segment's last headers are checked
 *   to end exactly at the end of its file;
 * - otherwise every batch from the segment holding the recovery point to the end is validated
 *   (CRC included) and the indexes of those segments are rebuilt;
 * - an invalid batch after which no valid batch exists anywhere in the log is a torn tail: the
 *   log is cut there, logged;
 * - an invalid batch followed by valid data is corruption in the middle: opening fails with the
 *   file and position, unless the operator chose onCorruption=truncate.
 */
export interface RecoveryReport {
  cleanShutdown: boolean;
  /** Bytes validated by the scan. */
  scannedBytes: number;
  /** Where the log was cut, when it was. */
  truncated?: { file: string; position: number; bytesDropped: number; reason: string };
  rebuiltIndexes: string[];
  completedSwaps: string[];
  removedFiles: string[];
}

export interface RecoveryInput {
  segments: readonly LogSegment[];
  recoveryPoint: number;
  cleanShutdown: boolean;
  onCorruption: 'fail' | 'truncate';
  logger: Logger | undefined;
  report: RecoveryReport;
}

export interface RecoveryOutcome {
  /** Segments wholly after a cut; their files are gone. */
  removedSegments: LogSegment[];
  /** Log end offset after recovery. */
  nextOffset: number;
  /** True when nothing had to be scanned. */
  clean: boolean;
}

const RESYNC_CHUNK = 8 * 1024 * 1024;
const RESYNC_OVERLAP = 1024 * 1024;

/** Whether a valid batch (base offset ≥ `minOffset`) starts anywhere in `segment` from `from`. */
function validBatchFollows(segment: LogSegment, from: number, minOffset: number): { position: number } | undefined {
  const chunk = Buffer.allocUnsafe(RESYNC_CHUNK);
  for (let start = from; start < segment.size; start += RESYNC_CHUNK - RESYNC_OVERLAP) {
    const length = segment.readInto(chunk, 0, RESYNC_CHUNK, start);
    const at = findValidBatch(chunk.subarray(0, length), 0, minOffset);
    if (at >= 0) return { position: start + at };
    if (start + length >= segment.size) break;
  }
  return undefined;
}

function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let found = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i].baseOffset <= offset) found = i;
  return found;
}

export function recoverSegments(input: RecoveryInput): RecoveryOutcome {
  const { segments, report, logger } = input;
  const last = segments[segments.length - 1];
  if (input.cleanShutdown) {
    report.cleanShutdown = true;
    if (last.tailIsComplete()) return { removedSegments: [], nextOffset: last.nextOffset, clean: true };
    logger?.warn({ file: last.path('log') }, 'segment does not end at a batch boundary after a clean shutdown; scanning it');
  }

  const start = input.cleanShutdown ? segments.length - 1 : segmentIndexFor(segments, input.recoveryPoint);
  let nextOffset = segments[start].baseOffset;
  for (let i = start; i < segments.length; i++) {
    const segment = segments[i];
    const file = segment.path('log');
    if (segment.baseOffset < nextOffset) {
      throw new CorruptDataError(`segment ${file} starts at offset ${segment.baseOffset}, inside the previous segment (which ends at ${nextOffset})`, {
        code: 'LOG_CORRUPT',
        context: { file, position: 0 },
      });
    }
    const walk = segment.rebuildIndexes();
    segment.markUnsynced();
    report.scannedBytes += walk.validEnd;
    report.rebuiltIndexes.push(file);
    if (walk.failure === undefined) {
      if (i < segments.length - 1) {
        segment.sealTimeIndex();
        segment.writeIndexFiles();
      }
      nextOffset = walk.nextOffset;
      continue;
    }

    const { position, error } = walk.failure;
    const resumes = findResumption(segments, i, position, walk.nextOffset);
    if (resumes !== undefined && input.onCorruption === 'fail') {
      throw new CorruptDataError(
        `corrupt record batch in the middle of ${file} at position ${position} (${error.message}); valid data resumes at ${resumes.file} position ${resumes.position}. ` +
          `Offsets from ${walk.nextOffset} on are unreadable until the segment is repaired; reopen with onCorruption=truncate to cut the log at position ${position} instead`,
        { code: 'LOG_CORRUPT', cause: error, context: { file, position, lastValidOffset: walk.nextOffset - 1, resumesAt: resumes } },
      );
    }
    const removed = segments.slice(i + 1);
    const bytesDropped = segment.size - position + removed.reduce((sum, s) => sum + s.size, 0);
    segment.truncateTo(position);
    for (const s of removed) {
      s.close();
      for (const kind of ['log', 'index', 'timeindex'] as const) unlinkIfExists(s.path(kind));
      report.removedFiles.push(s.path('log'));
    }
    const reason = resumes === undefined ? `torn tail: ${error.message}` : `corruption cut on request (onCorruption=truncate): ${error.message}`;
    report.truncated = { file, position, bytesDropped, reason };
    // Bytes past the recovery point were never fsynced: a crash may tear them. Below it, fsynced data was lost.
    const expected = resumes === undefined && walk.nextOffset >= input.recoveryPoint;
    const message = resumes !== undefined ? 'truncated a corrupt log on request' : expected ? 'truncated a torn tail after a crash' : 'truncated a torn tail below the recovery point: fsynced data was lost';
    logger?.[expected ? 'warn' : 'error']({ file, position, bytesDropped, lastValidOffset: walk.nextOffset - 1, err: error }, message);
    return { removedSegments: removed, nextOffset: walk.nextOffset, clean: false };
  }
  return { removedSegments: [], nextOffset, clean: false };
}

/** Where valid data resumes after the failure at `position` of segments[i], if it does. */
function findResumption(segments: readonly LogSegment[], i: number, position: number, minOffset: number): { file: string; position: number } | undefined {
  const here = validBatchFollows(segments[i], position + 1, minOffset);
  if (here !== undefined) return { file: segments[i].path('log'), position: here.position };
  for (let j = i + 1; j < segments.length; j++) {
    const later = segments[j];
    if (later.size === 0) continue;
    const head = Buffer.allocUnsafe(Math.min(later.size, RESYNC_CHUNK));
    const fd = fs.openSync(later.path('log'), 'r');
    try {
      const length = readFully(fd, head, 0, head.length, 0);
      const at = findValidBatch(head.subarray(0, length), 0, minOffset);
      if (at >= 0) return { file: later.path('log'), position: at };
    } finally {
      fs.closeSync(fd);
    }
  }
  return undefined;
}
