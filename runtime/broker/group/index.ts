/** The classic consumer-group coordinator and the __consumer_offsets record formats. */
export { GroupCoordinator } from './group-coordinator.ts';
export type { GroupCoordinatorOptions, GroupSnapshot } from './group-coordinator.ts';
export type * from './api-types.ts';
export { GroupState } from './classic-group.ts';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, resolveGroupCoordinatorConfig } from './config.ts';
export type { GroupCoordinatorConfig } from './config.ts';
export { decodeCoordinatorRecord, encodeCoordinatorRecord } from './coordinator-record.ts';
export type { CoordinatorRecord, EncodedCoordinatorRecord, UnknownCoordinatorRecord } from './coordinator-record.ts';
export type { GroupMetadataKey, GroupMetadataMember, GroupMetadataValue } from './group-metadata-record.ts';
export type { OffsetCommitKey, OffsetCommitValue } from './offset-commit-record.ts';
export { foldCoordinatorRecords } from './load.ts';
export type { LoadedCoordinatorState } from './load.ts';
export { appendErrorToResponseError } from './error-codes.ts';
export { javaStringHashCode, kafkaAbs, offsetsPartitionFor } from './offsets-partition.ts';
