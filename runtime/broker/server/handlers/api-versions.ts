import { ErrorCode, advertisedApiVersions } from '../../protocol/index.ts';
import type { ApiVersionsResponse, InputOf } from '../../protocol/index.ts';

/**
 * ApiVersions: the advertised ranges of the protocol registry (broker.md §0: low minimums kept so
 * that librdkafka 2.0.2 turns compression, groups and idempotence on). No feature flags: clients
 * treat an absent SupportedFeatures list as "none", which is true here.
 */
const API_KEYS = advertisedApiVersions();

export function handleApiVersions(): InputOf<ApiVersionsResponse> {
  return { errorCode: ErrorCode.NONE, apiKeys: API_KEYS, throttleTimeMs: 0 };
}
