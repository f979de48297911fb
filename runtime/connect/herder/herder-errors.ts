/**
 * Errors the herder throws, and the HTTP status Kafka Connect's REST API answers each with
 * (`{"error_code": status, "message": ...}`).
 */
import { ConfigError, SluiceError } from '../../util/errors.ts';
import { AlreadyExistsException, ConnectError, IllegalWorkerStateException, NotFoundException } from '../api/index.ts';

/** A request that cannot be served as asked: bad config, wrong state for the operation (HTTP 400). */
export class BadRequestException extends ConnectError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { ...options, code: 'CONNECT_BAD_REQUEST' });
  }
}

/** An operation the worker's config forbids, e.g. topic tracking disabled (HTTP 403). */
export class ForbiddenException extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'CONNECT_FORBIDDEN' });
  }
}

/** The HTTP status for an error thrown by the herder: 404, 409, 400, 403, else 500. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof NotFoundException) return 404;
  if (err instanceof AlreadyExistsException) return 409;
  if (err instanceof ForbiddenException) return 403;
  if (err instanceof BadRequestException || err instanceof ConfigError || err instanceof IllegalWorkerStateException) return 400;
  if (err instanceof SluiceError && err.code.startsWith('CONFIG_')) return 400;
  return 500;
}
