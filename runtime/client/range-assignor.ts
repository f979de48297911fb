import type { ClusterMetadata, ExtendedGroupProtocolSubscription, GroupAssignment, GroupPartitionsAssignments } from '@platformatic/kafka';

/** Group protocol name of Java's RangeAssignor, so Sluice and Java consumers can share a group. */
export const RANGE_ASSIGNOR = 'range';

/**
 * Java's RangeAssignor: per topic, the subscribed members sorted by member id each take a
 * contiguous range of partitions; the first (partitions % members) members get one more.
 * Runs on the group leader only.
 */
export function rangeAssign(
  _leader: string,
  members: ReadonlyMap<string, Pick<ExtendedGroupProtocolSubscription, 'topics'>>,
  topics: ReadonlySet<string>,
  metadata: Pick<ClusterMetadata, 'topics'>,
): GroupPartitionsAssignments[] {
  const result = new Map<string, Map<string, GroupAssignment>>();
  for (const memberId of members.keys()) result.set(memberId, new Map());
  const allTopics = new Set<string>(topics);
  for (const member of members.values()) for (const topic of member.topics ?? []) allTopics.add(topic);
  for (const topic of [...allTopics].sort()) {
    const partitionCount = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const subscribers = [...members.entries()]
      .filter(([, member]) => (member.topics ?? []).includes(topic))
      .map(([memberId]) => memberId)
      .sort();
    if (partitionCount === 0 || subscribers.length === 0) continue;
    const base = Math.floor(partitionCount / subscribers.length);
    const extra = partitionCount % subscribers.length;
    let next = 0;
    subscribers.forEach((memberId, index) => {
      const count = base + (index < extra ? 1 : 0);
      if (count === 0) return;
      const partitions = Array.from({ length: count }, (_, i) => next + i);
      next += count;
      result.get(memberId)!.set(topic, { topic, partitions });
    });
  }
  return [...result.entries()].map(([memberId, assignments]) => ({ memberId, assignments }));
}
