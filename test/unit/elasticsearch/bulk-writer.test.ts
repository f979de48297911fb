import { describe, expect, it } from 'vitest';
import { ALL_OK, BulkRequestError, BulkWriter } from '../../../connectors/elasticsearch/bulk-writer.ts';
import type { BulkWriterOptions } from '../../../connectors/elasticsearch/bulk-writer.ts';
import type { ItemOutcome, ItemResult } from '../../../connectors/elasticsearch/item-outcome.ts';
import { classifyItem } from '../../../connectors/elasticsearch/item-outcome.ts';
import { RetryPolicy } from '../../../connectors/elasticsearch/retry-policy.ts';
import type { TestItem } from './helpers.ts';
import { ManualTimers, ScriptedTransport, item, settle } from './helpers.ts';

const ok: ItemResult = { status: 201 };
const rejected: ItemResult = { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } };
const malformed: ItemResult = { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse' } };

function setup(overrides: Partial<BulkWriterOptions<TestItem>> = {}) {
  const timers = new ManualTimers();
  const transport = new ScriptedTransport<TestItem>();
  const settled: Array<[number, ItemOutcome['kind']]> = [];
  const retries: Array<{ items: number; retry: number; delayMs: number }> = [];
  const writer = new BulkWriter<TestItem>({
    batchSize: 3,
    maxBatchBytes: -1,
    maxInFlight: 5,
    lingerMs: 5,
    // random() = 0: each wait is exactly half its ceiling (50, 100, 200... ms).
    retry: new RetryPolicy(2, 100, { next: () => 0 }),
    transport,
    classify: (_item, result) => classifyItem({ type: 'index', externalVersion: true }, result),
    onSettled: (i, outcome) => settled.push([i.n, outcome.kind]),
    onRetry: (_reason, items, retry, delayMs) => retries.push({ items, retry, delayMs }),
    timers,
    ...overrides,
  });
  const add = (...items: TestItem[]) => {
    for (const i of items) writer.add(i);
    writer.pump();
  };
  return { timers, transport, settled, retries, writer, add };
}

const numbers = (items: readonly TestItem[]) => items.map((i) => i.n);

describe('BulkWriter batching', () => {
  it('sends full batches at once and a partial batch after linger.ms', async () => {
    const { timers, transport, writer, add, settled } = setup();
    add(...[0, 1, 2, 3, 4, 5, 6].map((n) => item(n)));
    expect(transport.sent.map(numbers)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    timers.advance(4);
    expect(transport.sent).toHaveLength(2);
    timers.advance(1);
    expect(transport.sent.map(numbers)[2]).toEqual([6]);
    expect(writer.size).toBe(7);
    for (let i = 0; i < 3; i++) await transport.next().answer(ALL_OK);
    expect(settled.map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(writer.size).toBe(0);
  });

  it('closes a batch at bulk.size.bytes, and always sends an item larger than the limit alone', () => {
    const { transport, add } = setup({ maxBatchBytes: 25, batchSize: 100 });
    add(item(0), item(1), item(2, null, 40), item(3), item(4), item(5));
    expect(transport.sent.map(numbers)).toEqual([[0, 1], [2], [3, 4]]);
  });

  it('keeps at most max.in.flight.requests requests outstanding', async () => {
    const { transport, add } = setup({ maxInFlight: 2, batchSize: 1 });
    add(item(0), item(1), item(2), item(3));
    expect(transport.sent.map(numbers)).toEqual([[0], [1]]);
    await transport.next().answer([ok]);
    expect(transport.sent.map(numbers)).toEqual([[0], [1], [2]]);
    await transport.next().answer([ok]);
    await transport.next().answer([ok]);
    expect(transport.sent.map(numbers)).toEqual([[0], [1], [2], [3]]);
  });

  it('sendNow() sends a lingering partial batch at once', () => {
    const { transport, writer, add } = setup({ lingerMs: 60_000 });
    add(item(0));
    expect(transport.sent).toHaveLength(0);
    writer.sendNow();
    expect(transport.sent.map(numbers)).toEqual([[0]]);
  });
});

describe('BulkWriter retries', () => {
  it('retries only the rejected items after the backoff and settles the others at once', async () => {
    const { timers, transport, settled, retries, add } = setup();
    add(item(0), item(1), item(2));
    await transport.next().answer([ok, rejected, ok]);
    expect(settled).toEqual([
      [0, 'ok'],
      [2, 'ok'],
    ]);
    expect(retries).toEqual([{ items: 1, retry: 1, delayMs: 50 }]);
    timers.advance(49);
    expect(transport.sent).toHaveLength(1);
    timers.advance(1);
    expect(transport.sent.map(numbers)[1]).toEqual([1]);
    await transport.next().answer([ok]);
    expect(settled).toContainEqual([1, 'ok']);
  });

  it('puts retried items ahead of newer ones', async () => {
    const { timers, transport, add } = setup({ maxInFlight: 1 });
    add(item(0), item(1), item(2));
    await transport.next().answer([rejected, rejected, ok]);
    add(item(3));
    timers.advance(5);
    // Item 3 goes out while 0 and 1 wait for their backoff, and keeps the only slot busy.
    expect(transport.sent.map(numbers)[1]).toEqual([3]);
    add(item(4));
    timers.advance(45);
    await transport.next().answer([ok]);
    // The retried items go before item 4, which was queued before they came back.
    expect(transport.sent.map(numbers)[2]).toEqual([0, 1, 4]);
  });

  it('retries a whole request after a retriable request error, with growing waits', async () => {
    const { timers, transport, retries, settled, add } = setup();
    add(item(0), item(1), item(2));
    await transport.next().fail(new BulkRequestError('connection refused', { retriable: true }));
    timers.advance(50);
    await transport.next().fail(new BulkRequestError('connection refused', { retriable: true }));
    timers.advance(100);
    await transport.next().answer(ALL_OK);
    expect(retries.map((r) => r.delayMs)).toEqual([50, 100]);
    expect(settled).toHaveLength(3);
  });

  it('fails when max.retries is used up, and a flush then rejects', async () => {
    const { timers, transport, writer, add } = setup();
    add(item(0));
    const flushed = writer.flush(10_000).catch((err: unknown) => err);
    for (const wait of [50, 100]) {
      await transport.next().fail(new BulkRequestError('timeout', { retriable: true }));
      timers.advance(wait);
    }
    await transport.next().fail(new BulkRequestError('timeout', { retriable: true }));
    expect(await flushed).toMatchObject({ code: 'ES_RETRIES_EXHAUSTED' });
    expect(writer.failure?.message).toContain('after 3 attempt(s) (max.retries=2)');
    expect(() => writer.add(item(1))).toThrow(/after 3 attempt/);
  });

  it('fails at once on a request error that is not retriable', async () => {
    const { transport, writer, add, settled } = setup();
    add(item(0));
    writer.sendNow();
    await transport.next().fail(new BulkRequestError('HTTP 401', { retriable: false }));
    expect(writer.failure?.message).toBe('HTTP 401');
    expect(settled).toEqual([]);
  });

  it('hands malformed items to onSettled without retrying them', async () => {
    const { timers, transport, settled, retries, add } = setup();
    add(item(0), item(1));
    timers.advance(5);
    await transport.next().answer([ok, malformed]);
    expect(settled).toEqual([
      [0, 'ok'],
      [1, 'malformed'],
    ]);
    expect(retries).toEqual([]);
  });
});

describe('BulkWriter ordering by key', () => {
  it('never has two writes of one document outstanding at a time', async () => {
    const { transport, add } = setup({ batchSize: 1, maxInFlight: 3 });
    add(item(0, 'K'), item(1, 'K'), item(2, 'L'));
    expect(transport.sent.map(numbers)).toEqual([[0], [2]]);
    await transport.next().answer([ok]);
    expect(transport.sent.map(numbers)).toEqual([[0], [2], [1]]);
  });

  it('resends the later writes of a document after an earlier one that must be retried', async () => {
    const { timers, transport, settled, add } = setup({ batchSize: 10 });
    add(item(0, 'K'), item(1, 'L'), item(2, 'K'));
    timers.advance(5);
    await transport.next().answer([rejected, ok, ok]);
    // Item 2 succeeded, but its document must see item 0 first: both go again, in order.
    expect(settled).toEqual([[1, 'ok']]);
    add(item(3, 'K'));
    timers.advance(50);
    expect(transport.sent.map(numbers)[1]).toEqual([0, 2, 3]);
    await transport.next().answer(ALL_OK);
    expect(settled.map(([n]) => n)).toEqual([1, 0, 2, 3]);
  });
});

describe('BulkWriter waiting', () => {
  it('flush() resolves once every item is settled', async () => {
    const { transport, writer, add } = setup({ lingerMs: 60_000 });
    add(item(0), item(1));
    let done = false;
    const flushed = writer.flush(1000).then(() => (done = true));
    expect(transport.sent.map(numbers)).toEqual([[0, 1]]);
    await settle();
    expect(done).toBe(false);
    await transport.next().answer(ALL_OK);
    await flushed;
    expect(done).toBe(true);
  });

  it('flush() rejects after flush.timeout.ms', async () => {
    const { timers, writer, add } = setup();
    add(item(0));
    const flushed = writer.flush(1000);
    timers.advance(1000);
    await expect(flushed).rejects.toMatchObject({ code: 'ES_FLUSH_TIMEOUT' });
  });

  it('whenBelow() resolves when enough items have left the buffer', async () => {
    const { transport, writer, add } = setup({ batchSize: 2 });
    add(item(0), item(1), item(2), item(3));
    let resolved = false;
    const below = writer.whenBelow(3, 1000, 'no space').then(() => (resolved = true));
    await settle();
    expect(resolved).toBe(false);
    await transport.next().answer(ALL_OK);
    await below;
    expect(resolved).toBe(true);
    expect(writer.size).toBe(2);
  });

  it('close() rejects waiters and stops timers', async () => {
    const { timers, writer, add } = setup({ lingerMs: 100 });
    add(item(0));
    const flushed = writer.flush(1000);
    writer.close();
    await expect(flushed).rejects.toThrow(/closed/);
    expect(timers.pending).toBe(0);
  });
});
