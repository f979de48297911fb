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

/** Operations' lines are written into chunks of this size (bigger operations get their own). */
const ARENA_CHUNK_BYTES = 1 << 20;

/** UTF-8 takes at most 3 bytes per UTF-16 code unit (4 for a surrogate pair of 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * Writes the lines of operations (action line and source line, each with its newline) as UTF-8
 * bytes into large shared chunks, once, when the operation is buffered. Buffered operations are
 * held as bytes rather than strings: the bytes live outside the JavaScript heap, so the garbage
 * collector neither copies nor marks them while the operation waits for Elasticsearch, and a
 * retry resends the same bytes. Shared chunks instead of a buffer per operation spare a typed
 * array object per operation; a chunk is freed once no buffered operation points into it. The
 * byte count comes from the writing itself: measuring the strings first would read them twice.
 */
export class LinesArena {
  readonly #chunkBytes: number;
  #chunk: Buffer;
  #used = 0;

  constructor(chunkBytes = ARENA_CHUNK_BYTES) {
    this.#chunkBytes = chunkBytes;
    this.#chunk = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** The chunk the last append() wrote into. */
  get chunk(): Buffer {
    return this.#chunk;
  }

  /** Where the last append() ended in `chunk`. */
  get end(): number {
    return this.#used;
  }

  /** Writes the operation's lines and returns where they start in `chunk` (they end at `end`). */
  append(action: BulkAction): number {
    const body = action.body;
    const units = action.header.length + (body === null ? 0 : body.length);
    if (this.#used + units * MAX_UTF8_BYTES_PER_UNIT + 2 > this.#chunk.length) {
      // Near the end of a chunk the exact size decides whether the operation still fits.
      const bytes = Buffer.byteLength(action.header) + 1 + (body === null ? 0 : Buffer.byteLength(body) + 1);
      if (this.#used + bytes > this.#chunk.length) {
        this.#chunk = Buffer.allocUnsafeSlow(Math.max(this.#chunkBytes, bytes));
        this.#used = 0;
      }
    }
    const chunk = this.#chunk;
    const start = this.#used;
    let at = start + chunk.write(action.header, start, 'utf8');
    chunk[at++] = 0x0a;
    if (body !== null) {
      at += chunk.write(body, at, 'utf8');
      chunk[at++] = 0x0a;
    }
    this.#used = at;
    return start;
  }
}

/** An operation whose lines are encoded: `bytes` bytes of `chunk` from `start`. */
export interface EncodedItem {
  readonly chunk: Buffer;
  readonly start: number;
  readonly bytes: number;
}

/**
 * The NDJSON body of a bulk request: the operations' lines copied into one buffer. Joining
 * strings instead would put a copy of every request (megabytes) on the JavaScript heap.
 * Operations appended one after the other sit next to each other in a chunk: each run of them
 * is copied at once.
 */
export function requestBody(items: readonly EncodedItem[]): Buffer {
  let size = 0;
  for (let i = 0; i < items.length; i++) size += items[i].bytes;
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  let i = 0;
  while (i < items.length) {
    const first = items[i];
    let end = first.start + first.bytes;
    for (i++; i < items.length && items[i].chunk === first.chunk && items[i].start === end; i++) end += items[i].bytes;
    at += first.chunk.copy(body, at, first.start, end);
  }
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
