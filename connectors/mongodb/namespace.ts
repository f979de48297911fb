/** Namespace mappers: the database and collection a record is written to. */
import type { Document } from 'mongodb';
import { DataException } from '../../runtime/connect/api/index.ts';
import type { TopicSettings } from './sink-config.ts';
import { getPath, isPlainDocument } from './sink-document.ts';

export interface Namespace {
  readonly database: string;
  readonly collection: string;
}

export function namespaceKey(ns: Namespace): string {
  return `${ns.database}.${ns.collection}`;
}

export function mapNamespace(settings: TopicSettings, key: unknown, value: Document | null): Namespace {
  if (settings.namespaceMapper === 'DefaultNamespaceMapper') return { database: settings.database, collection: settings.collection };
  const fields = settings.namespaceFields;
  const database = fieldName(fields.keyDatabase, key, 'key') ?? fieldName(fields.valueDatabase, value, 'value');
  const collection = fieldName(fields.keyCollection, key, 'key') ?? fieldName(fields.valueCollection, value, 'value');
  const configuredDb = fields.keyDatabase !== '' || fields.valueDatabase !== '';
  const configuredColl = fields.keyCollection !== '' || fields.valueCollection !== '';
  if (fields.errorIfInvalid && ((configuredDb && database === undefined) || (configuredColl && collection === undefined))) {
    throw new DataException('FieldPathNamespaceMapper: the configured namespace field is missing or not a non-empty string', { code: 'MONGODB_NAMESPACE' });
  }
  const result = { database: database ?? settings.database, collection: collection ?? settings.collection };
  if (result.database === '') throw new DataException('FieldPathNamespaceMapper found no database for the record and no `database` is configured', { code: 'MONGODB_NAMESPACE' });
  return result;
}

function fieldName(path: string, doc: unknown, _part: string): string | undefined {
  if (path === '' || !isPlainDocument(doc)) return undefined;
  const value = getPath(doc, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
