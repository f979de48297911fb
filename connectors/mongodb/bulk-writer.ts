/**
 * Writes a run of records for one namespace with one bulkWrite and works out which records
 * failed: per-item write errors map back to their records (with ordered writes, the records after
 * the first failure were not attempted and are written again); when the server fails the whole
 * command instead (FerretDB does for updates), the run is split in halves until the bad record is
 * alone, so only it is reported. Retriable errors propagate to the caller, which retries.
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { MongoError } from 'mongodb';
import { ConnectError } from '../../runtime/connect/api/index.ts';
import type { ItemError } from './mongo-errors.ts';
import { describeMongoError, isRetriableMongoError, itemErrors } from './mongo-errors.ts';
import type { Namespace } from './namespace.ts';
import type { RecordWrite } from './record-writes.ts';

/** The driver call: thin so that tests can put a fake server behind it. */
export type BulkWriteFn = (namespace: Namespace, operations: Array<AnyBulkWriteOperation<Document>>, ordered: boolean) => Promise<void>;

export interface FailedWrite {
  readonly write: RecordWrite;
  readonly error: Error;
}

export class WriteFailedError extends ConnectError {
  constructor(message: string, cause: unknown) {
    super(message, { code: 'MONGODB_WRITE_FAILED', cause });
  }
}

/** Writes `writes` (all for one namespace); resolves with the records that failed on their own. */
export async function writeRun(bulkWrite: BulkWriteFn, writes: readonly RecordWrite[], ordered: boolean): Promise<FailedWrite[]> {
  if (writes.length === 0) return [];
  const namespace = writes[0]!.namespace;
  try {
    await bulkWrite(namespace, writes.map((write) => write.operation), ordered);
    return [];
  } catch (error) {
    if (isRetriableMongoError(error)) throw error;
    const items = itemErrors(error);
    if (items !== null && !commandLevelFailure(writes, items)) {
      const failed = items.map((item) => ({ write: writes[item.index]!, error: itemError(writes[item.index]!, item.code, item.message) }));
      if (!ordered) return failed;
      const first = Math.min(...items.map((item) => item.index));
      return [...failed.filter((f) => f.write === writes[first]), ...(await writeRun(bulkWrite, writes.slice(first + 1), ordered))];
    }
    if (!(error instanceof MongoError)) throw error;
    // The whole command failed: find the record(s) to blame by halving (the writes that are
    // written again are updates, replaces or deletes, which are idempotent).
    if (writes.length === 1) return [{ write: writes[0]!, error: itemError(writes[0]!, typeof error.code === 'number' ? error.code : 0, describeMongoError(error)) }];
    const middle = Math.ceil(writes.length / 2);
    const head = await writeRun(bulkWrite, writes.slice(0, middle), ordered);
    const tail = await writeRun(bulkWrite, writes.slice(middle), ordered);
    return [...head, ...tail];
  }
}

/**
 * The driver reports a command that failed as a whole (ok: 0) as a single write error at the index
 * of the command's first operation. FerretDB fails update commands that way whatever statement was
 * bad, so such an error does not say which record is to blame. Inserts report real indexes.
 */
function commandLevelFailure(writes: readonly RecordWrite[], items: readonly ItemError[]): boolean {
  if (writes.length < 2 || items.length !== 1) return false;
  const index = items[0]!.index;
  const kind = operationKind(writes[index]!);
  if (kind === 'insertOne') return false;
  return index === 0 || operationKind(writes[index - 1]!) !== kind;
}

function operationKind(write: RecordWrite): string {
  return Object.keys(write.operation)[0] ?? '';
}

function itemError(write: RecordWrite, code: number, message: string): Error {
  const { record, namespace } = write;
  return new WriteFailedError(
    `MongoDB rejected the write of ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset} to ${namespace.database}.${namespace.collection} (code ${code}): ${message}`,
    undefined,
  );
}
