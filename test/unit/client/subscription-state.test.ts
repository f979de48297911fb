import { describe, expect, it } from 'vitest';
import type { RecordsBatch } from '@platformatic/kafka';
import { queued, recordsFromBatches } from '../../../runtime/client/fetched-records.ts';
import { SubscriptionState } from '../../../runtime/client/subscription-state.ts';
import type { ConsumerRecord } from '../../../runtime/client/types.ts';

function batch(firstOffset: bigint, count: number, attributes = 0, firstTimestamp = 1000n): RecordsBatch {
  return {
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 3,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: count - 1,
    firstTimestamp,
    maxTimestamp: firstTimestamp + 99n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    records: Array.from({ length: count }, (_, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: i % 2 === 0 ? Buffer.from(`k${i}`) : null,
      value: Buffer.from(`v${Number(firstOffset) + i}`),
      headers: [[Buffer.from('h'), null]],
    })),
  };
}

const values = (records: ConsumerRecord[]): string[] => records.map((r) => r.value!.toString());

describe('recordsFromBatches', () => {
  it('skips offsets before the fetch position inside a batch and reports the next offset', () => {
    const fetched = recordsFromBatches('t', 0, [batch(0n, 5), batch(5n, 3)], 3n);
    expect(values(fetched.records)).toEqual(['v3', 'v4', 'v5', 'v6', 'v7']);
    expect(fetched.nextOffset).toBe(8n);
    expect(fetched.records[0]).toMatchObject({ topic: 't', partition: 0, offset: 3n, timestamp: 1003n, timestampType: 'CreateTime', leaderEpoch: 3, headers: [['h', null]] });
    expect(fetched.records[0].key?.toString()).toBeUndefined();
    expect(fetched.records[1].key?.toString()).toBe('k4');
  });

  it('never returns control batches but moves past them; LogAppendTime uses the batch max timestamp', () => {
    const fetched = recordsFromBatches('t', 0, [batch(0n, 2, 0x08), batch(2n, 1, 0x20), batch(3n, 1)], 0n);
    expect(values(fetched.records)).toEqual(['v0', 'v1', 'v3']);
    expect(fetched.records[0]).toMatchObject({ timestamp: 1099n, timestampType: 'LogAppendTime' });
    expect(fetched.nextOffset).toBe(4n);
    expect(recordsFromBatches('t', 0, [batch(0n, 2, 0x20)], 0n)).toEqual({ records: [], nextOffset: 2n });
  });
});

describe('SubscriptionState', () => {
  const fetched = (first: number, count: number) => queued(recordsFromBatches('t', 0, [batch(BigInt(first), count)], BigInt(first)));

  it('hands out fetched records, advances the position and fetches a partition again only once it is drained', () => {
    const state = new SubscriptionState();
    state.assign([{ topic: 't', partition: 0 }]);
    expect(state.needingPosition()).toHaveLength(1);
    const p0 = state.get('t', 0)!;
    state.seek(p0, 0n);
    expect(state.fetchable()).toEqual([p0]);
    expect(state.addFetched('t', 0, p0.epoch, 0n, fetched(0, 5))).toBe(true);
    expect(state.fetchable()).toEqual([]);
    expect(values(state.take(2))).toEqual(['v0', 'v1']);
    expect(p0.position).toBe(2n);
    expect(values(state.take(10))).toEqual(['v2', 'v3', 'v4']);
    expect(p0.position).toBe(5n);
    expect(state.fetchable()).toEqual([p0]);
  });

  it('takes a fetch in several polls without holding on to the records handed out, and a seek in between starts over', () => {
    const state = new SubscriptionState();
    state.assign([{ topic: 't', partition: 0 }]);
    const p0 = state.get('t', 0)!;
    state.seek(p0, 0n);
    state.addFetched('t', 0, p0.epoch, 0n, fetched(0, 7));
    expect(values(state.take(3))).toEqual(['v0', 'v1', 'v2']);
    expect(values(state.take(3))).toEqual(['v3', 'v4', 'v5']);
    expect(p0.position).toBe(6n);
    expect(p0.buffered.size).toBe(1);
    expect(state.fetchable()).toEqual([]);
    expect(state.hasDeliverable()).toBe(true);
    expect(state.addFetched('t', 0, p0.epoch, 6n, fetched(6, 1))).toBe(false);
    state.seek(p0, 2n);
    expect(state.hasDeliverable()).toBe(false);
    expect(state.addFetched('t', 0, p0.epoch, 2n, fetched(2, 3))).toBe(true);
    expect(values(state.take(10))).toEqual(['v2', 'v3', 'v4']);
    expect(p0.position).toBe(5n);
  });

  it('discards a fetch answered after a seek, and a seek drops waiting records', () => {
    const state = new SubscriptionState();
    state.assign([{ topic: 't', partition: 0 }]);
    const p0 = state.get('t', 0)!;
    state.seek(p0, 0n);
    const epoch = p0.epoch;
    state.seek(p0, 3n);
    expect(state.addFetched('t', 0, epoch, 0n, fetched(0, 5))).toBe(false);
    expect(state.addFetched('t', 0, p0.epoch, 3n, fetched(3, 2))).toBe(true);
    state.requestReset(p0, 'earliest');
    expect(state.hasDeliverable()).toBe(false);
    expect(p0).toMatchObject({ position: undefined, resetTo: 'earliest' });
  });

  it('keeps paused partitions back and takes turns between partitions', () => {
    const state = new SubscriptionState();
    state.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    for (const partition of [0, 1]) {
      const s = state.get('t', partition)!;
      state.seek(s, 0n);
      state.addFetched('t', partition, s.epoch, 0n, queued(recordsFromBatches('t', partition, [batch(0n, 3)], 0n)));
    }
    state.get('t', 0)!.paused = true;
    expect(state.take(10).map((r) => r.partition)).toEqual([1, 1, 1]);
    expect(state.take(10)).toEqual([]);
    state.get('t', 0)!.paused = false;
    expect(state.take(2).map((r) => `${r.partition}@${r.offset}`)).toEqual(['0@0', '0@1']);
    expect(() => state.require('t', 7, 'pause')).toThrow('cannot pause t-7: the partition is not assigned to this consumer');
  });
});

describe('SubscriptionState revocation', () => {
  it('keeps a revoked partition assigned but idle until unassigned, and starts over when it comes back', () => {
    const state = new SubscriptionState();
    state.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    const p0 = state.get('t', 0)!;
    state.seek(p0, 4n);
    state.markRevoking([{ topic: 't', partition: 0 }]);
    expect(state.assigned()).toHaveLength(2);
    expect(state.owned()).toEqual([{ topic: 't', partition: 1 }]);
    expect(state.fetchable()).toEqual([]);
    expect(p0.position).toBe(4n);
    expect(state.addFetched('t', 0, p0.epoch, 4n, queued(recordsFromBatches('t', 0, [batch(4n, 1)], 4n)))).toBe(false);
    // Assigned again before the revocation callback ran: a fresh state that unassign(…, true) keeps.
    state.assign([{ topic: 't', partition: 0 }]);
    expect(state.get('t', 0)).toMatchObject({ revoking: false, position: undefined });
    state.unassign([{ topic: 't', partition: 0 }], true);
    expect(state.assigned()).toHaveLength(2);
    state.markRevoking([{ topic: 't', partition: 1 }]);
    state.unassign([{ topic: 't', partition: 1 }], true);
    expect(state.assigned()).toEqual([{ topic: 't', partition: 0 }]);
  });
});
