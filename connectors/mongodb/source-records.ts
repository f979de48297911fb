/** Builds source records from change events (real ones, or ones made up by poll mode and copy_existing). */
import type { Document } from 'mongodb';
import { SourceRecord } from '../../runtime/connect/api/index.ts';
import type { SourceSettings } from './source-config.ts';
import { formatDocument } from './source-output.ts';
import { topicFor } from './topic-mapper.ts';

export interface ChangeEventParts {
  readonly database: string;
  readonly collection: string;
  readonly operationType: string;
  /** The event's `_id` (a resume token for real events). */
  readonly eventId: Document;
  readonly documentKey: Document | null;
  readonly fullDocument: Document | null;
  /** The rest of a real event (updateDescription, clusterTime, ...), kept as is. */
  readonly extra?: Document;
  readonly partition: Record<string, string>;
  readonly offset: Record<string, unknown>;
  readonly timestamp: number | null;
}

/** The record for one event, or null when publish.full.document.only drops it (no fullDocument). */
export function sourceRecord(settings: SourceSettings, event: ChangeEventParts): SourceRecord | null {
  const valueDoc = settings.publishFullDocumentOnly
    ? event.fullDocument
    : {
        _id: event.eventId,
        operationType: event.operationType,
        ...(event.extra ?? {}),
        ns: { db: event.database, coll: event.collection },
        documentKey: event.documentKey,
        fullDocument: event.fullDocument,
      };
  if (valueDoc === null) return null;
  const keyDoc = event.documentKey ?? { _id: event.eventId };
  const key = formatDocument(keyDoc, settings.keyFormat, settings.jsonFormatter);
  const value = formatDocument(valueDoc, settings.valueFormat, settings.jsonFormatter);
  return new SourceRecord({
    topic: topicFor(settings, event.database, event.collection),
    sourcePartition: event.partition,
    sourceOffset: event.offset,
    keySchema: key.schema,
    key: key.value,
    valueSchema: value.schema,
    value: value.value,
    timestamp: event.timestamp,
  });
}
