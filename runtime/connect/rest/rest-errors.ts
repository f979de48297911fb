/**
 * REST errors and how every failure becomes Kafka Connect's error body
 * `{"error_code": <http status>, "message": ...}`: errors of the REST layer carry their status,
 * the herder's typed errors map through httpStatusOf, fastify's own request errors (body too
 * large, bad Content-Length) keep their 4xx status, and anything else is a 500.
 */
import { SluiceError, messageOf } from '../../util/errors.ts';
import { httpStatusOf } from '../herder/herder-errors.ts';

export interface ErrorBody {
  error_code: number;
  message: string;
}

/** An error of the REST layer itself (bad request body, unknown route, ...), with its HTTP status. */
export class RestError extends SluiceError {
  readonly status: number;

  constructor(status: number, code: string, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(code, message, { ...options, retriable: status === 503 || status === 504 });
    this.status = status;
  }
}

export function badRequest(message: string, context: Record<string, unknown> = {}, cause?: unknown): RestError {
  return new RestError(400, 'REST_BAD_REQUEST', message, { context, cause });
}

export function notFound(message: string): RestError {
  return new RestError(404, 'REST_NOT_FOUND', message);
}

/** Fastify's request errors carry a status and an `FST_` code. */
function fastifyStatus(err: unknown): number | undefined {
  const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_') || typeof statusCode !== 'number') return undefined;
  return statusCode >= 400 && statusCode < 500 ? statusCode : undefined;
}

function fastifyMessage(err: unknown, status: number, bodyLimit: number): string {
  const code = (err as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `Request body is larger than the limit of ${bodyLimit} bytes`;
  if (status === 415) return 'Unsupported Content-Type: send JSON with "Content-Type: application/json"';
  return messageOf(err);
}

/** The status and body for any error thrown while serving a request. */
export function errorReply(err: unknown, bodyLimit: number): { status: number; body: ErrorBody } {
  let status: number;
  let message: string;
  if (err instanceof RestError) {
    status = err.status;
    message = err.message;
  } else {
    const fromFastify = fastifyStatus(err);
    status = fromFastify ?? httpStatusOf(err);
    message = fromFastify === undefined ? messageOf(err) : fastifyMessage(err, fromFastify, bodyLimit);
  }
  return { status, body: { error_code: status, message: message === '' ? `HTTP ${status}` : message } };
}
