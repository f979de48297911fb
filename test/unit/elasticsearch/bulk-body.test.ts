import { describe, expect, it } from 'vitest';
import type { BulkAction } from '../../../connectors/elasticsearch/bulk-action.ts';
import { bulkAction } from '../../../connectors/elasticsearch/bulk-action.ts';
import { BulkRequestError } from '../../../connectors/elasticsearch/bulk-writer.ts';
import { BulkResponseSerializer, encodeLines, requestBody } from '../../../connectors/elasticsearch/es-bulk-transport.ts';

const action = (id: string | null, body: string | null, type: BulkAction['type'] = 'index'): BulkAction =>
  bulkAction({ type, index: 'orders', quotedIndex: '"orders"', id, version: null, body, ordered: false });

describe('bulk request body', () => {
  it('is the NDJSON of the operations, byte for byte, multi-byte characters and deletes included', () => {
    const items = [action('1', '{"name":"Zoë","note":"✓ ünïcödé 🚀"}'), action('2', null, 'delete'), action('größe', '{"a":1}')];
    const body = requestBody(items.map((i) => ({ lines: encodeLines(i) })));
    const expected = items.map((i) => (i.body === null ? `${i.header}\n` : `${i.header}\n${i.body}\n`)).join('');
    expect(body.toString('utf8')).toBe(expected);
    expect(body.length).toBe(Buffer.byteLength(expected));
    expect(body.length).toBe(items.reduce((n, i) => n + i.bytes, 0));
  });

  it('is empty for no operations', () => {
    expect(requestBody([]).length).toBe(0);
  });

  it('refuses operations whose byte count is wrong instead of sending a cut request', () => {
    const tooShort = { ...action('1', '{"a":"é"}'), bytes: 5 };
    expect(() => encodeLines(tooShort)).toThrow(BulkRequestError);
    const tooLong = { ...action('1', '{"a":"é"}'), bytes: action('1', '{"a":"é"}').bytes + 3 };
    expect(() => encodeLines(tooLong)).toThrow(BulkRequestError);
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
