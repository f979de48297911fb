/**
 * Makes sure an index (or data stream) exists before documents are sent to it, and gives a new
 * index the mapping built from the record schema (schema.ignore=false). Each target is checked
 * once per task; requests are retried like bulk requests; a target that cannot be made fails the
 * task with Elasticsearch's reason.
 */
import type { Client } from '@elastic/elasticsearch';
import { ConnectError } from '../../runtime/connect/api/index.ts';
import { errorTypeOf, isRetriableClientError, toRequestError } from './es-errors.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { withRetries } from './retry-policy.ts';
import type { FieldMapping } from './schema-mapping.ts';

export type Mapping = { properties: Record<string, FieldMapping> };

const ALREADY_EXISTS = 'resource_already_exists_exception';

export class ResourceManager {
  readonly #client: Client;
  readonly #retry: RetryPolicy;
  readonly #dataStreams: boolean;
  readonly #ready = new Set<string>();
  readonly #onRetry: (message: string) => void;

  constructor(client: Client, retry: RetryPolicy, dataStreams: boolean, onRetry: (message: string) => void) {
    this.#client = client;
    this.#retry = retry;
    this.#dataStreams = dataStreams;
    this.#onRetry = onRetry;
  }

  /** Whether the target was already made ready (no request needed). */
  isReady(name: string): boolean {
    return this.#ready.has(name);
  }

  async ensure(name: string, mapping: Mapping | null): Promise<void> {
    if (this.#ready.has(name)) return;
    const exists = await this.#call(`check whether index '${name}' exists`, () => this.#client.indices.exists({ index: name }));
    if (!exists) {
      if (this.#dataStreams) await this.#createDataStream(name);
      else await this.#createIndex(name, mapping);
    }
    if (mapping !== null && (exists || this.#dataStreams)) await this.#addMappingIfNone(name, mapping);
    this.#ready.add(name);
  }

  async #createIndex(name: string, mapping: Mapping | null): Promise<void> {
    await this.#call(`create index '${name}'`, async () => {
      try {
        await this.#client.indices.create({ index: name, ...(mapping !== null && { mappings: mapping }) });
      } catch (err) {
        // Another task created it first: fine, its mapping (if any) is checked below.
        if (errorTypeOf(err) !== ALREADY_EXISTS) throw err;
        if (mapping !== null) await this.#addMappingIfNone(name, mapping);
      }
    });
  }

  async #createDataStream(name: string): Promise<void> {
    await this.#call(`create data stream '${name}' (it needs an index template with data_stream enabled whose pattern matches it)`, async () => {
      try {
        await this.#client.indices.createDataStream({ name });
      } catch (err) {
        if (errorTypeOf(err) !== ALREADY_EXISTS) throw err;
      }
    });
  }

  async #addMappingIfNone(name: string, mapping: Mapping): Promise<void> {
    const current = await this.#call(`get the mapping of '${name}'`, () => this.#client.indices.getMapping({ index: name }));
    const hasMapping = Object.values(current).some((m) => Object.keys((m as { mappings?: { properties?: object } }).mappings?.properties ?? {}).length > 0);
    if (hasMapping) return;
    await this.#call(`put a mapping on '${name}'`, () => this.#client.indices.putMapping({ index: name, ...mapping }));
  }

  async #call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(operation, this.#retry, isRetriableClientError, undefined, (error, retry, delay) =>
        this.#onRetry(`Failed to ${what} (${(error as Error).message}); retry ${retry}/${this.#retry.maxRetries} in ${delay} ms`),
      );
    } catch (err) {
      const requestError = toRequestError(err, what);
      throw new ConnectError(requestError.message, { code: 'ES_RESOURCE_FAILED', cause: err });
    }
  }
}
