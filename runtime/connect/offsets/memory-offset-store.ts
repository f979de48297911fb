/** The in-memory state of a source offset store: applying entries and listing them, no I/O. */
import type { SourceMap } from '../api/index.ts';
import type { SourceOffsetEntry } from './offset-store.ts';
import { canonicalJson } from './offset-store.ts';

export interface StoredOffset {
  connector: string;
  partition: SourceMap;
  offset: SourceMap;
}

export class OffsetTable {
  /** Keyed by canonical JSON of [connector, partition], as Kafka keys its offset store. */
  readonly #entries = new Map<string, StoredOffset>();

  static keyOf(connector: string, partition: SourceMap): string {
    return canonicalJson([connector, partition]);
  }

  get(connector: string, partition: SourceMap): SourceMap | null {
    return this.#entries.get(OffsetTable.keyOf(connector, partition))?.offset ?? null;
  }

  list(connector: string): SourceOffsetEntry[] {
    return [...this.#entries.values()].filter((e) => e.connector === connector).map((e) => ({ partition: e.partition, offset: e.offset }));
  }

  apply(connector: string, entries: readonly SourceOffsetEntry[]): void {
    for (const { partition, offset } of entries) {
      const key = OffsetTable.keyOf(connector, partition);
      if (offset === null) this.#entries.delete(key);
      else this.#entries.set(key, { connector, partition, offset });
    }
  }

  all(): StoredOffset[] {
    return [...this.#entries.values()];
  }
}
