/**
 * The Confluent-compatible REST API as a fastify app over a RegistryStore. Content negotiation and
 * error bodies follow Confluent's REST layer; unknown routes are a JSON 404 (clients probe routes
 * such as /associations and fall back on a 404); /metrics serves Prometheus text.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from '../../runtime/observability/logger.ts';
import type { RegistryStore } from '../store/backend.ts';
import { rewriteContextUrl } from './context-paths.ts';
import { errorReply, HttpError, notAcceptable, notFound, unsupportedMediaType } from './http-errors.ts';
import { isAcceptedRequestType, responseTypeFor, SCHEMA_REGISTRY_V1_JSON } from './media-types.ts';
import { RegistryMetrics } from './metrics.ts';
import type { RouteContext } from './route-context.ts';
import { compatibilityRoutes } from './routes/compatibility-routes.ts';
import { contextsRoutes } from './routes/contexts-routes.ts';
import { schemasRoutes } from './routes/schemas-routes.ts';
import { settingsRoutes } from './routes/settings-routes.ts';
import { subjectsRoutes } from './routes/subjects-routes.ts';

/** Bodies up to this size are read; larger ones get 413. Schemas larger than a _schemas record get 42209. */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export interface RegistryAppOptions {
  store: RegistryStore;
  logger?: Logger;
  bodyLimit?: number;
  /** How long a follower waits for the leader's answer to a forwarded write. */
  forwardTimeoutMs?: number;
}

export interface RegistryApp {
  app: FastifyInstance;
  metrics: RegistryMetrics;
}

export function buildRegistryApp(options: RegistryAppOptions): RegistryApp {
  const logger = options.logger;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    rewriteUrl: (req) => rewriteContextUrl(req.url ?? '/'),
    routerOptions: { ignoreTrailingSlash: true },
  });
  const metrics = new RegistryMetrics(options.store);
  // The body text as received, for answers cached by request body (lookups).
  const rawBodies = new WeakMap<FastifyRequest, string>();
  const ctx: RouteContext = { store: options.store, forwardTimeoutMs: options.forwardTimeoutMs ?? 30_000, rawBody: (req) => rawBodies.get(req) };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    if (!isAcceptedRequestType(req.headers['content-type'])) {
      done(unsupportedMediaType());
      return;
    }
    const text = body as string;
    rawBodies.set(req, text);
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new HttpError(400, (err as Error).message, { code: 'INVALID_JSON', cause: err }));
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const type = responseTypeFor(req.headers.accept);
    reply.type(type ?? SCHEMA_REGISTRY_V1_JSON);
    if (type === null) throw notAcceptable();
  });

  app.addHook('onResponse', async (req, reply) => {
    metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (err, req, reply) => {
    const { status, body } = errorReply(err);
    // Fastify drops the negotiated type when a handler fails; errors use it too.
    reply.type(responseTypeFor(req.headers.accept) ?? SCHEMA_REGISTRY_V1_JSON);
    if (status >= 500) logger?.error({ err, method: req.method, url: req.url }, 'registry request failed');
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler(async () => {
    throw notFound();
  });

  app.get('/', async () => ({}));
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  schemasRoutes(app, ctx);
  subjectsRoutes(app, ctx);
  settingsRoutes(app, ctx);
  compatibilityRoutes(app, ctx);
  contextsRoutes(app, ctx);
  return { app, metrics };
}
