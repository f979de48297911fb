import { describe, expect, it } from 'vitest';
import type { BulkAction } from '../../../connectors/elasticsearch/bulk-action.ts';
import { bulkAction } from '../../../connectors/elasticsearch/bulk-action.ts';
import { BulkRequestError } from '../../../connectors/elasticsearch/bulk-writer.ts';
import { BulkResponseSerializer, LinesArena, requestBody } from '../../../connectors/elasticsearch/es-bulk-transport.ts';

const action = (id: string | null, body: string | null, type: BulkAction['type'] = 'index'): BulkAction =>
  bulkAction({ type, index: 'orders', quotedIndex: '"orders"', id, version: null, body, ordered: false });

describe('bulk request body', () => {
  it('is the NDJSON of the operations, byte for byte, multi-byte characters and deletes included', () => {
    const items = [action('1', '{"name":"Zoë","note":"✓ ünïcödé 🚀"}'), action('2', null, 'delete'), action('größe', '{"a":1}')];
    const arena = new LinesArena();
    const body = requestBody(items.map((i) => ({ start: arena.append(i), chunk: arena.chunk, bytes: i.bytes })));
    const expected = items.map((i) => (i.body === null ? `${i.header}\n` : `${i.header}\n${i.body}\n`)).join('');
    expect(body.toString('utf8')).toBe(expected);
    expect(body.length).toBe(Buffer.byteLength(expected));
    expect(body.length).toBe(items.reduce((n, i) => n + i.bytes, 0));
  });

  it('is empty for no operations', () => {
    expect(requestBody([]).length).toBe(0);
  });

  it('refuses operations whose byte count is wrong instead of sending a cut request', () => {
    const arena = new LinesArena();
    const right = action('1', '{"a":"é"}');
    for (const bytes of [5, right.bytes - 1, right.bytes + 1, right.bytes + 3]) expect(() => arena.append({ ...right, bytes })).toThrow(BulkRequestError);
    expect(() => arena.append({ ...action('2', null, 'delete'), bytes: 4 })).toThrow(BulkRequestError);
  });

  it('fills chunks in turn and gives an operation larger than a chunk a chunk of its own', () => {
    const arena = new LinesArena(100);
    const small = action('1', '{"a":1}');
    const big = action('2', `{"text":"${'x'.repeat(100)}"}`);
    const items = [small, small, small, big, small].map((a) => {
      const start = arena.append(a);
      return { start, chunk: arena.chunk, bytes: a.bytes };
    });
    // Two small ones share the first chunk (48 B each), the third starts the second, the big one has its own.
    expect(items.map((i) => i.chunk)).toEqual([items[0]!.chunk, items[0]!.chunk, items[2]!.chunk, items[3]!.chunk, items[4]!.chunk]);
    expect(new Set(items.map((i) => i.chunk)).size).toBe(4);
    expect(items[3]!.chunk.length).toBe(big.bytes);
    const expected = [small, small, small, big, small].map((i) => `${i.header}\n${i.body}\n`).join('');
    expect(requestBody(items).toString('utf8')).toBe(expected);
  });
});

describe('bulk response serializer', () => {
  const serializer = new BulkResponseSerializer();

  it('does not parse the per-operation statuses of a bulk response without errors', () => {
    expect(serializer.deserialize('{"errors":false,"items":[{"index":{"status":201}},{"index":{"status":200}}]}')).toEqual({ errors: false });
  });

  it('parses bulk responses with errors, and every other response, as the client does', () => {
    const failed = '{"errors":true,"items":[{"index":{"status":201}},{"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad"}}}]}';
    expect(serializer.deserialize(failed)).toEqual(JSON.parse(failed));
    expect(serializer.deserialize('{"acknowledged":true,"index":"orders"}')).toEqual({ acknowledged: true, index: 'orders' });
  });
});
