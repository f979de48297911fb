/**
 * The file source tasks: thin shells over TailSource and SpoolSource. Spool mode has its own task
 * class because it needs commit() (files whose last offset is committed can leave input.path).
 * Neither overrides commitRecord(): the committed offsets say all a spooled file needs (see
 * SpoolLedger), and a per-record call would cost the worker a call per line and keep each record
 * alive until Kafka acknowledged it.
 */
import type { SourceRecord } from '../../runtime/connect/api/index.ts';
import { ConnectError, SourceTask } from '../../runtime/connect/api/index.ts';
import { charsetFor } from './charset.ts';
import type { FileSourceSettings, Mode } from './file-source-config.ts';
import { MODE_CONFIG, parseFileSourceConfig } from './file-source-config.ts';
import type { Logger } from './log.ts';
import { fileLogger } from './log.ts';
import { RecordFactory } from './record-factory.ts';
import { SpoolSource } from './spool-source.ts';
import { TailSource } from './tail-source.ts';
import { UncommittedWindow } from './uncommitted-window.ts';
import { Waker } from './waker.ts';
import { FILE_SOURCE_VERSION } from './version.ts';

abstract class FileSourceTaskBase<S extends TailSource | SpoolSource> extends SourceTask {
  #source: S | null = null;
  #settings: FileSourceSettings | null = null;
  #window = new UncommittedWindow(0);
  readonly #waker = new Waker();
  #stopped = false;
  protected abstract readonly mode: Mode;

  version(): string {
    return FILE_SOURCE_VERSION;
  }

  protected get source(): S {
    if (this.#source === null) throw new ConnectError(`${this.constructor.name} used before start()`, { code: 'FILE_TASK_NOT_STARTED' });
    return this.#source;
  }

  async start(props: Readonly<Record<string, string>>): Promise<void> {
    const settings = parseFileSourceConfig(props);
    if (settings.mode !== this.mode) {
      throw new ConnectError(`${this.constructor.name} runs ${MODE_CONFIG}=${this.mode}, but the task config says ${settings.mode}`, { code: 'FILE_TASK_MODE' });
    }
    const logger = fileLogger('file-source', { connector: settings.connectorName, task: settings.taskIndex, mode: settings.mode });
    const source = this.create(settings, logger);
    this.#source = source;
    this.#settings = settings;
    this.#window = new UncommittedWindow(settings.maxUncommittedRecords);
    await source.start();
    logger.info(settings.mode === 'tail' ? `following ${settings.filePaths.join(', ')}` : `spooling ${settings.inputPath} (files matching ${settings.inputFilePattern!.source})`);
  }

  protected abstract create(settings: FileSourceSettings, logger: Logger): S;

  protected common(settings: FileSourceSettings, logger: Logger) {
    return {
      settings,
      offsets: this.context.offsetStorageReader(),
      factory: new RecordFactory(settings),
      charset: charsetFor(settings.charset, settings.malformedInput),
      logger,
    };
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.#stopped) return null;
    const settings = this.#settings!;
    const room = this.#window.room();
    if (room === 0) {
      // max.uncommitted.records reached: wait for the next offset flush (commit() wakes us).
      await this.#waker.sleep(settings.pollIntervalMs);
      return null;
    }
    const records = await this.source.poll(Math.min(settings.batchSize, room));
    this.#window.emitted(records);
    return records.length === 0 ? null : records;
  }

  /** Offsets were flushed: the window of uncommitted records moves on. */
  override async commit(): Promise<void> {
    if (!this.#window.bounded) return;
    await this.#window.refresh(this.context.offsetStorageReader());
    this.#waker.wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waker.wake();
    await this.#source?.stop();
  }
}

export class FileTailTask extends FileSourceTaskBase<TailSource> {
  protected readonly mode = 'tail';

  protected create(settings: FileSourceSettings, logger: Logger): TailSource {
    return new TailSource({ ...this.common(settings, logger), patterns: settings.filePaths });
  }
}

export class FileSpoolTask extends FileSourceTaskBase<SpoolSource> {
  protected readonly mode = 'spool';

  protected create(settings: FileSourceSettings, logger: Logger): SpoolSource {
    return new SpoolSource(this.common(settings, logger));
  }

  /** Offsets were flushed: files whose last offset the store now holds can be moved away. */
  override async commit(): Promise<void> {
    await super.commit();
    await this.source.committed();
  }
}
