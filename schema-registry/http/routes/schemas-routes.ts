/**
 * /schemas: schemas by global id or guid (what deserializers call), the list of schemas, and the
 * schema types. By-id answers are cached (AnswerCache): this is the hottest read of a registry.
 */
import type { FastifyInstance } from 'fastify';
import { guidOf, registryErrors, SCHEMA_TYPES, type SchemaView } from '../../core/index.ts';
import { AnswerCache } from '../answer-cache.ts';
import { notFound } from '../http-errors.ts';
import { page, queryFlag, queryText, type Query } from '../query.ts';
import { schemaBody, schemaStringBody } from '../response-bodies.ts';
import type { RouteContext } from '../route-context.ts';


function parseId(text: string): number {
  // Jersey answers a non-integer path parameter with a plain 404.
  if (!/^[+-]?\d+$/.test(text) || Math.abs(Number(text)) > 2 ** 31 - 1) throw notFound();
  return Number(text);
}

export function schemasRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const registry = () => ctx.store.registry;
  const byId = new AnswerCache();

  // Confluent's list; PROTOBUF schemas are refused with 42201 until they are supported.
  app.get('/schemas/types', async () => SCHEMA_TYPES);

  app.get('/schemas', async (req) => {
    const q = req.query as Query;
    const views = registry().listSchemas({
      subjectPrefix: queryText(q, 'subjectPrefix'),
      deleted: queryFlag(q, 'deleted'),
      latestOnly: queryFlag(q, 'latestOnly'),
    });
    return page(views, q).map(schemaBody);
  });

  app.get('/schemas/ids/:id', async (req) => {
    const r = registry();
    // The URL (path and query) is the key: a repeated request costs one map lookup.
    return byId.get(r.state.lastOffset, req.url, () => {
      const id = parseId((req.params as { id: string }).id);
      const q = req.query as Query;
      const subject = queryText(q, 'subject');
      const fetchMaxId = queryFlag(q, 'fetchMaxId');
      const view = r.getSchemaById(id, { subject });
      const maxId = fetchMaxId ? r.state.maxId(contextOfSubject(view.subject)) : undefined;
      return JSON.stringify(schemaStringBody(view, subject !== undefined && subject !== '', maxId));
    });
  });

  app.get('/schemas/ids/:id/schema', async (req) => {
    const id = parseId((req.params as { id: string }).id);
    return registry().getSchemaById(id, { subject: queryText(req.query as Query, 'subject') }).schema;
  });

  app.get('/schemas/ids/:id/subjects', async (req) => {
    const id = parseId((req.params as { id: string }).id);
    const q = req.query as Query;
    return page(registry().getSubjectsById(id, { subject: queryText(q, 'subject'), deleted: queryFlag(q, 'deleted') }), q);
  });

  app.get('/schemas/ids/:id/versions', async (req) => {
    const id = parseId((req.params as { id: string }).id);
    const q = req.query as Query;
    return page(registry().getVersionsById(id, { subject: queryText(q, 'subject'), deleted: queryFlag(q, 'deleted') }), q);
  });

  app.get('/schemas/guids/:guid', async (req) => {
    const view = findByGuid(ctx, (req.params as { guid: string }).guid);
    return schemaStringBody(view, false, undefined);
  });

  app.get('/schemas/guids/:guid/ids', async (req) => {
    const guid = (req.params as { guid: string }).guid;
    const ids = new Map<string, { context: string; id: number }>();
    for (const versions of registry().state.subjects.values()) {
      for (const s of versions.values()) {
        if (guidOf(s.md5) !== guid) continue;
        const context = contextOfSubject(s.subject);
        ids.set(`${context}\u0000${s.id}`, { context, id: s.id });
      }
    }
    if (ids.size === 0) throw registryErrors.schemaNotFound(guid);
    return [...ids.values()];
  });
}

function contextOfSubject(subject: string): string {
  if (!subject.startsWith(':.')) return '.';
  const end = subject.indexOf(':', 2);
  return end < 0 ? subject.slice(1) : subject.slice(1, end);
}

/** Guids are derived from the content hash; a scan is fine for this rarely used route. */
function findByGuid(ctx: RouteContext, guid: string): SchemaView {
  for (const versions of ctx.store.registry.state.subjects.values()) {
    for (const s of versions.values()) {
      if (guidOf(s.md5) === guid) return ctx.store.registry.getSchemaById(s.id, { subject: s.subject });
    }
  }
  throw registryErrors.schemaNotFound(guid);
}
