/**
 * What the HTTP layer needs from a registry store: the registry to answer reads from, who takes
 * writes now, and a way to carry out a write. Two implementations: the `_schemas` topic
 * (KafkaRegistryStore) and an in-memory one for tests and topic-less embedding (MemoryRegistryStore).
 */
import type { SchemaRegistry, Write } from '../core/index.ts';

export interface LeaderInfo {
  /** True when this process takes writes itself. */
  self: boolean;
  /** Base URL of the leader ("http://host:port"), null while unknown. */
  url: string | null;
}

/** Plans a write against the registry's current state; throws RegistryError for refused requests. */
export type WritePlan<T> = (registry: SchemaRegistry) => Write<T>;

export interface RegistryStore {
  readonly registry: SchemaRegistry;
  leader(): LeaderInfo;
  /** The leader once one is known (right after start-up or during a rebalance it may not be), or the unknown state after `timeoutMs`. */
  awaitLeader(timeoutMs: number): Promise<LeaderInfo>;
  /**
   * Plans the write under the store's write lock against a state holding every earlier write,
   * stores its records, waits until they are read back and applied, and resolves with the answer.
   * Only the leader may write; others get RegistryError 50004.
   */
  write<T>(plan: WritePlan<T>): Promise<T>;
  /** Applies everything stored so far (a follower calls it after the leader took a forwarded write, for read-your-writes). */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}
