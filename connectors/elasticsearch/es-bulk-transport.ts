/**
 * Sends a batch of pre-encoded operations with the client's bulk API and returns the per-item
 * results. The response is filtered to what the outcome needs (status and error), which keeps
 * parsing cheap for large batches.
 */
import type { Client } from '@elastic/elasticsearch';
import { Serializer } from '@elastic/elasticsearch';
import type { BulkAction } from './bulk-action.ts';
import type { BulkTransport, WritableItem } from './bulk-writer.ts';
import { ALL_OK, BulkRequestError } from './bulk-writer.ts';
import { toRequestError } from './es-errors.ts';
import type { ItemError, ItemResult } from './item-outcome.ts';

interface RawItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

interface RawBulkResponse {
  errors?: boolean;
  items?: Array<Record<string, { status?: number; error?: RawItemError }>>;
}

const FILTER_PATH = 'errors,items.*.status,items.*.error';
/** How a bulk response filtered by FILTER_PATH starts when every item succeeded. */
const NO_ERRORS = '{"errors":false';

/**
 * The client's serializer, except that a bulk response reporting no errors is not parsed: after
 * `"errors":false` it lists one status per operation (tens of thousands per request), which only
 * matter when some operation failed, and parsing them would allocate an object per operation
 * for nothing. Other responses never start like that (only bulk responses have `errors` first).
 */
export class BulkResponseSerializer extends Serializer {
  override deserialize<T = unknown>(json: string): T {
    if (json.startsWith(NO_ERRORS)) return { errors: false } as T;
    return super.deserialize<T>(json);
  }
}

function itemError(raw: RawItemError | undefined): ItemError | undefined {
  if (raw === undefined) return undefined;
  const error: ItemError = { type: raw.type ?? 'unknown', reason: raw.reason ?? '' };
  if (raw.caused_by !== undefined) error.causedBy = { type: raw.caused_by.type ?? 'unknown', reason: raw.caused_by.reason ?? '' };
  return error;
}

/**
 * The lines of one operation (action line and source line, each with its newline) as UTF-8 bytes,
 * made once when the operation is buffered. Buffered operations are held as bytes rather than
 * strings: the bytes live outside the JavaScript heap, so the garbage collector neither copies
 * nor marks them while the operation waits for Elasticsearch, and a retry resends the same bytes.
 */
export function encodeLines(action: BulkAction): Buffer {
  const lines = Buffer.allocUnsafe(action.bytes);
  let at = 0;
  try {
    at += lines.write(action.header, at, 'utf8');
    lines[at++] = 0x0a;
    if (action.body !== null) {
      at += lines.write(action.body, at, 'utf8');
      lines[at++] = 0x0a;
    }
  } catch (err) {
    // Writing past the end: the operation is longer than its byte count says.
    throw new BulkRequestError(`A bulk operation does not fit the ${action.bytes} bytes it counts`, { retriable: false, cause: err });
  }
  // Buffer.write stops short (without throwing) where a character does not fit.
  if (at !== action.bytes) throw new BulkRequestError(`A bulk operation came out ${at} bytes long instead of ${action.bytes}`, { retriable: false });
  return lines;
}

/** An operation whose lines are already encoded. */
export interface EncodedItem {
  readonly lines: Buffer;
}

/**
 * The NDJSON body of a bulk request: the operations' lines copied into one buffer. Joining
 * strings instead would put a copy of every request (megabytes) on the JavaScript heap.
 */
export function requestBody(items: readonly EncodedItem[]): Buffer {
  let size = 0;
  for (const item of items) size += item.lines.length;
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for (const item of items) at += item.lines.copy(body, at);
  return body;
}

export class ElasticsearchBulkTransport implements BulkTransport<EncodedItem & WritableItem> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async send(items: readonly EncodedItem[]): Promise<readonly ItemResult[] | typeof ALL_OK> {
    const body = requestBody(items);
    let response: RawBulkResponse;
    try {
      // A Buffer is sent as it is (the client would otherwise join the lines into one string).
      response = (await this.#client.bulk({ operations: body as never, filter_path: FILTER_PATH })) as RawBulkResponse;
    } catch (err) {
      throw toRequestError(err, `send a bulk request of ${items.length} operations`);
    }
    if (response.errors === false) return ALL_OK;
    const raw = response.items ?? [];
    if (raw.length !== items.length) {
      throw new BulkRequestError(`Elasticsearch answered a bulk request of ${items.length} operations with ${raw.length} results`, { retriable: false });
    }
    return raw.map((entry): ItemResult => {
      const result = Object.values(entry)[0] ?? {};
      return { status: result.status ?? 0, error: itemError(result.error) };
    });
  }
}
