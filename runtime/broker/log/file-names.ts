import { SluiceError } from '../../util/errors.ts';

/**
 * Kafka's on-disk names: a partition is the directory `<topic>-<partition>`; a segment is the
 * files `<20-digit base offset>.log|.index|.timeindex`. The cleaner and retention add transient
 * suffixes: `.cleaned` (being written), `.swap` (complete, replacing the live file), `.deleted`
 * (removed from the log, unlinked after file.delete.delay.ms).
 */
export type SegmentFileKind = 'log' | 'index' | 'timeindex';
export type TransientSuffix = 'cleaned' | 'swap' | 'deleted';

export interface SegmentFileName {
  baseOffset: number;
  kind: SegmentFileKind;
  suffix?: TransientSuffix;
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)(?:\.(cleaned|swap|deleted))?$/;

export function segmentFileName(baseOffset: number, kind: SegmentFileKind, suffix?: TransientSuffix): string {
  return `${String(baseOffset).padStart(20, '0')}.${kind}${suffix === undefined ? '' : `.${suffix}`}`;
}

export function parseSegmentFileName(name: string): SegmentFileName | undefined {
  const m = SEGMENT_FILE.exec(name);
  if (m === null) return undefined;
  const baseOffset = Number(m[1]);
  if (!Number.isSafeInteger(baseOffset)) return undefined;
  return m[3] === undefined ? { baseOffset, kind: m[2] as SegmentFileKind } : { baseOffset, kind: m[2] as SegmentFileKind, suffix: m[3] as TransientSuffix };
}

/** Kafka's topic name rules (Topic.validate): 1-249 of [a-zA-Z0-9._-], not "." or "..". */
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

export function validateTopicName(name: string): void {
  const fail = (why: string): never => {
    throw new SluiceError('INVALID_TOPIC_EXCEPTION', `Invalid topic name ${JSON.stringify(name)}: ${why}`, { context: { topic: name } });
  };
  if (name.length === 0) fail('it is empty');
  if (name === '.' || name === '..') fail('"." and ".." are not allowed');
  if (name.length > MAX_TOPIC_NAME_LENGTH) fail(`it is ${name.length} characters long, the limit is ${MAX_TOPIC_NAME_LENGTH}`);
  if (!LEGAL_TOPIC.test(name)) fail('only ASCII letters, digits, ".", "_" and "-" are allowed');
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Splits `<topic>-<partition>` at the last dash; undefined when the name is not a partition directory. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const digits = name.slice(dash + 1);
  if (!/^\d+$/.test(digits)) return undefined;
  return { topic: name.slice(0, dash), partition: Number(digits) };
}
