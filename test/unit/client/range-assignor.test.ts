import { describe, expect, it } from 'vitest';
import { rangeAssign } from '../../../runtime/client/range-assignor.ts';

function assign(members: Record<string, string[]>, partitions: Record<string, number>): Record<string, Record<string, number[]>> {
  const metadata = { topics: new Map(Object.entries(partitions).map(([t, n]) => [t, { id: t, partitions: [], partitionsCount: n, lastUpdate: 0 }])) };
  const result = rangeAssign('m1', new Map(Object.entries(members).map(([id, topics]) => [id, { topics }])), new Set(Object.keys(partitions)), metadata);
  return Object.fromEntries(result.map((r) => [r.memberId, Object.fromEntries([...r.assignments].map(([t, a]) => [t, a.partitions]))]));
}

describe('rangeAssign (Java RangeAssignor)', () => {
  it('gives the first members one partition more, per topic', () => {
    // The example of RangeAssignor's Javadoc: C0 gets t0p0, t0p1, t1p0, t1p1; C1 gets t0p2, t1p2.
    expect(assign({ c0: ['t0', 't1'], c1: ['t0', 't1'] }, { t0: 3, t1: 3 })).toEqual({ c0: { t0: [0, 1], t1: [0, 1] }, c1: { t0: [2], t1: [2] } });
  });

  it('only assigns a topic among its subscribers and leaves extra members empty', () => {
    expect(assign({ a: ['x'], b: ['x', 'y'], c: ['x'] }, { x: 2, y: 2 })).toEqual({ a: { x: [0] }, b: { x: [1], y: [0, 1] }, c: {} });
  });
});
