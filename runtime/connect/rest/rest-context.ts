/**
 * What every route needs: the herder, a bounded wait for its answers (Kafka Connect gives up
 * after 90 s with a 500, so that a hung operation never holds a client forever), and a logger.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../observability/logger.ts';
import { RestError } from './rest-errors.ts';
import type { RestHerder } from './rest-herder.ts';

export interface RestContext {
  herder: RestHerder;
  logger: Logger | undefined;
  /** Runs a herder operation; a throw or a rejection is the error, no answer in time a 500. */
  call<T>(operation: () => T | Promise<T>, timeoutMs?: number): Promise<T>;
}

export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function requestTimedOut(timeoutMs: number): RestError {
  return new RestError(500, 'REST_TIMEOUT', `Request timed out: the worker did not complete it within ${timeoutMs} ms`, { context: { timeoutMs } });
}

/** A call() bounded by `defaultTimeoutMs`. */
export function boundedCall(defaultTimeoutMs: number): RestContext['call'] {
  return async <T>(operation: () => T | Promise<T>, timeoutMs = defaultTimeoutMs): Promise<T> => {
    const answer = operation();
    if (!(answer instanceof Promise)) return answer;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(requestTimedOut(timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
