/**
 * What one item of a bulk response means for its record:
 * - ok: written (2xx), a delete of a missing document (404), or a version conflict on an
 *   externally versioned write or a data stream `create` (a newer or the same record is stored);
 * - retry: 429 (rejected, e.g. full write queue or flood-stage disk), 408 and 5xx;
 * - malformed: the document does not fit (mapping and parsing errors) → dead letter queue, then
 *   behavior.on.malformed.documents;
 * - conflict: another version conflict → dead letter queue, then done (as Confluent's connector);
 * - failed: anything else (e.g. 403 on a read-only or forbidden index) → dead letter queue, task fails.
 */
import type { BulkAction } from './bulk-action.ts';

export interface ItemError {
  type: string;
  reason: string;
  causedBy?: { type: string; reason: string };
}

export interface ItemResult {
  status: number;
  error?: ItemError;
}

export type ItemOutcome =
  | { kind: 'ok' }
  | { kind: 'retry' | 'malformed' | 'conflict' | 'failed'; status: number; error: ItemError };

export const OK: ItemOutcome = Object.freeze({ kind: 'ok' });

const MALFORMED_TYPES = new Set([
  'mapper_parsing_exception',
  'document_parsing_exception',
  'strict_dynamic_mapping_exception',
  'illegal_argument_exception',
  'action_request_validation_exception',
]);

const VERSION_CONFLICT = 'version_conflict_engine_exception';

export function isRetriableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

export function classifyItem(action: Pick<BulkAction, 'type' | 'externalVersion'>, result: ItemResult): ItemOutcome {
  const { status, error } = result;
  if (status >= 200 && status < 300) return OK;
  if (status === 404 && action.type === 'delete' && (error === undefined || error.type === 'not_found')) return OK;
  const itemError = error ?? { type: `http_${status}`, reason: `status ${status}` };
  if (itemError.type === VERSION_CONFLICT) {
    return action.externalVersion || action.type === 'create' ? OK : { kind: 'conflict', status, error: itemError };
  }
  if (isRetriableStatus(status)) return { kind: 'retry', status, error: itemError };
  if (MALFORMED_TYPES.has(itemError.type)) return { kind: 'malformed', status, error: itemError };
  return { kind: 'failed', status, error: itemError };
}

/** `type: reason (caused by type: reason)`, for logs and dead letter queue messages. */
export function describeItemError(error: ItemError): string {
  const cause = error.causedBy === undefined ? '' : ` (caused by ${error.causedBy.type}: ${error.causedBy.reason})`;
  return `${error.type}: ${error.reason}${cause}`;
}
