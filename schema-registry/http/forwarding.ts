/**
 * Followers send writes to the leader over HTTP, as Confluent's followers do: same method, path,
 * query and body; the leader's status and body are passed back unchanged. A request that was
 * already forwarded once is never forwarded again (no ping-pong while leadership moves).
 */
import { registryErrors } from '../core/index.ts';
import type { LeaderInfo } from '../store/backend.ts';
import { SCHEMA_REGISTRY_V1_JSON } from './media-types.ts';

export const FORWARDED_HEADER = 'x-sluice-forwarded';

export interface ForwardRequest {
  method: string;
  /** Path and query, as routed. */
  url: string;
  body: unknown;
  accept: string | undefined;
  /** True when the request came from another registry. */
  alreadyForwarded: boolean;
}

export interface ForwardedAnswer {
  status: number;
  contentType: string;
  body: string;
}

export async function forwardToLeader(leader: LeaderInfo, request: ForwardRequest, timeoutMs: number): Promise<ForwardedAnswer> {
  if (leader.url === null || request.alreadyForwarded) throw registryErrors.unknownLeader('Leader not known.');
  const target = `${leader.url.replace(/\/$/, '')}${request.url}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(target, {
      method: request.method,
      headers: {
        'content-type': SCHEMA_REGISTRY_V1_JSON,
        accept: request.accept ?? SCHEMA_REGISTRY_V1_JSON,
        [FORWARDED_HEADER]: '1',
      },
      body: request.body === undefined || request.method === 'GET' || request.method === 'DELETE' ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    throw registryErrors.requestForwardingFailed(`Error while forwarding the request to the leader at ${leader.url}: ${(err as Error).message}`, err);
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? SCHEMA_REGISTRY_V1_JSON, body: text };
}
