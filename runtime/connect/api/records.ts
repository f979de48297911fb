/**
 * Records as connectors, converters and transforms see them (Kafka's ConnectRecord, SourceRecord,
 * SinkRecord). Records are immutable; transforms derive changed copies with newRecord().
 */
import type { Header } from './headers.ts';
import { ConnectHeaders } from './headers.ts';
import type { Schema } from './schema.ts';

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

/** A source partition or offset: a plain JSON-serialisable map defined by the connector. */
export type SourceMap = Readonly<Record<string, unknown>>;

export interface ConnectRecordInit {
  topic: string;
  kafkaPartition?: number | null;
  keySchema?: Schema | null;
  key?: unknown;
  valueSchema?: Schema | null;
  value?: unknown;
  /** Milliseconds since the epoch. */
  timestamp?: number | null;
  headers?: Iterable<Header>;
}

/** What newRecord() may change; anything left out is kept (headers are copied). */
export type RecordChanges = Partial<ConnectRecordInit>;

export abstract class ConnectRecord<R extends ConnectRecord<R>> {
  readonly topic: string;
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly timestamp: number | null;
  readonly headers: ConnectHeaders;

  constructor(init: ConnectRecordInit) {
    this.topic = init.topic;
    this.kafkaPartition = init.kafkaPartition ?? null;
    this.keySchema = init.keySchema ?? null;
    this.key = init.key ?? null;
    this.valueSchema = init.valueSchema ?? null;
    this.value = init.value ?? null;
    this.timestamp = init.timestamp ?? null;
    this.headers = init.headers instanceof ConnectHeaders ? init.headers : new ConnectHeaders(init.headers ?? []);
  }

  /** The fields of this record with `changes` applied and headers copied unless given. */
  protected mergedInit(changes: RecordChanges): ConnectRecordInit {
    return {
      topic: changes.topic ?? this.topic,
      kafkaPartition: 'kafkaPartition' in changes ? changes.kafkaPartition : this.kafkaPartition,
      keySchema: 'keySchema' in changes ? changes.keySchema : this.keySchema,
      key: 'key' in changes ? changes.key : this.key,
      valueSchema: 'valueSchema' in changes ? changes.valueSchema : this.valueSchema,
      value: 'value' in changes ? changes.value : this.value,
      timestamp: 'timestamp' in changes ? changes.timestamp : this.timestamp,
      headers: changes.headers === undefined ? this.headers.duplicate() : new ConnectHeaders(changes.headers),
    };
  }

  /** A copy of this record of the same kind with some fields changed. */
  abstract newRecord(changes: RecordChanges): R;

  toString(): string {
    return `${this.constructor.name}{topic='${this.topic}', kafkaPartition=${this.kafkaPartition}, key=${String(this.key)}, value=${String(this.value)}, timestamp=${this.timestamp}, headers=${this.headers}}`;
  }
}

export interface SourceRecordInit extends ConnectRecordInit {
  sourcePartition?: SourceMap | null;
  sourceOffset?: SourceMap | null;
}

/** A record produced by a source task, with the source position it came from. */
export class SourceRecord extends ConnectRecord<SourceRecord> {
  readonly sourcePartition: SourceMap | null;
  readonly sourceOffset: SourceMap | null;

  constructor(init: SourceRecordInit) {
    super(init);
    this.sourcePartition = init.sourcePartition ?? null;
    this.sourceOffset = init.sourceOffset ?? null;
  }

  newRecord(changes: RecordChanges): SourceRecord {
    return new SourceRecord({ ...this.mergedInit(changes), sourcePartition: this.sourcePartition, sourceOffset: this.sourceOffset });
  }
}

export interface SinkRecordInit extends ConnectRecordInit {
  kafkaPartition: number;
  kafkaOffset: number;
  timestampType?: TimestampType;
  /** Where the record was consumed from, before transforms changed topic or partition (KIP-793). */
  originalTopic?: string;
  originalKafkaPartition?: number;
  originalKafkaOffset?: number;
}

/** A record consumed from Kafka and handed to a sink task. */
export class SinkRecord extends ConnectRecord<SinkRecord> {
  readonly kafkaOffset: number;
  readonly timestampType: TimestampType;
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;

  constructor(init: SinkRecordInit) {
    super(init);
    this.kafkaOffset = init.kafkaOffset;
    this.timestampType = init.timestampType ?? 'NoTimestampType';
    this.originalTopic = init.originalTopic ?? init.topic;
    this.originalKafkaPartition = init.originalKafkaPartition ?? init.kafkaPartition;
    this.originalKafkaOffset = init.originalKafkaOffset ?? init.kafkaOffset;
  }

  newRecord(changes: RecordChanges): SinkRecord {
    const merged = this.mergedInit(changes);
    return new SinkRecord({
      ...merged,
      kafkaPartition: merged.kafkaPartition ?? this.originalKafkaPartition,
      kafkaOffset: this.kafkaOffset,
      timestampType: this.timestampType,
      originalTopic: this.originalTopic,
      originalKafkaPartition: this.originalKafkaPartition,
      originalKafkaOffset: this.originalKafkaOffset,
    });
  }
}
