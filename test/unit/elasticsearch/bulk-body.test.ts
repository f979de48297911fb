import { describe, expect, it } from 'vitest';
import type { BulkAction } from '../../../connectors/elasticsearch/bulk-action.ts';
import { bulkAction } from '../../../connectors/elasticsearch/bulk-action.ts';
import { BulkResponseSerializer, LinesArena, requestBody } from '../../../connectors/elasticsearch/es-bulk-transport.ts';

const action = (id: string | null, body: string | null, type: BulkAction['type'] = 'index'): BulkAction =>
  bulkAction({ type, index: 'orders', quotedIndex: '"orders"', id, version: null, body, ordered: false });

const lines = (a: BulkAction): string => (a.body === null ? `${a.header}\n` : `${a.header}\n${a.body}\n`);

/** Appends each operation, as the sink task does: where its lines are and how many bytes they take. */
function encoded(arena: LinesArena, actions: BulkAction[]): Array<{ chunk: Buffer; start: number; bytes: number }> {
  return actions.map((a) => {
    const start = arena.append(a);
    return { chunk: arena.chunk, start, bytes: arena.end - start };
  });
}

describe('bulk request body', () => {
  it('is the NDJSON of the operations, byte for byte, multi-byte characters and deletes included', () => {
    const items = [action('1', '{"name":"Zoë","note":"✓ ünïcödé 🚀"}'), action('2', null, 'delete'), action('größe', '{"a":1}')];
    const written = encoded(new LinesArena(), items);
    const body = requestBody(written);
    const expected = items.map(lines).join('');
    expect(body.toString('utf8')).toBe(expected);
    expect(body.length).toBe(Buffer.byteLength(expected));
    expect(written.map((w) => w.bytes)).toEqual(items.map((i) => Buffer.byteLength(lines(i))));
  });

  it('is empty for no operations', () => {
    expect(requestBody([]).length).toBe(0);
  });

  it('fills a chunk to its last byte with multi-byte text, and never cuts an operation', () => {
    const op = action('1', '{"a":"éé✓"}');
    const size = Buffer.byteLength(lines(op));
    const arena = new LinesArena(size * 2);
    const written = encoded(arena, [op, op, op]);
    expect(written.map((w) => w.start)).toEqual([0, size, 0]);
    expect(written[2]!.chunk).not.toBe(written[0]!.chunk);
    expect(requestBody(written).toString('utf8')).toBe(lines(op).repeat(3));
  });

  it('copies runs of neighbouring operations and operations from several chunks in order', () => {
    const arena = new LinesArena(120);
    const ops = Array.from({ length: 7 }, (_, i) => action(String(i), `{"n":${i}}`));
    const written = encoded(arena, ops);
    // Out of order and with a gap: every operation still lands where it belongs.
    const picked = [written[0]!, written[1]!, written[3]!, written[2]!, written[6]!];
    expect(requestBody(picked).toString('utf8')).toBe([0, 1, 3, 2, 6].map((i) => lines(ops[i]!)).join(''));
  });

  it('fills chunks in turn and gives an operation larger than a chunk a chunk of its own', () => {
    const arena = new LinesArena(100);
    const small = action('1', '{"a":1}');
    const big = action('2', `{"text":"${'x'.repeat(100)}"}`);
    const items = encoded(arena, [small, small, small, big, small]);
    // Two small ones share the first chunk (48 B each), the third starts the second, the big one has its own.
    expect(items.map((i) => i.chunk)).toEqual([items[0]!.chunk, items[0]!.chunk, items[2]!.chunk, items[3]!.chunk, items[4]!.chunk]);
    expect(new Set(items.map((i) => i.chunk)).size).toBe(4);
    expect(items[3]!.chunk.length).toBe(Buffer.byteLength(lines(big)));
    const expected = [small, small, small, big, small].map(lines).join('');
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
