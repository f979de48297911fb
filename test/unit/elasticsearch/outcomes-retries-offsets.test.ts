import { describe, expect, it } from 'vitest';
import { classifyItem, describeItemError } from '../../../connectors/elasticsearch/item-outcome.ts';
import type { OffsetEntry } from '../../../connectors/elasticsearch/offset-tracker.ts';
import { OffsetTracker } from '../../../connectors/elasticsearch/offset-tracker.ts';
import { MAX_RETRY_WAIT_MS, RetryPolicy, withRetries } from '../../../connectors/elasticsearch/retry-policy.ts';

const index = { type: 'index', externalVersion: true } as const;
const err = (type: string) => ({ type, reason: 'r' });

describe('bulk item outcomes', () => {
  it('reads successes, deletes of missing documents and expected version conflicts as ok', () => {
    expect(classifyItem(index, { status: 201 }).kind).toBe('ok');
    expect(classifyItem({ type: 'delete', externalVersion: true }, { status: 404 }).kind).toBe('ok');
    expect(classifyItem(index, { status: 409, error: err('version_conflict_engine_exception') }).kind).toBe('ok');
    expect(classifyItem({ type: 'create', externalVersion: false }, { status: 409, error: err('version_conflict_engine_exception') }).kind).toBe('ok');
    expect(classifyItem({ type: 'update', externalVersion: false }, { status: 409, error: err('version_conflict_engine_exception') }).kind).toBe('conflict');
  });

  it('retries 408, 429 and 5xx; sorts mapping errors as malformed; fails on the rest', () => {
    expect(classifyItem(index, { status: 429, error: err('es_rejected_execution_exception') }).kind).toBe('retry');
    expect(classifyItem(index, { status: 429, error: err('cluster_block_exception') }).kind).toBe('retry');
    expect(classifyItem(index, { status: 503, error: err('unavailable_shards_exception') }).kind).toBe('retry');
    expect(classifyItem(index, { status: 408 }).kind).toBe('retry');
    for (const type of ['mapper_parsing_exception', 'document_parsing_exception', 'strict_dynamic_mapping_exception', 'illegal_argument_exception', 'action_request_validation_exception']) {
      expect(classifyItem(index, { status: 400, error: err(type) }).kind).toBe('malformed');
    }
    expect(classifyItem(index, { status: 403, error: err('cluster_block_exception') }).kind).toBe('failed');
    expect(classifyItem(index, { status: 404, error: err('index_not_found_exception') }).kind).toBe('failed');
  });

  it('describes errors with their cause', () => {
    expect(describeItemError({ type: 'a', reason: 'b', causedBy: { type: 'c', reason: 'd' } })).toBe('a: b (caused by c: d)');
  });
});

describe('retry policy', () => {
  it('doubles the wait per retry with jitter between half and all of it', () => {
    const low = new RetryPolicy(5, 100, { next: () => 0 });
    const high = new RetryPolicy(5, 100, { next: () => 0.999999 });
    expect([1, 2, 3, 4].map((r) => low.delayMs(r))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((r) => high.delayMs(r))).toEqual([99, 199, 399, 799]);
    expect(low.delayMs(60)).toBe(MAX_RETRY_WAIT_MS / 2);
    expect([0, 4, 5].map((n) => low.allows(n))).toEqual([true, true, false]);
  });

  it('withRetries retries what is retriable until the policy says stop', async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = () => Promise.reject(Object.assign(new Error(`fail ${++calls}`), { retriable: true }));
    await expect(withRetries(failing, new RetryPolicy(2, 10, { next: () => 0 }), (e) => (e as { retriable: boolean }).retriable, async (ms) => void waits.push(ms))).rejects.toThrow('fail 3');
    expect(waits).toEqual([5, 10]);
    calls = 0;
    await expect(withRetries(failing, new RetryPolicy(2, 10), () => false, async () => {})).rejects.toThrow('fail 1');
    let attempts = 0;
    expect(await withRetries(async () => (++attempts < 2 ? Promise.reject(new Error('x')) : 'done'), new RetryPolicy(1, 0), () => true, async () => {})).toBe('done');
  });
});

describe('offset tracker', () => {
  const entry = (offset: number): OffsetEntry => ({ offset, done: false, owner: null });

  it('commits only up to the first record not yet done, per partition', () => {
    const t = new OffsetTracker();
    const a = [10, 11, 12].map((o) => t.track('t', 0, entry(o)));
    const b = t.track('t', 1, entry(5));
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 13 }])).toEqual([]);
    t.markDone(a[1]);
    t.markDone(b);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 13 }, { topic: 't', partition: 1, offset: 6 }])).toEqual([{ topic: 't', partition: 1, offset: 6 }]);
    t.markDone(a[0]);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 13 }])).toEqual([{ topic: 't', partition: 0, offset: 12 }]);
    t.markDone(a[2]);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 13 }])).toEqual([{ topic: 't', partition: 0, offset: 13 }]);
    expect(t.pending).toBe(0);
  });

  it('never moves back when records are delivered again, and never passes the consumer position', () => {
    const t = new OffsetTracker();
    t.markDone(t.track('t', 0, entry(20)));
    t.markDone(t.track('t', 0, entry(18)));
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 21 }])).toEqual([{ topic: 't', partition: 0, offset: 21 }]);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 19 }])).toEqual([{ topic: 't', partition: 0, offset: 19 }]);
  });

  it('forgets closed partitions, ignoring later completions of their records', () => {
    const t = new OffsetTracker();
    const e = t.track('t', 0, entry(1));
    t.track('t', 0, entry(2));
    expect(t.pending).toBe(2);
    t.close([{ topic: 't', partition: 0 }]);
    expect(t.pending).toBe(0);
    t.markDone(e);
    expect(t.pending).toBe(0);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 3 }])).toEqual([]);
  });

  it('handles long runs without growing', () => {
    const t = new OffsetTracker();
    const entries = Array.from({ length: 5000 }, (_, i) => t.track('t', 0, entry(i)));
    for (const e of entries.slice(1)) t.markDone(e);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 5000 }])).toEqual([]);
    t.markDone(entries[0]);
    expect(t.committableOffsets([{ topic: 't', partition: 0, offset: 5000 }])).toEqual([{ topic: 't', partition: 0, offset: 5000 }]);
  });
});
