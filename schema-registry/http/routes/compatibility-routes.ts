/** /compatibility: would this schema be accepted by the subject (one version, or what its level checks)? */
import type { FastifyInstance } from 'fastify';
import { queryFlag, type Query } from '../query.ts';
import { registerRequest } from '../request-bodies.ts';
import type { RouteContext } from '../route-context.ts';

export function compatibilityRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const check = (subject: string, version: string | undefined, body: unknown, q: Query) =>
    ctx.store.registry.testCompatibility(subject, version, registerRequest(body), { normalize: queryFlag(q, 'normalize'), verbose: queryFlag(q, 'verbose') });

  app.post('/compatibility/subjects/:subject/versions/:version', async (req) => {
    const { subject, version } = req.params as { subject: string; version: string };
    return check(subject, version, req.body, req.query as Query);
  });

  app.post('/compatibility/subjects/:subject/versions', async (req) => {
    const { subject } = req.params as { subject: string };
    return check(subject, undefined, req.body, req.query as Query);
  });
}
