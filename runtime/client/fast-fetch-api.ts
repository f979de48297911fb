/**
 * Makes a platformatic Consumer hand back the records of its Fetch responses (versions 12–17)
 * as the raw bytes of each partition, for fetch-decoding.ts to turn into ConsumerRecords in one
 * pass, instead of platformatic's per-record objects. platformatic looks its Fetch API up through
 * the client's API resolver each time it fetches; the resolver is wrapped so that the request is
 * still platformatic's own encoding and only the response parser is ours. Everything else —
 * connections, fetch sessions, retries, read replicas — stays platformatic's. Older versions
 * (brokers before Kafka 2.7) keep platformatic's parser and its decoded batches.
 */
import type { Connection, Consumer, Reader, RecordsBatch } from '@platformatic/kafka';
import { ResponseError, fetchV12, fetchV13, fetchV14, fetchV15, fetchV16, fetchV17, kGetApi, readKnownTaggedFields } from '@platformatic/kafka';
import type { AbortedTransaction } from './fetch-decoding.ts';

type Callback = (error: Error | null, result?: unknown) => void;
type ApiResolver = (name: string, callback: (error: Error | null, api?: unknown) => void) => void;

interface FetchApi {
  (connection: Connection, ...args: unknown[]): void;
  key: number;
  version: number;
}

export interface RawFetchPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: AbortedTransaction[] | null;
  preferredReadReplica: number;
  /** Always null here, so that platformatic's own read_committed filter leaves the partition alone. */
  records: RecordsBatch[] | null;
  /** The partition's record batches as received; null when it returned none. */
  recordBytes?: Buffer | null;
}

export interface RawFetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  nodeEndpoints: unknown[];
  responses: Array<{ topicId: string; partitions: RawFetchPartition[] }>;
}

const REQUEST_ENCODERS = new Map<number, (...args: unknown[]) => unknown>([
  [12, fetchV12.createRequest as (...args: unknown[]) => unknown],
  [13, fetchV13.createRequest as (...args: unknown[]) => unknown],
  [14, fetchV14.createRequest as (...args: unknown[]) => unknown],
  [15, fetchV15.createRequest as (...args: unknown[]) => unknown],
  [16, fetchV16.createRequest as (...args: unknown[]) => unknown],
  [17, fetchV17.createRequest as (...args: unknown[]) => unknown],
]);

export function useRawFetchRecords(client: Consumer): void {
  const target = client as unknown as Record<symbol, ApiResolver>;
  const resolve = target[kGetApi].bind(client);
  const wrapped = new Map<FetchApi, FetchApi>();
  target[kGetApi] = (name, callback) =>
    resolve(name, (error, api) => {
      if (error !== null || name !== 'Fetch' || api === undefined || !REQUEST_ENCODERS.has((api as FetchApi).version)) {
        callback(error, api);
        return;
      }
      const original = api as FetchApi;
      let raw = wrapped.get(original);
      if (raw === undefined) {
        raw = rawFetchApi(original);
        wrapped.set(original, raw);
      }
      callback(null, raw);
    });
}

function rawFetchApi(original: FetchApi): FetchApi {
  const createRequest = REQUEST_ENCODERS.get(original.version)!;
  const api = ((connection: Connection, ...args: unknown[]) => {
    const callback = args.pop() as Callback;
    connection.send(
      original.key,
      original.version,
      () => createRequest(...args) as ReturnType<Parameters<Connection['send']>[2]>,
      parseFetchResponse as unknown as NonNullable<Parameters<Connection['send']>[3]>,
      true,
      true,
      callback as Parameters<Connection['send']>[6],
    );
  }) as FetchApi;
  api.key = original.key;
  api.version = original.version;
  return api;
}

/** Fetch response v12–v17 (flexible); topics by name up to v12, by id from v13. */
export function parseFetchResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: Reader): RawFetchResponse {
  const errors: Array<[string, [number, null]]> = [];
  const throttleTimeMs = reader.readInt32();
  const errorCode = reader.readInt16();
  if (errorCode !== 0) errors.push(['', [errorCode, null]]);
  const response: RawFetchResponse = {
    throttleTimeMs,
    errorCode,
    sessionId: reader.readInt32(),
    nodeEndpoints: [],
    responses: reader.readArray((r, i) => ({
      topicId: apiVersion <= 12 ? r.readString() : r.readUUID(),
      partitions: r.readArray((r, j) => {
        const partition: RawFetchPartition = {
          partitionIndex: r.readInt32(),
          errorCode: r.readInt16(),
          highWatermark: r.readInt64(),
          lastStableOffset: r.readInt64(),
          logStartOffset: r.readInt64(),
          abortedTransactions: r.readNullableArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() })),
          preferredReadReplica: r.readInt32(),
          records: null,
          recordBytes: null,
        };
        if (partition.errorCode !== 0) errors.push([`/responses/${i}/partitions/${j}`, [partition.errorCode, null]]);
        // COMPACT_RECORDS: length + 1, 0 for null.
        const size = r.readUnsignedVarInt() - 1;
        if (size > 0) {
          partition.recordBytes = r.buffer.subarray(r.position, r.position + size).buffer;
          r.skip(size);
        }
        // Diverging epoch, current leader and snapshot id are tagged fields this consumer does not use.
        readKnownTaggedFields(r, {});
        return partition;
      }, true, false),
    })),
  };
  readKnownTaggedFields(reader, {});
  if (errors.length > 0) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}
