/** A small least-recently-used cache (Map keeps insertion order; a hit moves the entry to the end). */
export class LruCache<K, V> {
  readonly #capacity: number;
  readonly #map = new Map<K, V>();

  /** A capacity of 0 or less caches nothing (Kafka's cache size settings allow 0). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** The value of the first entry whose key matches, least recent first; recency is left alone. */
  find(match: (key: K) => boolean): V | undefined {
    for (const [key, value] of this.#map) if (match(key)) return value;
    return undefined;
  }

  set(key: K, value: V): void {
    if (this.#capacity <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#capacity) this.#map.delete(this.#map.keys().next().value as K);
  }

  clear(): void {
    this.#map.clear();
  }
}
