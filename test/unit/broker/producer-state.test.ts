import { describe, expect, it } from 'vitest';
import { ProducerStateTable, lastSequence } from '../../../runtime/broker/server/producer-state.ts';

const pid = 1000n;
const batch = (firstSeq: number, recordCount = 10, epoch = 0) => ({ producerId: pid, epoch, firstSeq, recordCount });

function appendInto(table: ProducerStateTable, b: ReturnType<typeof batch>, offset: bigint): void {
  expect(table.check(b, 't-0').kind).toBe('append');
  table.record(b, offset, offset + BigInt(b.recordCount - 1), 0n);
}

describe('ProducerStateTable', () => {
  it('accepts the first batch of an unknown producer at any sequence', () => {
    const table = new ProducerStateTable();
    expect(table.check(batch(42), 't-0').kind).toBe('append');
  });

  it('answers a retried batch with its original offsets', () => {
    const table = new ProducerStateTable();
    appendInto(table, batch(0), 0n);
    appendInto(table, batch(10), 10n);
    const retry = table.check(batch(0), 't-0');
    expect(retry).toMatchObject({ kind: 'duplicate', batch: { firstOffset: 0n, lastOffset: 9n } });
  });

  it('remembers only the last five batches', () => {
    const table = new ProducerStateTable();
    for (let i = 0; i < 6; i++) appendInto(table, batch(i * 10), BigInt(i * 10));
    expect(table.entry(pid)?.batches).toHaveLength(5);
    // The first batch was forgotten: its retry is now a sequence error, not a duplicate.
    expect(table.check(batch(0), 't-0')).toMatchObject({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('refuses a gap in sequences', () => {
    const table = new ProducerStateTable();
    appendInto(table, batch(0), 0n);
    const gap = table.check(batch(20), 't-0');
    expect(gap).toMatchObject({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(gap.kind === 'error' && gap.message).toContain('expected 10');
  });

  it('refuses an older epoch and requires sequence 0 for a newer one', () => {
    const table = new ProducerStateTable();
    appendInto(table, batch(0, 10, 3), 0n);
    expect(table.check(batch(10, 10, 2), 't-0')).toMatchObject({ kind: 'error', error: 'INVALID_PRODUCER_EPOCH' });
    expect(table.check(batch(5, 10, 4), 't-0')).toMatchObject({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(table.check(batch(0, 10, 4), 't-0').kind).toBe('append');
  });

  it('wraps sequences at Int32.MAX_VALUE', () => {
    expect(lastSequence(0x7ffffffe, 3)).toBe(0);
    const table = new ProducerStateTable();
    appendInto(table, batch(0x7ffffff6, 10), 0n);
    expect(table.check(batch(0), 't-0').kind).toBe('append');
  });

  it('survives a snapshot round trip', () => {
    const table = new ProducerStateTable();
    appendInto(table, batch(0), 5n);
    const restored = ProducerStateTable.fromSnapshot(JSON.parse(JSON.stringify(table.snapshot())));
    expect(restored.check(batch(0), 't-0')).toMatchObject({ kind: 'duplicate', batch: { firstOffset: 5n } });
    expect(restored.check(batch(10), 't-0').kind).toBe('append');
  });
});
