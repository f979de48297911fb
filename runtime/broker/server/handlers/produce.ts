import type { Logger } from '../../../observability/logger.ts';
import { SluiceError, messageOf } from '../../../util/errors.ts';
import { BATCH_LENGTH, LOG_OVERHEAD, MAGIC, readBatchHeader } from '../../log/batch-header.ts';
import { forEachRecordKey } from '../../log/records.ts';
import { isCompacted } from '../../log/topic-config.ts';
import { ErrorCode } from '../../protocol/index.ts';
import type { InputOf, ProduceRequest, ProduceResponse } from '../../protocol/index.ts';
import { CloseConnection } from '../connection.ts';
import { errorCodeOf } from '../error-mapping.ts';
import type { WrittenAppend } from '../../storage/partition-log.ts';
import type { PartitionHandle, TopicsService } from '../topics.ts';
import type { RequestScope } from './scope.ts';

/**
 * Produce: each partition's batch is checked (one batch of magic 2 per partition, as Kafka
 * requires from v3 on; keys on compacted topics; idempotent sequence), appended as bytes, and
 * answered with its base offset. A retried idempotent batch is answered with the offset it got
 * the first time, without a second append. acks=0 gets no response at all; when it failed, the
 * connection is closed (as Kafka does), which is how such a producer learns of it.
 */
type PartitionResponse = InputOf<ProduceResponse>['responses'] extends (infer T)[] | undefined
  ? T extends { partitionResponses?: (infer P)[] }
    ? P
    : never
  : never;

const ACKS_NONE = 0;

function failure(index: number, errorCode: number, message: string | null = null): PartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: message };
}

/** Checks the records field as Kafka's ProduceRequest.validateRecords does: exactly one batch, magic 2. */
function singleBatchProblem(records: Buffer): string | undefined {
  if (records.length < LOG_OVERHEAD + 5) return `records field of ${records.length} bytes holds no record batch`;
  const size = LOG_OVERHEAD + records.readInt32BE(BATCH_LENGTH);
  if (records[MAGIC] !== 2) return `record batch magic ${records[MAGIC]} is not supported (only 2, Kafka 0.11+)`;
  if (size < records.length) return 'produce requests must carry exactly one record batch per partition';
  return undefined;
}

/** Compacted topics need a key on every record (Kafka: INVALID_RECORD with the record's index). */
function missingKey(records: Buffer, source: string): number | undefined {
  let index = 0;
  let missing: number | undefined;
  forEachRecordKey(records, 0, (r) => {
    if (r.key === null && missing === undefined) missing = index;
    index++;
  }, { source });
  return missing;
}

function producePartition(
  partition: PartitionHandle,
  index: number,
  records: Buffer | null,
  log: Logger,
): PartitionResponse | Promise<PartitionResponse> {
  if (records === null) return failure(index, ErrorCode.CORRUPT_MESSAGE, 'records field is null');
  const problem = singleBatchProblem(records);
  if (problem !== undefined) return failure(index, ErrorCode.INVALID_RECORD, problem);
  const where = `${partition.topic}-${partition.index}`;
  if (isCompacted(partition.log.config)) {
    let keyless: number | undefined;
    try {
      keyless = missingKey(records, where);
    } catch (err) {
      return failure(index, ErrorCode.CORRUPT_MESSAGE, messageOf(err));
    }
    if (keyless !== undefined) {
      const message = `compacted topic ${partition.topic} needs a key on every record; record ${keyless} has none`;
      return { ...failure(index, ErrorCode.INVALID_RECORD, message), recordErrors: [{ batchIndex: keyless, batchIndexErrorMessage: message }] };
    }
  }
  const header = readBatchHeader(records);
  const idempotent = header.producerId >= 0n;
  const incoming = { producerId: header.producerId, epoch: header.producerEpoch, firstSeq: header.baseSequence, recordCount: header.recordCount };
  if (idempotent) {
    if (header.baseSequence < 0) return failure(index, ErrorCode.INVALID_RECORD, `batch of producer ${header.producerId} has no sequence number`);
    const check = partition.producers.check(incoming, where);
    if (check.kind === 'duplicate') {
      return { index, errorCode: ErrorCode.NONE, baseOffset: check.batch.firstOffset, logAppendTimeMs: -1n, logStartOffset: partition.log.logStartOffset, recordErrors: [], errorMessage: null };
    }
    if (check.kind === 'error') return failure(index, ErrorCode[check.error], check.message);
  }
  const failed = (err: unknown): PartitionResponse => {
    const code = errorCodeOf(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR || code === ErrorCode.KAFKA_STORAGE_ERROR) log.error({ err: messageOf(err), partition: where }, 'append failed');
    return failure(index, code, err instanceof SluiceError ? err.message : messageOf(err));
  };
  let written: WrittenAppend;
  try {
    // Written and given offsets now: the producer table learns the batch before a retry of it can
    // arrive, even while this append still waits for an fsync.
    written = partition.appendWritten(records);
  } catch (err) {
    return failed(err);
  }
  const { result, durable } = written;
  if (idempotent) partition.producers.record(incoming, result.baseOffset, result.lastOffset, header.maxTimestamp);
  const response: PartitionResponse = {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: result.baseOffset,
    logAppendTimeMs: result.logAppendTime,
    logStartOffset: result.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
  return durable === undefined ? response : durable.then(() => response, failed);
}

/**
 * Answers at once (no promise) when no partition has to wait, so an acks=1 answer leaves before
 * the connection handles the next request; otherwise the promise settles once every partition's
 * append may be acknowledged.
 */
export function handleProduce(
  scope: RequestScope,
  topics: TopicsService,
  body: ProduceRequest,
  log: Logger,
): InputOf<ProduceResponse> | CloseConnection | null | Promise<InputOf<ProduceResponse> | CloseConnection | null> {
  const acks = body.acks;
  const results: { topic: string; response: PartitionResponse }[] = [];
  const waits: Promise<void>[] = [];
  for (const t of body.topicData) {
    for (const p of t.partitionData) {
      const answer = (response: PartitionResponse): void => {
        results.push({ topic: t.name, response });
      };
      if (scope.apiVersion < 3) {
        answer(failure(p.index, ErrorCode.UNSUPPORTED_VERSION, 'Produce v0-2 (message format v0/v1) is not supported; use v3 or later'));
        continue;
      }
      if (acks !== 0 && acks !== 1 && acks !== -1) {
        answer(failure(p.index, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${acks}`));
        continue;
      }
      if (body.transactionalId !== null) {
        answer(failure(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported by this broker'));
        continue;
      }
      const partition = topics.partition(t.name, p.index);
      if (partition === undefined) {
        answer(failure(p.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${t.name}-${p.index} does not exist`));
        continue;
      }
      if (partition.internal) {
        answer(failure(p.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`));
        continue;
      }
      const outcome = producePartition(partition, p.index, p.records, log);
      if (outcome instanceof Promise) {
        // Keeps the partition's place in the response; filled in when its append may be acknowledged.
        const slot = { topic: t.name, response: failure(p.index, ErrorCode.UNKNOWN_SERVER_ERROR) };
        results.push(slot);
        waits.push(outcome.then((response) => void (slot.response = response)));
      } else answer(outcome);
    }
  }
  if (waits.length === 0) return respond(acks, results);
  return Promise.all(waits).then(() => respond(acks, results));
}

function respond(acks: number, results: { topic: string; response: PartitionResponse }[]): InputOf<ProduceResponse> | CloseConnection | null {
  if (acks === ACKS_NONE) {
    const failed = results.find((r) => r.response.errorCode !== ErrorCode.NONE);
    if (failed === undefined) return null;
    return new CloseConnection(`acks=0 produce to ${failed.topic}-${failed.response.index} failed with error ${failed.response.errorCode}: ${failed.response.errorMessage ?? ''}`);
  }
  const byTopic = new Map<string, PartitionResponse[]>();
  for (const r of results) {
    const list = byTopic.get(r.topic);
    if (list === undefined) byTopic.set(r.topic, [r.response]);
    else list.push(r.response);
  }
  return {
    responses: [...byTopic].map(([name, partitionResponses]) => ({ name, partitionResponses })),
    throttleTimeMs: 0,
  };
}
