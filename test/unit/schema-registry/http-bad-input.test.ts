// Bad requests get Confluent's status and error code, and the registry keeps serving after each.
import { afterEach, describe, expect, it } from 'vitest';
import { avroRecord, registryUnderTest } from './http-helpers.ts';

let current: ReturnType<typeof registryUnderTest> | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function stillServing(call: ReturnType<typeof registryUnderTest>['call']): Promise<void> {
  const ok = await call('POST', '/subjects/health/versions', { schema: '"string"' });
  expect(ok.status).toBe(200);
}

describe('bad input', () => {
  it('invalid JSON → 400 with the parser message', async () => {
    current = registryUnderTest();
    const r = await current.call('POST', '/subjects/s/versions', '{"schema": ');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error_code: 400 });
    expect((r.body as { message: string }).message).toMatch(/JSON/);
    await stillServing(current.call);
  });

  it('a body of the wrong shape → 400 naming the field; no body → 422', async () => {
    current = registryUnderTest();
    expect(await current.call('POST', '/subjects/s/versions', [1, 2])).toMatchObject({ status: 400, body: { error_code: 400 } });
    const wrongField = await current.call('POST', '/subjects/s/versions', { schema: { type: 'string' } });
    expect(wrongField).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect((wrongField.body as { message: string }).message).toContain('"schema"');
    expect(await current.call('POST', '/subjects/s/versions', '')).toMatchObject({ status: 422, body: { error_code: 422 } });
    await stillServing(current.call);
  });

  it('invalid Avro → 422/42201 with the parser detail', async () => {
    current = registryUnderTest();
    const r = await current.call('POST', '/subjects/s/versions', { schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'nosuchtype' }] }) });
    expect(r).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect((r.body as { message: string }).message).toMatch(/^Invalid schema of type AVRO/);
    expect(await current.call('POST', '/subjects/s/versions', { schema: '' })).toMatchObject({ status: 422, body: { error_code: 42201, message: 'Empty schema' } });
    expect(await current.call('POST', '/subjects/s/versions', { schema: '"string"', schemaType: 'avro' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    await stillServing(current.call);
  });

  it('invalid JSON Schema → 422/42201', async () => {
    current = registryUnderTest();
    const r = await current.call('POST', '/subjects/s/versions', { schemaType: 'JSON', schema: JSON.stringify({ type: 'object', properties: { a: { type: 'notatype' } } }) });
    expect(r).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await current.call('POST', '/subjects/s/versions', { schemaType: 'JSON', schema: '{not json' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    await stillServing(current.call);
  });

  it('unknown subject, version or id → 404 with 40401 / 40402 / 40403; a bad version → 42202', async () => {
    current = registryUnderTest();
    const { call } = current;
    await call('POST', '/subjects/s/versions', { schema: avroRecord([{ name: 'a', type: 'int' }]) });
    expect(await call('GET', '/subjects/nope/versions')).toMatchObject({ status: 404, body: { error_code: 40401, message: "Subject 'nope' not found." } });
    expect(await call('GET', '/subjects/nope/versions/1')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await call('GET', '/subjects/s/versions/7')).toMatchObject({ status: 404, body: { error_code: 40402, message: 'Version 7 not found.' } });
    expect(await call('GET', '/schemas/ids/99')).toMatchObject({ status: 404, body: { error_code: 40403, message: 'Schema 99 not found' } });
    expect(await call('GET', '/subjects/s/versions/0')).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(await call('GET', '/subjects/s/versions/first')).toMatchObject({
      status: 422,
      body: { error_code: 42202, message: `The specified version 'first' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"` },
    });
    expect(await call('GET', '/schemas/ids/x')).toMatchObject({ status: 404, body: { error_code: 404 } });
    await stillServing(call);
  });

  it('an invalid compatibility level → 422/42203', async () => {
    current = registryUnderTest();
    const expected = {
      status: 422,
      body: {
        error_code: 42203,
        message: 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
      },
    };
    expect(await current.call('PUT', '/config', { compatibility: 'SOMETIMES' })).toMatchObject(expected);
    expect(await current.call('PUT', '/config/s', { compatibility: 'SOMETIMES' })).toMatchObject(expected);
    expect((await current.call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    await stillServing(current.call);
  });

  it('a 10 MB body is read and answered (here: an invalid schema); a body over the limit → 413', async () => {
    current = registryUnderTest();
    const huge = JSON.stringify({ schema: 'x'.repeat(10 * 1024 * 1024) });
    const r = await current.call('POST', '/subjects/s/versions', huge);
    expect(r).toMatchObject({ status: 422, body: { error_code: 42201 } });
    await stillServing(current.call);
    await current.app.close();

    current = registryUnderTest({ bodyLimit: 1024 * 1024 });
    const tooLarge = await current.call('POST', '/subjects/s/versions', huge);
    expect(tooLarge).toMatchObject({ status: 413, body: { error_code: 413, message: 'HTTP 413 Request Entity Too Large' } });
    await stillServing(current.call);
  });

  it('a reference to a missing subject → 422/42201 naming it', async () => {
    current = registryUnderTest();
    const r = await current.call('POST', '/subjects/s/versions', {
      schema: JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'a', type: 'com.example.Missing' }] }),
      references: [{ name: 'com.example.Missing', subject: 'missing-subject', version: 1 }],
    });
    expect(r).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect((r.body as { message: string }).message).toContain('missing-subject');
    await stillServing(current.call);
  });

  it('unknown routes → 404 JSON (clients probe /associations); unsupported media types → 415 / 406', async () => {
    current = registryUnderTest();
    const { call } = current;
    const probe = await call('GET', '/associations/resources/-/orders?resourceType=topic&associationType=value');
    expect(probe).toMatchObject({ status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
    expect(probe.type).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect(await call('POST', '/subjects/s/versions', '"x"', { 'content-type': 'text/plain' })).toMatchObject({
      status: 415,
      body: { error_code: 415, message: 'HTTP 415 Unsupported Media Type' },
    });
    expect(await call('GET', '/subjects', undefined, { accept: 'text/html' })).toMatchObject({ status: 406, body: { error_code: 406, message: 'HTTP 406 Not Acceptable' } });
    await stillServing(call);
  });
});

describe('content types', () => {
  it('accepts the three registry types and octet-stream, and answers in the type asked for', async () => {
    current = registryUnderTest();
    const { call } = current;
    for (const type of ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json', 'application/octet-stream']) {
      const r = await call('POST', '/subjects/s/versions', { schema: '"int"' }, { 'content-type': type });
      expect(r.status).toBe(200);
    }
    expect((await call('GET', '/subjects', undefined, { accept: 'application/json' })).type).toMatch(/^application\/json/);
    expect((await call('GET', '/subjects', undefined, { accept: 'application/vnd.schemaregistry+json' })).type).toMatch(/^application\/vnd\.schemaregistry\+json/);
    expect((await call('GET', '/subjects', undefined, { accept: '*/*' })).type).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect((await call('GET', '/subjects', undefined, { accept: 'text/html;q=0.9, application/json;q=0.5' })).type).toMatch(/^application\/json/);
  });

  it('serves Prometheus metrics', async () => {
    current = registryUnderTest();
    await current.call('POST', '/subjects/s/versions', { schema: '"int"' });
    const r = await current.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/schema_registry_http_requests_total\{method="POST",route="\/subjects\/:subject\/versions",status="200"\} 1/);
    expect(r.body).toMatch(/schema_registry_schema_versions 1/);
    expect(r.body).toMatch(/schema_registry_leader 1/);
  });
});
