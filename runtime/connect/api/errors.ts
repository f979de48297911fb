/**
 * Connect's exception types as SluiceErrors with stable codes. The worker's error handling keys on
 * them as Kafka Connect does: a RetriableException from poll/put is retried, anything else fails
 * the task (unless errors.tolerance says otherwise for conversion and transformation).
 */
import type { SluiceErrorOptions } from '../../util/errors.ts';
import { SluiceError } from '../../util/errors.ts';

export type ConnectErrorOptions = SluiceErrorOptions & { code?: string };

/** Base of every Connect error (Kafka's ConnectException). */
export class ConnectError extends SluiceError {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(options.code ?? 'CONNECT_ERROR', message, options);
  }
}

/** Data that does not fit its schema or cannot be converted (Kafka's DataException). */
export class DataException extends ConnectError {
  constructor(message: string, options: Omit<ConnectErrorOptions, 'retriable'> = {}) {
    super(message, { ...options, code: options.code ?? 'CONNECT_DATA', retriable: false });
  }
}

/** An invalid SchemaBuilder call (Kafka's SchemaBuilderException). */
export class SchemaBuilderException extends DataException {
  constructor(message: string, options: Omit<ConnectErrorOptions, 'retriable' | 'code'> = {}) {
    super(message, { ...options, code: 'CONNECT_SCHEMA_BUILDER' });
  }
}

/** A failure that may succeed when the same operation is tried again (Kafka's RetriableException). */
export class RetriableException extends ConnectError {
  constructor(message: string, options: Omit<ConnectErrorOptions, 'retriable'> = {}) {
    super(message, { ...options, code: options.code ?? 'CONNECT_RETRIABLE', retriable: true });
  }
}

/** A connector, task or plugin that does not exist (REST 404). */
export class NotFoundException extends ConnectError {
  constructor(message: string, options: Omit<ConnectErrorOptions, 'retriable' | 'code'> = {}) {
    super(message, { ...options, code: 'CONNECT_NOT_FOUND' });
  }
}

/** Something that already exists, e.g. a connector name (REST 409). */
export class AlreadyExistsException extends ConnectError {
  constructor(message: string, options: Omit<ConnectErrorOptions, 'retriable' | 'code'> = {}) {
    super(message, { ...options, code: 'CONNECT_ALREADY_EXISTS' });
  }
}

/** An operation that the current state of a connector or task does not allow. */
export class IllegalWorkerStateException extends ConnectError {
  constructor(message: string, options: Omit<ConnectErrorOptions, 'retriable' | 'code'> = {}) {
    super(message, { ...options, code: 'CONNECT_ILLEGAL_STATE' });
  }
}

/**
 * The context a connector or task got from initialize(). Using it earlier is a bug in the plugin,
 * so the error names the plugin class rather than failing on a null deep inside it.
 */
export function initializedContext<T>(context: T | null, plugin: object): T {
  if (context === null) throw new IllegalWorkerStateException(`${plugin.constructor.name} used before initialize()`);
  return context;
}
