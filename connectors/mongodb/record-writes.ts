/**
 * One record → the namespace and bulkWrite operation it becomes (conversion, post processors,
 * write model), or the data error that makes it unwritable.
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { SinkRecord } from '../../runtime/connect/api/index.ts';
import { DataException } from '../../runtime/connect/api/index.ts';
import { cdcWrite } from './cdc-handlers.ts';
import type { Namespace } from './namespace.ts';
import { mapNamespace } from './namespace.ts';
import { applyPostProcessors } from './post-processors.ts';
import type { TopicSettings } from './sink-config.ts';
import { DELETE_ON_NULL_VALUES_CONFIG } from './sink-config.ts';
import { toBsonKey, toDocument } from './sink-document.ts';
import { buildWriteModel } from './write-model.ts';

const TOMBSTONE_WRITE_MODELS: ReadonlySet<string> = new Set(['DeleteOneDefaultStrategy', 'DeleteOneTombstoneBusinessKeyStrategy']);

export interface RecordWrite {
  readonly record: SinkRecord;
  readonly namespace: Namespace;
  readonly operation: AnyBulkWriteOperation<Document>;
}

/** The write of `record`, or null when it changes nothing (CDC tombstones and schema events). */
export function recordWrite(settings: TopicSettings, record: SinkRecord, now: Date): RecordWrite | null {
  const key = toBsonKey(record.key, record.keySchema);
  const value = toDocument(record.value, record.valueSchema, 'value');
  if (settings.cdcHandler !== null) {
    const namespace = mapNamespace(settings, key, value);
    const operation = cdcWrite(settings.cdcHandler, key, value, settings.cdcRemoveNullValues);
    return operation === null ? null : { record, namespace, operation };
  }
  if (value === null && !settings.deleteOnNullValues && !TOMBSTONE_WRITE_MODELS.has(settings.writeModel)) {
    throw new DataException(`The record value is null (a tombstone) and ${DELETE_ON_NULL_VALUES_CONFIG} is false`, { code: 'MONGODB_TOMBSTONE' });
  }
  const namespace = mapNamespace(settings, key, value);
  const processed = applyPostProcessors(settings, record, { key, value });
  const strategy = value === null ? settings.deleteWriteModel : settings.writeModel;
  return { record, namespace, operation: buildWriteModel(strategy, settings, record, processed, now) };
}
