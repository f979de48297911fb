import { describe, expect, it } from 'vitest';
import * as errors from '../../../schema-registry/core/errors.ts';
import { parseVersionId, isValidSubject, normalizeSubject } from '../../../schema-registry/core/subjects.ts';

describe('Confluent error catalogue', () => {
  it.each([
    [errors.subjectNotFound('s'), 404, 40401, "Subject 's' not found."],
    [errors.versionNotFound(3), 404, 40402, 'Version 3 not found.'],
    [errors.schemaNotFound(), 404, 40403, 'Schema not found'],
    [errors.schemaNotFound(12), 404, 40403, 'Schema 12 not found'],
    [errors.subjectSoftDeleted('s'), 404, 40404, "Subject 's' was soft deleted.Set permanent=true to delete permanently"],
    [errors.subjectNotSoftDeleted('s'), 404, 40405, "Subject 's' was not deleted first before being permanently deleted"],
    [errors.versionSoftDeleted('s', 2), 404, 40406, "Subject 's' Version 2 was soft deleted.Set permanent=true to delete permanently"],
    [errors.versionNotSoftDeleted('s', 2), 404, 40407, "Subject 's' Version 2 was not deleted first before being permanently deleted"],
    [errors.subjectCompatibilityNotConfigured('s'), 404, 40408, "Subject 's' does not have subject-level compatibility configured"],
    [errors.subjectModeNotConfigured('s'), 404, 40409, "Subject 's' does not have subject-level mode configured"],
    [errors.incompatibleSchema('s', ['a', 'b']), 409, 40901, 'Schema being registered is incompatible with an earlier schema for subject "s", details: [a, b]'],
    [errors.invalidSchema('bad'), 422, 42201, 'bad'],
    [errors.invalidVersion('x'), 422, 42202, `The specified version 'x' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`],
    [
      errors.invalidCompatibilityLevel(),
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ],
    [errors.invalidMode(), 422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.'],
    [errors.operationNotPermitted('no'), 422, 42205, 'no'],
    [errors.referenceExists('s', 1), 422, 42206, 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=s,version=1}.'],
    [errors.idDoesNotMatch(), 422, 42207, 'The ID of an imported schema does not match the existing ID'],
    [errors.invalidSubject('s'), 422, 42208, "The specified subject 's' is not a valid."],
    [errors.schemaTooLarge(), 422, 42209, 'Register operation failed because schema is too large'],
    [errors.contextNotEmpty('.c'), 422, 42211, "The specified context '.c' is not empty."],
    [errors.storeError('store down'), 500, 50001, 'store down'],
    [errors.operationTimeout('slow'), 500, 50002, 'slow'],
    [errors.requestForwardingFailed('fwd'), 500, 50003, 'fwd'],
    [errors.unknownLeader('who'), 500, 50004, 'who'],
  ])('%s', (err, status, code, message) => {
    expect(err).toBeInstanceOf(errors.RegistryError);
    expect(err.httpStatus).toBe(status);
    expect(err.toBody()).toEqual({ error_code: code, message });
  });

  it('server-side failures are retriable, client mistakes are not', () => {
    expect(errors.storeError('x').retriable).toBe(true);
    expect(errors.invalidSchema('x').retriable).toBe(false);
  });
});

describe('subjects and version ids', () => {
  it('parses version segments like Confluent VersionId', () => {
    expect(parseVersionId('latest')).toBe('latest');
    expect(parseVersionId('LATEST')).toBe('latest');
    expect(parseVersionId('-1')).toBe('latest');
    expect(parseVersionId(' 7 ')).toBe(7);
    expect(parseVersionId('2147483647')).toBe(2 ** 31 - 1);
    expect(() => parseVersionId('2147483648')).toThrow("'2147483648'");
    expect(() => parseVersionId('0')).toThrow("The specified version '0'");
    expect(() => parseVersionId('-5')).toThrow("'-5'");
    expect(() => parseVersionId('1.5')).toThrow("'1.5'");
  });

  it('normalizes the default context prefix and validates names', () => {
    expect(normalizeSubject(':.:orders')).toBe('orders');
    expect(normalizeSubject(':.ctx:orders')).toBe(':.ctx:orders');
    expect(isValidSubject('orders-value')).toBe(true);
    expect(isValidSubject('tab\there')).toBe(false);
    expect(isValidSubject('__GLOBAL')).toBe(false);
    expect(isValidSubject(':.__GLOBAL:x')).toBe(false);
    expect(isValidSubject(':.__GLOBAL:x', { configOrMode: true })).toBe(true);
  });
});
