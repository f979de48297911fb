import { ErrorCode } from '../../protocol/index.ts';
import type { FetchRequest, FetchResponse, InputOf } from '../../protocol/index.ts';
import { errorCodeOf } from '../error-mapping.ts';
import type { PartitionHandle, TopicsService } from '../topics.ts';

/**
 * Fetch with long polling: answers at once when at least minBytes are available (or on an error,
 * or maxWaitMs 0), else waits for appends to the requested partitions until minBytes is reached
 * or maxWaitMs passes. Responses hold whole stored batches (the batch containing the fetch offset
 * first), at most maxBytes in total and partitionMaxBytes per partition, except that the first
 * batch of the response is returned whole even when larger (KIP-74). Fetch sessions (KIP-227) are
 * declined: session id 0 in every answer makes clients send full requests.
 */
type FetchTopicResponse = NonNullable<InputOf<FetchResponse>['responses']>[number];
type FetchPartitionResponse = NonNullable<FetchTopicResponse['partitions']>[number];

const READ_COMMITTED = 1;
const EMPTY = Buffer.alloc(0);

interface PlannedPartition {
  topic: string;
  index: number;
  fetchOffset: bigint;
  maxBytes: number;
  handle: PartitionHandle | undefined;
}

interface ReadPass {
  responses: FetchTopicResponse[];
  bytes: number;
  failed: boolean;
}

function readPass(plan: PlannedPartition[][], body: FetchRequest): ReadPass {
  let budget = body.maxBytes;
  let bytes = 0;
  let failed = false;
  const committed = body.isolationLevel === READ_COMMITTED;
  const responses: FetchTopicResponse[] = plan.map((partitions) => ({
    topic: partitions[0]?.topic ?? '',
    partitions: partitions.map((p): FetchPartitionResponse => {
      const base = { partitionIndex: p.index, preferredReadReplica: -1, abortedTransactions: committed ? [] : null };
      if (p.handle === undefined) {
        failed = true;
        return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY };
      }
      const log = p.handle.log;
      try {
        const limit = Math.min(p.maxBytes, budget);
        const result = log.readSync(p.fetchOffset, Math.max(limit, 0), { minOneBatch: bytes === 0 });
        const records = limit > 0 || bytes === 0 ? result.records : EMPTY;
        bytes += records.length;
        budget -= records.length;
        return { ...base, errorCode: ErrorCode.NONE, highWatermark: result.highWatermark, lastStableOffset: result.highWatermark, logStartOffset: result.logStartOffset, records };
      } catch (err) {
        failed = true;
        return { ...base, errorCode: errorCodeOf(err), highWatermark: log.highWatermark, lastStableOffset: log.highWatermark, logStartOffset: log.logStartOffset, records: EMPTY };
      }
    }),
  }));
  return { responses, bytes, failed };
}

function answer(responses: FetchTopicResponse[], errorCode: number = ErrorCode.NONE): InputOf<FetchResponse> {
  return { throttleTimeMs: 0, errorCode, sessionId: 0, responses };
}

export async function handleFetch(topics: TopicsService, body: FetchRequest, isClosed: () => boolean): Promise<InputOf<FetchResponse>> {
  // A session id other than 0 names a session we never created.
  if (body.sessionId !== 0) return answer([], ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  const plan: PlannedPartition[][] = body.topics.map((t) =>
    t.partitions.map((p) => ({
      topic: t.topic,
      index: p.partition,
      fetchOffset: p.fetchOffset,
      maxBytes: p.partitionMaxBytes,
      handle: topics.partition(t.topic, p.partition),
    })),
  );
  const first = readPass(plan, body);
  if (first.failed || first.bytes >= body.minBytes || body.maxWaitMs <= 0 || first.bytes >= body.maxBytes) return answer(first.responses);

  const handles = plan.flat().map((p) => p.handle as PartitionHandle);
  return new Promise((resolve) => {
    let done = false;
    const finish = (pass: ReadPass): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const unsubscribe of subscriptions) unsubscribe();
      resolve(answer(pass.responses));
    };
    const timer = setTimeout(() => finish(readPass(plan, body)), body.maxWaitMs);
    const subscriptions = handles.map((h) =>
      h.onAppend(() => {
        if (done) return;
        if (isClosed()) return finish(first);
        const pass = readPass(plan, body);
        if (pass.failed || pass.bytes >= body.minBytes) finish(pass);
      }),
    );
  });
}
