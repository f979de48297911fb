/**
 * Content negotiation as Confluent's REST layer does it: responses in one of the three registry
 * media types (the v1 type by default, also for a wildcard Accept), requests in those or
 * application/octet-stream (what Jersey assumes when a client sends no Content-Type).
 */
export const SCHEMA_REGISTRY_V1_JSON = 'application/vnd.schemaregistry.v1+json';
export const SCHEMA_REGISTRY_JSON = 'application/vnd.schemaregistry+json';
export const JSON_TYPE = 'application/json';

export const RESPONSE_TYPES: readonly string[] = [SCHEMA_REGISTRY_V1_JSON, SCHEMA_REGISTRY_JSON, JSON_TYPE];
export const REQUEST_TYPES: readonly string[] = [...RESPONSE_TYPES, 'application/octet-stream'];

interface AcceptEntry {
  type: string;
  q: number;
  order: number;
}

function parseAccept(header: string): AcceptEntry[] {
  return header
    .split(',')
    .map((part, order) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const qParam = params.find((p) => p.startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { type, q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((e) => e.type !== '' && e.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
}

const cache = new Map<string, string | null>();

/** The response media type for an Accept header; null when none is acceptable (406). */
export function responseTypeFor(accept: string | undefined): string | null {
  if (accept === undefined || accept.trim() === '') return SCHEMA_REGISTRY_V1_JSON;
  const hit = cache.get(accept);
  if (hit !== undefined) return hit;
  let chosen: string | null = null;
  for (const { type } of parseAccept(accept)) {
    if (RESPONSE_TYPES.includes(type)) {
      chosen = type;
      break;
    }
    if (type === '*/*' || type === 'application/*') {
      chosen = SCHEMA_REGISTRY_V1_JSON;
      break;
    }
  }
  // Accept headers repeat a lot (one per client library); keep the table small anyway.
  if (cache.size < 256) cache.set(accept, chosen);
  return chosen;
}

/** True when a request body of this Content-Type is accepted (absent counts as octet-stream). */
export function isAcceptedRequestType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return REQUEST_TYPES.includes(type);
}
