/** /config and /mode, registry-wide and per subject (or context). */
import type { FastifyInstance } from 'fastify';
import { queryFlag, type Query } from '../query.ts';
import { configUpdate, modeUpdate } from '../request-bodies.ts';
import { configBody, configUpdateBody } from '../response-bodies.ts';
import { FORWARDED, performWrite, type RouteContext } from '../route-context.ts';

type SubjectParams = { subject: string };

export function settingsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const registry = () => ctx.store.registry;
  const subjectOf = (params: unknown): string | null => (params as Partial<SubjectParams>).subject ?? null;

  for (const path of ['/config', '/config/:subject']) {
    app.get(path, async (req) => configBody(registry().getConfig(subjectOf(req.params), { defaultToGlobal: queryFlag(req.query as Query, 'defaultToGlobal') })));

    app.put(path, async (req, reply) => {
      const update = configUpdate(req.body);
      const subject = subjectOf(req.params);
      const result = await performWrite(ctx, req, reply, (r) => r.updateConfig(subject, update));
      return result === FORWARDED ? reply : configUpdateBody(result);
    });

    app.delete(path, async (req, reply) => {
      const subject = subjectOf(req.params);
      const result = await performWrite(ctx, req, reply, (r) => r.deleteConfig(subject));
      return result === FORWARDED ? reply : configBody(result);
    });
  }

  for (const path of ['/mode', '/mode/:subject']) {
    app.get(path, async (req) => registry().getMode(subjectOf(req.params), { defaultToGlobal: queryFlag(req.query as Query, 'defaultToGlobal') }));

    app.put(path, async (req, reply) => {
      const mode = modeUpdate(req.body);
      const subject = subjectOf(req.params);
      const force = queryFlag(req.query as Query, 'force');
      const result = await performWrite(ctx, req, reply, (r) => r.setMode(subject, mode, { force }));
      return result === FORWARDED ? reply : result;
    });

    app.delete(path, async (req, reply) => {
      const subject = subjectOf(req.params);
      const result = await performWrite(ctx, req, reply, (r) => r.deleteMode(subject));
      return result === FORWARDED ? reply : result;
    });
  }
}
