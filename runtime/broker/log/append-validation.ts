import { CorruptDataError } from '../../util/errors.ts';
import {
  ATTRIBUTES,
  BASE_TIMESTAMP,
  CONTROL_BIT,
  CRC,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  RECORD_COUNT,
  TIMESTAMP_TYPE_BIT,
  computeBatchCrc,
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatch,
} from './batch-header.ts';
import { InvalidBatchError } from './errors.ts';
import type { TopicConfig } from './topic-config.ts';

/**
 * The append path's checks and offset assignment, on batch headers only (records are never
 * decoded here). Kafka's LogValidator checks the same fields; per-record timestamp checks become
 * checks of the batch's base (first record) and max timestamps.
 */
export interface AppendAnalysis {
  batchCount: number;
  /** Offsets the batches take (sum of lastOffsetDelta + 1). */
  offsetCount: number;
  recordCount: number;
  /** Largest max timestamp (CreateTime) among the batches, -1 if none. */
  maxTimestamp: number;
  /** Offset delta (from the first assigned offset) of the last offset of the batch holding maxTimestamp. */
  maxTimestampOffsetDelta: number;
  /** Max timestamp of the first batch, for segment.ms rolling. */
  firstBatchMaxTimestamp: number;
}

export interface AppendChecks {
  source: string;
  config: Pick<TopicConfig, 'max.message.bytes' | 'message.timestamp.type' | 'message.timestamp.before.max.ms' | 'message.timestamp.after.max.ms'>;
  now: number;
  /** Producers may not write transaction markers; the broker's own writers may. */
  fromClient: boolean;
}

export function analyzeAppend(buf: Buffer, checks: AppendChecks): AppendAnalysis {
  const { source, config } = checks;
  const createTime = config['message.timestamp.type'] === 'CreateTime';
  const result: AppendAnalysis = { batchCount: 0, offsetCount: 0, recordCount: 0, maxTimestamp: -1, maxTimestampOffsetDelta: 0, firstBatchMaxTimestamp: -1 };
  if (buf.length === 0) throw new InvalidBatchError('CORRUPT_MESSAGE', `no record batch in the append to ${source}`, { context: { source } });
  let pos = 0;
  while (pos < buf.length) {
    const where = { source: `${source} (append, batch ${result.batchCount})`, position: pos };
    let size: number;
    try {
      size = validateBatch(buf, pos, where, config['max.message.bytes']);
    } catch (err) {
      if (!(err instanceof CorruptDataError)) throw err;
      const code = err.code === 'BATCH_TOO_LARGE' ? 'MESSAGE_TOO_LARGE' : 'CORRUPT_MESSAGE';
      throw new InvalidBatchError(code, err.message, { cause: err, context: { ...err.context, batch: result.batchCount } });
    }
    const count = buf.readInt32BE(pos + RECORD_COUNT);
    const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
    if (lastOffsetDelta !== count - 1) {
      throw new InvalidBatchError('INVALID_RECORD', `record batch ${result.batchCount} of the append to ${source} has ${count} records but last offset delta ${lastOffsetDelta}; producers write contiguous offsets`, {
        context: { source, batch: result.batchCount, position: pos },
      });
    }
    if (checks.fromClient && (buf.readInt16BE(pos + ATTRIBUTES) & CONTROL_BIT) !== 0) {
      throw new InvalidBatchError('INVALID_RECORD', `record batch ${result.batchCount} of the append to ${source} is a control batch; clients may not write transaction markers`, {
        context: { source, batch: result.batchCount, position: pos },
      });
    }
    const maxTimestamp = Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP));
    if (createTime) checkTimestamps(buf, pos, maxTimestamp, checks, result.batchCount);
    if (result.batchCount === 0) result.firstBatchMaxTimestamp = maxTimestamp;
    if (maxTimestamp > result.maxTimestamp) {
      result.maxTimestamp = maxTimestamp;
      result.maxTimestampOffsetDelta = result.offsetCount + lastOffsetDelta;
    }
    result.offsetCount += lastOffsetDelta + 1;
    result.recordCount += count;
    result.batchCount++;
    pos += size;
  }
  return result;
}

function checkTimestamps(buf: Buffer, pos: number, maxTimestamp: number, checks: AppendChecks, batch: number): void {
  const { config, now, source } = checks;
  const baseTimestamp = Number(buf.readBigInt64BE(pos + BASE_TIMESTAMP));
  const fail = (what: string): never => {
    throw new InvalidBatchError('INVALID_TIMESTAMP', `record batch ${batch} of the append to ${source}: ${what} (broker time ${now})`, { context: { source, batch, position: pos } });
  };
  if (maxTimestamp >= 0 && maxTimestamp - now > config['message.timestamp.after.max.ms']) {
    fail(`max timestamp ${maxTimestamp} is more than message.timestamp.after.max.ms=${config['message.timestamp.after.max.ms']} ahead`);
  }
  if (baseTimestamp >= 0 && now - baseTimestamp > config['message.timestamp.before.max.ms']) {
    fail(`base timestamp ${baseTimestamp} is more than message.timestamp.before.max.ms=${config['message.timestamp.before.max.ms']} behind`);
  }
}

/**
 * Gives the batches their offsets from `firstOffset` and the leader epoch, in place (12 bytes per
 * batch outside the CRC). With LogAppendTime the max timestamp becomes `now`, the timestamp-type
 * bit is set and the CRC recomputed, as Kafka does.
 */
export function assignOffsets(buf: Buffer, firstOffset: number, leaderEpoch: number, logAppendTime: number | undefined): void {
  let pos = 0;
  let next = firstOffset;
  while (pos < buf.length) {
    const size = 12 + buf.readInt32BE(pos + 8);
    setBaseOffset(buf, pos, BigInt(next));
    setPartitionLeaderEpoch(buf, pos, leaderEpoch);
    if (logAppendTime !== undefined) {
      buf.writeInt16BE(buf.readInt16BE(pos + ATTRIBUTES) | TIMESTAMP_TYPE_BIT, pos + ATTRIBUTES);
      buf.writeBigInt64BE(BigInt(logAppendTime), pos + MAX_TIMESTAMP);
      buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + CRC);
    }
    next += buf.readInt32BE(pos + LAST_OFFSET_DELTA) + 1;
    pos += size;
  }
}
