import { describe, expect, it } from 'vitest';
import { compileMessage, decodeMessage, encodeMessage } from '../../../runtime/broker/protocol/codec.ts';
import { decodeRequest, encodeApiVersionsFallback, encodeRequest, encodeResponse } from '../../../runtime/broker/protocol/messages.ts';
import { API_REGISTRY, getApi } from '../../../runtime/broker/protocol/registry.ts';
import type { ApiDescriptor } from '../../../runtime/broker/protocol/registry.ts';
import type { MessageSpec } from '../../../runtime/broker/protocol/schema.ts';
import { EncodeError, MalformedMessageError, SchemaError, UnknownApiKeyError, UnsupportedVersionError } from '../../../runtime/broker/protocol/wire-errors.ts';
import { seededRandom } from '../../../runtime/util/random.ts';
import { frameOf, sample } from './helpers.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('truncated frames', () => {
  // Every prefix of a valid request frame is refused with MalformedMessageError, never another error.
  const apis = [...API_REGISTRY.values()];
  it.each(apis.map((a) => [a.name, a] as const))('%s at min and max advertised version', (_n, api: ApiDescriptor) => {
    for (const v of [api.minVersion, api.maxVersion]) {
      const frame = frameOf(encodeRequest({ apiKey: api.apiKey, apiVersion: v, correlationId: 3, clientId: 'c' }, sample(api.request.fields, v, seededRandom(v + 5))));
      for (let n = 0; n < frame.length; n++) {
        const e = thrown(() => decodeRequest(frame.subarray(0, n)));
        expect(e, `${api.name} v${v} cut at ${n}/${frame.length}`).toBeInstanceOf(MalformedMessageError);
        if (n >= 8) expect((e as MalformedMessageError).detail.correlationId).toBe(3);
      }
      expect(decodeRequest(frame).trailingBytes).toBe(0);
    }
  });

  it('responses too: every prefix of every response version fails cleanly', () => {
    for (const api of apis) {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        const codec = api.responseCodec(v);
        if (!codec) throw new Error('missing codec');
        const body = encodeMessage(codec, sample(api.response.fields, v, seededRandom(v)));
        for (let n = 0; n < body.length; n++) {
          expect(() => decodeMessage(codec, body.subarray(0, n))).toThrow(MalformedMessageError);
        }
      }
    }
  });

  it('names the field and its position', () => {
    const records = Buffer.alloc(100, 1);
    const frame = frameOf(
      encodeRequest(
        { apiKey: 0, apiVersion: 9, correlationId: 77, clientId: null },
        { acks: 1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records }, { index: 1, records }] }] },
      ),
    );
    const e = thrown(() => decodeRequest(frame.subarray(0, frame.length - 60))) as MalformedMessageError;
    expect(e.code).toBe('MALFORMED_MESSAGE');
    expect(e.detail).toMatchObject({ message: 'ProduceRequest', version: 9, path: 'topicData[0].partitionData[1].records', correlationId: 77 });
    expect(e.message).toContain('ProduceRequest v9 at topicData[0].partitionData[1].records');
    // 103 bytes follow the length: records, then the partition, topic and request tag sections.
    expect(e.message).toMatch(/needs 100 bytes, 43 left/);
  });
});

describe('lengths that lie', () => {
  it('a huge int32 array count is refused before anything is allocated', () => {
    // Produce v3: transactionalId null, acks, timeout, topicData count 0x7fffffff, then nothing.
    const frame = hex('0000 0003 00000001 ffff | ffff 0001 000003e8 | 7fffffff');
    const e = thrown(() => decodeRequest(frame)) as MalformedMessageError;
    expect(e).toBeInstanceOf(MalformedMessageError);
    expect(e.detail.path).toBe('topicData');
    expect(e.detail.reason).toMatch(/array of 2147483647 elements cannot fit/);
  });

  it('a huge compact array count is refused', () => {
    // Metadata v12: topics compact count 0xffffffff - 1.
    const frame = hex('0003 000c 00000001 ffff 00 | ffffffff0f');
    expect((thrown(() => decodeRequest(frame)) as MalformedMessageError).detail.reason).toMatch(/cannot fit/);
  });

  it('a varint longer than 5 bytes is refused', () => {
    const frame = hex('0003 000c 00000001 ffff 00 | ffffffffffff01');
    expect((thrown(() => decodeRequest(frame)) as MalformedMessageError).detail.reason).toMatch(/longer than 5 bytes/);
  });

  it('a bytes length beyond the frame is refused', () => {
    // SyncGroup v0: group "g", generation 1, member "m", one assignment with a 1 GiB length.
    const frame = hex('000e 0000 00000001 ffff | 0001 67 00000001 0001 6d | 00000001 0001 6d 40000000 00');
    const e = thrown(() => decodeRequest(frame)) as MalformedMessageError;
    expect(e.detail.path).toBe('assignments[0].assignment');
    expect(e.detail.reason).toMatch(/needs 1073741824 bytes/);
  });

  it('negative lengths other than -1 are refused', () => {
    expect((thrown(() => decodeRequest(hex('000c 0000 00000001 ffff | fffe'))) as MalformedMessageError).detail.reason).toMatch(/negative string length -2/);
  });

  it('null where the version does not allow it', () => {
    // Heartbeat v0 with a null groupId; Metadata v0 with a null topic list (nullable only from v1).
    const e1 = thrown(() => decodeRequest(hex('000c 0000 00000001 ffff | ffff 00000001 0000'))) as MalformedMessageError;
    expect(e1.detail).toMatchObject({ path: 'groupId', reason: 'null string in a non-nullable field' });
    const e2 = thrown(() => decodeRequest(hex('0003 0000 00000001 ffff | ffffffff'))) as MalformedMessageError;
    expect(e2.detail).toMatchObject({ path: 'topics', reason: 'null array in a non-nullable field' });
    expect(decodeRequest(hex('0003 0001 00000001 ffff | ffffffff')).body.topics).toBeNull();
  });

  it('a tagged field whose size disagrees with its value', () => {
    // ApiVersions v3 response-like tags are not in requests; use Fetch v12 request tag 0 (clusterId)
    // declared 5 bytes long but holding a 2-byte compact string.
    const fetch12 = getApi(1)?.requestCodec(12);
    if (!fetch12) throw new Error('missing codec');
    const ok = encodeMessage(fetch12, { clusterId: 'ab', maxWaitMs: 1, minBytes: 1 });
    const tagAt = ok.length - 6; // ... | 01 00 03 03 61 62 at the very end
    expect(ok.subarray(tagAt).toString('hex')).toBe('010003036162');
    const bad = Buffer.concat([ok.subarray(0, tagAt), hex('0100050361620000')]);
    expect((thrown(() => decodeMessage(fetch12, bad)) as MalformedMessageError).detail).toMatchObject({ path: 'clusterId' });
  });

  it('trailing bytes after a request body are reported, not fatal (as Kafka)', () => {
    expect(decodeRequest(hex('0012 0000 00000001 ffff | abcd')).trailingBytes).toBe(2);
  });
});

describe('versions and api keys', () => {
  it('an ApiVersions version above ours: only the header is read, the fallback answers it', () => {
    const e = thrown(() => decodeRequest(hex('0012 0063 00000021 0003 616263 | 00 ffff'))) as UnsupportedVersionError;
    expect(e).toBeInstanceOf(UnsupportedVersionError);
    expect(e.code).toBe('UNSUPPORTED_VERSION');
    expect(e.request).toEqual({ apiKey: 18, apiVersion: 99, correlationId: 0x21, clientId: 'abc' });
    expect([e.minVersion, e.maxVersion]).toEqual([0, 4]);
    const reply = Buffer.concat(encodeApiVersionsFallback(e.request.correlationId));
    expect(reply.subarray(4, 10).toString('hex')).toBe('000000210023');
  });

  it('other APIs outside the advertised range are refused', () => {
    for (const [key, version] of [
      [0, 12],
      [1, 3],
      [1, 13],
      [2, 0],
      [19, 1],
    ]) {
      const e = thrown(() => decodeRequest(hex(`${key.toString(16).padStart(4, '0')} ${version.toString(16).padStart(4, '0')} 00000005 ffff`)));
      expect(e, `${key} v${version}`).toBeInstanceOf(UnsupportedVersionError);
    }
  });

  it('an unknown api key is refused with its correlation id', () => {
    const e = thrown(() => decodeRequest(hex('03e7 0000 00000009 0001 78'))) as UnknownApiKeyError;
    expect(e).toBeInstanceOf(UnknownApiKeyError);
    expect(e.request).toEqual({ apiKey: 999, apiVersion: 0, correlationId: 9, clientId: 'x' });
  });

  it('garbage never escapes as an untyped error', () => {
    const rnd = seededRandom(42);
    for (let i = 0; i < 3000; i++) {
      const n = rnd.int(64);
      const buf = Buffer.from(Array.from({ length: n }, () => rnd.int(256)));
      // Point half of them at real APIs so the body decoders see garbage too.
      if (n >= 4 && i % 2 === 0) {
        const apis = [...API_REGISTRY.values()];
        const api = apis[rnd.int(apis.length)];
        buf.writeInt16BE(api.apiKey, 0);
        buf.writeInt16BE(api.minVersion + rnd.int(api.maxVersion - api.minVersion + 1), 2);
      }
      try {
        decodeRequest(buf);
      } catch (e) {
        expect([MalformedMessageError, UnsupportedVersionError, UnknownApiKeyError].some((c) => e instanceof c), String(e)).toBe(true);
      }
    }
  });
});

describe('encode errors', () => {
  it('null in a non-nullable field names the path', () => {
    const e = thrown(() => encodeResponse({ correlationId: 1 }, 3, 1, { topics: [{ name: null }] })) as EncodeError;
    expect(e).toBeInstanceOf(EncodeError);
    expect(e.message).toBe('cannot encode MetadataResponse v1 at topics[0].name: null is not allowed in this version');
  });

  it('wrong types and out-of-range numbers name the path', () => {
    expect(() => encodeResponse({ correlationId: 1 }, 12, 0, { errorCode: '0' })).toThrow(/HeartbeatResponse v0 at errorCode: expected a number/);
    expect(() => encodeResponse({ correlationId: 1 }, 12, 0, { errorCode: 70000 })).toThrow(/at errorCode: .*range/);
    expect(() => encodeResponse({ correlationId: 1 }, 0, 3, { responses: [{ name: 'x', partitionResponses: [{ baseOffset: 1.5 }] }] })).toThrow(
      /responses\[0\].partitionResponses\[0\].baseOffset: expected a bigint/,
    );
    expect(() => encodeResponse({ correlationId: 1 }, 1, 12, { responses: [{ topic: 't', partitions: [{ currentLeader: { leaderId: 'x' } }] }] })).toThrow(
      /responses\[0\].partitions\[0\].currentLeader.leaderId/,
    );
    expect(() => encodeResponse({ correlationId: 1 }, 1, 12, { responses: [{ partitions: [{ records: 'abc' }] }] })).toThrow(/records: expected a Buffer/);
  });

  it('fields the version lacks are ignored; missing ones take their defaults', () => {
    const a = encodeResponse({ correlationId: 1 }, 12, 0, { errorCode: 0, throttleTimeMs: 5 });
    expect(Buffer.concat(a).toString('hex')).toBe('00000006000000010000');
  });
});

describe('schema tables', () => {
  const base = { name: 'TestRequest', apiKey: 999, type: 'request', validVersions: '0-1', flexibleVersions: '1+' } as const;
  const bad = (fields: MessageSpec['fields'], version = 1): unknown => thrown(() => compileMessage({ ...base, fields }, version));

  it('contradictions are found at compile time', () => {
    expect(bad([{ name: 'a', type: 'int32', versions: '0+', taggedVersions: '0+', tag: 0 }], 0)).toBeInstanceOf(SchemaError);
    expect(bad([{ name: 'a', type: 'int32', versions: '0+', nullableVersions: '0+' }])).toBeInstanceOf(SchemaError);
    expect(bad([{ name: 'a', type: 'Thing', versions: '0+' }])).toBeInstanceOf(SchemaError);
    expect(bad([{ name: 'a', type: 'int32', versions: '0+', tag: 1 }])).toBeInstanceOf(SchemaError);
    expect(bad([{ name: 'a', type: 'int8', versions: '0+' }, { name: 'a', type: 'int8', versions: '0+' }])).toBeInstanceOf(SchemaError);
    expect(
      bad([
        { name: 'a', type: 'int8', versions: '1+', taggedVersions: '1+', tag: 2 },
        { name: 'b', type: 'int8', versions: '1+', taggedVersions: '1+', tag: 2 },
      ]),
    ).toBeInstanceOf(SchemaError);
    expect(thrown(() => compileMessage({ ...base, fields: [] }, 2))).toBeInstanceOf(SchemaError);
    expect(() => compileMessage({ ...base, fields: [{ name: 'a', type: 'int8', versions: '0-x' }] }, 0)).toThrow(/invalid version range/);
  });
});
