/**
 * Where source connectors' offsets live: a map from (connector, source partition) to the last
 * committed source offset. Partitions and offsets are the connector's own JSON maps.
 */
import type { SourceMap } from '../api/index.ts';

export interface SourceOffsetEntry {
  partition: SourceMap;
  /** null removes the partition's offset (a reset). */
  offset: SourceMap | null;
}

export interface SourceOffsetStore {
  /** The committed offset of one partition of a connector, or null. */
  get(connector: string, partition: SourceMap): SourceMap | null;
  /** Every partition of a connector with its committed offset. */
  list(connector: string): SourceOffsetEntry[];
  /** Applies the entries (null offsets remove) and resolves once they are durable. */
  write(connector: string, entries: readonly SourceOffsetEntry[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A JSON map as a canonical string (object keys sorted at every level), so that two maps with
 * the same content are the same partition whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
