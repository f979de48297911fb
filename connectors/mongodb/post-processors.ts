/**
 * The post processor chain (com.mongodb.kafka.connect.sink.processor.*): each processor changes
 * the key and value documents of one record in turn.
 */
import type { Document } from 'mongodb';
import type { SinkRecord } from '../../runtime/connect/api/index.ts';
import { generateId } from './id-strategy.ts';
import { project } from './projection.ts';
import type { TopicSettings } from './sink-config.ts';
import { isPlainDocument } from './sink-document.ts';
import { convertTimeField } from './timeseries.ts';

/** A record's documents while they pass through the chain. */
export interface SinkDocument {
  key: unknown;
  value: Document | null;
}

export function applyPostProcessors(settings: TopicSettings, record: SinkRecord, doc: SinkDocument): SinkDocument {
  let current = doc;
  for (const name of settings.postProcessors) {
    switch (name) {
      case 'DocumentIdAdder':
        current = addId(settings, record, current);
        break;
      case 'KafkaMetaAdder':
        if (current.value !== null) {
          const meta: Document = { 'topic-partition-offset': `${record.topic}-${record.kafkaPartition}-${record.kafkaOffset}` };
          if (record.timestamp !== null) meta[record.timestampType] = record.timestamp;
          current = { ...current, value: { ...current.value, ...meta } };
        }
        break;
      case 'AllowListKeyProjector':
      case 'BlockListKeyProjector':
        if (isPlainDocument(current.key)) current = { ...current, key: project(current.key, settings.keyProjection) };
        break;
      case 'AllowListValueProjector':
      case 'BlockListValueProjector':
        // The id is never projected away: the write model needs it.
        if (current.value !== null) current = { ...current, value: keepId(current.value, project(current.value, settings.valueProjection)) };
        break;
      case 'RenameByMapping':
        current = renameFields(current, (path) => settings.renameMappings.find((mapping) => mapping.oldName === path)?.newName);
        break;
      case 'RenameByRegExp':
        current = renameFields(current, (path, name) => {
          const rule = settings.renameRegexps.find((candidate) => candidate.regexp.test(path));
          return rule === undefined ? undefined : name.replace(rule.pattern, rule.replace);
        });
        break;
      case 'NullFieldValueRemover':
        if (current.value !== null) current = { ...current, value: withoutNulls(current.value) };
        break;
    }
  }
  // Upstream appends the time field conversion after the configured chain.
  if (settings.timeseries?.autoConvert === true && current.value !== null) current = { ...current, value: convertTimeField(current.value, settings.timeseries) };
  return current;
}

function addId(settings: TopicSettings, record: SinkRecord, doc: SinkDocument): SinkDocument {
  if (doc.value === null) return doc;
  if ('_id' in doc.value && !settings.overwriteExistingId && !isProvided(settings)) return doc;
  const id = generateId(settings, { record, key: doc.key, value: doc.value });
  // ProvidedInValue finds the id where it already is: no copy needed.
  if (doc.value._id === id) return doc;
  return { ...doc, value: { _id: id, ...withoutId(doc.value) } };
}

// The provided-in strategies read _id from where it already is; "existing" does not apply to them.
function isProvided(settings: TopicSettings): boolean {
  return settings.idStrategy.includes('ProvidedIn');
}

function withoutId(doc: Document): Document {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}

function keepId(original: Document, projected: Document): Document {
  return '_id' in original ? { _id: original._id, ...withoutId(projected) } : projected;
}

type Renamer = (path: string, name: string) => string | undefined;

function renameFields(doc: SinkDocument, renamer: Renamer): SinkDocument {
  return {
    key: isPlainDocument(doc.key) ? renameIn(doc.key, 'key', renamer) : doc.key,
    value: doc.value === null ? null : renameIn(doc.value, 'value', renamer),
  };
}

function renameIn(doc: Document, prefix: string, renamer: Renamer): Document {
  const out: Document = {};
  for (const [name, value] of Object.entries(doc)) {
    const path = `${prefix}.${name}`;
    const renamed = renamer(path, name) ?? name;
    out[renamed] = isPlainDocument(value) ? renameIn(value, path, renamer) : value;
  }
  return out;
}

function withoutNulls(doc: Document): Document {
  const out: Document = {};
  for (const [name, value] of Object.entries(doc)) {
    if (value === null || value === undefined) continue;
    out[name] = isPlainDocument(value) ? withoutNulls(value) : value;
  }
  return out;
}
