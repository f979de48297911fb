/** Helpers for taskConfigs(). */

/**
 * Splits `elements` into `numGroups` contiguous groups of near-equal size, the first groups
 * taking one extra element (Kafka's ConnectorUtils.groupPartitions). Groups may be empty.
 */
export function groupPartitions<T>(elements: readonly T[], numGroups: number): T[][] {
  if (!Number.isInteger(numGroups) || numGroups <= 0) throw new RangeError(`Number of groups must be positive, got ${numGroups}`);
  const perGroup = Math.floor(elements.length / numGroups);
  const leftover = elements.length - numGroups * perGroup;
  const groups: T[][] = [];
  let next = 0;
  for (let g = 0; g < numGroups; g++) {
    const size = perGroup + (g < leftover ? 1 : 0);
    groups.push(elements.slice(next, next + size));
    next += size;
  }
  return groups;
}
