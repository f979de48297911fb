// @services kafka
// The curl recipes of Confluent's Schema Registry documentation ("API usage examples"), sent with
// the same method, headers and body, against our registry on Kafka: documented status codes and
// bodies. (Since CP 8 a registration answers more than {"id":N}; the recipes' fields are checked.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRegistry } from '../../schema-registry/http/index.ts';
import { serviceUrl } from '../services/services.ts';
import { startTestRegistry, uniqueNames } from '../integration/registry-harness.ts';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startTestRegistry(serviceUrl('kafka'), uniqueNames());
});
afterAll(async () => {
  await registry?.close();
});

const CT = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };

/** curl [-X METHOD] [-H ...] [--data BODY] URL, as fetch. */
async function curl(method: string, path: string, options: { data?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${registry.url}${path}`, { method, headers: options.headers, body: options.data });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe("Confluent's curl recipes", () => {
  it('register, list, fetch, look up, test compatibility, configure and delete', async () => {
    // Register a new version of a schema under the subject "Kafka-key"
    let r = await curl('POST', '/subjects/Kafka-key/versions', { headers: CT, data: '{"schema": "{\\"type\\": \\"string\\"}"}' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 1 });

    // Register a new version of a schema under the subject "Kafka-value"
    r = await curl('POST', '/subjects/Kafka-value/versions', { headers: CT, data: '{"schema": "{\\"type\\": \\"string\\"}"}' });
    expect(r.body).toMatchObject({ id: 1 });

    // Register an existing schema to a new subject name
    const avro = JSON.stringify({ type: 'record', name: 'Payment', namespace: 'io.confluent.examples.clients.basicavro', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }] });
    r = await curl('POST', '/subjects/test-value/versions', { headers: CT, data: JSON.stringify({ schema: avro }) });
    expect(r.body).toMatchObject({ id: 2 });

    // List all subjects
    r = await curl('GET', '/subjects');
    expect(r).toEqual({ status: 200, body: ['Kafka-key', 'Kafka-value', 'test-value'] });

    // List all schema versions registered under the subject "Kafka-value"
    r = await curl('GET', '/subjects/Kafka-value/versions');
    expect(r).toEqual({ status: 200, body: [1] });

    // Fetch a schema by globally unique id 1
    r = await curl('GET', '/schemas/ids/1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ schema: '"string"' });

    // Fetch version 1 of the schema registered under subject "Kafka-value"
    r = await curl('GET', '/subjects/Kafka-value/versions/1');
    expect(r.body).toMatchObject({ subject: 'Kafka-value', version: 1, id: 1, schema: '"string"' });

    // Fetch the most recently registered schema under subject "Kafka-value"
    r = await curl('GET', '/subjects/Kafka-value/versions/latest');
    expect(r.body).toMatchObject({ subject: 'Kafka-value', version: 1, id: 1, schema: '"string"' });

    // Check whether a schema has been registered under subject "Kafka-key"
    r = await curl('POST', '/subjects/Kafka-key', { headers: CT, data: '{"schema": "{\\"type\\": \\"string\\"}"}' });
    expect(r.body).toMatchObject({ subject: 'Kafka-key', version: 1, id: 1, schema: '"string"' });

    // Test compatibility of a schema with the latest schema under subject "Kafka-value"
    r = await curl('POST', '/compatibility/subjects/Kafka-value/versions/latest', { headers: CT, data: '{"schema": "{\\"type\\": \\"string\\"}"}' });
    expect(r).toEqual({ status: 200, body: { is_compatible: true } });

    // Get top level config
    r = await curl('GET', '/config');
    expect(r).toEqual({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });

    // Update compatibility requirements globally
    r = await curl('PUT', '/config', { headers: CT, data: '{"compatibility": "NONE"}' });
    expect(r).toEqual({ status: 200, body: { compatibility: 'NONE' } });

    // Update compatibility requirements under the subject "Kafka-value"
    r = await curl('PUT', '/config/Kafka-value', { headers: CT, data: '{"compatibility": "BACKWARD"}' });
    expect(r).toEqual({ status: 200, body: { compatibility: 'BACKWARD' } });

    // List schema types currently registered in Schema Registry
    r = await curl('GET', '/schemas/types');
    expect(r).toEqual({ status: 200, body: ['JSON', 'PROTOBUF', 'AVRO'] });

    // Register versions 2..5 of "Kafka-value" (compatible changes under BACKWARD for strings: none), then delete
    await curl('PUT', '/config/Kafka-value', { headers: CT, data: '{"compatibility": "NONE"}' });
    for (const type of ['int', 'long', 'bytes', 'boolean']) {
      r = await curl('POST', '/subjects/Kafka-value/versions', { headers: CT, data: JSON.stringify({ schema: JSON.stringify({ type }) }) });
      expect(r.status).toBe(200);
    }
    expect((await curl('GET', '/subjects/Kafka-value/versions')).body).toEqual([1, 2, 3, 4, 5]);

    // Delete version 3 of the schema registered under subject "Kafka-value"
    r = await curl('DELETE', '/subjects/Kafka-value/versions/3');
    expect(r).toEqual({ status: 200, body: 3 });

    // Delete all versions of the schema registered under subject "Kafka-value"
    r = await curl('DELETE', '/subjects/Kafka-value');
    expect(r).toEqual({ status: 200, body: [1, 2, 4, 5] });

    // List all subjects, including deleted ones
    r = await curl('GET', '/subjects?deleted=true');
    expect(r.body).toEqual(['Kafka-key', 'Kafka-value', 'test-value']);

    // Delete all versions permanently (after the soft delete)
    r = await curl('DELETE', '/subjects/Kafka-value?permanent=true');
    expect(r).toEqual({ status: 200, body: [1, 2, 3, 4, 5] });
    expect((await curl('GET', '/subjects?deleted=true')).body).toEqual(['Kafka-key', 'test-value']);
  });

  it('answers the documented errors', async () => {
    expect(await curl('GET', '/subjects/no-such-subject/versions')).toEqual({ status: 404, body: { error_code: 40401, message: "Subject 'no-such-subject' not found." } });
    expect(await curl('GET', '/schemas/ids/999')).toEqual({ status: 404, body: { error_code: 40403, message: 'Schema 999 not found' } });
    await curl('POST', '/subjects/errs/versions', { headers: CT, data: '{"schema": "\\"string\\""}' });
    expect(await curl('GET', '/subjects/errs/versions/9')).toEqual({ status: 404, body: { error_code: 40402, message: 'Version 9 not found.' } });
    expect((await curl('POST', '/subjects/errs/versions', { headers: CT, data: '{"schema": "{\\"type\\": \\"nope\\"}"}' })).body).toMatchObject({ error_code: 42201 });
    expect((await curl('PUT', '/config/errs', { headers: CT, data: '{"compatibility": "SOMETIMES"}' })).body).toMatchObject({ error_code: 42203 });
    // The first test set the global level to NONE; this subject gets its own.
    await curl('PUT', '/config/errs', { headers: CT, data: '{"compatibility": "BACKWARD"}' });
    expect((await curl('POST', '/subjects/errs/versions', { headers: CT, data: '{"schema": "{\\"type\\": \\"int\\"}"}' })).status).toBe(409);
  });
});
