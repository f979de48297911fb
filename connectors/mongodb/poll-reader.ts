/**
 * mode=poll: reads one collection in (poll.field, _id) order, from the stored position on. Sees
 * inserts (and updates when poll.field is a timestamp every write sets), never deletes; see
 * README "Poll mode" for the limits.
 */
import type { Document, MongoClient } from 'mongodb';
import type { SourceRecord } from '../../runtime/connect/api/index.ts';
import type { PollPosition } from './poll-position.ts';
import { decodePosition, encodePosition, pollFilter, pollSort, positionOf } from './poll-position.ts';
import type { SourceSettings } from './source-config.ts';
import { sourceRecord } from './source-records.ts';

export const POLL_OFFSET_KEY = 'poll';

export class PollReader {
  readonly #client: MongoClient;
  readonly #settings: SourceSettings;
  readonly #partition: Record<string, string>;
  readonly #matches: Document[];
  #position: PollPosition | null = null;
  #initialised = false;

  constructor(client: MongoClient, settings: SourceSettings, partition: Record<string, string>, storedOffset: Record<string, unknown> | null) {
    this.#client = client;
    this.#settings = settings;
    this.#partition = partition;
    this.#matches = settings.pipeline.filter((stage) => '$match' in stage).map((stage) => stage.$match as Document);
    if (storedOffset !== null && storedOffset[POLL_OFFSET_KEY] !== undefined) {
      this.#position = decodePosition(storedOffset[POLL_OFFSET_KEY]);
      this.#initialised = true;
    }
  }

  #collection() {
    return this.#client.db(this.#settings.database).collection(this.#settings.collection);
  }

  /** The next documents after the position, as records; [] when there are none. */
  async read(): Promise<SourceRecord[]> {
    const field = this.#settings.pollField;
    if (!this.#initialised) {
      // startup.mode=latest: start after the newest document; otherwise from the first.
      if (this.#settings.startupMode === 'latest') {
        const newest = await this.#collection().find(pollFilter(field, null, this.#matches)).sort(pollSort(field, -1)).limit(1).toArray();
        this.#position = newest.length === 0 ? null : positionOf(newest[0]!, field);
      }
      this.#initialised = true;
    }
    const cursor = this.#collection().find(pollFilter(field, this.#position, this.#matches)).sort(pollSort(field)).limit(this.#settings.pollMaxBatchSize);
    if (this.#settings.batchSize > 0) cursor.batchSize(this.#settings.batchSize);
    const docs = await cursor.toArray();
    const records: SourceRecord[] = [];
    for (const doc of docs) {
      const position = positionOf(doc, field);
      const record = sourceRecord(this.#settings, {
          database: this.#settings.database,
          collection: this.#settings.collection,
          operationType: field === '_id' ? 'insert' : 'replace',
          eventId: { [POLL_OFFSET_KEY]: encodePosition(position) },
          documentKey: { _id: doc._id },
          fullDocument: doc,
          partition: this.#partition,
          offset: { [POLL_OFFSET_KEY]: encodePosition(position) },
          timestamp: null,
        });
      if (record !== null) records.push(record);
      this.#position = position;
    }
    return records;
  }
}
