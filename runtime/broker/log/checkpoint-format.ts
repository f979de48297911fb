import { CorruptDataError } from '../../util/errors.ts';

/**
 * Text formats of the small files that describe a partition's state. All are written atomically
 * (temp file, fsync, rename) by the storage layer; parsing is strict and names file and line.
 */

function corrupt(source: string, line: number, what: string): never {
  throw new CorruptDataError(`checkpoint ${source} line ${line}: ${what}`, { code: 'CHECKPOINT_CORRUPT', context: { source, line } });
}

function parseOffset(source: string, line: number, text: string): number {
  if (!/^-?\d+$/.test(text)) corrupt(source, line, `${JSON.stringify(text)} is not an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) corrupt(source, line, `${text} is out of range`);
  return n;
}

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

/** Offsets and flags of one partition (Kafka keeps these in per-directory checkpoint files). */
export interface PartitionCheckpoint {
  logStartOffset: number;
  /** Every byte below this offset was fsynced: crash recovery starts here. */
  recoveryPoint: number;
  highWatermark: number;
  /** Offsets below this were compacted at least once (Kafka's cleaner-offset-checkpoint). */
  cleanerOffset: number;
  /** Written true only by a clean close: on open, recovery then trusts the files as they are. */
  cleanShutdown: boolean;
}

const PARTITION_CHECKPOINT_VERSION = 0;
const PARTITION_FIELDS = ['log-start-offset', 'recovery-point', 'high-watermark', 'cleaner-offset', 'clean-shutdown'] as const;

export function formatPartitionCheckpoint(c: PartitionCheckpoint): string {
  return [
    String(PARTITION_CHECKPOINT_VERSION),
    `log-start-offset ${c.logStartOffset}`,
    `recovery-point ${c.recoveryPoint}`,
    `high-watermark ${c.highWatermark}`,
    `cleaner-offset ${c.cleanerOffset}`,
    `clean-shutdown ${c.cleanShutdown ? 1 : 0}`,
    '',
  ].join('\n');
}

export function parsePartitionCheckpoint(text: string, source: string): PartitionCheckpoint {
  const all = lines(text);
  if (all[0] !== String(PARTITION_CHECKPOINT_VERSION)) corrupt(source, 1, `version ${JSON.stringify(all[0] ?? '')} is not ${PARTITION_CHECKPOINT_VERSION}`);
  const values = new Map<string, number>();
  for (let i = 1; i < all.length; i++) {
    const [name, value, ...rest] = all[i].split(' ');
    if (!(PARTITION_FIELDS as readonly string[]).includes(name) || value === undefined || rest.length > 0) corrupt(source, i + 1, `unexpected ${JSON.stringify(all[i])}`);
    values.set(name, parseOffset(source, i + 1, value));
  }
  for (const name of PARTITION_FIELDS) if (!values.has(name)) corrupt(source, all.length + 1, `missing ${name}`);
  return {
    logStartOffset: values.get('log-start-offset') as number,
    recoveryPoint: values.get('recovery-point') as number,
    highWatermark: values.get('high-watermark') as number,
    cleanerOffset: values.get('cleaner-offset') as number,
    cleanShutdown: values.get('clean-shutdown') === 1,
  };
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Kafka's `leader-epoch-checkpoint`: version 0, entry count, then "epoch startOffset" lines. */
export function formatLeaderEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return ['0', String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`), ''].join('\n');
}

export function parseLeaderEpochCheckpoint(text: string, source: string): EpochEntry[] {
  const all = lines(text);
  if (all[0] !== '0') corrupt(source, 1, `version ${JSON.stringify(all[0] ?? '')} is not 0`);
  const count = parseOffset(source, 2, all[1] ?? '');
  if (all.length - 2 !== count) corrupt(source, 2, `declares ${count} entries but holds ${all.length - 2}`);
  const entries: EpochEntry[] = [];
  for (let i = 2; i < all.length; i++) {
    const parts = all[i].split(' ');
    if (parts.length !== 2) corrupt(source, i + 1, `expected "epoch startOffset", got ${JSON.stringify(all[i])}`);
    entries.push({ epoch: parseOffset(source, i + 1, parts[0]), startOffset: parseOffset(source, i + 1, parts[1]) });
  }
  return entries;
}
