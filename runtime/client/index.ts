/** The Kafka client used by the Connect worker, the schema registry and the `sluice` tools. */
export { KafkaProducer } from './producer.ts';
export type { KafkaProducerOptions } from './producer.ts';
export { KafkaConsumer } from './consumer.ts';
export type { GroupMembership, KafkaConsumerOptions, RebalanceListener } from './consumer.ts';
export { KafkaAdmin } from './admin.ts';
export type {
  ConfigEntry,
  ConfigSourceName,
  Coordinator,
  GroupDescription,
  GroupListing,
  GroupMemberDescription,
  KafkaAdminOptions,
  NewTopic,
  OffsetSpec,
  PartitionDescription,
  TopicDescription,
} from './admin.ts';
export { adminSettings, consumerSettings, knownClientConfigKeys, parseBootstrapServers, producerSettings } from './config.ts';
export type { Acks, AdminSettings, AutoOffsetReset, ClientConfig, ClientSettings, CompressionType, ConsumerSettings, IsolationLevel, ProducerSettings } from './config.ts';
export { BrokerError, COMMIT_FAILED_REBALANCE, KafkaClientError, KafkaConnectionError, wrapKafkaError } from './errors.ts';
export { DEFAULT_STICKY_BATCH_SIZE, StickyPartitioner, javaPartition } from './partitioner.ts';
export { topicPartitionKey } from './types.ts';
export type { ConsumerRecord, ProducerRecord, RecordHeader, RecordMetadata, TimestampType, TopicPartition, TopicPartitionOffset } from './types.ts';
