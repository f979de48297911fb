import { describe, expect, it } from 'vitest';
import { API_REGISTRY, ApiKey, advertisedApiVersions, getApi } from '../../../runtime/broker/protocol/registry.ts';
import { responseHeaderVersion } from '../../../runtime/broker/protocol/headers.ts';

const range = (key: number): [number, number] => {
  const api = getApi(key);
  if (!api) throw new Error(`api ${key} missing`);
  return [api.minVersion, api.maxVersion];
};

describe('registry', () => {
  it('advertises the ranges of shared/reference/broker.md', () => {
    expect(Object.fromEntries(advertisedApiVersions().map((a) => [a.apiKey, [a.minVersion, a.maxVersion]]))).toEqual({
      0: [0, 11],
      1: [4, 12],
      2: [1, 7],
      3: [0, 12],
      8: [2, 9],
      9: [1, 9],
      10: [0, 6],
      11: [0, 9],
      12: [0, 4],
      13: [0, 5],
      14: [0, 5],
      15: [0, 5],
      16: [0, 5],
      17: [0, 1],
      18: [0, 4],
      19: [2, 7],
      20: [1, 6],
      21: [0, 2],
      22: [0, 5],
      32: [1, 4],
      33: [0, 2],
      37: [0, 3],
      42: [0, 2],
      44: [0, 1],
      47: [0, 0],
      60: [0, 1],
    });
  });

  it("contains every version librdkafka 2.0.2's feature map looks for", () => {
    // rdkafka_feature.c: a feature is on when the broker range overlaps [min, max].
    const needs: [number, number, number][] = [
      [ApiKey.Produce, 3, 3],
      [ApiKey.Fetch, 4, 4],
      [ApiKey.Produce, 7, 7],
      [ApiKey.Fetch, 10, 10],
      [ApiKey.ApiVersions, 0, 0],
      [ApiKey.FindCoordinator, 0, 0],
      [ApiKey.OffsetCommit, 1, 2],
      [ApiKey.OffsetFetch, 1, 1],
      [ApiKey.JoinGroup, 0, 0],
      [ApiKey.SyncGroup, 0, 0],
      [ApiKey.Heartbeat, 0, 0],
      [ApiKey.LeaveGroup, 0, 0],
      [ApiKey.SaslHandshake, 0, 0],
      [ApiKey.ListOffsets, 1, 1],
      [ApiKey.InitProducerId, 0, 0],
    ];
    for (const [key, min, max] of needs) {
      const [lo, hi] = range(key);
      expect(min <= hi && lo <= max, `api ${key} needs ${min}-${max}, advertised ${lo}-${hi}`).toBe(true);
    }
  });

  it('knows where each API turns flexible', () => {
    const flex = Object.fromEntries([...API_REGISTRY.values()].map((a) => [a.name, a.flexibleFrom]));
    expect(flex).toMatchObject({ Produce: 9, Fetch: 12, Metadata: 9, ApiVersions: 3, SaslHandshake: null, OffsetDelete: null, DescribeCluster: 0, FindCoordinator: 3 });
    expect(getApi(ApiKey.Fetch)?.isFlexible(11)).toBe(false);
    expect(getApi(ApiKey.Fetch)?.isFlexible(12)).toBe(true);
  });

  it('uses response header v0 for ApiVersions at every version, v1 for other flexible versions', () => {
    expect(responseHeaderVersion(ApiKey.ApiVersions, true)).toBe(0);
    expect(responseHeaderVersion(ApiKey.Metadata, true)).toBe(1);
    expect(responseHeaderVersion(ApiKey.Metadata, false)).toBe(0);
  });

  it('compiles a codec for every version of every table at load', () => {
    for (const api of API_REGISTRY.values()) {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        expect(api.requestCodec(v)?.version).toBe(v);
        expect(api.responseCodec(v)?.flexible).toBe(api.isFlexible(v));
      }
    }
    expect(getApi(7)).toBeUndefined();
  });
});
