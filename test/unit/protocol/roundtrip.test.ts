import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../runtime/broker/protocol/codec.ts';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../runtime/broker/protocol/messages.ts';
import { API_REGISTRY } from '../../../runtime/broker/protocol/registry.ts';
import { parseVersions } from '../../../runtime/broker/protocol/schema.ts';
import { seededRandom } from '../../../runtime/util/random.ts';
import { decodedForm, frameOf, sample } from './helpers.ts';

// Every version of every table, both directions: a seeded sample with every field set (nulls where
// allowed, tagged fields non-default) must come back as itself, with defaults for fields the
// version does not carry, and re-encode to the same bytes.
describe.each([...API_REGISTRY.values()].map((api) => [api.name, api] as const))('%s', (_name, api) => {
  for (const side of ['request', 'response'] as const) {
    const spec = side === 'request' ? api.request : api.response;
    const range = parseVersions(spec.validVersions);
    for (let v = range.min; v <= range.max; v++) {
      it(`${side} v${v} round-trips`, () => {
        const codec = side === 'request' ? api.requestCodec(v) : api.responseCodec(v);
        if (codec === undefined) throw new Error('not compiled');
        for (let seed = 1; seed <= 4; seed++) {
          const value = sample(spec.fields, v, seededRandom(seed * 1000 + v));
          const bytes = encodeMessage(codec, value);
          const decoded = decodeMessage(codec, bytes);
          expect(decoded).toEqual(decodedForm(spec.fields, v, value));
          expect(encodeMessage(codec, decoded).equals(bytes)).toBe(true);
        }
      });
    }
  }

  it('frames requests and responses in every advertised version', () => {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      const req = sample(api.request.fields, v, seededRandom(v + 77));
      const header = { apiKey: api.apiKey, apiVersion: v, correlationId: 1000 + v, clientId: v % 2 ? 'client-ü' : null };
      const decoded = decodeRequest(frameOf(encodeRequest(header, req)));
      expect(decoded.header).toEqual(header);
      expect(decoded.trailingBytes).toBe(0);
      expect(decoded.body).toEqual(decodedForm(api.request.fields, v, req));

      const res = sample(api.response.fields, v, seededRandom(v + 99));
      // A tiny zero-copy threshold splits every byte field into its own chunk.
      const chunks = encodeResponse({ correlationId: 7 }, api.apiKey, v, res, { zeroCopyThreshold: 1 });
      const whole = encodeResponse({ correlationId: 7 }, api.apiKey, v, res, { zeroCopyThreshold: Infinity });
      expect(whole).toHaveLength(1);
      expect(Buffer.concat(chunks).equals(whole[0])).toBe(true);
      const back = decodeResponse(frameOf(chunks), api.apiKey, v);
      expect(back.correlationId).toBe(7);
      expect(back.body).toEqual(decodedForm(api.response.fields, v, res));
    }
  });
});
