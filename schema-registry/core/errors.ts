/**
 * Registry errors exactly as Confluent Schema Registry reports them: every error carries the HTTP
 * status, Confluent's numeric `error_code` and its message text (quirks such as the missing space
 * in "soft deleted.Set permanent=true" are kept because clients and curl recipes match on them).
 * The HTTP layer renders `toBody()` as the response body.
 */
import { SluiceError } from '../../runtime/util/errors.ts';

export interface RegistryErrorBody {
  error_code: number;
  message: string;
}

export class RegistryError extends SluiceError {
  readonly httpStatus: number;
  readonly errorCode: number;

  constructor(
    httpStatus: number,
    errorCode: number,
    code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  toBody(): RegistryErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

// 404
export const subjectNotFound = (subject: string): RegistryError =>
  new RegistryError(404, 40401, 'SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { context: { subject } });

export const versionNotFound = (version: number | string): RegistryError =>
  new RegistryError(404, 40402, 'VERSION_NOT_FOUND', `Version ${version} not found.`, { context: { version } });

/** Without an id: "Schema not found" (lookup); with an id or guid: "Schema 7 not found". */
export const schemaNotFound = (id?: number | string): RegistryError =>
  new RegistryError(404, 40403, 'SCHEMA_NOT_FOUND', id === undefined ? 'Schema not found' : `Schema ${id} not found`, {
    context: id === undefined ? {} : { id },
  });

export const subjectSoftDeleted = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40404,
    'SUBJECT_SOFT_DELETED',
    `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
    { context: { subject } },
  );

export const subjectNotSoftDeleted = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40405,
    'SUBJECT_NOT_SOFT_DELETED',
    `Subject '${subject}' was not deleted first before being permanently deleted`,
    { context: { subject } },
  );

export const versionSoftDeleted = (subject: string, version: number): RegistryError =>
  new RegistryError(
    404,
    40406,
    'SCHEMA_VERSION_SOFT_DELETED',
    `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    { context: { subject, version } },
  );

export const versionNotSoftDeleted = (subject: string, version: number): RegistryError =>
  new RegistryError(
    404,
    40407,
    'SCHEMA_VERSION_NOT_SOFT_DELETED',
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    { context: { subject, version } },
  );

export const subjectCompatibilityNotConfigured = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40408,
    'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
    `Subject '${subject}' does not have subject-level compatibility configured`,
    { context: { subject } },
  );

export const subjectModeNotConfigured = (subject: string): RegistryError =>
  new RegistryError(
    404,
    40409,
    'SUBJECT_MODE_NOT_CONFIGURED',
    `Subject '${subject}' does not have subject-level mode configured`,
    { context: { subject } },
  );

// 409
/**
 * `messages` is the list Confluent prints with Java's List.toString ("[a, b]"). Current Confluent
 * releases answer error_code 40901; older ones (and Karapace) 409 — the HTTP layer may map it.
 */
export const incompatibleSchema = (subject: string, messages: readonly string[]): RegistryError =>
  new RegistryError(
    409,
    40901,
    'INCOMPATIBLE_SCHEMA',
    `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
    { context: { subject, messages: [...messages] } },
  );

// 422
export const invalidSchema = (message: string, cause?: unknown): RegistryError =>
  new RegistryError(422, 42201, 'INVALID_SCHEMA', message, { cause });

export const invalidVersion = (version: string): RegistryError =>
  new RegistryError(
    422,
    42202,
    'INVALID_VERSION',
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    { context: { version } },
  );

export const invalidCompatibilityLevel = (): RegistryError =>
  new RegistryError(
    422,
    42203,
    'INVALID_COMPATIBILITY_LEVEL',
    'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
  );

export const invalidMode = (): RegistryError =>
  new RegistryError(422, 42204, 'INVALID_MODE', 'Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.');

export const operationNotPermitted = (message: string): RegistryError =>
  new RegistryError(422, 42205, 'OPERATION_NOT_PERMITTED', message);

/** `schemaKey` is rendered like Confluent's SchemaKey.toString: {magic=1,keytype=SCHEMA,subject=s,version=1}. */
export const referenceExists = (subject: string, version: number): RegistryError =>
  new RegistryError(
    422,
    42206,
    'REFERENCE_EXISTS',
    `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`,
    { context: { subject, version } },
  );

export const idDoesNotMatch = (message = 'The ID of an imported schema does not match the existing ID'): RegistryError =>
  new RegistryError(422, 42207, 'ID_DOES_NOT_MATCH', message);

export const invalidSubject = (subject: string): RegistryError =>
  new RegistryError(422, 42208, 'INVALID_SUBJECT', `The specified subject '${subject}' is not a valid.`, {
    context: { subject },
  });

export const schemaTooLarge = (message = 'Register operation failed because schema is too large'): RegistryError =>
  new RegistryError(422, 42209, 'SCHEMA_TOO_LARGE', message);

export const contextNotEmpty = (context: string): RegistryError =>
  new RegistryError(422, 42211, 'CONTEXT_NOT_EMPTY', `The specified context '${context}' is not empty.`, {
    context: { context },
  });

// 500
export const storeError = (message: string, cause?: unknown): RegistryError =>
  new RegistryError(500, 50001, 'STORE_ERROR', message, { retriable: true, cause });

export const operationTimeout = (message: string, cause?: unknown): RegistryError =>
  new RegistryError(500, 50002, 'OPERATION_TIMEOUT', message, { retriable: true, cause });

export const requestForwardingFailed = (message: string, cause?: unknown): RegistryError =>
  new RegistryError(500, 50003, 'REQUEST_FORWARDING_FAILED', message, { retriable: true, cause });

export const unknownLeader = (message: string, cause?: unknown): RegistryError =>
  new RegistryError(500, 50004, 'UNKNOWN_LEADER', message, { retriable: true, cause });
