import { describe, expect, it } from 'vitest';
import type { SequencedBatch } from '../../../runtime/client/producer-sequences.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE, ProducerSequences, incrementSequence } from '../../../runtime/client/producer-sequences.ts';

const batch = (partitionKey: string, recordCount: number): SequencedBatch => ({
  partitionKey,
  recordCount,
  producerId: NO_PRODUCER_ID,
  producerEpoch: NO_PRODUCER_EPOCH,
  baseSequence: NO_SEQUENCE,
});

describe('incrementSequence', () => {
  it('adds, and wraps from Int32.MAX_VALUE back to 0 as Kafka does', () => {
    expect(incrementSequence(5, 10)).toBe(15);
    expect(incrementSequence(0x7fffffff - 3, 3)).toBe(0x7fffffff);
    expect(incrementSequence(0x7fffffff, 1)).toBe(0);
    expect(incrementSequence(0x7fffffff - 1, 5)).toBe(3);
  });
});

describe('ProducerSequences', () => {
  it('gives each partition consecutive sequences under the current producer id', () => {
    const sequences = new ProducerSequences();
    sequences.setProducerId(7n, 0);
    const a1 = batch('t-0', 10);
    const b1 = batch('t-1', 4);
    const a2 = batch('t-0', 5);
    for (const b of [a1, b1, a2]) sequences.assign(b);
    expect([a1.baseSequence, b1.baseSequence, a2.baseSequence]).toEqual([0, 0, 10]);
    expect([a2.producerId, a2.producerEpoch]).toEqual([7n, 0]);
  });

  it('knows which batch is the earliest unresolved one of its partition', () => {
    const sequences = new ProducerSequences();
    sequences.setProducerId(1n, 0);
    const first = batch('t-0', 1);
    const second = batch('t-0', 1);
    sequences.assign(first);
    sequences.assign(second);
    expect(sequences.isFirstUnresolved(first)).toBe(true);
    expect(sequences.isFirstUnresolved(second)).toBe(false);
    sequences.resolve(first);
    expect(sequences.isFirstUnresolved(second)).toBe(true);
    sequences.resolve(second);
    expect(sequences.unresolvedCount).toBe(0);
  });

  it('with a new producer id starts every partition at 0 and renumbers the unresolved batches in order', () => {
    const sequences = new ProducerSequences();
    sequences.setProducerId(1n, 0);
    const acked = batch('t-0', 3);
    const lost = batch('t-0', 4);
    const after = batch('t-0', 2);
    const other = batch('u-0', 6);
    for (const b of [acked, lost, after, other]) sequences.assign(b);
    sequences.resolve(acked);
    sequences.resolve(other);
    sequences.setProducerId(2n, 0);
    expect([lost.producerId, lost.baseSequence, after.baseSequence]).toEqual([2n, 0, 4]);
    const next = batch('t-0', 1);
    const fresh = batch('u-0', 1);
    sequences.assign(next);
    sequences.assign(fresh);
    expect([next.baseSequence, fresh.baseSequence]).toEqual([6, 0]);
  });

  it('counts a partition as confirmed once a batch of the current producer id was acknowledged there', () => {
    const sequences = new ProducerSequences();
    sequences.setProducerId(1n, 0);
    const first = batch('t-0', 2);
    sequences.assign(first);
    expect(sequences.isConfirmed('t-0')).toBe(false);
    sequences.acknowledge(first);
    expect(sequences.isConfirmed('t-0')).toBe(true);
    expect(sequences.isConfirmed('t-1')).toBe(false);
    sequences.setProducerId(2n, 0);
    expect(sequences.isConfirmed('t-0')).toBe(false);
  });
});
