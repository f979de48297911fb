/**
 * Errors of the @elastic/elasticsearch client, sorted into "try again" (connection failures,
 * timeouts, HTTP 408/429/5xx) and "will not work" (bad request, authentication, anything else),
 * with the message naming what failed and Elasticsearch's own error type and reason.
 */
import { errors } from '@elastic/elasticsearch';
import { BulkRequestError } from './bulk-writer.ts';
import { isRetriableStatus } from './item-outcome.ts';

const RETRIABLE_CLIENT_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError', 'RequestAbortedError']);

/** Elasticsearch's error type and reason from a response body, when it has them. */
function responseReason(body: unknown): string {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object') {
    const { type, reason } = error as { type?: unknown; reason?: unknown };
    return `${String(type)}: ${String(reason)}`;
  }
  return typeof body === 'string' ? body.slice(0, 500) : '';
}

/** The HTTP status of a client error, or null when there was no response. */
export function statusOf(error: unknown): number | null {
  return error instanceof errors.ResponseError ? error.statusCode ?? null : null;
}

/** Elasticsearch's error type (e.g. resource_already_exists_exception), when the response has one. */
export function errorTypeOf(error: unknown): string | null {
  if (!(error instanceof errors.ResponseError)) return null;
  const type = (error.body as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' ? type : null;
}

export function isRetriableClientError(error: unknown): boolean {
  if (error instanceof BulkRequestError) return error.retriable;
  if (error instanceof errors.ResponseError) return isRetriableStatus(error.statusCode ?? 0);
  return error instanceof Error && RETRIABLE_CLIENT_ERRORS.has(error.name);
}

/** A client error as a BulkRequestError whose message says what was attempted. */
export function toRequestError(error: unknown, what: string): BulkRequestError {
  if (error instanceof BulkRequestError) return error;
  const retriable = isRetriableClientError(error);
  const status = statusOf(error);
  let detail: string;
  if (error instanceof errors.ResponseError) {
    detail = `HTTP ${status}${responseReason(error.body) === '' ? '' : ` ${responseReason(error.body)}`}`;
    if (status === 413) detail += ' (the request is larger than http.max_content_length allows: lower bulk.size.bytes)';
    if (status === 401 || status === 403) detail += ' (check connection.username/connection.password or connection.api.key and the privileges they grant)';
  } else if (error instanceof errors.ProductNotSupportedError) {
    detail = 'the server is not Elasticsearch (it does not send X-Elastic-Product: Elasticsearch)';
  } else {
    detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  return new BulkRequestError(`Failed to ${what}: ${detail}`, { retriable, status, cause: error });
}
