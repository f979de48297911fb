/**
 * Registers a path with its methods; the other methods of that path answer 405 with an Allow
 * header (as Jersey does), so that `curl -X POST /connectors/x/status` says what went wrong
 * instead of "not found".
 */
import type { FastifyInstance } from 'fastify';
import type { RouteHandler } from './rest-context.ts';
import { RestError } from './rest-errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function route(app: FastifyInstance, url: string, handlers: Partial<Record<Method, RouteHandler>>): void {
  const allowed = METHODS.filter((m) => handlers[m] !== undefined);
  for (const method of allowed) app.route({ method, url, handler: handlers[method]! });
  const others = METHODS.filter((m) => handlers[m] === undefined);
  if (others.length === 0) return;
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others,
    url,
    handler: async (request, reply) => {
      reply.header('allow', allow);
      throw new RestError(405, 'REST_METHOD_NOT_ALLOWED', `HTTP 405 Method Not Allowed: ${request.method} is not supported on ${url} (allowed: ${allow})`);
    },
  });
}
