/**
 * What every route module gets: the store, and the one way to carry out a write — on the leader
 * through the store; on a follower answered locally when it changes nothing (a schema already
 * registered), else forwarded to the leader.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryStore, WritePlan } from '../store/backend.ts';
import { FORWARDED_HEADER, forwardToLeader } from './forwarding.ts';

export interface RouteContext {
  store: RegistryStore;
  forwardTimeoutMs: number;
  /** The request body as received (before JSON parsing); undefined without a body. */
  rawBody(request: FastifyRequest): string | undefined;
}

/** Sentinel answer of a write whose reply was sent by the leader (a follower forwarded it). */
export const FORWARDED: unique symbol = Symbol('forwarded');

export async function performWrite<T>(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, plan: WritePlan<T>): Promise<T | typeof FORWARDED> {
  const leader = await ctx.store.awaitLeader(ctx.forwardTimeoutMs);
  if (leader.self) return ctx.store.write(plan);
  let local: T | undefined;
  let answered = false;
  try {
    const write = plan(ctx.store.registry);
    if (write.records.length === 0) {
      local = write.result;
      answered = true;
    }
  } catch {
    // The leader's state decides; it gives the same error if the request is bad.
  }
  if (answered) return local as T;
  const answer = await forwardToLeader(
    leader,
    {
      method: request.method,
      url: request.url,
      body: request.body,
      accept: request.headers.accept,
      alreadyForwarded: request.headers[FORWARDED_HEADER] !== undefined,
    },
    ctx.forwardTimeoutMs,
  );
  // Read-your-writes on followers too: the answer waits until this registry has the change.
  if (answer.status < 300) await ctx.store.catchUp();
  await reply.code(answer.status).type(answer.contentType).send(answer.body);
  return FORWARDED;
}
