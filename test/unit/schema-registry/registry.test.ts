import { beforeEach, describe, expect, it } from 'vitest';
import { RegistryState } from '../../../schema-registry/core/state.ts';
import { SchemaRegistry } from '../../../schema-registry/core/registry.ts';
import { RegistryError } from '../../../schema-registry/core/errors.ts';
import { encodeKey } from '../../../schema-registry/core/records.ts';
import { record } from './helpers.ts';

const id = { name: 'id', type: 'long' };
const v1 = record([id]);
const v2 = record([id, { name: 'email', type: ['null', 'string'], default: null }]);
const v3 = record([id, { name: 'email', type: ['null', 'string'], default: null }, { name: 'age', type: 'int', default: 0 }]);

/** The RegistryError thrown by fn (fails the test if nothing or something else is thrown). */
function errorOf(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a RegistryError');
}

const body = (fn: () => unknown) => {
  const e = errorOf(fn);
  return { status: e.httpStatus, ...e.toBody() };
};

let registry: SchemaRegistry;
const register = (subject: string, schema: string, extra: object = {}) => registry.commit(registry.register(subject, { schema, ...extra }));

beforeEach(() => {
  registry = new SchemaRegistry(new RegistryState());
});

describe('ids and versions', () => {
  it('the same schema gets the same global id under every subject; versions count per subject', () => {
    const a = register('a-value', v1);
    const b = register('b-value', v1);
    expect([a.id, a.version]).toEqual([1, 1]);
    expect([b.id, b.version]).toEqual([1, 1]);
    expect(register('a-value', v2)).toMatchObject({ id: 2, version: 2 });
  });

  it('re-registering returns the existing id and version and writes nothing', () => {
    register('s', v1);
    register('s', v2);
    const again = registry.register('s', { schema: v1 });
    expect(again.records).toEqual([]);
    expect(again.result).toMatchObject({ id: 1, version: 1 });
  });

  it('dedups on the canonical form: attribute order and whitespace do not matter', () => {
    register('s', '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}');
    const again = registry.register('s', { schema: '{ "fields": [ {"type": "int", "name": "a"} ], "name": "R", "type": "record" }' });
    expect(again.records).toEqual([]);
    expect(again.result.version).toBe(1);
    expect(register('p', '{"type":"string"}').schema).toBe('"string"');
    expect(registry.register('p', { schema: '"string"' }).records).toEqual([]);
  });

  it('normalize=true maps schemas differing in property order to one id', () => {
    const a = '{"type":"record","name":"R","b":1,"a":2,"fields":[]}';
    const b = '{"type":"record","name":"R","a":2,"b":1,"fields":[]}';
    const first = register('s1', a, {});
    expect(register('s2', b).id).not.toBe(first.id);
    const n1 = registry.commit(registry.register('n1', { schema: a }, { normalize: true }));
    const n2 = registry.commit(registry.register('n2', { schema: b }, { normalize: true }));
    expect(n1.id).toBe(n2.id);
    expect(n1.schema).toBe('{"type":"record","name":"R","fields":[],"a":2,"b":1}');
  });

  it('the next version is max+1 counting soft-deleted versions', () => {
    register('s', v1);
    register('s', v2);
    registry.commit(registry.deleteSubject('s'));
    expect(register('s', v3).version).toBe(3);
  });

  it('re-registering a soft-deleted schema reuses its id under a new version and tombstones the old one', () => {
    register('s', v1);
    registry.commit(registry.deleteVersion('s', '1'));
    const write = registry.register('s', { schema: v1 });
    expect(write.result).toMatchObject({ id: 1, version: 2 });
    expect(write.records.map((r) => [encodeKey(r.key), r.value === null])).toEqual([
      ['{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', true],
      ['{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}', false],
    ]);
  });

  it('after a permanent delete numbering restarts at 1 and the schema gets a new id', () => {
    register('s', v1);
    registry.commit(registry.deleteSubject('s'));
    registry.commit(registry.deleteSubject('s', { permanent: true }));
    expect(register('s', v1)).toMatchObject({ version: 1, id: 2 });
  });

  it('refuses an explicit version that is not the next one outside IMPORT mode', () => {
    register('s', v1);
    expect(body(() => registry.register('s', { schema: v2, version: 5 }))).toEqual({
      status: 422,
      error_code: 42201,
      message: 'Version is not one more than previous version',
    });
  });

  it('refuses invalid schemas, unknown schema types and PROTOBUF with 42201', () => {
    expect(body(() => registry.register('s', { schema: '{"type":"record"}' }))).toMatchObject({ status: 422, error_code: 42201 });
    expect(body(() => registry.register('s', { schema: v1, schemaType: 'avro' }))).toEqual({
      status: 422,
      error_code: 42201,
      message: 'Invalid schema type avro',
    });
    expect(errorOf(() => registry.register('s', { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' })).message).toContain('not supported yet');
    expect(body(() => registry.register('s', { schema: '' }))).toMatchObject({ error_code: 42201, message: 'Empty schema' });
  });

  it('refuses subjects with control characters (42208)', () => {
    expect(body(() => registry.register('bad\u0001', { schema: v1 }))).toEqual({
      status: 422,
      error_code: 42208,
      message: "The specified subject 'bad\u0001' is not a valid.",
    });
  });

  it('an incompatible schema is 409/40901 with Confluent\'s message', () => {
    register('s', v1);
    const e = errorOf(() => registry.register('s', { schema: record([id, { name: 'x', type: 'int' }]) }));
    expect([e.httpStatus, e.errorCode]).toEqual([409, 40901]);
    expect(e.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "s", details: \[\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'/);
    // force skips the check.
    expect(registry.register('s', { schema: record([id, { name: 'x', type: 'int' }]) }, { force: true }).result.version).toBe(2);
  });
});

describe('reads', () => {
  beforeEach(() => {
    register('s', v1);
    register('s', v2);
    register('t', v1);
  });

  it('lists subjects and versions, hiding soft-deleted ones unless asked', () => {
    registry.commit(registry.deleteVersion('s', '1'));
    registry.commit(registry.deleteSubject('t'));
    expect(registry.listSubjects()).toEqual(['s']);
    expect(registry.listSubjects({ deleted: true })).toEqual(['s', 't']);
    expect(registry.listSubjects({ deletedOnly: true })).toEqual(['t']);
    expect(registry.listVersions('s')).toEqual([2]);
    expect(registry.listVersions('s', { deleted: true })).toEqual([1, 2]);
    expect(registry.listVersions('s', { deletedOnly: true })).toEqual([1]);
    expect(registry.listVersions('s', { deletedAsNegative: true })).toEqual([-1, 2]);
    expect(body(() => registry.listVersions('t'))).toEqual({ status: 404, error_code: 40401, message: "Subject 't' not found." });
  });

  it('gets versions by number or latest; errors name the subject or version', () => {
    expect(registry.getVersion('s', 'latest').version).toBe(2);
    expect(registry.getVersion('s', '-1').version).toBe(2);
    expect(registry.getVersion('s', '1').schema).toBe(v1);
    expect(body(() => registry.getVersion('nope', '1'))).toEqual({ status: 404, error_code: 40401, message: "Subject 'nope' not found." });
    expect(body(() => registry.getVersion('s', '9'))).toEqual({ status: 404, error_code: 40402, message: 'Version 9 not found.' });
    expect(body(() => registry.getVersion('s', 'abc'))).toEqual({
      status: 422,
      error_code: 42202,
      message: `The specified version 'abc' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    });
    expect(errorOf(() => registry.getVersion('s', '0')).errorCode).toBe(42202);
  });

  it('resolves ids, including soft-deleted versions; unknown ids are 40403', () => {
    registry.commit(registry.deleteVersion('s', '1'));
    expect(registry.getSchemaById(1).schema).toBe(v1);
    expect(registry.getSubjectsById(1)).toEqual(['t']);
    expect(registry.getSubjectsById(1, { deleted: true })).toEqual(['s', 't']);
    expect(registry.getVersionsById(1, { deleted: true })).toEqual([
      { subject: 's', version: 1 },
      { subject: 't', version: 1 },
    ]);
    expect(body(() => registry.getSchemaById(99))).toEqual({ status: 404, error_code: 40403, message: 'Schema 99 not found' });
  });

  it('lookup finds the version holding a schema; misses are 40403 or 40401', () => {
    expect(registry.lookup('s', { schema: v2 })).toMatchObject({ subject: 's', version: 2, id: 2 });
    expect(body(() => registry.lookup('s', { schema: v3 }))).toEqual({ status: 404, error_code: 40403, message: 'Schema not found' });
    expect(body(() => registry.lookup('zzz', { schema: v1 }))).toEqual({ status: 404, error_code: 40401, message: "Subject 'zzz' not found." });
    expect(body(() => registry.lookup('zzz', { schema: '{' }))).toMatchObject({ error_code: 42201 });
    registry.commit(registry.deleteVersion('s', '2'));
    expect(errorOf(() => registry.lookup('s', { schema: v2 })).errorCode).toBe(40403);
    expect(registry.lookup('s', { schema: v2 }, { deleted: true }).version).toBe(2);
  });

  it('tests compatibility against one version or all, verbose or not', () => {
    const breaking = record([id, { name: 'x', type: 'int' }]);
    expect(registry.testCompatibility('s', 'latest', { schema: v3 })).toEqual({ is_compatible: true });
    expect(registry.testCompatibility('s', '1', { schema: breaking })).toEqual({ is_compatible: false });
    const verbose = registry.testCompatibility('s', undefined, { schema: breaking }, { verbose: true });
    expect(verbose.is_compatible).toBe(false);
    expect(verbose.messages?.[1]).toBe('{oldSchemaVersion: 2}');
    expect(registry.testCompatibility('empty', 'latest', { schema: v1 })).toEqual({ is_compatible: true });
    expect(body(() => registry.testCompatibility('s', '7', { schema: v1 }))).toEqual({ status: 404, error_code: 40402, message: 'Version 7 not found.' });
    expect(errorOf(() => registry.testCompatibility('s', 'latest', { schema: '{' })).errorCode).toBe(42201);
    expect(registry.testCompatibility('s', 'latest', { schema: '{' }, { verbose: true }).messages?.[0]).toContain('Invalid schema of type AVRO');
  });

  it('lists schemas, latest only when asked', () => {
    expect(registry.listSchemas().map((s) => `${s.subject}/${s.version}`)).toEqual(['s/1', 's/2', 't/1']);
    expect(registry.listSchemas({ latestOnly: true }).map((s) => `${s.subject}/${s.version}`)).toEqual(['s/2', 't/1']);
  });
});

describe('deletes', () => {
  beforeEach(() => {
    register('s', v1);
    register('s', v2);
  });

  it('soft-deleting a version twice is 40406; permanent first is 40407', () => {
    expect(body(() => registry.deleteVersion('s', '1', { permanent: true }))).toEqual({
      status: 404,
      error_code: 40407,
      message: "Subject 's' Version 1 was not deleted first before being permanently deleted",
    });
    expect(registry.commit(registry.deleteVersion('s', '1'))).toBe(1);
    expect(body(() => registry.deleteVersion('s', '1'))).toEqual({
      status: 404,
      error_code: 40406,
      message: "Subject 's' Version 1 was soft deleted.Set permanent=true to delete permanently",
    });
    expect(registry.commit(registry.deleteVersion('s', '1', { permanent: true }))).toBe(1);
    expect(body(() => registry.deleteVersion('s', '1', { permanent: true }))).toMatchObject({ error_code: 40402, message: 'Version 1 not found.' });
  });

  it('deleting "latest" removes the newest live version', () => {
    expect(registry.commit(registry.deleteVersion('s', 'latest'))).toBe(2);
    expect(registry.getVersion('s', 'latest').version).toBe(1);
  });

  it('soft-deleting a subject twice is 40404; permanent first is 40405; unknown is 40401', () => {
    expect(body(() => registry.deleteSubject('s', { permanent: true }))).toEqual({
      status: 404,
      error_code: 40405,
      message: "Subject 's' was not deleted first before being permanently deleted",
    });
    expect(registry.commit(registry.deleteSubject('s'))).toEqual([1, 2]);
    expect(body(() => registry.deleteSubject('s'))).toEqual({
      status: 404,
      error_code: 40404,
      message: "Subject 's' was soft deleted.Set permanent=true to delete permanently",
    });
    expect(registry.commit(registry.deleteSubject('s', { permanent: true }))).toEqual([1, 2]);
    expect(body(() => registry.deleteSubject('s'))).toMatchObject({ error_code: 40401 });
  });

  it('a soft subject delete is one DELETE_SUBJECT record up to the highest live version', () => {
    const write = registry.deleteSubject('s');
    expect(write.records.map((r) => encodeKey(r.key))).toEqual(['{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}']);
    expect(write.records[0].value).toEqual({ subject: 's', version: 2 });
  });

  it('a permanent delete of the last version also drops the subject config and mode', () => {
    registry.commit(registry.updateConfig('s', { compatibilityLevel: 'FULL' }));
    registry.commit(registry.setMode('s', 'READWRITE'));
    registry.commit(registry.deleteSubject('s'));
    const write = registry.deleteSubject('s', { permanent: true });
    expect(write.records.map((r) => encodeKey(r.key))).toEqual([
      '{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}',
      '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
      '{"keytype":"MODE","subject":"s","magic":0}',
      '{"keytype":"CONFIG","subject":"s","magic":0}',
    ]);
    registry.commit(write);
    expect(errorOf(() => registry.getConfig('s')).errorCode).toBe(40408);
  });
});

describe('references', () => {
  const address = '{"type":"record","name":"Address","namespace":"com.x","fields":[{"name":"city","type":"string"}]}';
  const user = '{"type":"record","name":"User","namespace":"com.x","fields":[{"name":"home","type":"Address"}]}';

  it('resolves references, records who refers to what, and protects referenced versions', () => {
    register('address', address);
    const u = registry.commit(registry.register('user', { schema: user, references: [{ name: 'com.x.Address', subject: 'address', version: -1 }] }));
    expect(u.references).toEqual([{ name: 'com.x.Address', subject: 'address', version: 1 }]);
    expect(registry.referencedBy('address', '1')).toEqual([u.id]);
    expect(body(() => registry.deleteSubject('address'))).toEqual({
      status: 422,
      error_code: 42206,
      message: 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
    });
    expect(errorOf(() => registry.deleteVersion('address', '1')).errorCode).toBe(42206);
    // Once the referrer is soft-deleted, the soft delete is allowed; a permanent one is not.
    registry.commit(registry.deleteSubject('user'));
    registry.commit(registry.deleteSubject('address'));
    expect(errorOf(() => registry.deleteSubject('address', { permanent: true })).errorCode).toBe(42206);
  });

  it('a reference to a missing subject or version is 42201 naming it', () => {
    expect(body(() => registry.register('user', { schema: user, references: [{ name: 'com.x.Address', subject: 'address', version: 1 }] }))).toEqual({
      status: 422,
      error_code: 42201,
      message: 'Invalid schema of type AVRO, details: No schema reference found for subject "address" and version 1',
    });
  });

  it('JSON Schema references resolve $ref by reference name', () => {
    const addr = '{"type":"object","properties":{"city":{"type":"string"}}}';
    register('addr', addr, { schemaType: 'JSON' });
    const main = '{"type":"object","properties":{"home":{"$ref":"addr.json"}}}';
    const r = registry.commit(registry.register('person', { schema: main, schemaType: 'JSON', references: [{ name: 'addr.json', subject: 'addr', version: 1 }] }));
    expect(r.schemaType).toBe('JSON');
    expect(errorOf(() => registry.register('person2', { schema: main, schemaType: 'JSON' })).message).toContain("Unresolved $ref 'addr.json'");
  });
});

describe('config', () => {
  it('global config defaults to BACKWARD; a subject without its own config is 40408', () => {
    expect(registry.getConfig(null)).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(body(() => registry.getConfig('s'))).toEqual({
      status: 404,
      error_code: 40408,
      message: "Subject 's' does not have subject-level compatibility configured",
    });
    expect(registry.getConfig('s', { defaultToGlobal: true })).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('sets, merges and deletes subject and global config', () => {
    expect(registry.commit(registry.updateConfig(null, { compatibilityLevel: 'full' }))).toEqual({ compatibilityLevel: 'FULL' });
    expect(registry.commit(registry.updateConfig('s', { compatibilityLevel: 'NONE' }))).toEqual({ compatibilityLevel: 'NONE' });
    expect(registry.commit(registry.updateConfig('s', { normalize: true }))).toEqual({ compatibilityLevel: 'NONE', normalize: true });
    expect(registry.getConfig('s')).toEqual({ compatibilityLevel: 'NONE', normalize: true });
    expect(registry.commit(registry.deleteConfig('s'))).toEqual({ compatibilityLevel: 'NONE', normalize: true });
    expect(registry.getConfig('s', { defaultToGlobal: true })).toEqual({ compatibilityLevel: 'FULL' });
    expect(body(() => registry.deleteConfig('s'))).toMatchObject({ error_code: 40401 });
    expect(registry.commit(registry.deleteConfig(null))).toEqual({ compatibilityLevel: 'FULL' });
    expect(registry.getConfig(null)).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('refuses an unknown level with 42203', () => {
    expect(body(() => registry.updateConfig('s', { compatibilityLevel: 'MOSTLY' }))).toMatchObject({ status: 422, error_code: 42203 });
  });

  it('compatibilityPolicy LENIENT relaxes JSON Schema rules; config normalize applies to registration', () => {
    const open1 = '{"type":"object","properties":{"a":{"type":"string"}}}';
    const open2 = '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}';
    register('j', open1, { schemaType: 'JSON' });
    expect(errorOf(() => registry.register('j', { schema: open2, schemaType: 'JSON' })).errorCode).toBe(40901);
    registry.commit(registry.updateConfig('j', { compatibilityPolicy: 'lenient' }));
    expect(register('j', open2, { schemaType: 'JSON' }).version).toBe(2);
    registry.commit(registry.updateConfig('n', { normalize: true }));
    expect(register('n', '{"type":"object","b":1,"a":2}', { schemaType: 'JSON' }).schema).toBe('{"a":2,"b":1,"type":"object"}');
  });

  it('the subject level governs registration', () => {
    register('s', v1);
    registry.commit(registry.updateConfig('s', { compatibilityLevel: 'NONE' }));
    expect(register('s', '"string"').version).toBe(2);
  });
});

describe('modes', () => {
  it('READONLY refuses new schemas (42205) but still answers an existing registration', () => {
    register('s', v1);
    registry.commit(registry.setMode('s', 'READONLY'));
    expect(body(() => registry.register('s', { schema: v2 }))).toEqual({
      status: 422,
      error_code: 42205,
      message: 'Subject s in context  is in read-only mode',
    });
    expect(registry.register('s', { schema: v1 }).result.version).toBe(1);
    expect(errorOf(() => registry.deleteSubject('s')).errorCode).toBe(42205);
  });

  it('an explicit id needs IMPORT mode; IMPORT needs an empty registry unless forced', () => {
    register('s', v1);
    expect(body(() => registry.register('t', { schema: v2, id: 7 }))).toMatchObject({
      error_code: 42205,
      message: 'Subject t in context  is not in import mode',
    });
    expect(body(() => registry.setMode(null, 'IMPORT'))).toEqual({
      status: 422,
      error_code: 42205,
      message: 'Cannot import since found existing subjects',
    });
    registry.commit(registry.setMode(null, 'IMPORT', { force: true }));
    expect(registry.commit(registry.register('t', { schema: v2, id: 7, version: 3 }))).toMatchObject({ id: 7, version: 3 });
    expect(body(() => registry.register('u', { schema: v3, id: 7, version: 1 }))).toMatchObject({
      error_code: 42205,
      message: 'Overwrite new schema with id 7 in context  is not permitted.',
    });
    expect(body(() => registry.register('u', { schema: v3 }))).toMatchObject({ message: 'Subject u in context  is not in read-write mode' });
  });

  it('entering IMPORT clears soft-deleted leftovers with tombstones and CLEAR_SUBJECT', () => {
    register('s', v1);
    registry.commit(registry.deleteSubject('s'));
    const write = registry.setMode(null, 'IMPORT');
    expect(write.records.map((r) => encodeKey(r.key))).toEqual([
      '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
      '{"keytype":"CLEAR_SUBJECT","magic":0}',
      '{"keytype":"MODE","magic":0}',
    ]);
    registry.commit(write);
    expect(registry.listSubjects({ deleted: true })).toEqual([]);
    expect(registry.getMode(null)).toEqual({ mode: 'IMPORT' });
  });

  it('FORWARD is accepted only on the global context', () => {
    expect(body(() => registry.setMode(null, 'FORWARD'))).toEqual({ status: 422, error_code: 42204, message: 'Forward mode only supported on global level' });
    expect(registry.commit(registry.setMode(':.__GLOBAL:', 'FORWARD'))).toEqual({ mode: 'FORWARD' });
  });

  it('a read-only registry refuses config changes too', () => {
    registry.commit(registry.setMode(null, 'READONLY'));
    expect(body(() => registry.updateConfig(null, { compatibilityLevel: 'NONE' }))).toMatchObject({
      error_code: 42205,
      message: 'Subject null in context  is in read-only mode',
    });
  });

  it('invalid modes are 42204; a subject without its own mode is 40409', () => {
    expect(body(() => registry.setMode('s', 'WRITEONLY'))).toEqual({
      status: 422,
      error_code: 42204,
      message: 'Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.',
    });
    expect(body(() => registry.getMode('s'))).toEqual({ status: 404, error_code: 40409, message: "Subject 's' does not have subject-level mode configured" });
    expect(registry.getMode('s', { defaultToGlobal: true })).toEqual({ mode: 'READWRITE' });
    registry.commit(registry.setMode('s', 'readonly'));
    expect(registry.commit(registry.deleteMode('s'))).toEqual({ mode: 'READONLY' });
    expect(errorOf(() => registry.deleteMode('s')).errorCode).toBe(40401);
  });
});

describe('contexts', () => {
  it('lists the default context and contexts created by qualified subjects, whose ids are separate', () => {
    expect(registry.listContexts()).toEqual(['.']);
    register('s', v1);
    const write = registry.register(':.staging:s', { schema: v2 });
    expect(encodeKey(write.records[0].key)).toBe('{"keytype":"CONTEXT","tenant":"default","context":".staging","magic":0}');
    expect(registry.commit(write)).toMatchObject({ subject: ':.staging:s', id: 1, version: 1 });
    expect(registry.listContexts()).toEqual(['.', '.staging']);
    expect(registry.listSubjects()).toEqual([':.staging:s', 's']);
    expect(registry.getVersion(':.:s', '1').schema).toBe(v1);
    expect(registry.getSchemaById(1, { subject: ':.staging:s' }).schema).toBe(v2);
    expect(body(() => registry.deleteContext('.staging'))).toEqual({ status: 422, error_code: 42211, message: "The specified context '.staging' is not empty." });
    registry.commit(registry.deleteSubject(':.staging:s'));
    registry.commit(registry.deleteSubject(':.staging:s', { permanent: true }));
    registry.commit(registry.deleteContext(':.staging:'));
    expect(registry.listContexts()).toEqual(['.']);
  });
});
