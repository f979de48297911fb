/**
 * /subjects: listing, registering (POST .../versions), looking up (POST /subjects/{s}), reading
 * and deleting versions, references and the latest version with given metadata.
 */
import type { FastifyInstance } from 'fastify';
import { registryErrors, type SchemaView } from '../../core/index.ts';
import { AnswerCache } from '../answer-cache.ts';
import { queryAll, queryFlag, queryText, type Query } from '../query.ts';
import { registerRequest } from '../request-bodies.ts';
import { registerBody, schemaBody } from '../response-bodies.ts';
import { FORWARDED, performWrite, type RouteContext } from '../route-context.ts';

type SubjectParams = { subject: string };

/** Lookups with larger bodies are answered without the cache (10,000 of them would hold too much). */
const LOOKUP_CACHE_MAX_BODY = 64 * 1024;
type VersionParams = { subject: string; version: string };

export function subjectsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const registry = () => ctx.store.registry;
  const lookups = new AnswerCache();

  app.get('/subjects', async (req) => {
    const q = req.query as Query;
    return registry().listSubjects({ subjectPrefix: queryText(q, 'subjectPrefix'), deleted: queryFlag(q, 'deleted'), deletedOnly: queryFlag(q, 'deletedOnly') });
  });

  app.post('/subjects/:subject/versions', async (req, reply) => {
    const { subject } = req.params as SubjectParams;
    const q = req.query as Query;
    const request = registerRequest(req.body);
    const options = { normalize: queryFlag(q, 'normalize'), force: queryFlag(q, 'force') };
    const result = await performWrite(ctx, req, reply, (r) => r.register(subject, request, options));
    return result === FORWARDED ? reply : registerBody(result);
  });

  app.post('/subjects/:subject', async (req) => {
    const { subject } = req.params as SubjectParams;
    const q = req.query as Query;
    const options = { normalize: queryFlag(q, 'normalize'), deleted: queryFlag(q, 'deleted') };
    const r = registry();
    const answer = (): string => JSON.stringify(schemaBody(r.lookup(subject, registerRequest(req.body), options)));
    // Clients look the same schemas up again and again (serializers without auto-registration):
    // the body text is the key, so a repeated lookup is neither read nor parsed again. Only
    // answers are cached (a refused lookup throws), and only for bodies of a usual size.
    const body = ctx.rawBody(req);
    if (body === undefined || body.length > LOOKUP_CACHE_MAX_BODY) return answer();
    return lookups.get(r.state.lastOffset, `${subject}\u0000${options.normalize}\u0000${options.deleted}\u0000${body}`, answer);
  });

  app.delete('/subjects/:subject', async (req, reply) => {
    const { subject } = req.params as SubjectParams;
    const permanent = queryFlag(req.query as Query, 'permanent');
    const result = await performWrite(ctx, req, reply, (r) => r.deleteSubject(subject, { permanent }));
    return result === FORWARDED ? reply : result;
  });

  app.get('/subjects/:subject/versions', async (req) => {
    const { subject } = req.params as SubjectParams;
    const q = req.query as Query;
    return registry().listVersions(subject, {
      deleted: queryFlag(q, 'deleted'),
      deletedOnly: queryFlag(q, 'deletedOnly'),
      deletedAsNegative: queryFlag(q, 'deletedAsNegative'),
    });
  });

  app.get('/subjects/:subject/versions/:version', async (req) => {
    const { subject, version } = req.params as VersionParams;
    return schemaBody(registry().getVersion(subject, version, { deleted: queryFlag(req.query as Query, 'deleted') }));
  });

  app.get('/subjects/:subject/versions/:version/schema', async (req) => {
    const { subject, version } = req.params as VersionParams;
    return registry().getVersion(subject, version, { deleted: queryFlag(req.query as Query, 'deleted') }).schema;
  });

  app.get('/subjects/:subject/versions/:version/referencedby', async (req) => {
    const { subject, version } = req.params as VersionParams;
    return registry().referencedBy(subject, version, { deleted: queryFlag(req.query as Query, 'deleted') });
  });

  app.delete('/subjects/:subject/versions/:version', async (req, reply) => {
    const { subject, version } = req.params as VersionParams;
    const permanent = queryFlag(req.query as Query, 'permanent');
    const result = await performWrite(ctx, req, reply, (r) => r.deleteVersion(subject, version, { permanent }));
    return result === FORWARDED ? reply : result;
  });

  app.get('/subjects/:subject/metadata', async (req) => {
    const { subject } = req.params as SubjectParams;
    const q = req.query as Query;
    return schemaBody(latestWithMetadata(ctx, subject, queryAll(q, 'key'), queryAll(q, 'value'), queryFlag(q, 'deleted')));
  });
}

/** The newest version whose metadata properties hold every key=value asked for (Confluent's getLatestWithMetadata). */
function latestWithMetadata(ctx: RouteContext, subject: string, keys: string[], values: string[], deleted: boolean): SchemaView {
  const registry = ctx.store.registry;
  const versions = registry.listVersions(subject, { deleted });
  for (const n of [...versions].reverse()) {
    const view = registry.getVersion(subject, String(n), { deleted });
    const properties = ((view.metadata as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, unknown>;
    if (keys.every((k, i) => properties[k] === values[i])) return view;
  }
  throw registryErrors.schemaNotFound();
}
