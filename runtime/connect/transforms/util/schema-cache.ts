/**
 * The per-transform cache of updated schemas keyed by input schema (Kafka keeps an LRU of 16).
 * Lookups go by identity first; on a miss, a structurally equal cached schema is found too, so
 * that a converter handing out a new but equal schema object per record still gets the same
 * output schema object (downstream identity checks stay cheap) instead of a rebuild.
 */
import type { Schema } from '../../api/index.ts';

const DEFAULT_CAPACITY = 16;

export class SchemaCache {
  readonly #capacity: number;
  // Insertion order is recency order: a hit moves the entry to the end.
  readonly #entries = new Map<Schema, Schema>();

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: Schema): Schema | undefined {
    let found = this.#entries.get(key);
    if (found === undefined) {
      for (const [cachedKey, value] of this.#entries) {
        if (cachedKey.equals(key)) {
          found = value;
          break;
        }
      }
      if (found === undefined) return undefined;
    }
    this.set(key, found);
    return found;
  }

  set(key: Schema, value: Schema): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as Schema);
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
