/** Small connectors for worker and herder tests: scripted sources and a collecting sink. */
import type { ConfigDef, SinkRecord, SourceRecord } from '../../../../runtime/connect/api/index.ts';
import { ConfigDef as Def, ConnectError, RetriableException, Schemas, SinkConnector, SinkTask, SourceConnector, SourceTask, SourceRecord as Record_ } from '../../../../runtime/connect/api/index.ts';

/** Shared, test-controlled behaviour of the scripted connectors (tasks are created by the worker). */
export const script = {
  /** Records the source task returns, one batch per poll. */
  batches: [] as SourceRecord[][],
  /** Polls that throw before returning data: 'retriable' or 'fatal'. */
  pollFailures: [] as Array<'retriable' | 'fatal'>,
  startFailures: 0,
  committedRecords: [] as Array<{ value: unknown; offset: number | null }>,
  /** Records the sink task received, in order. */
  received: [] as SinkRecord[],
  /** put() failures to throw before accepting: 'retriable' or 'fatal'. */
  putFailures: [] as Array<'retriable' | 'fatal'>,
  flushed: 0,
  reset(): void {
    this.batches = [];
    this.pollFailures = [];
    this.startFailures = 0;
    this.committedRecords = [];
    this.received = [];
    this.putFailures = [];
    this.flushed = 0;
  },
};

const CONFIG = new Def().define({ name: 'topic', type: 'STRING', default: 'scripted', importance: 'HIGH', documentation: 'Topic to write to.' }).define({
  name: 'secret.password',
  type: 'PASSWORD',
  default: null,
  importance: 'LOW',
  documentation: 'A secret, to test masking.',
});

export class ScriptedSourceTask extends SourceTask {
  version(): string {
    return '1';
  }
  start(): void {
    if (script.startFailures > 0) {
      script.startFailures--;
      throw new ConnectError('scripted start failure');
    }
  }
  async poll(): Promise<SourceRecord[] | null> {
    const failure = script.pollFailures.shift();
    if (failure === 'retriable') throw new RetriableException('scripted retriable poll failure');
    if (failure === 'fatal') throw new ConnectError('scripted fatal poll failure');
    const batch = script.batches.shift();
    if (batch === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    return batch ?? null;
  }
  override commitRecord(record: SourceRecord, metadata: { offset: number } | null): void {
    script.committedRecords.push({ value: record.value, offset: metadata?.offset ?? null });
  }
  stop(): void {}
}

export class ScriptedSourceConnector extends SourceConnector {
  #props: Record<string, string> = {};
  version(): string {
    return '1';
  }
  start(props: Readonly<Record<string, string>>): void {
    this.#props = { ...props };
  }
  taskClass(): new () => SourceTask {
    return ScriptedSourceTask;
  }
  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    return Array.from({ length: maxTasks }, () => ({ ...this.#props }));
  }
  stop(): void {}
  config(): ConfigDef<object> {
    return CONFIG;
  }
}

export class CollectingSinkTask extends SinkTask {
  version(): string {
    return '1';
  }
  start(): void {}
  put(records: readonly SinkRecord[]): void {
    const failure = script.putFailures.shift();
    if (failure === 'retriable') throw new RetriableException('scripted retriable put failure');
    if (failure === 'fatal') throw new ConnectError('scripted fatal put failure');
    script.received.push(...records);
  }
  override flush(): void {
    script.flushed++;
  }
  stop(): void {}
}

export class CollectingSinkConnector extends SinkConnector {
  version(): string {
    return '1';
  }
  start(): void {}
  taskClass(): new () => SinkTask {
    return CollectingSinkTask;
  }
  taskConfigs(maxTasks: number): Array<Record<string, string>> {
    return Array.from({ length: maxTasks }, () => ({}));
  }
  stop(): void {}
  config(): ConfigDef<object> {
    return new Def();
  }
}

/** A source record of the scripted source, with an offset in partition {p: 'x'}. */
export function sourceRecord(value: string, offset: number, topic = 'scripted'): SourceRecord {
  return new Record_({ sourcePartition: { p: 'x' }, sourceOffset: { o: offset }, topic, valueSchema: Schemas.STRING, value });
}
