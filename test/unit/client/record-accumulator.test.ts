import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../../../runtime/client/record-accumulator.ts';

describe('RecordAccumulator', () => {
  it('reports a partition ready once batch.size bytes wait for it', () => {
    const acc = new RecordAccumulator<string>(100, 1000);
    expect(acc.append('t-0', 'a', 60, 1000)).toBe(false);
    expect(acc.append('t-1', 'b', 60, 1001)).toBe(false);
    expect(acc.append('t-0', 'c', 40, 1002)).toBe(true);
    expect(acc.bytes).toBe(160);
    expect(acc.oldestAppend).toBe(1000);
  });

  it('drains everything into requests of at most max.request.size, keeping per-partition order', () => {
    const acc = new RecordAccumulator<string>(1000, 100);
    for (const [key, item] of [['t-0', 'a1'], ['t-1', 'b1'], ['t-0', 'a2'], ['t-0', 'a3'], ['t-1', 'b2']] as const) acc.append(key, item, 40, 0);
    expect(acc.drain()).toEqual([['a1', 'a2'], ['a3'], ['b1', 'b2']]);
    expect(acc.isEmpty).toBe(true);
    expect(acc.bytes).toBe(0);
    expect(acc.oldestAppend).toBeUndefined();
    expect(acc.drain()).toEqual([]);
  });

  it('puts at most batch.size bytes of a partition in one request, and later batches in later requests', () => {
    const acc = new RecordAccumulator<string>(100, 1000);
    for (const item of ['a1', 'a2', 'a3', 'a4', 'a5']) acc.append('t-0', item, 40, 0);
    acc.append('t-1', 'b1', 40, 0);
    acc.append('t-2', 'c1', 150, 0);
    expect(acc.drain()).toEqual([['a1', 'a2', 'b1', 'c1'], ['a3', 'a4'], ['a5']]);
  });
});
