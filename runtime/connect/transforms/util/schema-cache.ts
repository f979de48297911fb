/**
 * The per-transform cache of updated schemas keyed by input schema (Kafka keeps an LRU of 16).
 * Lookups go by identity first; on a miss, a structurally equal cached schema is found too, so
 * that a converter handing out a new but equal schema object per record still gets the same
 * output schema object (downstream identity checks stay cheap) instead of a rebuild.
 */
import type { Schema } from '../../api/index.ts';
import { LruCache } from '../../../util/lru-cache.ts';

const DEFAULT_CAPACITY = 16;

export class SchemaCache {
  readonly #entries: LruCache<Schema, Schema>;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#entries = new LruCache(capacity);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: Schema): Schema | undefined {
    const found = this.#entries.get(key) ?? this.#entries.find((cached) => cached.equals(key));
    if (found !== undefined) this.#entries.set(key, found);
    return found;
  }

  set(key: Schema, value: Schema): void {
    this.#entries.set(key, value);
  }

  /** The cached schema for `key`, built (and cached) by `build` on a miss. */
  getOrBuild(key: Schema, build: (schema: Schema) => Schema): Schema {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const built = build(key);
    this.set(key, built);
    return built;
  }

  clear(): void {
    this.#entries.clear();
  }
}
