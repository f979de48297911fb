/**
 * Change-stream mode. Offsets per watched namespace: `{_id: <resume token JSON>}` after each
 * event; during copy_existing `{copy: "true", startAt: <seconds>, copyNs, copyLastId}` so that a
 * restart mid-copy continues after the last copied document instead of starting over, then
 * streams from `startAt` (duplicates of changes made during the copy are possible, losses not).
 */
import type { ChangeStream, ChangeStreamOptions, Document, MongoClient } from 'mongodb';
import { BSON, Timestamp } from 'mongodb';
import { SourceRecord } from '../../runtime/connect/api/index.ts';
import { ConfigException, ResumeTokenLostError } from './errors.ts';
import type { Logger } from './log.ts';
import { describeMongoError } from './mongo-errors.ts';
import { isResumeTokenLost } from './resume-token-lost.ts';
import type { SourceSettings } from './source-config.ts';
import { OFFSET_PARTITION_NAME_CONFIG, RESUME_TOKEN_LOST_CONFIG, STARTUP_TIMESTAMP_CONFIG } from './source-config.ts';
import { sourceRecord } from './source-records.ts';

interface CopyState {
  /** Cluster time (epoch seconds) to stream from once the copy is done. */
  startAt: number;
  namespaces: string[];
  /** Index into namespaces of the one being copied. */
  current: number;
  lastId: unknown;
}

export class ChangeStreamReader {
  readonly #client: MongoClient;
  readonly #settings: SourceSettings;
  readonly #partition: Record<string, string>;
  readonly #log: Logger;
  #token: Document | null = null;
  /** Cluster time of the stored token's event, checked against the oplog before resuming. */
  #storedClusterTime: Timestamp | null = null;
  #startAt: number | null = null;
  #copy: CopyState | null = null;
  #copyPending = false;
  #stream: ChangeStream | null = null;
  #lastEventAt = Date.now();
  #lastHeartbeatToken = '';

  constructor(client: MongoClient, settings: SourceSettings, partition: Record<string, string>, stored: Record<string, unknown> | null, log: Logger) {
    this.#client = client;
    this.#settings = settings;
    this.#partition = partition;
    this.#log = log;
    if (stored === null) {
      if (settings.startupMode === 'copy_existing') this.#copyPending = true;
      if (settings.startupMode === 'timestamp') this.#startAt = parseStartTime(settings.startupTimestamp);
    } else if (stored.copy === 'true') {
      const namespaces = typeof stored.copyNamespaces === 'string' ? (JSON.parse(stored.copyNamespaces) as string[]) : [];
      this.#copy = {
        startAt: Number(stored.startAt),
        namespaces,
        current: Math.max(0, namespaces.indexOf(String(stored.copyNs))),
        lastId: typeof stored.copyLastId === 'string' ? (BSON.EJSON.parse(stored.copyLastId, { relaxed: false }) as Document).id : undefined,
      };
    } else if (typeof stored._id === 'string') {
      this.#token = BSON.EJSON.parse(stored._id, { relaxed: false }) as Document;
      if (typeof stored.clusterTime === 'string') {
        const parsed = (BSON.EJSON.parse(stored.clusterTime, { relaxed: false }) as Document).ts;
        if (parsed instanceof Timestamp) this.#storedClusterTime = parsed;
      }
    } else if (stored.startAt !== undefined) {
      this.#startAt = Number(stored.startAt);
    }
  }

  async read(): Promise<SourceRecord[]> {
    if (this.#copyPending) await this.#beginCopy();
    if (this.#copy !== null) {
      const copied = await this.#copyBatch();
      if (copied.length > 0) return copied;
    }
    return this.#streamBatch();
  }

  async #beginCopy(): Promise<void> {
    const startAt = Math.floor(Date.now() / 1000) - 1;
    const namespaces = await this.#namespacesToCopy();
    this.#copy = { startAt, namespaces, current: 0, lastId: undefined };
    this.#copyPending = false;
  }

  async #namespacesToCopy(): Promise<string[]> {
    const { database, collection, copyNamespaceRegex } = this.#settings;
    let namespaces: string[];
    if (collection !== '') {
      namespaces = [`${database}.${collection}`];
    } else {
      const databases = database !== '' ? [database] : (await this.#client.db('admin').admin().listDatabases()).databases.map((d) => d.name).filter((name) => !['admin', 'config', 'local'].includes(name));
      namespaces = [];
      for (const db of databases) {
        for (const info of await this.#client.db(db).listCollections({}, { nameOnly: true }).toArray()) {
          if (!info.name.startsWith('system.')) namespaces.push(`${db}.${info.name}`);
        }
      }
    }
    return namespaces.filter((ns) => copyNamespaceRegex === null || copyNamespaceRegex.test(ns)).sort();
  }

  async #copyBatch(): Promise<SourceRecord[]> {
    const copy = this.#copy!;
    while (copy.current < copy.namespaces.length) {
      const ns = copy.namespaces[copy.current]!;
      const dot = ns.indexOf('.');
      const [database, collection] = [ns.slice(0, dot), ns.slice(dot + 1)];
      const match = copy.lastId === undefined ? [] : [{ $match: { _id: { $gt: copy.lastId } } }];
      const docs = await this.#client
        .db(database)
        .collection(collection)
        .aggregate([...match, { $sort: { _id: 1 } }, ...this.#settings.copyPipeline, { $limit: this.#settings.pollMaxBatchSize }])
        .toArray();
      if (docs.length === 0) {
        copy.current += 1;
        copy.lastId = undefined;
        continue;
      }
      const records: SourceRecord[] = [];
      for (const doc of docs) {
        copy.lastId = doc._id;
        const record = sourceRecord(this.#settings, {
          database,
          collection,
          operationType: 'insert',
          eventId: { _id: doc._id, copyingData: true },
          documentKey: { _id: doc._id },
          fullDocument: doc,
          partition: this.#partition,
          offset: {
            copy: 'true',
            startAt: copy.startAt,
            copyNamespaces: JSON.stringify(copy.namespaces),
            copyNs: ns,
            copyLastId: BSON.EJSON.stringify({ id: doc._id }, { relaxed: false }),
          },
          timestamp: null,
        });
        if (record !== null) records.push(record);
      }
      return records;
    }
    // Copy done: stream from the time the copy started.
    this.#startAt = copy.startAt;
    this.#copy = null;
    return [];
  }

  #open(): ChangeStream {
    const settings = this.#settings;
    const options: ChangeStreamOptions = { maxAwaitTimeMS: settings.pollAwaitTimeMs };
    if (settings.batchSize > 0) options.batchSize = settings.batchSize;
    const fullDocument = settings.publishFullDocumentOnly && settings.fullDocument === '' ? 'updateLookup' : settings.fullDocument;
    if (fullDocument !== '' && fullDocument !== 'default') options.fullDocument = fullDocument;
    if (settings.fullDocumentBeforeChange !== '') options.fullDocumentBeforeChange = settings.fullDocumentBeforeChange;
    if (this.#token !== null) options.startAfter = this.#token;
    else if (this.#startAt !== null) options.startAtOperationTime = new Timestamp({ t: this.#startAt, i: 0 });
    return watchTarget(this.#client, settings).watch(settings.pipeline, options);
  }

  /**
   * Some servers (mongo-java-server) resume silently from a token whose history they lost. Where
   * the oplog is readable, the stored event's entry must still be in it; where it is not readable
   * (no privileges), the server's own ChangeStreamHistoryLost is relied on.
   */
  async #historyStillThere(): Promise<boolean> {
    const ts = this.#storedClusterTime;
    this.#storedClusterTime = null;
    if (ts === null) return true;
    try {
      const entry = await this.#client.db('local').collection('oplog.rs').findOne({ ts }, { projection: { ts: 1 } });
      return entry !== null;
    } catch {
      return true;
    }
  }

  async #streamBatch(): Promise<SourceRecord[]> {
    if (this.#stream === null && this.#token !== null && !(await this.#historyStillThere())) {
      this.#tokenLost(new Error(`the oplog has no entry at the stored event's cluster time`), []);
      if (this.#copyPending) return [];
    }
    this.#stream ??= this.#open();
    const stream = this.#stream;
    const records: SourceRecord[] = [];
    try {
      while (records.length < this.#settings.pollMaxBatchSize) {
        const event = await stream.tryNext();
        if (event === null) break;
        const record = this.#eventRecord(event as unknown as Document);
        if (record !== null) records.push(record);
      }
    } catch (error) {
      await this.#closeStream();
      if (isResumeTokenLost(error) && (this.#token !== null || this.#startAt !== null)) return this.#tokenLost(error, records);
      throw error;
    }
    if (records.length > 0) this.#lastEventAt = Date.now();
    else {
      const heartbeat = this.#heartbeat(stream);
      if (heartbeat !== null) records.push(heartbeat);
    }
    return records;
  }

  #eventRecord(event: Document): SourceRecord | null {
    const token = event._id as Document;
    this.#token = token;
    const ns = (event.ns ?? {}) as { db?: string; coll?: string };
    const fullDocument = (event.fullDocument ?? null) as Document | null;
    let documentKey = (event.documentKey ?? null) as Document | null;
    // Some servers (mongo-java-server) put the update itself in documentKey; the _id is in fullDocument.
    if ((documentKey === null || !('_id' in documentKey)) && fullDocument !== null && '_id' in fullDocument) documentKey = { _id: fullDocument._id };
    const { _id: _ignored, operationType, ns: _ns, documentKey: _dk, fullDocument: _fd, ...extra } = event;
    const clusterTime = event.clusterTime instanceof Timestamp ? event.clusterTime.high * 1000 : null;
    return sourceRecord(this.#settings, {
      database: ns.db ?? this.#settings.database,
      collection: ns.coll ?? this.#settings.collection,
      operationType: String(operationType),
      eventId: token,
      documentKey,
      fullDocument,
      extra,
      partition: this.#partition,
      offset: clusterTime === null ? { _id: BSON.EJSON.stringify(token, { relaxed: false }) } : { _id: BSON.EJSON.stringify(token, { relaxed: false }), clusterTime: BSON.EJSON.stringify({ ts: event.clusterTime }, { relaxed: false }) },
      timestamp: clusterTime,
    });
  }

  /** A heartbeat carries the latest resume token when idle, so the offset keeps up with the oplog. */
  #heartbeat(stream: ChangeStream): SourceRecord | null {
    const interval = this.#settings.heartbeatIntervalMs;
    const token = stream.resumeToken as Document | null | undefined;
    if (interval <= 0 || token === null || token === undefined || Date.now() - this.#lastEventAt < interval) return null;
    const text = BSON.EJSON.stringify(token, { relaxed: false });
    if (text === this.#lastHeartbeatToken) return null;
    this.#lastHeartbeatToken = text;
    this.#lastEventAt = Date.now();
    this.#token = token;
    return sourceRecordForHeartbeat(this.#settings, this.#partition, text);
  }

  #tokenLost(error: unknown, records: SourceRecord[]): SourceRecord[] {
    const behaviour = this.#settings.resumeTokenLost;
    const what = `The stored resume position of partition ${JSON.stringify(this.#partition)} is no longer in the server's change history (${describeMongoError(error)})`;
    if (behaviour === 'fail') {
      throw new ResumeTokenLostError(
        `${what}. Continuing would silently skip changes. Choose one: set ${RESUME_TOKEN_LOST_CONFIG}=restart_latest (continue from now, losing the changes in between), ${RESUME_TOKEN_LOST_CONFIG}=restart_copy_existing (copy the data again, with duplicates), or a new ${OFFSET_PARTITION_NAME_CONFIG} / delete the connector's offsets to start afresh.`,
        error,
      );
    }
    this.#log.error({ partition: this.#partition, err: describeMongoError(error), behaviour }, 'resume token lost; restarting as configured');
    this.#token = null;
    this.#startAt = null;
    if (behaviour === 'restart_copy_existing') this.#copyPending = true;
    return records;
  }

  async #closeStream(): Promise<void> {
    const stream = this.#stream;
    this.#stream = null;
    await stream?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#closeStream();
  }
}

function watchTarget(client: MongoClient, settings: SourceSettings): { watch: (pipeline: Document[], options: ChangeStreamOptions) => ChangeStream } {
  if (settings.collection !== '') return client.db(settings.database).collection(settings.collection);
  if (settings.database !== '') return client.db(settings.database);
  return client;
}

function sourceRecordForHeartbeat(settings: SourceSettings, partition: Record<string, string>, tokenText: string): SourceRecord {
  return new SourceRecord({
    topic: settings.heartbeatTopic,
    sourcePartition: partition,
    sourceOffset: { _id: tokenText, HEARTBEAT: 'true' },
    key: JSON.stringify({ _id: tokenText }),
    value: null,
  });
}

/** startup.mode.timestamp.start.at.operation.time: epoch seconds or an ISO-8601 instant. */
export function parseStartTime(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ConfigException(STARTUP_TIMESTAMP_CONFIG, text, 'expected epoch seconds or an ISO-8601 instant');
  return Math.floor(ms / 1000);
}
