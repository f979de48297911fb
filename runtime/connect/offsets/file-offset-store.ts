/**
 * Source offsets in one JSON file (`offset.storage.file.filename`), readable by people and tools
 * unlike Kafka's Java-serialised map:
 *
 *   {"format":"sluice-connect-offsets","version":1,"offsets":[
 *     {"connector":"local-file-source","partition":{"filename":"test.txt"},"offset":{"position":42}}]}
 *
 * Every write replaces the file atomically (temporary file, fsync, rename, fsync of the folder),
 * so a crash leaves either the old or the new content. Writes are serialised; one that arrives
 * while another runs is merged into the next.
 */
import { mkdirSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { CorruptDataError, SluiceError, messageOf } from '../../util/errors.ts';
import type { SourceMap } from '../api/index.ts';
import { OffsetTable } from './memory-offset-store.ts';
import type { SourceOffsetEntry, SourceOffsetStore } from './offset-store.ts';

const FORMAT = 'sluice-connect-offsets';
const VERSION = 1;

interface OffsetFile {
  format: string;
  version: number;
  offsets: Array<{ connector: string; partition: SourceMap; offset: SourceMap }>;
}

export class FileOffsetStore implements SourceOffsetStore {
  readonly file: string;
  readonly #table: OffsetTable;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  #closed = false;

  private constructor(file: string, table: OffsetTable) {
    this.file = file;
    this.#table = table;
  }

  /**
   * Opens the store, reading the file when it exists. A file that is not ours (Kafka's
   * Java-serialised offsets, or damaged JSON) is an error naming the file and the key.
   */
  static async open(file: string, configKey = 'offset.storage.file.filename'): Promise<FileOffsetStore> {
    const table = new OffsetTable();
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SluiceError('OFFSET_FILE_UNREADABLE', `Cannot read ${configKey}=${file}: ${messageOf(err)}`, { cause: err, context: { key: configKey, file } });
      }
    }
    if (bytes !== undefined && bytes.length > 0) {
      for (const entry of parseOffsetFile(bytes, file, configKey)) table.apply(entry.connector, [{ partition: entry.partition, offset: entry.offset }]);
    }
    const dir = path.dirname(path.resolve(file));
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new SluiceError('OFFSET_FILE_UNREADABLE', `Cannot create the folder of ${configKey}=${file}: ${messageOf(err)}`, { cause: err, context: { key: configKey, file } });
    }
    return new FileOffsetStore(file, table);
  }

  get(connector: string, partition: SourceMap): SourceMap | null {
    return this.#table.get(connector, partition);
  }

  list(connector: string): SourceOffsetEntry[] {
    return this.#table.list(connector);
  }

  write(connector: string, entries: readonly SourceOffsetEntry[]): Promise<void> {
    if (this.#closed) return Promise.reject(new SluiceError('OFFSET_STORE_CLOSED', `the offset store ${this.file} is closed`));
    this.#table.apply(connector, entries);
    this.#dirty = true;
    // Chained: each write waits for the previous; a write finding nothing dirty returns at once.
    const next = this.#writing.then(() => this.#persist());
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async #persist(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const content: OffsetFile = { format: FORMAT, version: VERSION, offsets: this.#table.all() };
    const text = `${JSON.stringify(content, null, 1)}\n`;
    const temp = `${this.file}.tmp`;
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
      syncFolder(path.dirname(path.resolve(this.file)));
    } catch (err) {
      this.#dirty = true;
      throw new SluiceError('OFFSET_FLUSH_FAILED', `Writing source offsets to ${this.file} failed: ${messageOf(err)}`, { retriable: true, cause: err, context: { file: this.file } });
    }
  }

  async close(): Promise<void> {
    await this.#writing;
    this.#closed = true;
  }
}

function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a folder; the rename is then as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isMap(value: unknown): value is SourceMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the file's entries; anything malformed is a CorruptDataError naming the file and where. */
export function parseOffsetFile(bytes: Buffer, file: string, configKey = 'offset.storage.file.filename'): OffsetFile['offsets'] {
  if (bytes.length >= 2 && bytes[0] === 0xac && bytes[1] === 0xed) {
    throw new CorruptDataError(
      `${configKey}=${file} holds Kafka Connect's Java-serialised offsets, which cannot be read here; move the file away or choose another ${configKey}`,
      { code: 'OFFSET_FILE_FOREIGN', context: { key: configKey, file } },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new CorruptDataError(`${configKey}=${file} is not valid JSON (${messageOf(err)}); restore it or move it away`, { code: 'OFFSET_FILE_CORRUPT', cause: err, context: { key: configKey, file } });
  }
  const content = parsed as Partial<OffsetFile>;
  if (!isMap(parsed) || content.format !== FORMAT || !Array.isArray(content.offsets)) {
    throw new CorruptDataError(`${configKey}=${file} is not a Sluice offsets file (expected {"format":"${FORMAT}","version":${VERSION},"offsets":[...]})`, {
      code: 'OFFSET_FILE_FOREIGN',
      context: { key: configKey, file },
    });
  }
  if (content.version !== VERSION) {
    throw new CorruptDataError(`${configKey}=${file} has version ${String(content.version)}; this worker reads version ${VERSION}`, { code: 'OFFSET_FILE_VERSION', context: { key: configKey, file } });
  }
  return content.offsets.map((entry, index) => {
    if (!isMap(entry) || typeof entry.connector !== 'string' || !isMap(entry.partition) || !isMap(entry.offset)) {
      throw new CorruptDataError(`${configKey}=${file}: entry ${index} needs "connector" (string), "partition" and "offset" (objects)`, {
        code: 'OFFSET_FILE_CORRUPT',
        context: { key: configKey, file, entry: index },
      });
    }
    return entry;
  });
}
