/**
 * The one error base class of Sluice. Every error carries a stable machine-readable `code`
 * (callers and tests branch on it, never on the message), says whether retrying the same
 * operation may succeed, and keeps its cause.
 */
export interface SluiceErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  /** Where the problem is: a file, key, line, topic/partition/offset... Rendered into the message. */
  context?: Record<string, unknown>;
}

export class SluiceError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable, context: this.context };
  }
}

/** Bad configuration or arguments given by a user. Never retriable: the input must change. */
export class ConfigError extends SluiceError {
  constructor(message: string, options: Omit<SluiceErrorOptions, 'retriable'> & { code?: string } = {}) {
    super(options.code ?? 'CONFIG_INVALID', message, { ...options, retriable: false });
  }
}

/** Bytes on disk or on the wire that do not follow the format they claim. */
export class CorruptDataError extends SluiceError {
  constructor(message: string, options: Omit<SluiceErrorOptions, 'retriable'> & { code?: string } = {}) {
    super(options.code ?? 'CORRUPT_DATA', message, { ...options, retriable: false });
  }
}

/** True when `err` is a SluiceError with the given code. */
export function hasCode(err: unknown, code: string): err is SluiceError {
  return err instanceof SluiceError && err.code === code;
}

/** Message of any thrown value, for logs and REST bodies. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
