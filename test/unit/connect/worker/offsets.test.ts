import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileOffsetStore, canonicalJson } from '../../../../runtime/connect/offsets/index.ts';
import { SubmittedRecords } from '../../../../runtime/connect/worker/submitted-records.ts';

const file = (): string => path.join(mkdtempSync(path.join(tmpdir(), 'sluice-offsets-')), 'connect.offsets');

describe('FileOffsetStore', () => {
  it('writes readable JSON atomically and reads it back after reopening', async () => {
    const name = file();
    const store = await FileOffsetStore.open(name);
    await store.write('src', [{ partition: { filename: 'a.txt' }, offset: { position: 10 } }]);
    await store.write('src', [{ partition: { filename: 'a.txt' }, offset: { position: 42 } }]);
    await store.write('other', [{ partition: { filename: 'a.txt' }, offset: { position: 7 } }]);
    await store.close();
    expect(existsSync(`${name}.tmp`)).toBe(false);
    const content = JSON.parse(readFileSync(name, 'utf8'));
    expect(content.format).toBe('sluice-connect-offsets');
    expect(content.offsets).toContainEqual({ connector: 'src', partition: { filename: 'a.txt' }, offset: { position: 42 } });
    const reopened = await FileOffsetStore.open(name);
    expect(reopened.get('src', { filename: 'a.txt' })).toEqual({ position: 42 });
    expect(reopened.get('other', { filename: 'a.txt' })).toEqual({ position: 7 });
    expect(reopened.list('src')).toEqual([{ partition: { filename: 'a.txt' }, offset: { position: 42 } }]);
  });

  it('treats partitions with the same content as the same partition, whatever the key order', async () => {
    const store = await FileOffsetStore.open(file());
    await store.write('c', [{ partition: { a: 1, b: 2 }, offset: { o: 1 } }]);
    expect(store.get('c', { b: 2, a: 1 })).toEqual({ o: 1 });
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });

  it('removes a partition when its offset is null', async () => {
    const store = await FileOffsetStore.open(file());
    await store.write('c', [{ partition: { f: 'x' }, offset: { p: 1 } }]);
    await store.write('c', [{ partition: { f: 'x' }, offset: null }]);
    expect(store.list('c')).toEqual([]);
  });

  it('refuses Kafka Connect\'s Java-serialised offset file, naming the key and the file', async () => {
    const name = file();
    writeFileSync(name, Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72]));
    await expect(FileOffsetStore.open(name)).rejects.toThrow(`offset.storage.file.filename=${name} holds Kafka Connect's Java-serialised offsets`);
  });

  it('refuses damaged JSON and entries of the wrong shape', async () => {
    const name = file();
    writeFileSync(name, '{"format":"sluice-connect-offsets","version":1,"offsets":[{"connector":1}');
    await expect(FileOffsetStore.open(name)).rejects.toMatchObject({ code: 'OFFSET_FILE_CORRUPT' });
    writeFileSync(name, '{"format":"sluice-connect-offsets","version":1,"offsets":[{"connector":1}]}');
    await expect(FileOffsetStore.open(name)).rejects.toThrow(/entry 0 needs "connector"/);
  });
});

describe('SubmittedRecords', () => {
  it('commits a partition only up to the first unacknowledged record', () => {
    const submitted = new SubmittedRecords();
    const partition = { filename: 'f' };
    const a = submitted.submit(partition, { position: 1 });
    const b = submitted.submit(partition, { position: 2 });
    const c = submitted.submit(partition, { position: 3 });
    submitted.ack(b);
    submitted.ack(c);
    expect(submitted.committable().offsets).toEqual([]);
    submitted.ack(a);
    const { offsets, committedRecords } = submitted.committable();
    expect(offsets).toEqual([{ partition, offset: { position: 3 } }]);
    expect(committedRecords).toBe(3);
    expect(submitted.outstanding).toBe(0);
    expect(submitted.committable().offsets).toEqual([]);
  });

  it('gathers a long acknowledged stream between commits into its newest offset and count', () => {
    const submitted = new SubmittedRecords();
    const partition = { filename: 'f' };
    let pending = submitted.submit(partition, { position: 0 });
    for (let i = 1; i <= 5000; i++) {
      const next = submitted.submit(partition, { position: i });
      submitted.ack(pending);
      pending = next;
    }
    expect(submitted.committable()).toEqual({ offsets: [{ partition, offset: { position: 4999 } }], committedRecords: 5000 });
    expect(submitted.committable()).toEqual({ offsets: [], committedRecords: 0 });
    const late = submitted.submit(partition, { position: 5001 });
    submitted.ack(late);
    expect(submitted.committable().offsets).toEqual([]);
    submitted.ack(pending);
    expect(submitted.committable()).toEqual({ offsets: [{ partition, offset: { position: 5001 } }], committedRecords: 2 });
    expect(submitted.outstanding).toBe(0);
  });

  it('keeps partitions apart and counts records without offsets as outstanding', async () => {
    const submitted = new SubmittedRecords();
    const x = submitted.submit({ p: 'x' }, { o: 1 });
    submitted.submit({ p: 'y' }, { o: 1 });
    const none = submitted.submit(null, null);
    submitted.ack(x);
    expect(submitted.committable().offsets).toEqual([{ partition: { p: 'x' }, offset: { o: 1 } }]);
    expect(submitted.outstanding).toBe(2);
    submitted.ack(none);
    expect(await submitted.awaitAllAcked(10)).toBe(false);
  });

  it('wakes a waiter once every record is acknowledged', async () => {
    const submitted = new SubmittedRecords();
    const r = submitted.submit({ p: 1 }, { o: 1 });
    const waiting = submitted.awaitAllAcked(10_000);
    submitted.ack(r);
    expect(await waiting).toBe(true);
  });
});
