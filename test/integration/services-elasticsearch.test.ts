// @services elasticsearch
// Smoke test of the Elasticsearch peer from test/services with the official v8 client, which
// accepts only servers that send the X-Elastic-Product header.
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../services/services.ts';

describe('Elasticsearch from test/services', () => {
  const index = `smoke-${randomUUID()}`;
  let client: Client | undefined;
  // Made in each test (not in a hook), so that a missing server fails every test by name.
  const es = (): Client => (client ??= new Client({ node: serviceUrl('elasticsearch') }));
  afterAll(async () => {
    await client?.indices.delete({ index }, { ignore: [404] });
    await client?.close();
  });

  it('is a real single-node cluster', async () => {
    const health = await es().cluster.health({ wait_for_status: 'yellow', timeout: '30s' });
    expect(health.number_of_nodes).toBe(1);
    expect(health.status).not.toBe('red');
  });

  it('creates an index, bulk-indexes 1,000 documents and searches them back', async () => {
    await es().indices.create({
      index,
      mappings: { properties: { n: { type: 'integer' }, parity: { type: 'keyword' }, text: { type: 'text' } } },
    });
    const operations = Array.from({ length: 1000 }, (_, n) => [
      { index: { _index: index, _id: `doc-${n}` } },
      { n, parity: n % 2 === 0 ? 'even' : 'odd', text: `document number ${n}` },
    ]).flat();
    const bulk = await es().bulk({ operations, refresh: true });
    expect(bulk.errors).toBe(false);
    expect(bulk.items).toHaveLength(1000);

    expect((await es().count({ index })).count).toBe(1000);

    const odd = await es().search<{ n: number }>({
      index,
      query: { bool: { filter: [{ term: { parity: 'odd' } }, { range: { n: { gte: 990 } } }] } },
      sort: [{ n: 'asc' }],
      size: 10,
    });
    expect(odd.hits.hits.map((hit) => hit._source?.n)).toEqual([991, 993, 995, 997, 999]);

    const matched = await es().search({ index, query: { match: { text: '742' } } });
    expect(matched.hits.hits.map((hit) => hit._id)).toEqual(['doc-742']);

    const fetched = await es().get<{ n: number; parity: string }>({ index, id: 'doc-500' });
    expect(fetched._source).toEqual({ n: 500, parity: 'even', text: 'document number 500' });
  });
});
