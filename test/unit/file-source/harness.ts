/**
 * Drives file source tasks the way the worker does, with an in-memory offset store: poll, then
 * acknowledge records (commitRecord), then flush the offsets of acknowledged records in order
 * (the newest per partition whose predecessors are all acknowledged) and call commit(). Each
 * step is explicit so tests can place a crash, a lost acknowledgement or a late commit anywhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OffsetStorageReader, SourceMap, SourceRecord, SourceTask, SourceTaskContext } from '../../../runtime/connect/api/index.ts';
import { FileSourceConnector } from '../../../connectors/file/file-source-connector.ts';

export function keyOf(partition: SourceMap): string {
  return JSON.stringify(Object.keys(partition).sort().map((k) => [k, partition[k]]));
}

/** Committed offsets, as an offset store holds them. */
export class MemoryOffsets implements OffsetStorageReader {
  readonly map = new Map<string, { partition: SourceMap; offset: SourceMap }>();

  async offset(partition: SourceMap): Promise<SourceMap | null> {
    return this.map.get(keyOf(partition))?.offset ?? null;
  }

  async offsets(partitions: readonly SourceMap[]): Promise<Array<{ partition: SourceMap; offset: SourceMap | null }>> {
    return partitions.map((partition) => ({ partition, offset: this.map.get(keyOf(partition))?.offset ?? null }));
  }

  write(partition: SourceMap, offset: SourceMap): void {
    this.map.set(keyOf(partition), { partition, offset });
  }

  /** The single stored offset whose partition path is `file` (tests with one entry per file). */
  forPath(file: string): SourceMap | null {
    for (const { partition, offset } of this.map.values()) if (partition.path === file) return offset;
    return null;
  }
}

interface Sent {
  record: SourceRecord;
  acked: boolean;
}

/** One running task plus the worker's bookkeeping around it. */
export class TaskDriver {
  readonly task: SourceTask;
  readonly offsets: MemoryOffsets;
  readonly sent: Sent[] = [];
  /** Records in the order polled, acknowledged or not. */
  readonly polled: SourceRecord[] = [];
  #committedUpTo = 0;

  constructor(task: SourceTask, offsets: MemoryOffsets, props: Record<string, string>) {
    this.task = task;
    this.offsets = offsets;
    const context: SourceTaskContext = { configs: () => props, offsetStorageReader: () => offsets };
    task.initialize(context);
  }

  /** Starts a task of the connector for `props` (task 0 of 1). */
  static async start(props: Record<string, string>, offsets = new MemoryOffsets()): Promise<TaskDriver> {
    const connector = new FileSourceConnector();
    connector.start(props);
    const [taskProps] = connector.taskConfigs(1);
    const TaskClass = connector.taskClass();
    const driver = new TaskDriver(new TaskClass(), offsets, taskProps);
    await driver.task.start(taskProps);
    return driver;
  }

  async poll(): Promise<SourceRecord[]> {
    const records = (await this.task.poll()) ?? [];
    for (const record of records) {
      this.sent.push({ record, acked: false });
      this.polled.push(record);
    }
    return records;
  }

  /** Polls up to `maxPolls` times or until `done` says so; returns the records polled. */
  async pollUntil(done: (all: SourceRecord[]) => boolean, maxPolls = 200): Promise<SourceRecord[]> {
    const got: SourceRecord[] = [];
    for (let i = 0; i < maxPolls && !done(got); i++) got.push(...(await this.poll()));
    return got;
  }

  /** Acknowledges the first `n` unacknowledged records (all by default), as Kafka would. */
  async ack(n = Infinity): Promise<void> {
    let done = 0;
    for (const s of this.sent) {
      if (done >= n) break;
      if (s.acked) continue;
      s.acked = true;
      done++;
      await this.task.commitRecord(s.record, { topic: s.record.topic, partition: 0, offset: done, timestamp: 0 });
    }
  }

  /** Writes the committable offsets (in-order acknowledged prefix per partition). */
  flushOffsets(): number {
    const newest = new Map<string, { partition: SourceMap; offset: SourceMap }>();
    let i = this.#committedUpTo;
    for (; i < this.sent.length && this.sent[i].acked; i++) {
      const r = this.sent[i].record;
      newest.set(keyOf(r.sourcePartition!), { partition: r.sourcePartition!, offset: r.sourceOffset! });
    }
    this.#committedUpTo = i;
    for (const { partition, offset } of newest.values()) this.offsets.write(partition, offset);
    return newest.size;
  }

  /** The worker's commit: flush offsets, then SourceTask.commit() when something was written. */
  async commit(): Promise<void> {
    if (this.flushOffsets() > 0) await this.task.commit();
  }

  async ackAndCommit(): Promise<void> {
    await this.ack();
    await this.commit();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }
}

export function values(records: readonly SourceRecord[]): unknown[] {
  return records.map((r) => r.value);
}

export async function tempDir(prefix = 'file-source-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function header(record: SourceRecord, key: string): unknown {
  return record.headers.lastWithName(key)?.value;
}

export function lines(from: number, to: number, prefix = 'line'): string {
  let out = '';
  for (let i = from; i <= to; i++) out += `${prefix}-${i}\n`;
  return out;
}
