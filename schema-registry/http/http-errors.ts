/**
 * Error bodies exactly as Confluent's REST layer writes them: always {"error_code", "message"}.
 * Registry errors carry their own code; framework-level failures use the HTTP status as the code
 * with Jersey's "HTTP 404 Not Found" style text; malformed JSON is 400 with the parser's message.
 */
import { STATUS_CODES } from 'node:http';
import { RegistryError, type RegistryErrorBody } from '../core/index.ts';
import { SluiceError } from '../../runtime/util/errors.ts';

/** A failure of the HTTP layer itself (bad body, unsupported media type, unknown route...). */
export class HttpError extends SluiceError {
  readonly httpStatus: number;
  readonly errorCode: number;

  constructor(httpStatus: number, message: string, options: { errorCode?: number; code?: string; cause?: unknown } = {}) {
    super(options.code ?? `HTTP_${httpStatus}`, message, { cause: options.cause });
    this.httpStatus = httpStatus;
    this.errorCode = options.errorCode ?? httpStatus;
  }
}

/** Jersey's text for a bare status: "HTTP 404 Not Found". */
export function statusText(status: number): string {
  const reason = status === 413 ? 'Request Entity Too Large' : (STATUS_CODES[status] ?? 'Error');
  return `HTTP ${status} ${reason}`;
}

export const notFound = (): HttpError => new HttpError(404, statusText(404), { code: 'ROUTE_NOT_FOUND' });
export const notAcceptable = (): HttpError => new HttpError(406, statusText(406), { code: 'NOT_ACCEPTABLE' });
export const unsupportedMediaType = (): HttpError => new HttpError(415, statusText(415), { code: 'UNSUPPORTED_MEDIA_TYPE' });

/** Jackson's mapping failure: the body parsed but does not have the expected shape. */
export const badBody = (message: string): HttpError => new HttpError(400, message, { code: 'INVALID_REQUEST_BODY' });
/** Jersey's answer to a missing required body. */
export const missingBody = (): HttpError => new HttpError(422, 'The request body may not be null', { code: 'MISSING_REQUEST_BODY' });

export interface ErrorReply {
  status: number;
  body: RegistryErrorBody;
}

/** The status and body for anything a route or the framework threw. */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof RegistryError) return { status: err.httpStatus, body: err.toBody() };
  if (err instanceof HttpError) return { status: err.httpStatus, body: { error_code: err.errorCode, message: err.message } };
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error_code: status, message: statusText(status) } };
  }
  return { status: 500, body: { error_code: 500, message: 'Internal Server Error' } };
}
