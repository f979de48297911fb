import { SluiceError } from '../../util/errors.ts';
import { malformed } from './codec.ts';
import { API_VERSIONS_KEY, readRequestHeaderRest, readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader, writeResponseHeader } from './headers.ts';
import type { RequestHeader } from './headers.ts';
import { ErrorCode } from './errors.ts';
import { advertisedApiVersions, getApi } from './registry.ts';
import type { ApiDescriptor } from './registry.ts';
import { MalformedMessageError, UnknownApiKeyError, UnsupportedVersionError } from './wire-errors.ts';
import { ReadFault, WireReader } from './wire-reader.ts';
import { DEFAULT_ZERO_COPY_THRESHOLD, WireWriter } from './wire-writer.ts';
import type { MessageCodec } from './codec.ts';

/**
 * Whole-frame entry points for the server: decode one request frame (the bytes after the size
 * prefix), encode one response as chunks ready for the socket (size prefix included).
 */

export interface DecodedRequest {
  header: RequestHeader;
  api: ApiDescriptor;
  apiKey: number;
  apiVersion: number;
  /** The body as a plain object (see codec.ts); cast it to the API's type, e.g. ProduceRequest. */
  body: Record<string, unknown>;
  /** Bytes after the body. Kafka ignores them and so do we; worth a debug log. */
  trailingBytes: number;
}

/**
 * Decodes a request frame.
 * Throws MalformedMessageError (header or body does not parse; `detail.correlationId` once known),
 * UnknownApiKeyError, or UnsupportedVersionError (an ApiVersions one must still be answered: see
 * encodeApiVersionsFallback).
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  if (frame.length < 8) {
    throw new MalformedMessageError({
      message: 'RequestHeader',
      version: 1,
      path: '',
      offset: frame.length,
      reason: `frame of ${frame.length} bytes is shorter than the 8-byte apiKey/apiVersion/correlationId prefix`,
    });
  }
  const r = new WireReader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const api = getApi(apiKey);
  if (api === undefined) {
    throw new UnknownApiKeyError({ apiKey, apiVersion, correlationId, clientId: bestEffortClientId(r) });
  }
  if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
    throw new UnsupportedVersionError({ apiKey, apiVersion, correlationId, clientId: bestEffortClientId(r) }, api.name, api.minVersion, api.maxVersion);
  }
  const flexible = api.isFlexible(apiVersion);
  const headerVersion = requestHeaderVersion(flexible);
  let clientId: string | null;
  try {
    clientId = readRequestHeaderRest(r, headerVersion);
  } catch (e) {
    if (e instanceof ReadFault) throw malformed('RequestHeader', headerVersion, e, correlationId);
    throw e;
  }
  const body = (api.requestCodec(apiVersion) as MessageCodec).read(r, correlationId);
  return { header: { apiKey, apiVersion, correlationId, clientId }, api, apiKey, apiVersion, body, trailingBytes: r.remaining };
}

/** The clientId of a request we will not parse further, for logs; null if it does not read cleanly. */
function bestEffortClientId(r: WireReader): string | null {
  try {
    return readRequestHeaderRest(r, 1);
  } catch {
    return null;
  }
}

export interface EncodeOptions {
  /** Byte fields at least this long (record batches) become their own chunk instead of being copied. */
  zeroCopyThreshold?: number;
}

/**
 * Encodes a response frame: int32 size, response header (v0, or v1 for flexible versions except
 * ApiVersions), body. Returns chunks to write in order (socket.cork + write each, or writev);
 * large record batches are passed through without copying. Throws EncodeError.
 */
export function encodeResponse(
  header: { correlationId: number },
  apiKey: number,
  apiVersion: number,
  body: object,
  options: EncodeOptions = {},
): Buffer[] {
  const { api, codec } = codecFor(apiKey, apiVersion, 'response');
  const w = new WireWriter(256, options.zeroCopyThreshold ?? DEFAULT_ZERO_COPY_THRESHOLD);
  w.int32(0);
  writeResponseHeader(w, header.correlationId, responseHeaderVersion(apiKey, api.isFlexible(apiVersion)));
  codec.write(w, body);
  w.patchInt32(0, w.length - 4);
  return w.finish();
}

/** Encodes a request frame (size prefix included). For tests, tools and broker-to-broker calls. */
export function encodeRequest(header: RequestHeader, body: object, options: EncodeOptions = {}): Buffer[] {
  const { api, codec } = codecFor(header.apiKey, header.apiVersion, 'request');
  const w = new WireWriter(256, options.zeroCopyThreshold ?? DEFAULT_ZERO_COPY_THRESHOLD);
  w.int32(0);
  writeRequestHeader(w, header, requestHeaderVersion(api.isFlexible(header.apiVersion)));
  codec.write(w, body);
  w.patchInt32(0, w.length - 4);
  return w.finish();
}

export interface DecodedResponse {
  correlationId: number;
  body: Record<string, unknown>;
}

/** Decodes a response frame (bytes after the size prefix) of a known api key and version. */
export function decodeResponse(frame: Buffer, apiKey: number, apiVersion: number): DecodedResponse {
  const { api, codec } = codecFor(apiKey, apiVersion, 'response');
  const r = new WireReader(frame);
  const headerVersion = responseHeaderVersion(apiKey, api.isFlexible(apiVersion));
  let correlationId: number;
  try {
    correlationId = readResponseHeader(r, headerVersion);
  } catch (e) {
    if (e instanceof ReadFault) throw malformed('ResponseHeader', headerVersion, e);
    throw e;
  }
  const body = codec.read(r, correlationId);
  if (r.remaining !== 0) {
    throw malformed(codec.spec.name, apiVersion, new ReadFault(`${r.remaining} trailing bytes after the message`, r.pos), correlationId);
  }
  return { correlationId, body };
}

/**
 * The answer to an ApiVersions request of a version we do not support: a v0 body (header v0) with
 * UNSUPPORTED_VERSION and the supported ranges, from which the client picks a version and retries.
 */
export function encodeApiVersionsFallback(correlationId: number): Buffer[] {
  return encodeResponse({ correlationId }, API_VERSIONS_KEY, 0, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: advertisedApiVersions(),
  });
}

function codecFor(apiKey: number, apiVersion: number, side: 'request' | 'response'): { api: ApiDescriptor; codec: MessageCodec } {
  const api = getApi(apiKey);
  const codec = side === 'request' ? api?.requestCodec(apiVersion) : api?.responseCodec(apiVersion);
  if (api === undefined || codec === undefined) {
    throw new SluiceError('PROTOCOL_NO_TABLE', `no ${side} table for api key ${apiKey} v${apiVersion}`, { context: { apiKey, apiVersion, side } });
  }
  return { api, codec };
}
