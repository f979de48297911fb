import path from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import { BATCH_LENGTH, CONTROL_BIT, LOG_OVERHEAD, readBatchHeader } from '../log/batch-header.ts';
import { readIfExists, writeFileAtomic } from '../storage/fs-util.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import { ProducerStateTable } from './producer-state.ts';
import type { SnapshotEntry } from './producer-state.ts';

/**
 * Keeps a partition's idempotent-producer table across restarts: a snapshot (JSON, atomic) taken
 * at some log end offset, plus the batch headers written after it, which are replayed on open.
 * After a kill -9 the snapshot is older than the log; replaying the tail puts back exactly what
 * the log holds, so a producer retrying a batch that reached the log gets its original offset.
 */
export const PRODUCER_STATE_FILE = 'producer-state.json';
const SCAN_CHUNK = 1024 * 1024;

interface SnapshotFile {
  offset: string;
  producers: SnapshotEntry[];
}

function readSnapshot(file: string, logger: Logger): SnapshotFile | undefined {
  const bytes = readIfExists(file);
  if (bytes === undefined) return undefined;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as SnapshotFile;
    if (typeof parsed.offset !== 'string' || !Array.isArray(parsed.producers)) throw new Error('expected {offset, producers}');
    return parsed;
  } catch (err) {
    // Written atomically, so only outside damage gets here; the log itself holds the truth.
    logger.warn({ file, err: (err as Error).message }, 'producer state snapshot unreadable; rebuilding from the log');
    return undefined;
  }
}

/** Loads the snapshot (when it is not ahead of the log) and replays the batches after it. */
export function loadProducerState(log: PartitionLog, logger: Logger): ProducerStateTable {
  const snapshot = readSnapshot(path.join(log.dir, PRODUCER_STATE_FILE), logger);
  const end = log.logEndOffset;
  let table = new ProducerStateTable();
  let from = log.logStartOffset;
  if (snapshot !== undefined && BigInt(snapshot.offset) <= end) {
    table = ProducerStateTable.fromSnapshot(snapshot.producers);
    if (BigInt(snapshot.offset) > from) from = BigInt(snapshot.offset);
  }
  while (from < end) {
    const { records, nextOffset } = log.readSync(from, SCAN_CHUNK, { maxOffset: end });
    if (records.length === 0) break;
    let pos = 0;
    while (records.length - pos >= LOG_OVERHEAD) {
      const size = LOG_OVERHEAD + records.readInt32BE(pos + BATCH_LENGTH);
      const h = readBatchHeader(records, pos);
      if (h.producerId >= 0n && h.baseSequence >= 0 && (h.attributes & CONTROL_BIT) === 0) {
        table.record(
          { producerId: h.producerId, epoch: h.producerEpoch, firstSeq: h.baseSequence, recordCount: h.recordCount },
          h.baseOffset,
          h.baseOffset + BigInt(h.lastOffsetDelta),
          h.maxTimestamp,
        );
      }
      pos += size;
    }
    if (nextOffset <= from) break;
    from = nextOffset;
  }
  return table;
}

export async function saveProducerState(log: PartitionLog, table: ProducerStateTable): Promise<void> {
  const body: SnapshotFile = { offset: log.logEndOffset.toString(), producers: table.snapshot() };
  await writeFileAtomic(path.join(log.dir, PRODUCER_STATE_FILE), JSON.stringify(body));
}
