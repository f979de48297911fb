/**
 * Single message transforms and predicates (Kafka's Transformation and Predicate). Both are
 * synchronous: they run per record on the hot path.
 */
import type { ConfigDef } from '../config/index.ts';
import type { ConnectRecord } from './records.ts';

export interface Transformation<R extends ConnectRecord<R>> {
  configure(configs: Readonly<Record<string, unknown>>): void;
  /** The transformed record, or null to drop it. */
  apply(record: R): R | null;
  config(): ConfigDef<object>;
  close(): void;
}

export interface Predicate<R extends ConnectRecord<R>> {
  configure(configs: Readonly<Record<string, unknown>>): void;
  test(record: R): boolean;
  config(): ConfigDef<object>;
  close(): void;
}
