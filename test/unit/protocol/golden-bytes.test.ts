import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  encodeApiVersionsFallback,
  encodeRequest,
  encodeResponse,
} from '../../../runtime/broker/protocol/messages.ts';
import { advertisedApiVersions } from '../../../runtime/broker/protocol/registry.ts';

// Byte strings written out by hand from the protocol rules (KIP-482, RequestHeader.json,
// ApiVersionsResponse.json), independent of the encoder.
const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const bytes = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('hex');

describe('ApiVersions responses', () => {
  it('v0: header v0, int32 array, no throttle time', () => {
    const expected = hex(`
      00000010 | 0000002a
      0000 | 00000001 | 0012 0000 0004`);
    const got = encodeResponse({ correlationId: 42 }, 18, 0, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] });
    expect(bytes(got)).toBe(expected.toString('hex'));
    expect(decodeResponse(expected.subarray(4), 18, 0).body).toMatchObject({ errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] });
  });

  it('v3: flexible body but response header v0 (no header tagged fields)', () => {
    const expected = hex(`
      00000013 | 00000005
      0000 | 02 | 0012 0000 0004 00 | 00000064 | 00`);
    const got = encodeResponse({ correlationId: 5 }, 18, 3, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 100 });
    expect(bytes(got)).toBe(expected.toString('hex'));
  });

  it('v3: tagged fields are written in tag order, only when not default, and read back', () => {
    // Tag 1 FinalizedFeaturesEpoch (int64, default -1) and tag 3 ZkMigrationReady (bool, default false).
    const expected = hex(`
      00000019 | 00000005
      0000 | 01 | 00000000
      02 | 01 08 0000000000000007 | 03 01 01`);
    const body = { errorCode: 0, apiKeys: [], throttleTimeMs: 0, zkMigrationReady: true, finalizedFeaturesEpoch: 7n };
    expect(bytes(encodeResponse({ correlationId: 5 }, 18, 3, body))).toBe(expected.toString('hex'));
    expect(decodeResponse(expected.subarray(4), 18, 3).body).toEqual({
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: 7n,
      finalizedFeatures: [],
      zkMigrationReady: true,
    });
  });

  it('fallback for an unsupported ApiVersions version: v0 body, error 35, every advertised range', () => {
    const frame = Buffer.concat(encodeApiVersionsFallback(9));
    const list = advertisedApiVersions();
    expect(frame.subarray(0, 14).toString('hex')).toBe(
      hex(`${(10 + 6 * list.length).toString(16).padStart(8, '0')} 00000009 0023 ${list.length.toString(16).padStart(8, '0')}`).toString('hex'),
    );
    // ApiVersions itself: key 18, v0-v4.
    const i = list.findIndex((a) => a.apiKey === 18);
    expect(frame.subarray(14 + 6 * i, 20 + 6 * i).toString('hex')).toBe('001200000004');
  });
});

describe('request headers', () => {
  it('v2 for flexible versions: int16 clientId, then header tagged fields', () => {
    const frame = hex(`
      0012 0003 00000007 | 0003 616263 | 00
      07 736c75696365 | 04 312e30 | 00`);
    const req = decodeRequest(frame);
    expect(req.header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'abc' });
    expect(req.body).toEqual({ clientSoftwareName: 'sluice', clientSoftwareVersion: '1.0' });
    expect(bytes(encodeRequest(req.header, req.body)).slice(8)).toBe(frame.toString('hex'));
  });

  it('v1 for non-flexible versions, null clientId', () => {
    const frame = hex(`0012 0000 00000001 ffff`);
    expect(decodeRequest(frame).header).toEqual({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: null });
  });

  it('skips unknown tags in header and body', () => {
    // Heartbeat v4: header tags {9: 2 bytes}; body groupId "g", generation 1, memberId "m",
    // groupInstanceId null, tags {5: aabbcc, 7: empty}.
    const frame = hex(`
      000c 0004 00000002 | ffff | 01 09 02 0000
      02 67 | 00000001 | 02 6d | 00 | 02 05 03 aabbcc 07 00`);
    const req = decodeRequest(frame);
    expect(req.body).toEqual({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(req.trailingBytes).toBe(0);
  });
});

describe('flexible responses', () => {
  it('Produce v10: response header v1, a known tagged struct (with its own tag section) in a partition, default tags left out', () => {
    const body = {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 6, baseOffset: -1n, currentLeader: { leaderId: 1, leaderEpoch: 3 } }] }],
      throttleTimeMs: 0,
    };
    const expected = hex(`
      0000003b | 00000003 00
      02 | 02 74 | 02
        00000000 0006 ffffffffffffffff ffffffffffffffff ffffffffffffffff
        01 | 00 | 01 00 09 00000001 00000003 00
        00
      00000000 | 00`);
    expect(bytes(encodeResponse({ correlationId: 3 }, 0, 10, body))).toBe(expected.toString('hex'));
    const back = decodeResponse(expected.subarray(4), 0, 10).body;
    expect(back).toMatchObject(body);
    expect(back.nodeEndpoints).toEqual([]);
  });

  it('compact nullable records: 0 = null, n+1 = n bytes', () => {
    // Produce v9 request, one partition with null records and one with 3 bytes.
    const frame = hex(`
      0000 0009 00000001 ffff 00
      00 | ffff | 00000bb8
      02 02 74 03 00000000 00 00 00000001 04 010203 00 00
      00`);
    const req = decodeRequest(frame);
    expect(req.body).toEqual({
      transactionalId: null,
      acks: -1,
      timeoutMs: 3000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: null }, { index: 1, records: Buffer.from([1, 2, 3]) }] }],
    });
  });
});

describe('records without copies', () => {
  const a = Buffer.alloc(5000, 0xa1);
  const b = Buffer.alloc(6000, 0xb2);
  const small = Buffer.from([1, 2, 3]);

  it('large record buffers become their own chunks, the very same objects', () => {
    const chunks = encodeResponse({ correlationId: 1 }, 1, 11, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: a }, { partitionIndex: 1, records: small }] }] });
    expect(chunks.some((c) => c === a)).toBe(true);
    // The small one is copied into the surrounding bytes.
    expect(chunks.some((c) => c === small)).toBe(false);
    const body = decodeResponse(Buffer.concat(chunks).subarray(4), 1, 11).body as { responses: { partitions: { records: Buffer }[] }[] };
    expect(body.responses[0].partitions.map((p) => p.records.length)).toEqual([5000, 3]);
  });

  it('a list of buffers is one records field, length-prefixed by its total, each part passed through', () => {
    for (const v of [11, 12]) {
      const chunks = encodeResponse({ correlationId: 1 }, 1, v, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: [a, small, b] }] }] });
      expect(chunks.filter((c) => c === a || c === b)).toHaveLength(2);
      const body = decodeResponse(Buffer.concat(chunks).subarray(4), 1, v).body as { responses: { partitions: { records: Buffer }[] }[] };
      expect(body.responses[0].partitions[0].records.equals(Buffer.concat([a, small, b]))).toBe(true);
    }
  });

  it('decoded records are views of the request frame', () => {
    const frame = Buffer.concat(encodeRequest({ apiKey: 0, apiVersion: 7, correlationId: 1, clientId: null }, { acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records: a }] }] })).subarray(4);
    const records = (decodeRequest(frame).body as { topicData: { partitionData: { records: Buffer }[] }[] }).topicData[0].partitionData[0].records;
    expect(records.buffer).toBe(frame.buffer);
    expect(records.byteOffset - frame.byteOffset).toBe(frame.length - a.length);
  });
});
