/**
 * Sends a batch of pre-serialized operations with the client's bulk API and returns the per-item
 * results. The response is filtered to what the outcome needs (status and error), which keeps
 * parsing cheap for large batches.
 */
import type { Client } from '@elastic/elasticsearch';
import type { BulkAction } from './bulk-action.ts';
import type { BulkTransport } from './bulk-writer.ts';
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

function itemError(raw: RawItemError | undefined): ItemError | undefined {
  if (raw === undefined) return undefined;
  const error: ItemError = { type: raw.type ?? 'unknown', reason: raw.reason ?? '' };
  if (raw.caused_by !== undefined) error.causedBy = { type: raw.caused_by.type ?? 'unknown', reason: raw.caused_by.reason ?? '' };
  return error;
}

/**
 * The NDJSON body of a bulk request, written straight into one buffer: each operation was
 * serialized once when it was made, and `bytes` is the exact size of its lines. Joining them
 * into a string first would put a copy of every request (megabytes) on the JavaScript heap, and
 * the client would copy it again into bytes.
 */
export function requestBody(items: readonly BulkAction[]): Buffer {
  let size = 0;
  for (const item of items) size += item.bytes;
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  try {
    for (const item of items) {
      at += body.write(item.header, at, 'utf8');
      body[at++] = 0x0a;
      if (item.body !== null) {
        at += body.write(item.body, at, 'utf8');
        body[at++] = 0x0a;
      }
    }
  } catch (err) {
    // Writing past the end: some operation is longer than its byte count says.
    throw new BulkRequestError(`A bulk request body does not fit the ${size} bytes its operations count`, { retriable: false, cause: err });
  }
  if (at !== size) throw new BulkRequestError(`A bulk request body came out ${at} bytes long instead of ${size}`, { retriable: false });
  return body;
}

export class ElasticsearchBulkTransport implements BulkTransport<BulkAction> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async send(items: readonly BulkAction[]): Promise<readonly ItemResult[] | typeof ALL_OK> {
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
