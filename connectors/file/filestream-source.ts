/**
 * FileStreamSource (org.apache.kafka.connect.file.FileStreamSourceConnector), Kafka's example
 * source done right: one task reads `file` (or stdin) line by line into `topic`. Offsets are
 * byte positions (Kafka stores decoded chars but skips bytes on resume, which is wrong for
 * multi-byte UTF-8); an unterminated last line is held back until its terminator arrives
 * (`\n`, `\r\n` or `\r`; a trailing `\r` waits for the next byte).
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { ConfigDef, ExactlyOnceSupport, SourceMap } from '../../runtime/connect/api/index.ts';
import { ConnectError, Schemas, SourceConnector, SourceRecord, SourceTask } from '../../runtime/connect/api/index.ts';
import {
  BATCH_SIZE_CONFIG,
  FILENAME_FIELD,
  FILE_CONFIG,
  FILE_STREAM_VERSION,
  POSITION_FIELD,
  SOURCE_CONFIG,
  TOPIC_CONFIG,
  fileNameOf,
} from './filestream-config.ts';

export const FILE_STREAM_SOURCE_CLASS = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

const READ_CHUNK = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;
/** Idle waits grow from the first to the last value while no data arrives (Kafka always waits 1 s). */
const IDLE_WAIT_MS = [50, 100, 200, 500, 1000];

export class FileStreamSourceConnector extends SourceConnector {
  #props: Record<string, string> = {};

  version(): string {
    return FILE_STREAM_VERSION;
  }

  config(): ConfigDef<object> {
    return SOURCE_CONFIG;
  }

  start(props: Readonly<Record<string, string>>): void {
    const parsed = SOURCE_CONFIG.parse(props);
    const file = fileNameOf(parsed.get(FILE_CONFIG));
    this.#props = {
      ...(file === null ? {} : { [FILE_CONFIG]: file }),
      [TOPIC_CONFIG]: parsed.get(TOPIC_CONFIG),
      [BATCH_SIZE_CONFIG]: String(parsed.get(BATCH_SIZE_CONFIG)),
    };
  }

  taskClass(): new () => SourceTask {
    return FileStreamSourceTask;
  }

  /** Always one task: a file has one reader. */
  taskConfigs(_maxTasks: number): Array<Record<string, string>> {
    return [{ ...this.#props }];
  }

  stop(): void {}

  /** An append-only file can be re-read from a byte position exactly; stdin cannot. */
  override exactlyOnceSupport(config: Readonly<Record<string, string>>): ExactlyOnceSupport {
    return fileNameOf(config[FILE_CONFIG]) === null ? 'UNSUPPORTED' : 'SUPPORTED';
  }

  override alterOffsets(config: Readonly<Record<string, string>>, offsets: ReadonlyArray<{ partition: SourceMap; offset: SourceMap | null }>): boolean {
    if (fileNameOf(config[FILE_CONFIG]) === null) {
      throw new ConnectError('Offsets cannot be modified if the \'file\' configuration is unspecified: this connector reads stdin, which has no offsets');
    }
    for (const { partition, offset } of offsets) {
      if (typeof partition[FILENAME_FIELD] !== 'string') {
        throw new ConnectError(`The partition ${JSON.stringify(partition)} has no "${FILENAME_FIELD}" string; partitions look like {"${FILENAME_FIELD}": "/path/to/file"}`);
      }
      if (offset === null) continue;
      const position = offset[POSITION_FIELD];
      if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
        throw new ConnectError(
          `The offset ${JSON.stringify(offset)} for ${JSON.stringify(partition)} needs "${POSITION_FIELD}": a non-negative whole number of bytes`,
        );
      }
    }
    return true;
  }
}

/** Where bytes come from: a file read at a position, or stdin. */
interface ByteInput {
  /** Up to `max` bytes into `target` at `offset`; 0 when nothing is available now. */
  read(target: Buffer, offset: number, max: number): Promise<number>;
  close(): Promise<void>;
}

class FileInput implements ByteInput {
  readonly #handle: FileHandle;
  #position: number;

  constructor(handle: FileHandle, position: number) {
    this.#handle = handle;
    this.#position = position;
  }

  async read(target: Buffer, offset: number, max: number): Promise<number> {
    const { bytesRead } = await this.#handle.read(target, offset, max, this.#position);
    this.#position += bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

class StdinInput implements ByteInput {
  readonly #chunks: Buffer[] = [];
  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
  };

  constructor() {
    process.stdin.on('data', this.#onData);
    process.stdin.resume();
  }

  async read(target: Buffer, offset: number, max: number): Promise<number> {
    let copied = 0;
    while (copied < max && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const n = chunk.copy(target, offset + copied, 0, Math.min(chunk.length, max - copied));
      copied += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    return copied;
  }

  async close(): Promise<void> {
    process.stdin.off('data', this.#onData);
    process.stdin.pause();
  }
}

/**
 * Calls `onLine` with each line of `buffer[start, length)`, at most `max`: its text and the byte
 * offset just past its terminator (no object per line). A line needs its terminator: a final
 * `\r` is not taken, since a `\n` may follow in the next read. Returns the number of lines.
 */
export function scanLines(buffer: Buffer, start: number, length: number, max: number, onLine: (text: string, end: number) => void): number {
  const view = buffer.subarray(0, length);
  // Most files have no CR at all: then a single indexOf per line suffices.
  let nextCr = view.indexOf(CR, start);
  let pos = start;
  let count = 0;
  while (count < max && pos < length) {
    const lf = view.indexOf(LF, pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = view.indexOf(CR, pos);
    if (nextCr !== -1 && (lf === -1 || nextCr < lf)) {
      if (nextCr + 1 >= length) break;
      const end = view[nextCr + 1] === LF ? nextCr + 2 : nextCr + 1;
      onLine(view.toString('utf8', pos, nextCr), end);
      count++;
      pos = end;
      continue;
    }
    if (lf === -1) break;
    onLine(view.toString('utf8', pos, lf), lf + 1);
    count++;
    pos = lf + 1;
  }
  return count;
}

export class FileStreamSourceTask extends SourceTask {
  #file: string | null = null;
  #topic = '';
  #batchSize = 2000;
  #partition: SourceMap | null = null;
  #input: ByteInput | null = null;
  /** Byte position in the file of buffer[0]. */
  #position = 0;
  #buffer: Buffer = Buffer.alloc(0);
  /** Bytes of #buffer holding data; those before #consumed were emitted already. */
  #filled = 0;
  #consumed = 0;
  #idle = 0;
  #missingWarned = false;
  #stopping = false;
  #polling = false;
  #wake: (() => void) | null = null;

  version(): string {
    return FILE_STREAM_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    const parsed = SOURCE_CONFIG.parse(props);
    this.#file = fileNameOf(parsed.get(FILE_CONFIG));
    this.#topic = parsed.get(TOPIC_CONFIG);
    this.#batchSize = parsed.get(BATCH_SIZE_CONFIG);
    this.#partition = this.#file === null ? null : { [FILENAME_FIELD]: this.#file };
    this.#buffer = Buffer.allocUnsafe(READ_CHUNK);
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.#stopping) return null;
    this.#polling = true;
    try {
      return await this.#pollOnce();
    } finally {
      this.#polling = false;
      if (this.#stopping) await this.#close();
    }
  }

  async #pollOnce(): Promise<SourceRecord[] | null> {
    if (this.#input === null && !(await this.#open())) {
      await this.#sleep(1000);
      return null;
    }
    const records: SourceRecord[] = [];
    for (;;) {
      this.#take(records);
      if (records.length >= this.#batchSize || this.#stopping) break;
      const read = await this.#readMore();
      if (read === 0) break;
    }
    if (records.length > 0) {
      this.#idle = 0;
      return records;
    }
    await this.#sleep(IDLE_WAIT_MS[Math.min(this.#idle++, IDLE_WAIT_MS.length - 1)]);
    return null;
  }

  /** Opens the input at the committed position; false (after a warning) while the file is missing. */
  async #open(): Promise<boolean> {
    if (this.#file === null) {
      this.#input = new StdinInput();
      return true;
    }
    let handle: FileHandle;
    try {
      handle = await open(this.#file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConnectError(`Cannot open ${this.#file}: ${(err as Error).message}`, { cause: err });
      if (!this.#missingWarned) {
        console.warn(`FileStreamSource: couldn't find file ${this.#file}; waiting for it to appear`);
        this.#missingWarned = true;
      }
      return false;
    }
    const stored = await this.context.offsetStorageReader().offset(this.#partition!);
    const position = stored?.[POSITION_FIELD];
    this.#position = typeof position === 'number' && Number.isSafeInteger(position) && position >= 0 ? position : 0;
    this.#input = new FileInput(handle, this.#position);
    return true;
  }

  /** Moves complete lines from the buffer into `records`, up to the batch size. */
  #take(records: SourceRecord[]): void {
    const now = Date.now();
    const partition = this.#partition;
    const base = this.#position;
    let consumed = this.#consumed;
    scanLines(this.#buffer, consumed, this.#filled, this.#batchSize - records.length, (text, end) => {
      records.push(
        new SourceRecord({
          sourcePartition: partition,
          sourceOffset: partition === null ? null : { [POSITION_FIELD]: base + end },
          topic: this.#topic,
          valueSchema: Schemas.STRING,
          value: text,
          timestamp: now,
        }),
      );
      consumed = end;
    });
    this.#consumed = consumed;
  }

  /** Reads more bytes after the unconsumed ones (compacting or growing the buffer); returns the count read. */
  async #readMore(): Promise<number> {
    const unconsumed = this.#filled - this.#consumed;
    if (this.#consumed > 0) {
      this.#buffer.copy(this.#buffer, 0, this.#consumed, this.#filled);
      this.#position += this.#consumed;
      this.#consumed = 0;
      this.#filled = unconsumed;
    }
    if (this.#buffer.length - this.#filled < READ_CHUNK / 2) {
      // A line longer than the free room: grow, keeping what is buffered.
      const grown = Buffer.allocUnsafe(this.#buffer.length * 2);
      this.#buffer.copy(grown, 0, 0, this.#filled);
      this.#buffer = grown;
    }
    const read = await this.#input!.read(this.#buffer, this.#filled, this.#buffer.length - this.#filled);
    this.#filled += read;
    return read;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  /** May be called while poll() runs: the input is then closed when that poll returns. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    if (!this.#polling) await this.#close();
  }

  async #close(): Promise<void> {
    const input = this.#input;
    this.#input = null;
    await input?.close();
  }
}
