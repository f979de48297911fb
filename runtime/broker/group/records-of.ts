import type { ClassicGroup } from './classic-group.ts';
import type { CoordinatorRecord } from './coordinator-record.ts';
import type { CommittedOffset } from './offset-store.ts';

/** The __consumer_offsets records the coordinator writes (Kafka's GroupCoordinatorRecordHelpers). */

/** Snapshot of a group with the given assignment per member; every member needs one. */
export function groupMetadataRecord(group: ClassicGroup, assignment: ReadonlyMap<string, Uint8Array>): CoordinatorRecord {
  const protocol = group.protocolName;
  const members = [...group.members.values()].map((m) => {
    if (protocol === undefined) throw new Error(`cannot write members of group ${group.groupId} without a protocol`);
    const memberAssignment = assignment.get(m.memberId);
    if (memberAssignment === undefined) throw new Error(`no assignment for member ${m.memberId} of group ${group.groupId}`);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadata(protocol),
      assignment: memberAssignment,
    };
  });
  return {
    type: 'group-metadata',
    key: { group: group.groupId },
    value: {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: protocol ?? null,
      leader: group.leaderId ?? null,
      currentStateTimestamp: BigInt(group.currentStateTimestamp ?? -1),
      members,
    },
  };
}

export function groupTombstone(groupId: string): CoordinatorRecord {
  return { type: 'group-metadata', key: { group: groupId }, value: null };
}

export function offsetCommitRecord(groupId: string, topic: string, partition: number, offset: CommittedOffset): CoordinatorRecord {
  return {
    type: 'offset-commit',
    key: { group: groupId, topic, partition },
    value: {
      offset: offset.offset,
      leaderEpoch: offset.leaderEpoch,
      metadata: offset.metadata,
      commitTimestamp: BigInt(offset.commitTimestamp),
      expireTimestamp: BigInt(offset.expireTimestamp ?? -1),
    },
  };
}

export function offsetTombstone(groupId: string, topic: string, partition: number): CoordinatorRecord {
  return { type: 'offset-commit', key: { group: groupId, topic, partition }, value: null };
}
