/**
 * Cross-origin access, as Kafka Connect's `access.control.allow.origin` and
 * `access.control.allow.methods` configure it: off when the origin setting is empty; otherwise a
 * request from an allowed origin (a comma list, `*` for any, `*` inside a pattern as a wildcard)
 * gets Access-Control-Allow-Origin, and a preflight OPTIONS request is answered here with the
 * allowed methods (GET, POST, HEAD unless configured).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CorsSettings {
  /** access.control.allow.origin */
  allowOrigin: string;
  /** access.control.allow.methods */
  allowMethods?: string;
}

const DEFAULT_METHODS = 'GET,POST,HEAD';
const DEFAULT_HEADERS = 'X-Requested-With,Content-Type,Accept,Origin';
const PREFLIGHT_MAX_AGE_S = 1800;

function originMatcher(allowOrigin: string): (origin: string) => boolean {
  const patterns = allowOrigin
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (patterns.includes('*')) return () => true;
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
  return (origin) => regexes.some((r) => r.test(origin));
}

/** An onRequest hook, or null when cross-origin access is off. */
export function corsHook(settings: CorsSettings | undefined): ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | null {
  if (settings === undefined || settings.allowOrigin.trim() === '') return null;
  const allowed = originMatcher(settings.allowOrigin);
  const methods = settings.allowMethods?.trim() || DEFAULT_METHODS;
  return async (request, reply) => {
    const origin = request.headers.origin;
    const permitted = origin !== undefined && allowed(origin);
    if (permitted) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      if (permitted) {
        reply.header('access-control-allow-methods', methods);
        reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? DEFAULT_HEADERS);
        reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S));
      }
      await reply.code(204).send();
    }
  };
}
