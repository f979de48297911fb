/** The OffsetStorageReader a source connector and its tasks get: committed offsets of that connector only. */
import type { OffsetStorageReader, SourceMap } from '../api/index.ts';
import type { SourceOffsetStore } from './offset-store.ts';

export class ConnectorOffsetReader implements OffsetStorageReader {
  readonly #store: SourceOffsetStore;
  readonly #connector: string;

  constructor(store: SourceOffsetStore, connector: string) {
    this.#store = store;
    this.#connector = connector;
  }

  async offset(partition: SourceMap): Promise<SourceMap | null> {
    return this.#store.get(this.#connector, partition);
  }

  async offsets(partitions: readonly SourceMap[]): Promise<Array<{ partition: SourceMap; offset: SourceMap | null }>> {
    return partitions.map((partition) => ({ partition, offset: this.#store.get(this.#connector, partition) }));
  }
}
