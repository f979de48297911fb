/**
 * Errors of the file source, each with a stable code. Bad input names the file, the line and
 * the byte position, so an operator can find it with `sed -n Np` or `tail -c +P`.
 */
import { ConnectError } from '../../runtime/connect/api/index.ts';

/** Why a line could not become a record. */
export type BadLineReason = 'LINE_TOO_LONG' | 'MALFORMED_CHARSET' | 'PARSE_ERROR';

/** Where a line is: 1-based line number and the byte position of its first byte. */
export interface LineLocation {
  path: string;
  line: number;
  position: number;
}

export function describeLocation(at: LineLocation): string {
  return `${at.path} line ${at.line} (byte ${at.position})`;
}

/** A line that could not be turned into a record, raised when bad.line.policy=fail. */
export class BadLineError extends ConnectError {
  readonly reason: BadLineReason;
  readonly location: LineLocation;

  constructor(reason: BadLineReason, message: string, location: LineLocation, cause?: unknown) {
    super(`${describeLocation(location)}: ${message}`, {
      code: `FILE_${reason}`,
      retriable: false,
      ...(cause === undefined ? {} : { cause }),
      context: { file: location.path, line: location.line, position: location.position },
    });
    this.reason = reason;
    this.location = location;
  }
}

/** A file that cannot be read, moved or written (permissions, missing folder, full disk). */
export class FileAccessError extends ConnectError {
  constructor(message: string, path: string, cause?: unknown, retriable = false) {
    super(message, {
      code: 'FILE_ACCESS',
      retriable,
      ...(cause === undefined ? {} : { cause }),
      context: { file: path },
    });
  }
}

/** The error code of a Node fs error (ENOENT...), or undefined. */
export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** A file whose layout cannot work (a CSV header row without names or with duplicates, ...). */
export class FileFormatError extends ConnectError {
  constructor(message: string, path: string, cause?: unknown) {
    super(`${path}: ${message}`, {
      code: 'FILE_FORMAT',
      retriable: false,
      ...(cause === undefined ? {} : { cause }),
      context: { file: path },
    });
  }
}
