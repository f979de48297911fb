/**
 * Time-series collections (timeseries.*): the `create` command the sink sends before the first
 * write to a namespace, the check that an existing collection is a time-series one, and the
 * conversion of the time field to a BSON date (timeseries.timefield.auto.convert).
 */
import type { Document } from 'mongodb';
import { Double, Int32, Long } from 'mongodb';
import { ConnectError } from '../../runtime/connect/api/index.ts';
import type { DatePattern } from './date-pattern.ts';
import { parseDate } from './date-pattern.ts';
import { describeMongoError, isRetriableMongoError } from './mongo-errors.ts';
import type { Namespace } from './namespace.ts';

export type Granularity = 'seconds' | 'minutes' | 'hours';

export interface TimeseriesSettings {
  readonly timeField: string;
  readonly metaField: string;
  readonly expireAfterSeconds: number;
  readonly granularity: Granularity | null;
  readonly autoConvert: boolean;
  readonly datePattern: DatePattern;
}

/** The create command of the time-series collection `collection`. */
export function timeseriesCreateCommand(collection: string, settings: TimeseriesSettings): Document {
  const timeseries: Document = { timeField: settings.timeField };
  if (settings.metaField !== '') timeseries.metaField = settings.metaField;
  if (settings.granularity !== null) timeseries.granularity = settings.granularity;
  const command: Document = { create: collection, timeseries };
  if (settings.expireAfterSeconds > 0) command.expireAfterSeconds = settings.expireAfterSeconds;
  return command;
}

/** Runs one command on a database (the driver's db.command, or a test double). */
export type RunCommand = (database: string, command: Document) => Promise<Document>;

const NAMESPACE_EXISTS = 48;

/**
 * Creates the time-series collection unless it exists; fails when a collection of that name
 * exists but is not a time-series one (writes would silently go to an ordinary collection).
 */
export async function ensureTimeseriesCollection(run: RunCommand, namespace: Namespace, settings: TimeseriesSettings): Promise<void> {
  const existing = await collectionType(run, namespace);
  if (existing !== null) return requireTimeseries(namespace, existing);
  try {
    await run(namespace.database, timeseriesCreateCommand(namespace.collection, settings));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Another task created it first.
    if (code === NAMESPACE_EXISTS) return requireTimeseries(namespace, await collectionType(run, namespace));
    if (isRetriableMongoError(error)) throw error;
    throw new ConnectError(`Creating the time-series collection ${namespace.database}.${namespace.collection} failed: ${describeMongoError(error)}`, {
      code: 'MONGODB_TIMESERIES',
      cause: error,
      context: { command: timeseriesCreateCommand(namespace.collection, settings) },
    });
  }
}

async function collectionType(run: RunCommand, namespace: Namespace): Promise<string | null> {
  const reply = await run(namespace.database, { listCollections: 1, filter: { name: namespace.collection } });
  const batch: unknown = (reply.cursor as Document | undefined)?.firstBatch;
  const info = Array.isArray(batch) ? (batch[0] as Document | undefined) : undefined;
  if (info === undefined) return null;
  return typeof info.type === 'string' ? info.type : 'collection';
}

function requireTimeseries(namespace: Namespace, type: string | null): void {
  if (type === 'timeseries') return;
  throw new ConnectError(`A collection ${namespace.database}.${namespace.collection} already exists that is not a time-series collection (type ${type ?? 'unknown'}); drop it or write to another collection`, {
    code: 'MONGODB_TIMESERIES',
  });
}

/**
 * The value with its time field as a BSON date: numbers are epoch milliseconds (fractions
 * dropped), strings are parsed by the date pattern. A value that does not convert stays as it is
 * (the server then refuses the document, which reaches the dead letter queue with its reason).
 */
export function convertTimeField(value: Document, settings: TimeseriesSettings): Document {
  const field: unknown = value[settings.timeField];
  let millis: number | null = null;
  if (typeof field === 'number') millis = Math.trunc(field);
  else if (typeof field === 'bigint') millis = Number(field);
  else if (field instanceof Long) millis = field.toNumber();
  else if (field instanceof Int32 || field instanceof Double) millis = Math.trunc(field.valueOf());
  else if (typeof field === 'string') millis = parseDate(settings.datePattern, field);
  else return value;
  if (millis === null || !Number.isFinite(millis)) return value;
  return { ...value, [settings.timeField]: new Date(millis) };
}
