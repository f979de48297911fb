/**
 * GET / (version, commit, Kafka cluster id), GET /health (KIP-1017: 200 ready, 503 starting,
 * 500 unhealthy, always as `{status, message}`) and GET /metrics (Prometheus text).
 */
import type { FastifyInstance } from 'fastify';
import { messageOf } from '../../../util/errors.ts';
import type { RestContext } from '../rest-context.ts';
import type { MetricsSource } from '../rest-herder.ts';
import { route } from '../route-table.ts';

export function rootRoutes(app: FastifyInstance, ctx: RestContext, healthCheckTimeoutMs: number): void {
  const { herder, call } = ctx;

  route(app, '/', { GET: async () => call(() => herder.serverInfo()) });

  route(app, '/health', {
    GET: async (_request, reply) => {
      try {
        const { statusCode, body } = await call(() => herder.health(), healthCheckTimeoutMs);
        return reply.code(statusCode).send(body);
      } catch (err) {
        ctx.logger?.error({ err }, 'health check failed');
        return reply.code(500).send({ status: 'unhealthy', message: `Health check failed: ${messageOf(err)}` });
      }
    },
  });
}

export function metricsRoute(app: FastifyInstance, metrics: MetricsSource): void {
  route(app, '/metrics', {
    GET: async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  });
}
