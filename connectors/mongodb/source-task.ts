/**
 * The MongoDB source task: a change stream (resume tokens as offsets) or, with mode=poll, a query
 * on an increasing field. poll() waits up to poll.await.time.ms for data; connection trouble is a
 * RetriableException (the worker polls again), a lost resume token fails the task unless
 * resume.token.lost.behavior says otherwise.
 */
import { MongoClient } from 'mongodb';
import type { SourceRecord } from '../../runtime/connect/api/index.ts';
import { ConnectError, RetriableException, SourceTask } from '../../runtime/connect/api/index.ts';
import { ChangeStreamReader } from './change-stream-reader.ts';
import type { Logger } from './log.ts';
import { mongoLogger } from './log.ts';
import { describeMongoError, isRetriableMongoError } from './mongo-errors.ts';
import { PollReader } from './poll-reader.ts';
import type { SourceSettings } from './source-config.ts';
import { sourceSettings } from './source-config.ts';
import { MONGODB_CONNECTOR_VERSION } from './version.ts';

export interface SourceReader {
  read(): Promise<SourceRecord[]>;
  close(): Promise<void>;
}

/** Injected for tests: how long an idle poll waits. */
export interface MongoSourceTaskOverrides {
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class MongoSourceTask extends SourceTask {
  readonly #overrides: MongoSourceTaskOverrides;
  #settings: SourceSettings | null = null;
  #client: MongoClient | null = null;
  #reader: SourceReader | null = null;
  #stopping = new AbortController();
  #log: Logger = mongoLogger('mongodb-source');

  constructor(overrides: MongoSourceTaskOverrides = {}) {
    super();
    this.#overrides = overrides;
  }

  version(): string {
    return MONGODB_CONNECTOR_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    this.#settings = sourceSettings(props);
    this.#log = mongoLogger('mongodb-source', { connector: props.name, task: props['task.id'] });
    this.#stopping = new AbortController();
    this.#client = new MongoClient(this.#settings.uri, { appName: 'sluice-mongodb-source', serverSelectionTimeoutMS: 10_000 });
  }

  async #openReader(): Promise<SourceReader> {
    const settings = this.#settings!;
    const partition = { ns: settings.partitionName };
    const stored = await this.context.offsetStorageReader().offset(partition);
    if (settings.mode === 'poll') {
      const reader = new PollReader(this.#client!, settings, partition, stored as Record<string, unknown> | null);
      return { read: () => reader.read(), close: () => Promise.resolve() };
    }
    return new ChangeStreamReader(this.#client!, settings, partition, stored as Record<string, unknown> | null, this.#log);
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.#settings === null || this.#client === null) throw new ConnectError('MongoSourceTask polled before start()', { code: 'MONGODB_NOT_STARTED' });
    if (this.#stopping.signal.aborted) return null;
    try {
      this.#reader ??= await this.#openReader();
      const records = await this.#reader.read();
      if (records.length > 0) return records;
    } catch (error) {
      if (isRetriableMongoError(error)) {
        throw new RetriableException(`Reading from MongoDB failed: ${describeMongoError(error)}`, { code: 'MONGODB_RETRIABLE', cause: error });
      }
      if (error instanceof ConnectError) throw error;
      throw new ConnectError(`Reading from MongoDB failed: ${describeMongoError(error)}`, { code: 'MONGODB_READ_FAILED', cause: error });
    }
    if (this.#settings.mode === 'poll') await this.#sleep(this.#settings.pollAwaitTimeMs);
    return null;
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#stopping.signal;
    if (this.#overrides.sleep !== undefined) return this.#overrides.sleep(ms, signal);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    const reader = this.#reader;
    const client = this.#client;
    this.#reader = null;
    this.#client = null;
    await reader?.close();
    await client?.close();
  }
}
