import type { TopicConfig } from '../log/topic-config.ts';
import type { AppendResult, PartitionLog, WrittenAppend } from '../storage/partition-log.ts';
import type { ProducerStateTable } from './producer-state.ts';

/**
 * What the API handlers see of topics and partitions: descriptions for Metadata, partition
 * handles (the log, its idempotent-producer table, append listeners for long-polling fetches),
 * and the admin operations. Implemented over the log engine by TopicsService (topic-service.ts).
 */
export interface TopicDescription {
  name: string;
  /** Topic id in the wire's hex form. */
  topicId: string;
  partitions: number;
  internal: boolean;
  leaderEpoch: number;
}

export interface PartitionHandle {
  readonly topic: string;
  readonly index: number;
  readonly log: PartitionLog;
  /** An internal topic (__consumer_offsets): clients may read it but not produce to it. */
  readonly internal: boolean;
  readonly producers: ProducerStateTable;
  /** Written into every appended batch and returned in Metadata. */
  readonly leaderEpoch: number;
  /**
   * Appends client batches to the log (which assigns offsets and writes before its first await)
   * and wakes the fetches waiting on this partition.
   */
  append(records: Buffer): Promise<AppendResult>;
  /** append() that returns once written, with what to wait for before acknowledging (PartitionLog.appendWritten); throws when refused. */
  appendWritten(records: Buffer): WrittenAppend;
  /** The offset and timestamp of the record with the largest timestamp (ListOffsets -3). */
  maxTimestamp(): Promise<{ offset: bigint; timestamp: bigint } | undefined>;
  /** Calls `listener` after each append to this partition; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void;
}

/** A refusal with the Kafka error it maps to. */
export interface TopicFailure {
  errorCode: number;
  message: string;
}

export interface CreatedTopic {
  description: TopicDescription;
  /** The effective config (defaults included) and which keys were set explicitly. */
  config: TopicConfig;
  overrides: ReadonlySet<string>;
}

export interface TopicsService {
  describe(name: string): TopicDescription | undefined;
  byId(topicId: string): TopicDescription | undefined;
  all(): TopicDescription[];
  partition(topic: string, index: number): PartitionHandle | undefined;
  /** Creates a topic with the broker defaults (Metadata/Produce auto-creation). */
  autoCreate(name: string): Promise<{ errorCode: number; topic?: TopicDescription }>;
  create(request: {
    name: string;
    partitions: number;
    replicationFactor: number;
    configs: Record<string, string | null>;
    validateOnly: boolean;
  }): Promise<CreatedTopic | TopicFailure>;
  delete(name: string): Promise<TopicFailure | undefined>;
  addPartitions(name: string, total: number, validateOnly: boolean): Promise<TopicFailure | undefined>;
  /** The topic's effective config and the keys set on the topic itself; undefined when it does not exist. */
  config(name: string): { config: TopicConfig; overrides: Readonly<Record<string, string>> } | undefined;
  /** Replaces the topic's overrides (validated first; nothing changes on a failure). */
  setConfig(name: string, overrides: Record<string, string>, validateOnly: boolean): Promise<TopicFailure | undefined>;
}
