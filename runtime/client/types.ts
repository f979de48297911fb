/** Shapes shared by the producer, consumer and admin facades. Keys, values and header values are bytes. */

/** A record header. Kafka allows the same key more than once; order is kept. */
export type RecordHeader = readonly [key: string, value: Uint8Array | null];

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: bigint;
}

export interface ProducerRecord {
  topic: string;
  /** Explicit partition; otherwise Java's built-in partitioner decides from the key. */
  partition?: number;
  key?: Uint8Array | null;
  /** null is a tombstone. */
  value: Uint8Array | null;
  headers?: readonly RecordHeader[];
  /** CreateTime in ms since the epoch; now when absent. */
  timestamp?: number | bigint;
}

/** What the broker acknowledged for one record. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset assigned by the broker; -1n when acks=0 (no acknowledgement carries it). */
  offset: bigint;
  /** The record's CreateTime as sent. */
  timestamp: bigint;
}

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  leaderEpoch: number;
}

/** "topic-partition", Kafka's own TopicPartition.toString(). */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
