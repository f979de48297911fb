/** Topic partitions and offsets as sink tasks and their contexts exchange them. */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to consume (Kafka's commit convention). */
  readonly offset: number;
  readonly metadata?: string;
}

/** Kafka's TopicPartition.toString form, `topic-partition`, usable as a Map key. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** What the producer acknowledged for a source record (Kafka's RecordMetadata). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number | null;
}
