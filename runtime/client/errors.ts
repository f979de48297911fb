import { SluiceError } from '../util/errors.ts';
import type { SluiceErrorOptions } from '../util/errors.ts';

/**
 * Errors of the Kafka client facade. Whatever @platformatic/kafka throws is wrapped into one of
 * these, keeping the original as `cause`, so callers branch on stable codes and `retriable`.
 *
 * - BrokerError: the broker answered with a Kafka error code; `code` is Kafka's error name
 *   (TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION, ...), as Kafka users know them.
 * - KafkaConnectionError: the broker could not be reached or did not answer in time.
 * - KafkaClientError: anything else the client detected (bad arguments, closed client, ...).
 */
export class KafkaClientError extends SluiceError {}

export class BrokerError extends KafkaClientError {
  /** Kafka's numeric error code (e.g. 36 for TOPIC_ALREADY_EXISTS), -1 when unknown. */
  readonly kafkaErrorCode: number;

  constructor(name: string, kafkaErrorCode: number, message: string, options: SluiceErrorOptions = {}) {
    super(name, message, options);
    this.kafkaErrorCode = kafkaErrorCode;
  }
}

export class KafkaConnectionError extends KafkaClientError {
  constructor(code: 'KAFKA_NETWORK' | 'KAFKA_TIMEOUT', message: string, options: Omit<SluiceErrorOptions, 'retriable'> = {}) {
    super(code, message, { ...options, retriable: true });
  }
}

/** A commit was refused because the group rebalanced; the records will be delivered again to the new owner. */
export const COMMIT_FAILED_REBALANCE = 'COMMIT_FAILED_REBALANCE';

interface PlatformaticErrorShape {
  code?: unknown;
  message?: unknown;
  apiId?: unknown;
  apiCode?: unknown;
  canRetry?: unknown;
  serverErrorMessage?: unknown;
  errors?: unknown;
}

/** The Kafka error names (apiId) found in a platformatic error tree, first occurrence first. */
export function kafkaErrorNames(err: unknown): string[] {
  const names: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== 'object' || e === null) return;
    const shape = e as PlatformaticErrorShape;
    if (typeof shape.apiId === 'string' && !names.includes(shape.apiId)) names.push(shape.apiId);
    if (Array.isArray(shape.errors)) for (const inner of shape.errors) visit(inner, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(err, 0);
  return names;
}

/** The deepest protocol error carrying `apiId`, for its numeric code and retriability. */
function findProtocolError(err: unknown, depth = 0): PlatformaticErrorShape | undefined {
  if (depth > 8 || typeof err !== 'object' || err === null) return undefined;
  const shape = err as PlatformaticErrorShape;
  if (typeof shape.apiId === 'string') return shape;
  if (Array.isArray(shape.errors)) {
    for (const inner of shape.errors) {
      const found = findProtocolError(inner, depth + 1);
      if (found) return found;
    }
  }
  return findProtocolError((err as { cause?: unknown }).cause, depth + 1);
}

function hasPlatformaticCode(err: unknown, code: string, depth = 0): boolean {
  if (depth > 8 || typeof err !== 'object' || err === null) return false;
  const shape = err as PlatformaticErrorShape;
  if (shape.code === code) return true;
  if (Array.isArray(shape.errors) && shape.errors.some((inner) => hasPlatformaticCode(inner, code, depth + 1))) return true;
  return hasPlatformaticCode((err as { cause?: unknown }).cause, code, depth + 1);
}

/** Messages of a platformatic error tree joined, innermost detail last (its own messages are terse). */
function detail(err: unknown): string {
  const parts: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== 'object' || e === null) return;
    const shape = e as PlatformaticErrorShape;
    if (typeof shape.message === 'string' && shape.message !== '' && !parts.includes(shape.message)) parts.push(shape.message);
    if (typeof shape.serverErrorMessage === 'string' && shape.serverErrorMessage !== '' && !parts.includes(shape.serverErrorMessage)) {
      parts.push(shape.serverErrorMessage);
    }
    if (Array.isArray(shape.errors)) for (const inner of shape.errors.slice(-3)) visit(inner, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(err, 0);
  return parts.join(': ');
}

/**
 * Wraps anything thrown by @platformatic/kafka (or by the network under it) into a
 * KafkaClientError. `what` says what was being done ("producing to orders-0", "creating topic t");
 * `context` names the topic, partition, group... it concerned. SluiceErrors pass through.
 */
export function wrapKafkaError(err: unknown, what: string, context: Record<string, unknown> = {}): SluiceError {
  if (err instanceof SluiceError) return err;
  const protocol = findProtocolError(err);
  if (protocol && typeof protocol.apiId === 'string') {
    const name = protocol.apiId;
    const server = typeof protocol.serverErrorMessage === 'string' && protocol.serverErrorMessage !== '' ? ` (${protocol.serverErrorMessage})` : '';
    return new BrokerError(name, typeof protocol.apiCode === 'number' ? protocol.apiCode : -1, `${what}: ${name}: ${String(protocol.message)}${server}`, {
      retriable: protocol.canRetry === true,
      cause: err,
      context,
    });
  }
  if (hasPlatformaticCode(err, 'PLT_KFK_TIMEOUT')) {
    return new KafkaConnectionError('KAFKA_TIMEOUT', `${what}: timed out: ${detail(err)}`, { cause: err, context });
  }
  if (hasPlatformaticCode(err, 'PLT_KFK_NETWORK') || isSocketError(err)) {
    return new KafkaConnectionError('KAFKA_NETWORK', `${what}: cannot reach the broker: ${detail(err)}`, { cause: err, context });
  }
  if (hasPlatformaticCode(err, 'PLT_KFK_UNSUPPORTED_API') || hasPlatformaticCode(err, 'PLT_KFK_UNSUPPORTED')) {
    return new KafkaClientError('KAFKA_UNSUPPORTED', `${what}: the broker does not support this: ${detail(err)}`, { cause: err, context });
  }
  // platformatic turns a metadata UNKNOWN_TOPIC_OR_PARTITION into a plain "Unknown topic x." UserError.
  const unknownTopic = /^Unknown topic (.*)\.$/.exec(err instanceof Error ? err.message : '');
  if (unknownTopic && hasPlatformaticCode(err, 'PLT_KFK_USER')) {
    return new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', 3, `${what}: UNKNOWN_TOPIC_OR_PARTITION: topic ${unknownTopic[1]} does not exist`, {
      retriable: true,
      cause: err,
      context: { topic: unknownTopic[1], ...context },
    });
  }
  if (hasPlatformaticCode(err, 'PLT_KFK_USER')) {
    return new KafkaClientError('KAFKA_CLIENT_USAGE', `${what}: ${detail(err)}`, { cause: err, context });
  }
  const message = err instanceof Error ? detail(err) || err.message : String(err);
  return new KafkaClientError('KAFKA_CLIENT_ERROR', `${what}: ${message}`, { cause: err, context });
}

function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code);
}
