// @services kafka
// The schema registry npm clients, unchanged, against our registry on Kafka: register, encode and
// decode with Avro and JSON Schema; bytes written by one client decode with the other and with our
// Connect converters.
import { AvroDeserializer, AvroSerializer, JsonDeserializer, JsonSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { SchemaRegistry as KafkajsRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Struct } from '../../runtime/connect/api/index.ts';
import { AvroConverter, JsonSchemaConverter } from '../../runtime/connect/converters/schema-registry/index.ts';
import type { RunningRegistry } from '../../schema-registry/http/index.ts';
import { serviceUrl } from '../services/services.ts';
import { call, startTestRegistry, uniqueNames } from '../integration/registry-harness.ts';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startTestRegistry(serviceUrl('kafka'), uniqueNames());
});
afterAll(async () => {
  await registry?.close();
});

const topic = (): string => `compat${Math.random().toString(36).slice(2)}`;

const USER_AVRO = { type: 'record', name: 'User', namespace: 'com.example', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }, { name: 'email', type: ['null', 'string'], default: null }] };
const USER_JSON = { $schema: 'http://json-schema.org/draft-07/schema#', title: 'User', type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'] };

describe('@confluentinc/schemaregistry', () => {
  const client = () => new SchemaRegistryClient({ baseURLs: [registry.url], maxRetries: 0 });

  it('registers and reads schemas, configs and compatibility through its client', async () => {
    const c = client();
    const subject = `${topic()}-value`;
    const id = await c.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(USER_AVRO) }, false);
    expect(id).toBeGreaterThan(0);
    expect(await c.getId(subject, { schemaType: 'AVRO', schema: JSON.stringify(USER_AVRO) }, false)).toBe(id);
    const latest = await c.getLatestSchemaMetadata(subject);
    expect(latest).toMatchObject({ id, version: 1 });
    expect((await c.getBySubjectAndId(subject, id)).schema).toBe(JSON.stringify(USER_AVRO));
    expect(await c.getAllSubjects()).toContain(subject);
    expect(await c.getAllVersions(subject)).toEqual([1]);
    expect(await c.updateConfig(subject, { compatibility: 'FULL' as never })).toMatchObject({ compatibility: 'FULL' });
    expect(await c.getConfig(subject)).toMatchObject({ compatibilityLevel: 'FULL' });
    const next = { ...USER_AVRO, fields: [...USER_AVRO.fields, { name: 'city', type: 'string' }] };
    expect(await c.testSubjectCompatibility(subject, { schemaType: 'AVRO', schema: JSON.stringify(next) })).toBe(false);
    expect(await c.testCompatibility(subject, 1, { schemaType: 'AVRO', schema: JSON.stringify(USER_AVRO) })).toBe(true);
    await expect(c.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(next) }, false)).rejects.toMatchObject({ status: 409 });
  });

  it('serializes and deserializes Avro with its serdes (default subject strategy: association probe, then topic name)', async () => {
    const t = topic();
    await client().register(`${t}-value`, { schemaType: 'AVRO', schema: JSON.stringify(USER_AVRO) }, false);
    const ser = new AvroSerializer(client(), SerdeType.VALUE, { useLatestVersion: true });
    const de = new AvroDeserializer(client(), SerdeType.VALUE, {});
    const msg = { name: 'Ann', age: 42, email: 'ann@example.com' };
    const bytes = await ser.serialize(t, msg);
    expect(bytes[0]).toBe(0);
    expect(await de.deserialize(t, bytes)).toEqual(msg);

    // Auto-registration of the schema it infers from a message, under a topic of its own.
    const auto = topic();
    const autoBytes = await new AvroSerializer(client(), SerdeType.VALUE, { autoRegisterSchemas: true }).serialize(auto, { name: 'Bob', age: 7 });
    expect(await de.deserialize(auto, autoBytes)).toEqual({ name: 'Bob', age: 7 });
    expect((await call(registry.url, 'GET', `/subjects/${auto}-value/versions`)).body).toEqual([1]);

    // Our AvroConverter reads what Confluent's serializer wrote.
    const conv = new AvroConverter();
    conv.configure({ 'schema.registry.url': registry.url }, false);
    const back = await conv.toConnectData(t, null, bytes);
    expect((back.value as Struct).get('name')).toBe('Ann');
    expect((back.value as Struct).get('email')).toBe('ann@example.com');
  });

  it('serializes and deserializes JSON Schema with its serdes', async () => {
    const t = topic();
    await client().register(`${t}-value`, { schemaType: 'JSON', schema: JSON.stringify(USER_JSON) }, false);
    const ser = new JsonSerializer(client(), SerdeType.VALUE, { useLatestVersion: true, validate: true });
    const de = new JsonDeserializer(client(), SerdeType.VALUE, {});
    const bytes = await ser.serialize(t, { name: 'Ann', age: 42 });
    expect(await de.deserialize(t, bytes)).toEqual({ name: 'Ann', age: 42 });
    const conv = new JsonSchemaConverter();
    conv.configure({ 'schema.registry.url': registry.url }, false);
    const back = await conv.toConnectData(t, null, bytes);
    expect((back.value as Struct).get('age')).toBe(42);
  });

  it('decodes what our AvroConverter wrote', async () => {
    const t = topic();
    const conv = new AvroConverter();
    conv.configure({ 'schema.registry.url': registry.url }, false);
    const { SchemaBuilder, Struct: ConnectStruct } = await import('../../runtime/connect/api/index.ts');
    const schema = SchemaBuilder.struct().name('com.example.Point').field('x', SchemaBuilder.int32().build()).field('label', SchemaBuilder.string().optional().build()).build();
    const bytes = Buffer.from((await conv.fromConnectData(t, null, schema, new ConnectStruct(schema).put('x', 3).put('label', 'p')))!);
    const de = new AvroDeserializer(client(), SerdeType.VALUE, {});
    expect(await de.deserialize(t, bytes)).toEqual({ x: 3, label: 'p' });
  });
});

describe('@kafkajs/confluent-schema-registry', () => {
  const client = () => new KafkajsRegistry({ host: registry.url });

  it('registers (GET /config/{s} 404 first, then PUT), encodes and decodes Avro', async () => {
    const r = client();
    const subject = `${topic()}-value`;
    const { id } = await r.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_AVRO) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    expect((await call(registry.url, 'GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    // Registering again finds the config and the existing id.
    expect((await r.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_AVRO) }, { subject })).id).toBe(id);
    const msg = { name: 'Ann', age: 42, email: null };
    const bytes = await r.encode(id, msg);
    expect(await r.decode(bytes)).toEqual(msg);
    expect(await client().decode(bytes)).toEqual(msg);
    expect(await r.getLatestSchemaId(subject)).toBe(id);
    expect(await r.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: JSON.stringify(USER_AVRO) })).toBe(id);
  });

  it('encodes and decodes JSON Schema', async () => {
    const r = client();
    const subject = `${topic()}-value`;
    const { id } = await r.register({ type: SchemaType.JSON, schema: JSON.stringify(USER_JSON) }, { subject });
    const bytes = await r.encode(id, { name: 'Ann', age: 42 });
    expect(await r.decode(bytes)).toEqual({ name: 'Ann', age: 42 });
    await expect(r.encode(id, { name: 'Ann' })).rejects.toThrow();
  });

  it('reads what the Confluent client wrote', async () => {
    const t = topic();
    await new SchemaRegistryClient({ baseURLs: [registry.url] }).register(`${t}-value`, { schemaType: 'AVRO', schema: JSON.stringify(USER_AVRO) }, false);
    const ser = new AvroSerializer(new SchemaRegistryClient({ baseURLs: [registry.url] }), SerdeType.VALUE, { useLatestVersion: true });
    const bytes = await ser.serialize(t, { name: 'Cy', age: 1, email: null });
    expect(await client().decode(bytes)).toEqual({ name: 'Cy', age: 1, email: null });
  });
});
