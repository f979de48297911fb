import { ErrorCode } from '../../protocol/index.ts';
import type { InputOf, ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/index.ts';
import { errorCodeOf } from '../error-mapping.ts';
import type { TopicsService } from '../topics.ts';

/**
 * ListOffsets: -1 latest (the high watermark, which is also the last stable offset without
 * transactions), -2 earliest (log start offset), -3 the offset of the largest timestamp (v7),
 * else the first offset whose record timestamp is at least the given one (-1 when none is).
 */
const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

export async function handleListOffsets(topics: TopicsService, body: ListOffsetsRequest): Promise<InputOf<ListOffsetsResponse>> {
  const out = [];
  for (const t of body.topics) {
    const partitions = [];
    for (const p of t.partitions) {
      const handle = topics.partition(t.name, p.partitionIndex);
      const answer = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [] as bigint[], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
      if (handle === undefined) {
        partitions.push({ ...answer, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      const log = handle.log;
      try {
        if (p.timestamp === LATEST) partitions.push({ ...answer, offset: log.highWatermark, leaderEpoch: handle.leaderEpoch });
        else if (p.timestamp === EARLIEST) partitions.push({ ...answer, offset: log.logStartOffset, leaderEpoch: handle.leaderEpoch });
        else if (p.timestamp === MAX_TIMESTAMP) {
          const found = await handle.maxTimestamp();
          partitions.push(found === undefined ? answer : { ...answer, offset: found.offset, timestamp: found.timestamp, leaderEpoch: handle.leaderEpoch });
        } else if (p.timestamp < 0n) {
          partitions.push({ ...answer, errorCode: ErrorCode.INVALID_REQUEST });
        } else {
          const found = await log.offsetForTimestamp(p.timestamp);
          partitions.push(found === undefined ? answer : { ...answer, offset: found.offset, timestamp: found.timestamp, leaderEpoch: handle.leaderEpoch });
        }
      } catch (err) {
        partitions.push({ ...answer, errorCode: errorCodeOf(err) });
      }
    }
    out.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics: out };
}
