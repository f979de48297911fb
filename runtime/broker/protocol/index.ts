/**
 * Kafka wire protocol: schema tables per API, a generic codec compiled from them, framing and
 * whole-request/response entry points. The broker server imports from here.
 */
export { FrameSplitter, DEFAULT_MAX_FRAME_SIZE } from './framing.ts';
export {
  decodeRequest,
  encodeResponse,
  encodeRequest,
  decodeResponse,
  encodeApiVersionsFallback,
} from './messages.ts';
export type { DecodedRequest, DecodedResponse, EncodeOptions } from './messages.ts';
export type { RequestHeader } from './headers.ts';
export { API_REGISTRY, ApiKey, getApi, advertisedApiVersions } from './registry.ts';
export type { ApiDescriptor, ApiName, AdvertisedVersion } from './registry.ts';
export { ErrorCode, KafkaApiError, kafkaErrorInfo, isRetriableErrorCode, describeErrorCode } from './errors.ts';
export type { ErrorName, KafkaErrorInfo } from './errors.ts';
export {
  FrameTooLargeError,
  MalformedMessageError,
  UnsupportedVersionError,
  UnknownApiKeyError,
  EncodeError,
  SchemaError,
} from './wire-errors.ts';
export type { MalformedContext, RequestIdentity } from './wire-errors.ts';
export { compileMessage, decodeMessage, encodeMessage } from './codec.ts';
export type { MessageCodec } from './codec.ts';
export type { MessageSpec, FieldSpec, MessageOf, InputOf } from './schema.ts';
export type * from './apis/types.ts';
