import { CorruptDataError, SluiceError } from '../../util/errors.ts';

/**
 * Errors of the wire codec. The server branches on the class (or `code`): a malformed or oversized
 * frame closes the connection; an unsupported ApiVersions version is still answered (v0 body, error
 * 35); an unsupported version of any other API closes the connection, as Kafka does.
 */

/** A size prefix that is negative or above the configured maximum (`socket.request.max.bytes`). */
export class FrameTooLargeError extends SluiceError {
  readonly size: number;
  readonly maxFrameSize: number;

  constructor(size: number, maxFrameSize: number) {
    super(
      'FRAME_TOO_LARGE',
      size < 0
        ? `frame size prefix ${size} is negative (stream is not Kafka framing or is out of sync)`
        : `frame of ${size} bytes exceeds the maximum of ${maxFrameSize} bytes (socket.request.max.bytes)`,
      { context: { size, maxFrameSize } },
    );
    this.size = size;
    this.maxFrameSize = maxFrameSize;
  }
}

export interface MalformedContext {
  /** Message name, e.g. `ProduceRequest`, or `RequestHeader`. */
  message: string;
  version: number;
  /** Field path, e.g. `topicData[0].partitionData[2].records`; empty for the message itself. */
  path: string;
  /** Byte offset in the frame where reading failed. */
  offset: number;
  reason: string;
  /** Set once the request header was read, so the server can log which request was bad. */
  correlationId?: number;
}

/** Bytes that do not follow the message's schema: truncated, a bad length, null where not allowed. */
export class MalformedMessageError extends CorruptDataError {
  readonly detail: MalformedContext;

  constructor(detail: MalformedContext) {
    const where = detail.path === '' ? '' : ` at ${detail.path}`;
    super(`malformed ${detail.message} v${detail.version}${where} (byte ${detail.offset}): ${detail.reason}`, {
      code: 'MALFORMED_MESSAGE',
      context: { ...detail },
    });
    this.detail = detail;
  }
}

export interface RequestIdentity {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** A known API at a version we do not accept. Kafka error code 35 (UNSUPPORTED_VERSION). */
export class UnsupportedVersionError extends SluiceError {
  readonly request: RequestIdentity;
  readonly apiName: string;
  readonly minVersion: number;
  readonly maxVersion: number;

  constructor(request: RequestIdentity, apiName: string, minVersion: number, maxVersion: number) {
    super(
      'UNSUPPORTED_VERSION',
      `${apiName} v${request.apiVersion} is not supported (supported: v${minVersion}-v${maxVersion}; correlation id ${request.correlationId})`,
      { context: { ...request, apiName, minVersion, maxVersion } },
    );
    this.request = request;
    this.apiName = apiName;
    this.minVersion = minVersion;
    this.maxVersion = maxVersion;
  }
}

/** An api key this broker does not implement. Kafka closes the connection. */
export class UnknownApiKeyError extends SluiceError {
  readonly request: RequestIdentity;

  constructor(request: RequestIdentity) {
    super('UNKNOWN_API_KEY', `unknown api key ${request.apiKey} (v${request.apiVersion}, correlation id ${request.correlationId})`, {
      context: { ...request },
    });
    this.request = request;
  }
}

/** A value handed to an encoder that its field cannot hold (wrong type, null where not nullable, out of range). */
export class EncodeError extends SluiceError {
  constructor(message: string, version: number, path: string, reason: string) {
    super('ENCODE_INVALID_VALUE', `cannot encode ${message} v${version} at ${path || '(message)'}: ${reason}`, {
      context: { message, version, path, reason },
    });
  }
}

/** A schema table that contradicts itself (a programming error, found when the tables are compiled at startup). */
export class SchemaError extends SluiceError {
  constructor(message: string, path: string, reason: string) {
    super('PROTOCOL_SCHEMA_INVALID', `protocol schema ${message} at ${path || '(message)'}: ${reason}`, {
      context: { message, path, reason },
    });
  }
}
