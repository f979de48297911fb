/**
 * Classifies driver errors: which are worth retrying (network, elections, timeouts), which are
 * per-item write errors of a bulk, and which failed a whole command.
 */
import { MongoBulkWriteError, MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';

// Server codes that mean "try again later": HostUnreachable, HostNotFound, NetworkTimeout,
// ShutdownInProgress, PrimarySteppedDown, ExceededTimeLimit, SocketException, NotWritablePrimary,
// InterruptedAtShutdown, InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk,
// NotPrimaryOrSecondary, MaxTimeMSExpired, WriteConcernFailed, StaleConfig, NetworkInterfaceExceededTimeLimit.
const RETRIABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 50, 64, 13388, 63]);

// The driver sometimes wraps a connection failure into a MongoBulkWriteError whose only trace of
// it is the message (e.g. "connect ECONNREFUSED" while the server restarts).
const CONNECTION_MESSAGE = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|connection .*(closed|reset)|Server selection timed out/i;

export function isRetriableMongoError(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (!(error instanceof MongoError)) return false;
  if (typeof error.code !== 'number' && CONNECTION_MESSAGE.test(error.message)) return true;
  if (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('ResetPool')) return true;
  if (typeof error.code === 'number' && RETRIABLE_CODES.has(error.code)) return true;
  if (error instanceof MongoBulkWriteError && error.writeConcernError !== undefined && error.writeConcernError !== null) return true;
  // A MongoBulkWriteError may wrap the network error that ended it.
  return error.cause !== undefined && error.cause !== error && isRetriableMongoError(error.cause);
}

export interface ItemError {
  readonly index: number;
  readonly code: number;
  readonly message: string;
}

/** The per-item errors of a bulk write, or null when the error is not about single items. */
export function itemErrors(error: unknown): ItemError[] | null {
  if (!(error instanceof MongoBulkWriteError)) return null;
  const errors = error.writeErrors;
  const list = Array.isArray(errors) ? errors : [errors];
  if (list.length === 0) return null;
  return list.map((item) => ({ index: item.index, code: item.code, message: item.errmsg ?? 'write error' }));
}

export function describeMongoError(error: unknown): string {
  if (error instanceof MongoError) return `${error.name}${error.code === undefined ? '' : ` (code ${error.code})`}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
