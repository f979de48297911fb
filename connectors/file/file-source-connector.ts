/**
 * The file source connector (`connector.class=FileSource`): tail files with rotation, or spool a
 * folder, in lines, JSON lines or CSV. Work is split over tasks by whole file.paths patterns
 * (tail: a rotating file must stay with one reader) or by a hash of the file name (spool).
 */
import type { ConfigDef, ConfigValue, SourceMap } from '../../runtime/connect/api/index.ts';
import { ConnectError, SourceConnector } from '../../runtime/connect/api/index.ts';
import type { SourceTask } from '../../runtime/connect/api/index.ts';
import { FILE_ID_FIELD, PATH_FIELD, readOffset } from './file-offsets.ts';
import type { FileSourceSettings } from './file-source-config.ts';
import {
  CONNECTOR_NAME_CONFIG,
  FILE_PATHS_CONFIG,
  FILE_SOURCE_CONFIG,
  TASK_COUNT_CONFIG,
  TASK_INDEX_CONFIG,
  parseFileSourceConfig,
  validateFileSource,
} from './file-source-config.ts';
import { FileSpoolTask, FileTailTask } from './file-source-task.ts';
import { FILE_SOURCE_VERSION } from './version.ts';

/** Our class name; the registry adds the aliases FileSourceConnector and FileSource. */
export const FILE_SOURCE_CLASS = 'io.sluice.connect.file.FileSourceConnector';

export class FileSourceConnector extends SourceConnector {
  static readonly className = FILE_SOURCE_CLASS;
  #props: Record<string, string> = {};
  #settings: FileSourceSettings | null = null;

  version(): string {
    return FILE_SOURCE_VERSION;
  }

  config(): ConfigDef<object> {
    return FILE_SOURCE_CONFIG;
  }

  override validate(props: Readonly<Record<string, string>>): ConfigValue[] {
    return validateFileSource(props);
  }

  start(props: Readonly<Record<string, string>>): void {
    this.#settings = parseFileSourceConfig(props);
    this.#props = { ...props };
  }

  taskClass(): new () => SourceTask {
    return this.#settings?.mode === 'spool' ? FileSpoolTask : FileTailTask;
  }

  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    const settings = this.#settings;
    if (settings === null) throw new ConnectError('FileSourceConnector.taskConfigs() before start()', { code: 'FILE_CONNECTOR_NOT_STARTED' });
    const base = { ...this.#props, [CONNECTOR_NAME_CONFIG]: this.#props[CONNECTOR_NAME_CONFIG] ?? '' };
    if (settings.mode === 'tail') {
      const count = Math.max(1, Math.min(maxTasks, settings.filePaths.length));
      return Array.from({ length: count }, (_, i) => ({
        ...base,
        [FILE_PATHS_CONFIG]: settings.filePaths.filter((_, j) => j % count === i).join(','),
        [TASK_INDEX_CONFIG]: String(i),
        [TASK_COUNT_CONFIG]: String(count),
      }));
    }
    const count = Math.max(1, maxTasks);
    return Array.from({ length: count }, (_, i) => ({ ...base, [TASK_INDEX_CONFIG]: String(i), [TASK_COUNT_CONFIG]: String(count) }));
  }

  stop(): void {
    this.#settings = null;
  }

  /** Offsets set through the REST API must look like ours, or a restart could not use them. */
  override alterOffsets(_config: Readonly<Record<string, string>>, offsets: ReadonlyArray<{ partition: SourceMap; offset: SourceMap | null }>): boolean {
    for (const { partition, offset } of offsets) {
      if (typeof partition[PATH_FIELD] !== 'string' || typeof partition[FILE_ID_FIELD] !== 'string') {
        throw new ConnectError(`The partition ${JSON.stringify(partition)} needs "${PATH_FIELD}" and "${FILE_ID_FIELD}" strings, e.g. {"${PATH_FIELD}":"/var/log/app.log","${FILE_ID_FIELD}":"2049:1311"}`);
      }
      if (offset !== null && readOffset(offset) === null) {
        throw new ConnectError(
          `The offset ${JSON.stringify(offset)} for ${JSON.stringify(partition)} needs whole numbers "position", "line" and "fingerprint.bytes" (at most 1024 and at most position) and a "fingerprint" string`,
        );
      }
    }
    return true;
  }
}
