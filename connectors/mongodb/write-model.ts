/**
 * Write model strategies (com.mongodb.kafka.connect.sink.writemodel.strategy.*): the bulkWrite
 * operation for one processed record.
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { DataException } from '../../runtime/connect/api/index.ts';
import { generateId } from './id-strategy.ts';
import type { SinkDocument } from './post-processors.ts';
import type { SinkRecord } from '../../runtime/connect/api/index.ts';
import type { TopicSettings } from './sink-config.ts';
import type { WriteModelStrategyName } from './strategy-names.ts';
import { isPlainDocument } from './sink-document.ts';

export const MODIFIED_TS_FIELD = '_modifiedTS';
export const INSERTED_TS_FIELD = '_insertedTS';

export function buildWriteModel(
  strategy: WriteModelStrategyName,
  settings: TopicSettings,
  record: SinkRecord,
  doc: SinkDocument,
  now: Date,
): AnyBulkWriteOperation<Document> {
  if (strategy === 'DeleteOneDefaultStrategy') {
    // The id of a delete comes from the key: the value may be a tombstone.
    const id = generateId(settings, { record, key: doc.key, value: doc.value });
    return { deleteOne: { filter: idFilter(id) } };
  }
  if (strategy === 'DeleteOneTombstoneBusinessKeyStrategy') {
    // The key's projected fields are the business key, matched in the stored documents.
    if (!isPlainDocument(doc.key)) throw new DataException(`${strategy} needs a key that is a document`, { code: 'MONGODB_WRITE_MODEL' });
    const businessKeyDoc = generateId(settings, { record, key: doc.key, value: doc.value });
    if (!isPlainDocument(businessKeyDoc) || Object.keys(businessKeyDoc).length === 0) throw new DataException(`${strategy}: the key projection left no fields to delete by`, { code: 'MONGODB_WRITE_MODEL' });
    return { deleteOne: { filter: flatten(businessKeyDoc, '') } };
  }
  const value = requireValue(doc, strategy);
  switch (strategy) {
    case 'DefaultWriteModelStrategy':
    case 'ReplaceOneDefaultStrategy':
      return { replaceOne: { filter: idFilter(requireId(value, strategy)), replacement: withoutId(value), upsert: true } };
    case 'ReplaceOneBusinessKeyStrategy':
      return { replaceOne: { filter: businessKey(value, strategy), replacement: withoutId(value), upsert: true } };
    case 'UpdateOneDefaultStrategy':
      return { updateOne: { filter: idFilter(requireId(value, strategy)), update: { $set: withoutId(value) }, upsert: true } };
    case 'UpdateOneTimestampsStrategy':
      return {
        updateOne: {
          filter: idFilter(requireId(value, strategy)),
          update: { $set: { ...withoutId(value), [MODIFIED_TS_FIELD]: now }, $setOnInsert: { [INSERTED_TS_FIELD]: now } },
          upsert: true,
        },
      };
    case 'UpdateOneBusinessKeyTimestampStrategy':
      return {
        updateOne: {
          filter: businessKey(value, strategy),
          update: { $set: { ...withoutId(value), [MODIFIED_TS_FIELD]: now }, $setOnInsert: { [INSERTED_TS_FIELD]: now } },
          upsert: true,
        },
      };
    case 'InsertOneDefaultStrategy':
      return { insertOne: { document: value } };
    case 'DeleteOneBusinessKeyStrategy':
      return { deleteOne: { filter: businessKey(value, strategy) } };
  }
}

function idFilter(id: unknown): Document {
  return { _id: id };
}

function requireValue(doc: SinkDocument, strategy: WriteModelStrategyName): Document {
  if (doc.value === null) throw new DataException(`${strategy} needs a record value, but the value is null`, { code: 'MONGODB_WRITE_MODEL' });
  return doc.value;
}

function requireId(value: Document, strategy: WriteModelStrategyName): unknown {
  if (!('_id' in value) || value._id === undefined) throw new DataException(`${strategy} needs an _id in the value document`, { code: 'MONGODB_WRITE_MODEL' });
  return value._id;
}

/** The business key: the fields of the `_id` document (PartialValue/PartialKey + overwrite.existing), matched in the value. */
function businessKey(value: Document, strategy: WriteModelStrategyName): Document {
  const id = value._id;
  if (!isPlainDocument(id) || Object.keys(id).length === 0) {
    throw new DataException(`${strategy} needs _id to be a non-empty document holding the business key (use PartialValueStrategy or PartialKeyStrategy with document.id.strategy.overwrite.existing=true)`, {
      code: 'MONGODB_WRITE_MODEL',
    });
  }
  return flatten(id, '');
}

function flatten(doc: Document, prefix: string): Document {
  const out: Document = {};
  for (const [name, field] of Object.entries(doc)) {
    if (isPlainDocument(field)) Object.assign(out, flatten(field, `${prefix}${name}.`));
    else out[`${prefix}${name}`] = field;
  }
  return out;
}

function withoutId(doc: Document): Document {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}
