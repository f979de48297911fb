/**
 * Kafka Connect's REST API as a fastify app over a herder. Request bodies are JSON only (415
 * otherwise), malformed JSON is a 400, a body over the limit a 413, an unknown route a 404 and a
 * known route with the wrong method a 405 — all with Kafka's `{error_code, message}` body.
 * Secrets are masked in every response (response-masking.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../observability/logger.ts';
import { corsHook, type CorsSettings } from './cors.ts';
import { isJsonContentType, parseJsonBody, unsupportedMediaType } from './request-body.ts';
import { boundedCall, type RestContext } from './rest-context.ts';
import { RestError, errorReply } from './rest-errors.ts';
import type { MetricsSource, RestHerder } from './rest-herder.ts';
import { connectorsRoutes } from './routes/connectors-routes.ts';
import { loggersRoutes } from './routes/loggers-routes.ts';
import { pluginsRoutes } from './routes/plugins-routes.ts';
import { metricsRoute, rootRoutes } from './routes/root-routes.ts';

/** Connector configs are small; offsets of many partitions fit easily too. */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
/** Kafka Connect's internal request timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 90_000;
/** Kafka Connect's health check timeout. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 10_000;

export interface ConnectRestAppOptions {
  herder: RestHerder;
  /** The worker's Prometheus registry, served at /metrics. */
  metrics: MetricsSource;
  logger?: Logger;
  bodyLimit?: number;
  requestTimeoutMs?: number;
  healthCheckTimeoutMs?: number;
  /** access.control.allow.origin / .methods; cross-origin access is off without them. */
  cors?: CorsSettings;
  /** Which endpoints this app serves: the main API (with /metrics), /admin, or both (default). */
  serve?: { main: boolean; admin: boolean };
}

export function buildConnectRestApp(options: ConnectRestAppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const logger = options.logger;
  const serve = options.serve ?? { main: true, admin: true };
  const app = Fastify({ logger: false, bodyLimit, routerOptions: { ignoreTrailingSlash: true } });
  const ctx: RestContext = { herder: options.herder, logger, call: boundedCall(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const type = request.headers['content-type'];
    if (!isJsonContentType(type)) {
      done(unsupportedMediaType(type ?? ''), undefined);
      return;
    }
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler(async (err, request, reply) => {
    const { status, body } = errorReply(err, bodyLimit);
    if (status >= 500) logger?.error({ err, method: request.method, url: request.url }, `REST request failed: ${body.message}`);
    else logger?.debug({ method: request.method, url: request.url, status }, body.message);
    return reply.code(status).type('application/json').send(body);
  });

  app.setNotFoundHandler(async () => {
    throw new RestError(404, 'REST_NOT_FOUND', 'HTTP 404 Not Found');
  });

  const cors = corsHook(options.cors);
  if (cors !== null) app.addHook('onRequest', cors);

  app.addHook('onResponse', async (request, reply) => {
    logger?.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'REST request');
  });

  if (serve.main) {
    rootRoutes(app, ctx, options.healthCheckTimeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS);
    metricsRoute(app, options.metrics);
    connectorsRoutes(app, ctx);
    pluginsRoutes(app, ctx);
  }
  if (serve.admin) loggersRoutes(app, ctx);
  return app;
}
