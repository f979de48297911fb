/**
 * Document id strategies (com.mongodb.kafka.connect.sink.processor.id.strategy.*): the `_id` a
 * record's document gets.
 */
import type { Document } from 'mongodb';
import { Binary, ObjectId, UUID } from 'mongodb';
import type { SinkRecord } from '../../runtime/connect/api/index.ts';
import { DataException } from '../../runtime/connect/api/index.ts';
import { project } from './projection.ts';
import type { TopicSettings } from './sink-config.ts';
import { isPlainDocument } from './sink-document.ts';

/** What an id strategy may look at. `key` is the key as BSON (a document or a scalar). */
export interface IdInput {
  readonly record: SinkRecord;
  readonly key: unknown;
  readonly value: Document | null;
}

export function generateId(settings: TopicSettings, input: IdInput): unknown {
  switch (settings.idStrategy) {
    case 'BsonOidStrategy':
      return new ObjectId();
    case 'UuidStrategy': {
      const uuid = new UUID();
      // A UUID is a BSON binary of subtype 4.
      return settings.uuidBinary ? uuid : uuid.toHexString(true);
    }
    case 'KafkaMetaDataStrategy':
      return `${input.record.topic}#${input.record.kafkaPartition}#${input.record.kafkaOffset}`;
    case 'FullKeyStrategy':
      if (input.key === null) throw idError('FullKeyStrategy needs a record key, but the key is null');
      return input.key;
    case 'ProvidedInKeyStrategy':
      return provided(input.key, 'key');
    case 'ProvidedInValueStrategy':
      return provided(input.value, 'value');
    case 'UuidProvidedInKeyStrategy':
      return asUuid(provided(input.key, 'key'));
    case 'UuidProvidedInValueStrategy':
      return asUuid(provided(input.value, 'value'));
    case 'PartialKeyStrategy':
      if (!isPlainDocument(input.key)) throw idError('PartialKeyStrategy needs a key that is a document');
      return project(input.key, settings.partialKey);
    case 'PartialValueStrategy':
      if (input.value === null) throw idError('PartialValueStrategy needs a value that is a document');
      return project(input.value, settings.partialValue);
  }
}

function provided(doc: unknown, part: 'key' | 'value'): unknown {
  if (!isPlainDocument(doc) || !('_id' in doc) || doc._id === null || doc._id === undefined) {
    throw idError(`ProvidedIn${part === 'key' ? 'Key' : 'Value'}Strategy needs an _id field in the record ${part}`);
  }
  return doc._id;
}

/** A provided id as a BSON UUID (binary subtype 4): kept when it is one, parsed when a UUID string (with or without dashes). */
function asUuid(id: unknown): UUID | Binary {
  if (id instanceof Binary && id.sub_type === Binary.SUBTYPE_UUID) return id;
  if (typeof id === 'string' && /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$/.test(id)) return new UUID(id);
  throw idError(`UUID cannot be constructed from the provided _id: ${typeof id === 'string' ? JSON.stringify(id.slice(0, 60)) : typeof id}`);
}

function idError(message: string): DataException {
  return new DataException(message, { code: 'MONGODB_DOCUMENT_ID' });
}
