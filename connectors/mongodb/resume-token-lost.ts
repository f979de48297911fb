/** Recognises the errors that mean a stored resume token can no longer be used. */
import { MongoServerError } from 'mongodb';

// ChangeStreamHistoryLost, ChangeStreamFatalError, InvalidResumeToken.
const LOST_TOKEN_CODES = new Set([286, 280, 260]);
const LOST_TOKEN_MESSAGE = /resume (token|point)|no longer (be )?in the oplog|history (is )?lost|cannot resume|resumeAfter|startAfter/i;

export function isResumeTokenLost(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  if (typeof error.code === 'number' && LOST_TOKEN_CODES.has(error.code)) return true;
  return LOST_TOKEN_MESSAGE.test(error.message);
}
