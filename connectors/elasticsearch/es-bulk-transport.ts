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

export class ElasticsearchBulkTransport implements BulkTransport<BulkAction> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async send(items: readonly BulkAction[]): Promise<readonly ItemResult[] | typeof ALL_OK> {
    const lines: string[] = [];
    for (const item of items) {
      lines.push(item.header);
      if (item.body !== null) lines.push(item.body);
    }
    let response: RawBulkResponse;
    try {
      // Strings are sent as they are: each operation was serialized once, when it was made.
      response = (await this.#client.bulk({ operations: lines as never, filter_path: FILTER_PATH })) as RawBulkResponse;
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
