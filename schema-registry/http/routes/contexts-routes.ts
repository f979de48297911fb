/** /contexts: the contexts in use; an empty one may be deleted. */
import type { FastifyInstance } from 'fastify';
import { page, type Query } from '../query.ts';
import { FORWARDED, performWrite, type RouteContext } from '../route-context.ts';

export function contextsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/contexts', async (req) => page(ctx.store.registry.listContexts(), req.query as Query));

  app.delete('/contexts/:context', async (req, reply) => {
    const { context } = req.params as { context: string };
    const result = await performWrite(ctx, req, reply, (r) => r.deleteContext(context));
    if (result === FORWARDED) return reply;
    return reply.code(204).send();
  });
}
