/**
 * A registry store without a topic: writes apply their records straight to the in-memory state.
 * For unit tests of the HTTP layer and for embedding where nothing needs to survive a restart.
 */
import { RegistryState, SchemaRegistry, type RegistryOptions } from '../core/index.ts';
import type { LeaderInfo, RegistryStore, WritePlan } from './backend.ts';
import { WriteLock } from './write-lock.ts';

export class MemoryRegistryStore implements RegistryStore {
  readonly registry: SchemaRegistry;
  private readonly lock = new WriteLock();
  private offset = 0;

  constructor(options: RegistryOptions = {}) {
    this.registry = new SchemaRegistry(new RegistryState(), options);
  }

  leader(): LeaderInfo {
    return { self: true, url: null };
  }

  async awaitLeader(): Promise<LeaderInfo> {
    return this.leader();
  }

  async catchUp(): Promise<void> {}

  write<T>(plan: WritePlan<T>): Promise<T> {
    return this.lock.run(async () => {
      const write = plan(this.registry);
      const now = Date.now();
      for (const record of write.records) this.registry.state.apply(record, { offset: this.offset++, timestamp: now });
      return write.result;
    });
  }

  async close(): Promise<void> {}
}
