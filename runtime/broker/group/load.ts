import type { CoordinatorRecord, UnknownCoordinatorRecord } from './coordinator-record.ts';
import type { GroupMetadataValue } from './group-metadata-record.ts';
import type { OffsetCommitValue } from './offset-commit-record.ts';

/**
 * The state __consumer_offsets describes, folded from its records in log order as Kafka replays
 * them at load: the last record per key wins and a tombstone removes the key. A committed offset
 * for a group with no metadata record creates a "simple" group (null: Empty, no protocol); a group
 * tombstone removes the group but not offsets written after it.
 */
export interface LoadedCoordinatorState {
  groups: Map<string, GroupMetadataValue | null>;
  offsets: Map<string, Map<string, Map<number, OffsetCommitValue>>>;
  /** Records of types this coordinator does not handle (new consumer/share group protocols). */
  skipped: number;
}

export function foldCoordinatorRecords(records: Iterable<CoordinatorRecord | UnknownCoordinatorRecord>): LoadedCoordinatorState {
  const state: LoadedCoordinatorState = { groups: new Map(), offsets: new Map(), skipped: 0 };
  for (const record of records) {
    if (record.type === 'unknown') {
      state.skipped++;
    } else if (record.type === 'group-metadata') {
      if (record.value === null) state.groups.delete(record.key.group);
      else state.groups.set(record.key.group, record.value);
    } else {
      const { group, topic, partition } = record.key;
      if (record.value === null) {
        deleteOffset(state, group, topic, partition);
      } else {
        if (!state.groups.has(group)) state.groups.set(group, null);
        let topics = state.offsets.get(group);
        if (topics === undefined) state.offsets.set(group, (topics = new Map()));
        let partitions = topics.get(topic);
        if (partitions === undefined) topics.set(topic, (partitions = new Map()));
        partitions.set(partition, record.value);
      }
    }
  }
  return state;
}

function deleteOffset(state: LoadedCoordinatorState, group: string, topic: string, partition: number): void {
  const topics = state.offsets.get(group);
  const partitions = topics?.get(topic);
  if (topics === undefined || partitions === undefined) return;
  partitions.delete(partition);
  if (partitions.size === 0) topics.delete(topic);
  if (topics.size === 0) state.offsets.delete(group);
}
