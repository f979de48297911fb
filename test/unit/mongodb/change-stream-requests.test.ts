import type { ChangeStreamOptions, Document, MongoClient } from 'mongodb';
import { Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ChangeStreamReader } from '../../../connectors/mongodb/change-stream-reader.ts';
import { mongoLogger } from '../../../connectors/mongodb/log.ts';
import { sourceSettings } from '../../../connectors/mongodb/source-config.ts';

interface WatchCall {
  target: string;
  pipeline: Document[];
  options: ChangeStreamOptions;
}

/** A client whose watch() records the request and returns an idle stream (the servers under test lack these features). */
function recordingClient(calls: WatchCall[]): MongoClient {
  const stream = (target: string) => (pipeline: Document[], options: ChangeStreamOptions) => {
    calls.push({ target, pipeline, options });
    return { tryNext: () => Promise.resolve(null), close: () => Promise.resolve(), resumeToken: null };
  };
  const fake = {
    watch: stream('deployment'),
    db: (database: string) => ({
      watch: stream(`db:${database}`),
      collection: (collection: string) => ({ watch: stream(`coll:${database}.${collection}`) }),
    }),
  };
  return fake as unknown as MongoClient;
}

async function request(props: Record<string, string>, stored: Record<string, unknown> | null = null): Promise<WatchCall> {
  const calls: WatchCall[] = [];
  const reader = new ChangeStreamReader(recordingClient(calls), sourceSettings(props), { ns: 'p' }, stored, mongoLogger('test'));
  expect(await reader.read()).toEqual([]);
  await reader.close();
  return calls[0]!;
}

describe('change-stream requests the source builds', () => {
  it('watches the whole deployment, a database or a collection', async () => {
    expect((await request({})).target).toBe('deployment');
    expect((await request({ database: 'shop' })).target).toBe('db:shop');
    expect((await request({ database: 'shop', collection: 'orders' })).target).toBe('coll:shop.orders');
  });

  it('passes pipeline, full document and pre-image options', async () => {
    const call = await request({ database: 'd', pipeline: '[{"$match":{"operationType":"insert"}}]', 'change.stream.full.document.before.change': 'required', 'publish.full.document.only': 'true', 'batch.size': '10', 'poll.await.time.ms': '250' });
    expect(call.pipeline).toEqual([{ $match: { operationType: 'insert' } }]);
    expect(call.options).toMatchObject({ fullDocument: 'updateLookup', fullDocumentBeforeChange: 'required', batchSize: 10, maxAwaitTimeMS: 250 });
  });

  it('resumes with startAfter from a stored token and starts at a time for startup.mode=timestamp', async () => {
    const resumed = await request({ database: 'd' }, { _id: '{"_data":"8263AB"}' });
    expect(resumed.options.startAfter).toEqual({ _data: '8263AB' });
    const timed = await request({ database: 'd', 'startup.mode': 'timestamp', 'startup.mode.timestamp.start.at.operation.time': '1700000000' });
    expect(timed.options.startAtOperationTime).toEqual(new Timestamp({ t: 1_700_000_000, i: 0 }));
  });
});
