/**
 * /admin/loggers: Kafka Connect's LoggingResource. PUT answers 200 with the loggers it changed;
 * with `?scope=cluster` it answers 204 (a standalone worker is the whole cluster). An unknown
 * scope falls back to `worker`, with a warning, as in Kafka.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { queryValues, type Query } from '../query-params.ts';
import { loggerLevelBody } from '../request-body.ts';
import type { RestContext } from '../rest-context.ts';
import { route } from '../route-table.ts';

function loggerOf(request: FastifyRequest): string {
  return (request.params as { logger: string }).logger;
}

export function loggersRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { herder, call } = ctx;

  route(app, '/admin/loggers', {
    GET: async () => call(() => herder.loggers()),
  });

  route(app, '/admin/loggers/:logger', {
    GET: async (request) => call(() => herder.logger(loggerOf(request))),
    PUT: async (request, reply) => {
      const level = loggerLevelBody(request.body);
      const scope = (queryValues(request.query as Query, 'scope')[0] ?? 'worker').toLowerCase();
      if (scope !== 'worker' && scope !== 'cluster') {
        ctx.logger?.warn(`Received invalid scope '${scope}' in request to adjust logging level; will default to worker`);
      }
      const changed = await call(() => herder.setLoggerLevel(loggerOf(request), level));
      return scope === 'cluster' ? reply.code(204).send() : changed;
    },
  });
}
