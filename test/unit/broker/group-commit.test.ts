// Group commit under flush.messages=1: an append is acknowledged only after an fsync that started
// after its bytes were written, and appends that arrive while an fsync runs share the next one.
import { describe, expect, it } from 'vitest';
import type { TopicConfig } from '../../../runtime/broker/log/topic-config.ts';
import { PartitionLog } from '../../../runtime/broker/storage/partition-log.ts';
import type { AppendResult } from '../../../runtime/broker/storage/partition-log.ts';
import { batchOf, tempDir, topicConfig } from '../log/log-fixtures.ts';
import { HeldSyncs, until } from './sync-driver.ts';

async function openLog(syncs: HeldSyncs, overrides: Partial<TopicConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open({ dir: tempDir(), topic: 'orders', partition: 0, config: topicConfig({ 'flush.messages': 1, ...overrides }), syncData: syncs.sync });
}

function record(i: number): { key: string; value: string; timestamp: number } {
  return { key: `k${i}`, value: `v${i}`, timestamp: 1_700_000_000_000 + i };
}

/** Appends and writes "ack <offset>" (or "refused") into the event list when the promise settles. */
function append(log: PartitionLog, syncs: HeldSyncs, i: number): Promise<AppendResult | undefined> {
  return log.append(batchOf([record(i)]), 0).then(
    (r) => {
      syncs.events.push(`ack ${r.baseOffset}`);
      return r;
    },
    () => {
      syncs.events.push(`refused ${i}`);
      return undefined;
    },
  );
}

/** Whether `event` was recorded after `earlier`. */
function after(events: string[], event: string, earlier: string): boolean {
  const i = events.indexOf(earlier);
  return i >= 0 && events.indexOf(event) > i;
}

/** A log whose first append (offset 0) is in its fsync, held there, when this resolves. */
async function firstAppendInFsync(): Promise<{ syncs: HeldSyncs; log: PartitionLog; first: Promise<AppendResult | undefined> }> {
  const syncs = new HeldSyncs();
  const log = await openLog(syncs);
  syncs.hold();
  const first = append(log, syncs, 0);
  await until(() => syncs.waiting === 1, 'the first fsync');
  return { syncs, log, first };
}

describe('group commit (flush.messages=1)', () => {
  it('acknowledges an append only after the fsync that covers it, sharing one fsync between appends that arrived meanwhile', async () => {
    const { syncs, log, first } = await firstAppendInFsync();
    // Written, visible, but not yet durable: no ack.
    const second = append(log, syncs, 1);
    const third = append(log, syncs, 2);
    expect(log.logEndOffset).toBe(3n);
    expect(log.recoveryPoint).toBe(0n);
    expect(syncs.started).toBe(1);

    syncs.release();
    await first;
    // The first fsync started before appends 1 and 2 were written: it acknowledges only offset 0.
    await until(() => syncs.waiting === 1, 'the second fsync');
    expect([...syncs.events].sort()).toEqual(['ack 0', 'sync 1 done', 'sync 1 started', 'sync 2 started']);
    expect(after(syncs.events, 'ack 0', 'sync 1 done')).toBe(true);
    expect(log.recoveryPoint).toBe(1n);

    syncs.release();
    await Promise.all([second, third]);
    expect(after(syncs.events, 'ack 1', 'sync 2 done')).toBe(true);
    expect(after(syncs.events, 'ack 2', 'sync 2 done')).toBe(true);
    expect(log.recoveryPoint).toBe(3n);
    expect(log.flushCount).toBe(2);
    syncs.resume();
    await log.close();
  });

  it('acknowledges nothing a failed fsync covered and takes the partition offline', async () => {
    const { syncs, log, first } = await firstAppendInFsync();
    const second = append(log, syncs, 1);
    syncs.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    expect(await first).toBeUndefined();
    expect(await second).toBeUndefined();
    expect(syncs.events.filter((e) => e.startsWith('ack'))).toEqual([]);
    expect(log.recoveryPoint).toBe(0n);
    await expect(log.append(batchOf([record(2)]), 0)).rejects.toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
    // Lets the checkpoint writes still running finish before the directory goes.
    await log.deleteFiles();
  });

  it('without flush.messages reached, acknowledges at once and leaves the fsync to the flush policy', async () => {
    const syncs = new HeldSyncs();
    const log = await openLog(syncs, { 'flush.messages': 1000 });
    syncs.hold();
    const results = await Promise.all([0, 1, 2].map((i) => append(log, syncs, i)));
    expect(results.map((r) => r?.baseOffset)).toEqual([0n, 1n, 2n]);
    expect(syncs.started).toBe(0);
    expect(log.recoveryPoint).toBe(0n);
    syncs.resume();
    await log.close();
  });
});
