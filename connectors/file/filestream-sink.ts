/**
 * FileStreamSink (org.apache.kafka.connect.file.FileStreamSinkConnector): appends each record's
 * value as one line to `file` (created if missing), or writes to stdout. Each put() writes its
 * lines in one block (Kafka's writes every line at once, so lines must not wait in memory for
 * the next offset flush); flush() fsyncs, so when the worker commits the consumer offsets after
 * flush() every committed record is on disk.
 *
 * A kill -9 in the middle of a write can leave the file ending in part of a line (Linux stops a
 * large write between pages when the process gets a fatal signal). Kafka's sink would then glue
 * the next line to that fragment; this one ends the fragment with a line feed when it starts, so
 * every line it writes stays whole. The fragment's record was not committed, so it comes again.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { ConfigDef, SinkRecord, TopicPartitionOffset } from '../../runtime/connect/api/index.ts';
import { ConnectError, SinkConnector, SinkTask, valueToString } from '../../runtime/connect/api/index.ts';
import { FILE_CONFIG, FILE_STREAM_VERSION, SINK_CONFIG, fileNameOf } from './filestream-config.ts';
import { fileLogger } from './log.ts';

export const FILE_STREAM_SINK_CLASS = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

export class FileStreamSinkConnector extends SinkConnector {
  #props: Record<string, string> = {};

  version(): string {
    return FILE_STREAM_VERSION;
  }

  config(): ConfigDef<object> {
    return SINK_CONFIG;
  }

  start(props: Readonly<Record<string, string>>): void {
    const file = fileNameOf(SINK_CONFIG.parse(props).get(FILE_CONFIG));
    this.#props = file === null ? {} : { [FILE_CONFIG]: file };
  }

  taskClass(): new () => SinkTask {
    return FileStreamSinkTask;
  }

  /** Every task appends to the same file, as Kafka's does (lines of different tasks interleave). */
  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    return Array.from({ length: maxTasks }, () => ({ ...this.#props }));
  }

  stop(): void {}

  /** The sink keeps no offsets of its own: the worker's consumer group offsets may be altered freely. */
  override alterOffsets(): boolean {
    return true;
  }
}

const LF = 0x0a;
const INITIAL_LINES_BYTES = 64 * 1024;

/** A larger buffer holding the first `used` bytes of `buffer`, with room for `needed` more. */
function grown(buffer: Buffer, used: number, needed: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(buffer.length * 2, used + needed));
  buffer.copy(next, 0, 0, used);
  return next;
}

/** The file's last byte; undefined when it is empty or cannot be read. */
async function lastByteOf(file: string): Promise<number | undefined> {
  let reader: FileHandle | undefined;
  try {
    reader = await open(file, 'r');
    const { size } = await reader.stat();
    if (size === 0) return undefined;
    const last = Buffer.alloc(1);
    await reader.read(last, 0, 1, size - 1);
    return last[0];
  } catch {
    return undefined;
  } finally {
    await reader?.close();
  }
}

/** The line a record becomes: its value as Kafka's PrintStream.println(Object) would print it. */
function lineOf(record: SinkRecord): string {
  const value = record.value;
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && value.toString !== Object.prototype.toString && !(value instanceof Uint8Array) && !(value instanceof Map) && !Array.isArray(value)) {
    return String(value);
  }
  return valueToString(record.valueSchema, value) ?? 'null';
}

export class FileStreamSinkTask extends SinkTask {
  #file: string | null = null;
  #handle: FileHandle | null = null;
  /** Where put() encodes its lines; it grows to the largest put and is reused. */
  #lines: Buffer = Buffer.allocUnsafe(INITIAL_LINES_BYTES);

  version(): string {
    return FILE_STREAM_VERSION;
  }

  async start(props: Readonly<Record<string, string>>): Promise<void> {
    this.#file = fileNameOf(SINK_CONFIG.parse(props).get(FILE_CONFIG));
    if (this.#file === null) return;
    try {
      this.#handle = await open(this.#file, 'a');
    } catch (err) {
      throw new ConnectError(`Couldn't find or create file '${this.#file}' for FileStreamSinkTask: ${(err as Error).message}`, { cause: err });
    }
    await this.#endTornLine(this.#handle, this.#file);
  }

  /**
   * Ends a last line left without its line feed (a crash mid-write) so that the next line starts
   * on its own. A file that may be written but not read (Kafka's sink appends to it) is left as it is.
   */
  async #endTornLine(handle: FileHandle, file: string): Promise<void> {
    const last = await lastByteOf(file);
    if (last === undefined || last === LF) return;
    await this.#writeFile(handle, Buffer.of(LF));
    fileLogger('filestream-sink', { file }).warn(
      `${file} ended in a line without a line feed (a write cut short, as by a crash): ended it so that the next line starts on its own; records not committed when it was cut are written again`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.#handle === null) {
      const lines = new Array<string>(records.length);
      for (let i = 0; i < records.length; i++) lines[i] = lineOf(records[i]);
      await this.#writeStdout(`${lines.join('\n')}\n`);
      return;
    }
    // The lines are encoded straight into one reused buffer: no joined string, no copy of it.
    let length = 0;
    for (let i = 0; i < records.length; i++) {
      const line = lineOf(records[i]);
      // UTF-8 takes at most 3 bytes per UTF-16 code unit, plus the line feed.
      if (this.#lines.length - length < line.length * 3 + 1) this.#lines = grown(this.#lines, length, line.length * 3 + 1);
      length += this.#lines.write(line, length, 'utf8');
      this.#lines[length++] = LF;
    }
    await this.#writeFile(this.#handle, this.#lines.subarray(0, length));
  }

  override async flush(_offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.#handle?.sync();
  }

  async #writeStdout(text: string): Promise<void> {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
  }

  async #writeFile(handle: FileHandle, bytes: Buffer): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
  }

  async stop(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
  }
}
