import { afterEach, describe, expect, it } from 'vitest';
import { avroRecord, registryUnderTest, V1 } from './http-helpers.ts';

let current: ReturnType<typeof registryUnderTest> | undefined;
function registry() {
  current = registryUnderTest();
  return current;
}
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const USER_V1 = avroRecord([{ name: 'name', type: 'string' }]);
const USER_V2 = avroRecord([
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int', default: 0 },
]);

describe('registering and reading schemas', () => {
  it('registers, answers the id and version, and serves the schema by id, subject and version', async () => {
    const { call } = registry();
    const reg = await call('POST', '/subjects/users-value/versions', { schema: USER_V1 });
    expect(reg.status).toBe(200);
    expect(reg.type).toBe(`${V1}; charset=utf-8`);
    expect(reg.body).toMatchObject({ id: 1, version: 1, schemaType: 'AVRO' });

    expect((await call('GET', '/subjects')).body).toEqual(['users-value']);
    expect((await call('GET', '/subjects/users-value/versions')).body).toEqual([1]);
    const latest = await call('GET', '/subjects/users-value/versions/latest');
    expect(latest.body).toMatchObject({ subject: 'users-value', version: 1, id: 1, schema: USER_V1 });
    expect(Object.keys(latest.body as object).slice(0, 3)).toEqual(['subject', 'version', 'id']);
    expect((await call('GET', '/subjects/users-value/versions/-1')).body).toMatchObject({ version: 1 });
    expect((await call('GET', '/subjects/users-value/versions/1/schema')).text).toBe(USER_V1);

    const byId = await call('GET', '/schemas/ids/1');
    expect(byId.body).toMatchObject({ schema: USER_V1, schemaType: 'AVRO' });
    expect(byId.body).not.toHaveProperty('subject');
    expect((await call('GET', '/schemas/ids/1?subject=users-value')).body).toMatchObject({ subject: 'users-value', version: 1 });
    expect((await call('GET', '/schemas/ids/1?fetchMaxId=true')).body).toMatchObject({ maxId: 1 });
    expect((await call('GET', '/schemas/ids/1/schema')).text).toBe(USER_V1);
    expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['users-value']);
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([{ subject: 'users-value', version: 1 }]);
  });

  it('stores the canonical form and gives the same schema the same id under every subject', async () => {
    const { call } = registry();
    const a = await call('POST', '/subjects/a/versions', { schema: '{"type": "string"}' });
    const b = await call('POST', '/subjects/b/versions', { schema: '"string"' });
    expect(a.body).toMatchObject({ id: 1, schema: '"string"' });
    expect(b.body).toMatchObject({ id: 1, version: 1 });
    // Re-registering answers the existing version.
    expect((await call('POST', '/subjects/a/versions', { schema: '"string"' })).body).toMatchObject({ id: 1, version: 1 });
    expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['a', 'b']);
  });

  it('looks a schema up in a subject (POST /subjects/{s})', async () => {
    const { call } = registry();
    await call('POST', '/subjects/users-value/versions', { schema: USER_V1 });
    const found = await call('POST', '/subjects/users-value', { schema: USER_V1 });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ subject: 'users-value', version: 1, id: 1 });
    const missing = await call('POST', '/subjects/users-value', { schema: USER_V2 });
    expect(missing).toMatchObject({ status: 404, body: { error_code: 40403, message: 'Schema not found' } });
    const unknown = await call('POST', '/subjects/nobody', { schema: USER_V1 });
    expect(unknown).toMatchObject({ status: 404, body: { error_code: 40401, message: "Subject 'nobody' not found." } });
  });

  it('answers repeated lookups (cached by body) as the registry state stands now', async () => {
    const { call } = registry();
    await call('POST', '/subjects/users-value/versions', { schema: USER_V1 });
    const body = JSON.stringify({ schema: USER_V2 });
    // A refused lookup is not remembered: once registered, the very same body is found.
    expect(await call('POST', '/subjects/users-value', body)).toMatchObject({ status: 404, body: { error_code: 40403 } });
    await call('POST', '/subjects/users-value/versions', body);
    expect(await call('POST', '/subjects/users-value', body)).toMatchObject({ status: 200, body: { version: 2, id: 2 } });
    expect(await call('POST', '/subjects/users-value', body)).toMatchObject({ status: 200, body: { version: 2, id: 2 } });
    // The same schema under another subject, another spelling of the body, a flag: separate answers.
    expect(await call('POST', '/subjects/other-value', body)).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await call('POST', '/subjects/users-value', ` ${body}\n`)).toMatchObject({ status: 200, body: { version: 2 } });
    // A soft-deleted version is found only with deleted=true, whatever was answered before.
    await call('DELETE', '/subjects/users-value/versions/2');
    expect(await call('POST', '/subjects/users-value', body)).toMatchObject({ status: 404, body: { error_code: 40403 } });
    expect(await call('POST', '/subjects/users-value?deleted=true', body)).toMatchObject({ status: 200, body: { version: 2, deleted: true } });
    // A bad body is refused every time, never answered from the cache.
    expect(await call('POST', '/subjects/users-value', '{"schema": 1')).toMatchObject({ status: 400 });
    expect(await call('POST', '/subjects/users-value', '{"schema": 1')).toMatchObject({ status: 400 });
  });

  it('registers JSON Schema and lists the supported types', async () => {
    const { call } = registry();
    const schema = JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } } });
    const reg = await call('POST', '/subjects/j/versions', { schema, schemaType: 'JSON' });
    expect(reg.body).toMatchObject({ id: 1, schemaType: 'JSON' });
    expect((await call('GET', '/subjects/j/versions/1')).body).toMatchObject({ schemaType: 'JSON' });
    expect((await call('GET', '/schemas/types')).body).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
    const proto = await call('POST', '/subjects/p/versions', { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' });
    expect(proto).toMatchObject({ status: 422, body: { error_code: 42201 } });
  });

  it('lists schemas with paging', async () => {
    const { call } = registry();
    for (const s of ['a', 'b', 'c']) await call('POST', `/subjects/${s}/versions`, { schema: JSON.stringify({ type: 'enum', name: `E${s}`, symbols: ['X'] }) });
    const all = (await call('GET', '/schemas')).body as { subject: string }[];
    expect(all.map((s) => s.subject)).toEqual(['a', 'b', 'c']);
    const paged = (await call('GET', '/schemas?offset=1&limit=1')).body as { subject: string }[];
    expect(paged.map((s) => s.subject)).toEqual(['b']);
    expect((await call('GET', '/subjects?subjectPrefix=b')).body).toEqual(['b']);
  });
});

describe('compatibility', () => {
  it('refuses an incompatible schema with 409/40901 and accepts it under NONE', async () => {
    const { call } = registry();
    await call('POST', '/subjects/users-value/versions', { schema: USER_V1 });
    const breaking = avroRecord([{ name: 'name', type: 'int' }]);
    const refused = await call('POST', '/subjects/users-value/versions', { schema: breaking });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error_code: 40901 });
    expect((refused.body as { message: string }).message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "users-value"/);

    const check = await call('POST', '/compatibility/subjects/users-value/versions/latest?verbose=true', { schema: breaking });
    expect(check.body).toMatchObject({ is_compatible: false });
    expect((check.body as { messages: string[] }).messages.length).toBeGreaterThan(0);
    expect((await call('POST', '/compatibility/subjects/users-value/versions/latest', { schema: USER_V2 })).body).toEqual({ is_compatible: true });
    expect((await call('POST', '/compatibility/subjects/users-value/versions', { schema: USER_V2 })).body).toEqual({ is_compatible: true });

    const put = await call('PUT', '/config/users-value', { compatibility: 'NONE' });
    expect(put.body).toEqual({ compatibility: 'NONE' });
    expect((await call('POST', '/subjects/users-value/versions', { schema: breaking })).body).toMatchObject({ id: 2, version: 2 });
  });

  it('keeps the global and subject configs apart (GET /config/{s} is 40408 until set)', async () => {
    const { call } = registry();
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await call('GET', '/config/orders-value')).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect((await call('GET', '/config/orders-value?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call('PUT', '/config', { compatibility: 'full' })).body).toEqual({ compatibility: 'FULL' });
    expect((await call('PUT', '/config/orders-value', { compatibilityLevel: 'FORWARD' })).body).toEqual({ compatibility: 'FORWARD' });
    expect((await call('GET', '/config/orders-value')).body).toEqual({ compatibilityLevel: 'FORWARD' });
    expect((await call('DELETE', '/config/orders-value')).body).toEqual({ compatibilityLevel: 'FORWARD' });
    expect(await call('DELETE', '/config/orders-value')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect((await call('DELETE', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  });
});

describe('deleting', () => {
  it('soft deletes, refuses a second soft delete, then deletes permanently; ids still resolve after a soft delete', async () => {
    const { call } = registry();
    await call('POST', '/subjects/s/versions', { schema: USER_V1 });
    await call('POST', '/subjects/s/versions', { schema: USER_V2 });
    expect((await call('DELETE', '/subjects/s/versions/1')).body).toBe(1);
    expect((await call('GET', '/subjects/s/versions')).body).toEqual([2]);
    expect((await call('GET', '/subjects/s/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await call('GET', '/schemas/ids/1')).status).toBe(200);
    expect((await call('DELETE', '/subjects/s')).body).toEqual([2]);
    const again = await call('DELETE', '/subjects/s');
    expect(again).toMatchObject({ status: 404, body: { error_code: 40404, message: "Subject 's' was soft deleted.Set permanent=true to delete permanently" } });
    expect(await call('GET', '/subjects/s/versions')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['s']);
    expect((await call('DELETE', '/subjects/s?permanent=true')).body).toEqual([1, 2]);
    expect((await call('GET', '/subjects?deleted=true')).body).toEqual([]);
    expect(await call('GET', '/schemas/ids/1')).toMatchObject({ status: 404, body: { error_code: 40403, message: 'Schema 1 not found' } });
  });

  it('asks for a soft delete before a permanent one', async () => {
    const { call } = registry();
    await call('POST', '/subjects/s/versions', { schema: USER_V1 });
    expect(await call('DELETE', '/subjects/s/versions/1?permanent=true')).toMatchObject({ status: 404, body: { error_code: 40407 } });
    expect(await call('DELETE', '/subjects/s?permanent=true')).toMatchObject({ status: 404, body: { error_code: 40405 } });
  });
});

describe('references', () => {
  it('resolves references, lists referrers and refuses a reference to a missing subject', async () => {
    const { call } = registry();
    const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'com.example', fields: [{ name: 'street', type: 'string' }] });
    await call('POST', '/subjects/address/versions', { schema: address });
    const person = JSON.stringify({ type: 'record', name: 'Person', namespace: 'com.example', fields: [{ name: 'home', type: 'com.example.Address' }] });
    const refs = [{ name: 'com.example.Address', subject: 'address', version: 1 }];
    const reg = await call('POST', '/subjects/person/versions', { schema: person, references: refs });
    expect(reg.body).toMatchObject({ id: 2, references: refs });
    expect((await call('GET', '/subjects/address/versions/1/referencedby')).body).toEqual([2]);
    expect(await call('DELETE', '/subjects/address/versions/1')).toMatchObject({ status: 422, body: { error_code: 42206 } });
    const missing = await call('POST', '/subjects/other/versions', { schema: person, references: [{ name: 'com.example.Address', subject: 'nowhere', version: 1 }] });
    expect(missing).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect((missing.body as { message: string }).message).toContain('nowhere');
  });
});

describe('modes and contexts', () => {
  it('refuses writes in READONLY mode and validates mode names', async () => {
    const { call } = registry();
    expect((await call('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
    expect((await call('PUT', '/mode/s', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
    expect((await call('GET', '/mode/s')).body).toEqual({ mode: 'READONLY' });
    expect(await call('POST', '/subjects/s/versions', { schema: USER_V1 })).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect(await call('PUT', '/mode', { mode: 'SIDEWAYS' })).toMatchObject({ status: 422, body: { error_code: 42204 } });
    expect((await call('DELETE', '/mode/s')).body).toEqual({ mode: 'READONLY' });
    expect(await call('GET', '/mode/s')).toMatchObject({ status: 404, body: { error_code: 40409 } });
  });

  it('addresses subjects of a context through /contexts/{ctx}/...', async () => {
    const { call } = registry();
    expect((await call('POST', '/contexts/.team/subjects/s/versions', { schema: USER_V1 })).body).toMatchObject({ id: 1 });
    expect((await call('GET', '/subjects/:.team:s/versions')).body).toEqual([1]);
    expect((await call('GET', '/contexts/.team/subjects')).body).toEqual([':.team:s']);
    expect((await call('GET', '/contexts')).body).toEqual(['.', '.team']);
    expect((await call('GET', '/contexts/.team/schemas/ids/1')).body).toMatchObject({ schema: USER_V1 });
    expect(await call('DELETE', '/contexts/.team')).toMatchObject({ status: 422, body: { error_code: 42211 } });
  });
});
