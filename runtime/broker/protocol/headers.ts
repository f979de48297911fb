import { ReadFault } from './wire-reader.ts';
import type { WireReader } from './wire-reader.ts';
import type { WireWriter } from './wire-writer.ts';

/**
 * Request and response headers (RequestHeader.json / ResponseHeader.json).
 *
 * Request header v1 = apiKey, apiVersion, correlationId, clientId (nullable int16-length string);
 * v2 (flexible API versions) adds a tagged-field section. clientId stays a non-compact string in
 * v2 so that any broker can read an ApiVersions header before it knows the version.
 * Response header v0 = correlationId; v1 (flexible) adds tagged fields; ApiVersions responses are
 * always v0 so a client can read them before it knows what the broker supports.
 */

export const API_VERSIONS_KEY = 18;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Bytes before clientId: apiKey, apiVersion, correlationId. */
export const REQUEST_HEADER_FIXED_SIZE = 8;

export function requestHeaderVersion(flexible: boolean): 1 | 2 {
  return flexible ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, flexible: boolean): 0 | 1 {
  return flexible && apiKey !== API_VERSIONS_KEY ? 1 : 0;
}

/** Reads the clientId and, for header v2, skips the tagged fields (none are defined). */
export function readRequestHeaderRest(r: WireReader, headerVersion: 1 | 2): string | null {
  const at = r.pos;
  const n = r.int16();
  if (n < -1) throw new ReadFault(`negative clientId length ${n}`, at);
  const clientId = n === -1 ? null : r.utf8(n);
  if (headerVersion === 2) skipTaggedFields(r);
  return clientId;
}

export function writeRequestHeader(w: WireWriter, h: RequestHeader, headerVersion: 1 | 2): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  if (h.clientId === null) w.int16(-1);
  else w.shortString(h.clientId);
  if (headerVersion === 2) w.uvarint(0);
}

export function writeResponseHeader(w: WireWriter, correlationId: number, headerVersion: 0 | 1): void {
  w.int32(correlationId);
  if (headerVersion === 1) w.uvarint(0);
}

export function readResponseHeader(r: WireReader, headerVersion: 0 | 1): number {
  const correlationId = r.int32();
  if (headerVersion === 1) skipTaggedFields(r);
  return correlationId;
}

function skipTaggedFields(r: WireReader): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}
