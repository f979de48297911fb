/** Registry stores: the `_schemas` topic on a Kafka cluster, or memory. */
export type { LeaderInfo, RegistryStore, WritePlan } from './backend.ts';
export { KafkaRegistryStore, type KafkaStoreOptions } from './kafka-store.ts';
export { MemoryRegistryStore } from './memory-store.ts';
export { assignLeader, decodeAssignment, decodeIdentity, encodeAssignment, encodeIdentity, identityUrl, type Assignment, type RegistryIdentity } from './group-protocol.ts';
