/**
 * One operation of a bulk request: its action line and (except for deletes) its source line,
 * pre-serialized once so retries resend the same bytes. The flags tell how Elasticsearch's
 * answer is read (a version conflict on an externally versioned write means "already newer").
 */

export type BulkActionType = 'index' | 'create' | 'update' | 'delete';

export interface BulkAction {
  readonly type: BulkActionType;
  readonly index: string;
  readonly id: string | null;
  /** The id is the record's topic+partition+offset (key ignored). */
  readonly idFromCoordinates: boolean;
  /** The action line, e.g. {"index":{"_index":"orders","_id":"42","version":7,"version_type":"external"}}. */
  readonly header: string;
  /** The source line, or null for deletes. */
  readonly body: string | null;
  /** Written with version_type=external: a version conflict means a newer version is stored. */
  readonly externalVersion: boolean;
  /**
   * Operations with the same key must reach Elasticsearch in order (upserts and unversioned
   * deletes of one document); null when order does not matter.
   */
  readonly orderKey: string | null;
}

export interface ActionInit {
  type: BulkActionType;
  index: string;
  /** JSON-quoted index name, cached per index by the caller. */
  quotedIndex: string;
  id: string | null;
  /** The id as a JSON string, when the caller has it at hand (else it is quoted here). */
  quotedId?: string;
  /** The id is the record's topic+partition+offset. */
  idFromCoordinates?: boolean;
  /** A whole number as decimal text; with it the write is externally versioned. */
  version: string | null;
  retryOnConflict?: number;
  body: string | null;
  ordered: boolean;
}

export function bulkAction(init: ActionInit): BulkAction {
  let meta = `{"_index":${init.quotedIndex}`;
  if (init.id !== null) meta += `,"_id":${init.quotedId ?? JSON.stringify(init.id)}`;
  if (init.version !== null) meta += `,"version":${init.version},"version_type":"external"`;
  if (init.retryOnConflict !== undefined) meta += `,"retry_on_conflict":${init.retryOnConflict}`;
  return {
    type: init.type,
    index: init.index,
    id: init.id,
    idFromCoordinates: init.idFromCoordinates === true,
    header: `{"${init.type}":${meta}}}`,
    body: init.body,
    externalVersion: init.version !== null,
    orderKey: init.ordered && init.id !== null ? `${init.index}\u0000${init.id}` : null,
  };
}
