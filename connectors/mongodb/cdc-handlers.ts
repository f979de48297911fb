/**
 * Change data capture handlers (change.data.capture.handler): a record that is a change event —
 * a MongoDB change stream event, or a Debezium event from MongoDB or a relational database — is
 * mirrored into the collection as the replace, update or delete it describes, instead of being
 * written as a document. Id strategies and post processors do not apply in this mode.
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { BSON, ObjectId } from 'mongodb';
import { DataException } from '../../runtime/connect/api/index.ts';
import { ConfigException } from './errors.ts';
import { isPlainDocument } from './sink-document.ts';

const CDC_PACKAGE = 'com.mongodb.kafka.connect.sink.cdc.';

export const CDC_HANDLERS = ['ChangeStreamHandler', 'DebeziumMongoDbHandler', 'DebeziumChangeStreamHandler', 'RdbmsHandler', 'MysqlHandler', 'PostgresHandler'] as const;
export type CdcHandlerName = (typeof CDC_HANDLERS)[number];

// The official class names (relative to the cdc package) and the short names people use.
const HANDLER_NAMES: Record<string, CdcHandlerName> = {
  'mongodb.ChangeStreamHandler': 'ChangeStreamHandler',
  ChangeStreamHandler: 'ChangeStreamHandler',
  'debezium.mongodb.MongoDbHandler': 'DebeziumMongoDbHandler',
  MongoDbHandler: 'DebeziumMongoDbHandler',
  DebeziumMongoDbHandler: 'DebeziumMongoDbHandler',
  'debezium.mongodb.ChangeStreamHandler': 'DebeziumChangeStreamHandler',
  DebeziumChangeStreamHandler: 'DebeziumChangeStreamHandler',
  'debezium.rdbms.RdbmsHandler': 'RdbmsHandler',
  RdbmsHandler: 'RdbmsHandler',
  'debezium.rdbms.mysql.MysqlHandler': 'MysqlHandler',
  MysqlHandler: 'MysqlHandler',
  'debezium.rdbms.postgres.PostgresHandler': 'PostgresHandler',
  PostgresHandler: 'PostgresHandler',
};

/** The handler a config value names, or null for "" (CDC off). */
export function resolveCdcHandler(key: string, value: string): CdcHandlerName | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const relative = trimmed.startsWith(CDC_PACKAGE) ? trimmed.slice(CDC_PACKAGE.length) : trimmed;
  const name = HANDLER_NAMES[relative];
  if (name === undefined) {
    throw new ConfigException(key, value, `unknown CDC handler; expected one of ${Object.keys(HANDLER_NAMES).filter((n) => n.includes('.')).map((n) => CDC_PACKAGE + n).join(', ')} (or the short class name)`);
  }
  return name;
}

export type WriteOperation = AnyBulkWriteOperation<Document>;

/** The write a change event becomes, or null when the event changes nothing (tombstones, DDL, other event types). */
export function cdcWrite(handler: CdcHandlerName, key: unknown, value: Document | null, removeNullValues: boolean): WriteOperation | null {
  const operation = handlerWrite(handler, isPlainDocument(key) ? key : null, value);
  return operation !== null && removeNullValues ? withoutNullValues(operation) : operation;
}

function handlerWrite(handler: CdcHandlerName, key: Document | null, value: Document | null): WriteOperation | null {
  switch (handler) {
    case 'ChangeStreamHandler':
      return changeStreamWrite(value ?? {});
    case 'DebeziumMongoDbHandler':
    case 'DebeziumChangeStreamHandler':
      return debeziumMongoWrite(handler, key ?? {}, value ?? {});
    case 'RdbmsHandler':
    case 'MysqlHandler':
    case 'PostgresHandler':
      return rdbmsWrite(key ?? {}, value ?? {});
  }
}

// --- MongoDB change stream events (this connector's own source output) ---

const UPDATE_DESCRIPTION_FIELDS = new Set(['updatedFields', 'removedFields', 'truncatedArrays', 'disambiguatedPaths']);

function changeStreamWrite(event: Document): WriteOperation | null {
  const type = event.operationType;
  if (type === undefined) throw cdcError(`The change event has no operationType field: ${preview(event)}`);
  if (typeof type !== 'string') throw cdcError('The change event\'s operationType is not a string');
  switch (type.toLowerCase()) {
    case 'insert':
    case 'replace':
      return { replaceOne: { filter: documentKey(event), replacement: fullDocument(event), upsert: true } };
    case 'update':
      // With updateLookup (or post-images) the event holds the whole document: replace with it.
      if (isPlainDocument(event.fullDocument)) return { replaceOne: { filter: documentKey(event), replacement: fullDocument(event) } };
      return { updateOne: { filter: documentKey(event), update: updateFromDescription(event) } };
    case 'delete':
      return { deleteOne: { filter: documentKey(event) } };
    default:
      // DDL and other events (drop, rename, invalidate, ...) have no document to mirror.
      return null;
  }
}

function documentKey(event: Document): Document {
  return requireDocument(event, 'documentKey');
}

function fullDocument(event: Document): Document {
  return requireDocument(event, 'fullDocument');
}

function requireDocument(event: Document, field: string): Document {
  if (!(field in event)) throw cdcError(`The change event has no ${field} field: ${preview(event)}`);
  const value: unknown = event[field];
  if (!isPlainDocument(value)) throw cdcError(`The change event's ${field} is not a document: ${preview(event)}`);
  return value;
}

function updateFromDescription(event: Document): Document {
  const description = requireDocument(event, 'updateDescription');
  const unexpected = Object.keys(description).filter((name) => !UPDATE_DESCRIPTION_FIELDS.has(name));
  // Unknown parts of an update (a newer server's) cannot be applied: refuse rather than lose them.
  if (unexpected.length > 0) throw cdcError(`updateDescription has fields this handler does not know (${unexpected.join(', ')}); refusing to apply a partial update`);
  const updated: unknown = description.updatedFields;
  const removed: unknown = description.removedFields;
  if (!isPlainDocument(updated)) throw cdcError('updateDescription.updatedFields is missing or not a document');
  if (!Array.isArray(removed)) throw cdcError('updateDescription.removedFields is missing or not an array');
  const unset: Document = {};
  for (const field of removed) {
    if (typeof field !== 'string') throw cdcError(`updateDescription.removedFields holds a non-string: ${String(field)}`);
    unset[field] = '';
  }
  return Object.keys(unset).length > 0 ? { $set: updated, $unset: unset } : { $set: updated };
}

// --- Debezium MongoDB connector events (after/patch hold the document as Extended JSON text) ---

function debeziumMongoWrite(handler: 'DebeziumMongoDbHandler' | 'DebeziumChangeStreamHandler', key: Document, value: Document): WriteOperation | null {
  if (Object.keys(key).length === 0) throw cdcError('A Debezium MongoDB event needs a key document ({"id": ...})');
  // A null value with an id key is the tombstone Debezium writes for compaction.
  if ('id' in key && Object.keys(value).length === 0) return null;
  const op = debeziumOperation(value);
  if (op === null) return null;
  switch (op) {
    case 'c':
    case 'r': {
      const doc = parseJsonField(value, 'after');
      return { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } };
    }
    case 'u': {
      if (handler === 'DebeziumChangeStreamHandler') return { replaceOne: { filter: idFromKey(key), replacement: parseJsonField(value, 'after'), upsert: true } };
      // Oplog format: the patch is either a whole document (with _id) or update operators.
      const { $v: _version, ...patch } = parseJsonField(value, 'patch');
      if ('_id' in patch) return { replaceOne: { filter: { _id: patch._id }, replacement: patch, upsert: true } };
      return { updateOne: { filter: idFromKey(key), update: patch } };
    }
    case 'd':
      return { deleteOne: { filter: idFromKey(key) } };
  }
}

/** Debezium keys hold the id as Extended JSON text: {"id": "{\"$oid\": \"...\"}"}. */
function idFromKey(key: Document): Document {
  const id: unknown = key.id;
  if (typeof id !== 'string') throw cdcError('The Debezium key has no string field `id`');
  return { _id: parseJson(`{"_id": ${id}}`, 'key.id')._id as unknown };
}

function parseJsonField(value: Document, field: string): Document {
  const text: unknown = value[field];
  if (typeof text !== 'string') throw cdcError(`The Debezium event has no \`${field}\` field holding JSON text`);
  return parseJson(text, field);
}

function parseJson(text: string, where: string): Document {
  let parsed: unknown;
  try {
    parsed = BSON.EJSON.parse(text, { relaxed: true });
  } catch (error) {
    throw cdcError(`The Debezium event's ${where} is not valid Extended JSON: ${(error as Error).message}`);
  }
  if (!isPlainDocument(parsed)) throw cdcError(`The Debezium event's ${where} is not a JSON object`);
  return parsed;
}

type DebeziumOp = 'c' | 'r' | 'u' | 'd';

/** The event's op, or null for a schema change (a `ddl` event without op). */
function debeziumOperation(value: Document): DebeziumOp | null {
  if (!('op' in value) && 'ddl' in value) return null;
  const op: unknown = value.op;
  if (typeof op !== 'string') throw cdcError('The Debezium event has no string field `op`');
  if (op === 'c' || op === 'r' || op === 'u' || op === 'd') return op;
  throw cdcError(`Unknown Debezium operation op=${op}`);
}

// --- Debezium relational events (before/after rows; the key holds the primary key columns) ---

function rdbmsWrite(key: Document, value: Document): WriteOperation | null {
  if (Object.keys(value).length === 0) return null;
  const op = debeziumOperation(value);
  if (op === null) return null;
  const filter = rdbmsFilter(key, value, op);
  if (op === 'd') return { deleteOne: { filter } };
  return { replaceOne: { filter, replacement: rdbmsDocument(key, value, filter), upsert: true } };
}

function rdbmsFilter(key: Document, value: Document, op: DebeziumOp): Document {
  if (Object.keys(key).length > 0) return { _id: { ...key } };
  // Tables without a primary key: inserts get a new id (not idempotent), others match the old row.
  if (op === 'c' || op === 'r') return { _id: new ObjectId() };
  const before: unknown = value.before;
  if (!isPlainDocument(before) || Object.keys(before).length === 0) {
    throw cdcError('The event has no key and its `before` row is empty, so the row to change cannot be found (give the table a primary key or enable full before images)');
  }
  return before;
}

function rdbmsDocument(key: Document, value: Document, filter: Document): Document {
  const after: unknown = value.after;
  if (!isPlainDocument(after) || Object.keys(after).length === 0) throw cdcError('An insert or update event needs a non-empty `after` row');
  const doc: Document = '_id' in filter ? { _id: filter._id as unknown } : {};
  for (const [column, field] of Object.entries(after)) if (!(column in key)) doc[column] = field;
  return doc;
}

// --- change.data.capture.handler.remove.null.values ---

function withoutNullValues(operation: WriteOperation): WriteOperation | null {
  if ('replaceOne' in operation) {
    const replacement = removeNulls(operation.replaceOne.replacement);
    return Object.keys(replacement).length === 0 ? null : { replaceOne: { ...operation.replaceOne, replacement } };
  }
  if ('updateOne' in operation && isPlainDocument(operation.updateOne.update)) {
    const update: Document = { ...operation.updateOne.update };
    if (isPlainDocument(update.$set)) {
      const set = removeNulls(update.$set);
      if (Object.keys(set).length === 0) delete update.$set;
      else update.$set = set;
    }
    return Object.keys(update).length === 0 ? null : { updateOne: { ...operation.updateOne, update } };
  }
  return operation;
}

function removeNulls(doc: Document): Document {
  const out: Document = {};
  for (const [name, value] of Object.entries(doc)) {
    if (value === null || value === undefined) continue;
    out[name] = isPlainDocument(value) ? removeNulls(value) : value;
  }
  return out;
}

function cdcError(message: string): DataException {
  return new DataException(message, { code: 'MONGODB_CDC_EVENT' });
}

function preview(doc: Document): string {
  const text = BSON.EJSON.stringify(doc, { relaxed: true });
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
