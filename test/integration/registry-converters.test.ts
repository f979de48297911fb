// @services kafka
// The schema registry converters against a registry on Kafka: Confluent's wire format, subject
// name strategies, registration modes, refusals as DataException, and decoding by id from cache.
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigDecimal, LogicalDate, LogicalDecimal, LogicalTimestamp, SchemaBuilder, Struct, type Schema } from '../../runtime/connect/api/index.ts';
import { AvroConverter, frame, JsonSchemaConverter } from '../../runtime/connect/converters/schema-registry/index.ts';
import { createConverter } from '../../runtime/connect/converters/index.ts';
import type { RunningRegistry } from '../../schema-registry/http/index.ts';
import { serviceUrl } from '../services/services.ts';
import { call, startTestRegistry, uniqueNames } from './registry-harness.ts';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startTestRegistry(serviceUrl('kafka'), uniqueNames());
});
afterAll(async () => {
  await registry?.close();
});

const ADDRESS = SchemaBuilder.struct().name('com.acme.Address').field('street', SchemaBuilder.string().build()).build();
const PERSON = SchemaBuilder.struct()
  .name('com.acme.Person')
  .version(1)
  .field('name', SchemaBuilder.string().build())
  .field('age', SchemaBuilder.int8().optional().build())
  .field('big', SchemaBuilder.int64().build())
  .field('score', SchemaBuilder.float64().defaultValue(1.5).build())
  .field('price', LogicalDecimal.schema(2))
  .field('born', LogicalDate.SCHEMA)
  .field('at', LogicalTimestamp.SCHEMA)
  .field('tags', SchemaBuilder.array(SchemaBuilder.string().build()).build())
  .field('attrs', SchemaBuilder.map(SchemaBuilder.string().build(), SchemaBuilder.int32().build()).build())
  .field('byId', SchemaBuilder.map(SchemaBuilder.int32().build(), SchemaBuilder.string().build()).build())
  .field('home', ADDRESS)
  .field('raw', SchemaBuilder.bytes().optional().build())
  .build();

function person(): Struct {
  return new Struct(PERSON)
    .put('name', 'Ann')
    .put('age', 42)
    .put('big', 2n ** 60n)
    .put('score', 2.5)
    .put('price', new BigDecimal(-12345n, 2))
    .put('born', new Date(Date.UTC(2020, 0, 2)))
    .put('at', new Date(1_700_000_000_123))
    .put('tags', ['a', 'b'])
    .put('attrs', new Map([['x', 1]]))
    .put('byId', new Map([[7, 'seven']]))
    .put('home', new Struct(ADDRESS).put('street', 'Main'))
    .put('raw', new Uint8Array([1, 2, 3]));
}

function converter(kind: 'avro' | 'json', configs: Record<string, unknown> = {}, isKey = false) {
  const c = kind === 'avro' ? new AvroConverter() : new JsonSchemaConverter();
  c.configure({ 'schema.registry.url': registry.url, ...configs }, isKey);
  return c;
}

const topic = (): string => `t${Math.random().toString(36).slice(2)}`;

describe.each(['avro', 'json'] as const)('%s converter', (kind) => {
  it('round-trips Connect data through the registry in Confluent wire format', async () => {
    const t = topic();
    const c = converter(kind);
    const bytes = Buffer.from((await c.fromConnectData(t, null, PERSON, person()))!);
    expect(bytes[0]).toBe(0);
    const id = bytes.readInt32BE(1);
    const registered = await call(registry.url, 'GET', `/subjects/${t}-value/versions/latest`);
    expect(registered.body).toMatchObject({ id, version: 1, schemaType: kind === 'avro' ? 'AVRO' : 'JSON' });

    // A fresh converter (a sink) decodes by id.
    const back = await converter(kind).toConnectData(t, null, bytes);
    expect(back.schema?.equals(PERSON)).toBe(true);
    expect((back.value as Struct).equals(person())).toBe(true);
  });

  it('registers under the subject the strategy names', async () => {
    const t = topic();
    // Record subjects span topics: one name per format so the two runs do not meet.
    const schema = SchemaBuilder.struct().name(`com.acme.${kind}.Key`).field('id', SchemaBuilder.int32().build()).build();
    await converter(kind, {}, true).fromConnectData(t, null, schema, new Struct(schema).put('id', 1));
    await converter(kind, { 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' }).fromConnectData(t, null, schema, new Struct(schema).put('id', 1));
    await converter(kind, { 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy' }).fromConnectData(t, null, schema, new Struct(schema).put('id', 1));
    const subjects = (await call(registry.url, 'GET', '/subjects')).body as string[];
    expect(subjects).toContain(`${t}-key`);
    expect(subjects).toContain(`com.acme.${kind}.Key`);
    expect(subjects).toContain(`${t}-com.acme.${kind}.Key`);
    expect(() => converter(kind, { 'value.subject.name.strategy': 'com.example.NoSuchStrategy' })).toThrow(/value.subject.name.strategy/);
  });

  it('with auto.register.schemas=false looks the schema up and refuses an unregistered one', async () => {
    const t = topic();
    const c = converter(kind, { 'auto.register.schemas': false });
    await expect(c.fromConnectData(t, null, PERSON, person())).rejects.toMatchObject({ code: 'CONNECT_DATA', message: expect.stringContaining('not registered') });
    const registered = Buffer.from((await converter(kind).fromConnectData(t, null, PERSON, person()))!);
    const looked = Buffer.from((await c.fromConnectData(t, null, PERSON, person()))!);
    expect(looked.readInt32BE(1)).toBe(registered.readInt32BE(1));
  });

  it('refuses an incompatible schema with a DataException carrying the registry answer (for errors.tolerance and the DLQ)', async () => {
    const t = topic();
    const v1 = SchemaBuilder.struct().name('R').field('x', SchemaBuilder.int32().build()).build();
    const v2 = SchemaBuilder.struct().name('R').field('x', SchemaBuilder.string().build()).field('y', SchemaBuilder.string().build()).build();
    const c = converter(kind);
    await c.fromConnectData(t, null, v1, new Struct(v1).put('x', 1));
    const refused = await c.fromConnectData(t, null, v2, new Struct(v2).put('x', 'a').put('y', 'b')).catch((err: unknown) => err);
    expect(refused).toMatchObject({ name: 'DataException', code: 'CONNECT_DATA', retriable: false, context: { topic: t, status: 409, errorCode: 40901 } });
    expect((refused as Error).message).toContain('incompatible with an earlier schema');
    expect((await call(registry.url, 'GET', `/subjects/${t}-value/versions`)).body).toEqual([1]);
  });

  it('decodes by id from its cache after the first lookup', async () => {
    const t = topic();
    const bytes = (await converter(kind).fromConnectData(t, null, PERSON, person()))!;
    const sink = converter(kind);
    const byIdRequests = async (): Promise<number> => {
      const metrics = (await call(registry.url, 'GET', '/metrics')).text;
      return metrics
        .split('\n')
        .filter((l) => l.startsWith('schema_registry_http_requests_total{method="GET",route="/schemas/ids/:id"'))
        .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    };
    await sink.toConnectData(t, null, bytes);
    const after = await byIdRequests();
    for (let i = 0; i < 5; i++) await sink.toConnectData(t, null, bytes);
    expect(await byIdRequests()).toBe(after);
  });

  it('rejects bytes without the wire format prefix, and reports an unreachable registry as retriable', async () => {
    await expect(converter(kind).toConnectData('t', null, new Uint8Array([1, 0, 0, 0, 1, 2]))).rejects.toMatchObject({ code: 'CONNECT_DATA', message: expect.stringContaining('Unknown magic byte') });
    const down = kind === 'avro' ? new AvroConverter() : new JsonSchemaConverter();
    down.configure({ 'schema.registry.url': 'http://127.0.0.1:9' }, false);
    await expect(down.fromConnectData('t', null, PERSON, person())).rejects.toMatchObject({ name: 'RetriableException', retriable: true });
    // Tombstones stay null both ways.
    expect(await converter(kind).fromConnectData('t', null, PERSON, null)).toBeNull();
    expect(await converter(kind).toConnectData('t', null, null)).toEqual({ schema: null, value: null });
  });
});

describe('use.latest.version', () => {
  const v1: Schema = SchemaBuilder.struct().name('Evt').field('id', SchemaBuilder.int32().build()).build();

  it('writes with the latest version when it can read the record schema', async () => {
    const t = topic();
    const latest = JSON.stringify({ type: 'record', name: 'Evt', fields: [{ name: 'id', type: 'int' }, { name: 'src', type: 'string', default: 'unknown' }] });
    const registered = await call(registry.url, 'POST', `/subjects/${t}-value/versions`, { schema: latest });
    const c = converter('avro', { 'auto.register.schemas': false, 'use.latest.version': true });
    const bytes = Buffer.from((await c.fromConnectData(t, null, v1, new Struct(v1).put('id', 7)))!);
    expect(bytes.readInt32BE(1)).toBe((registered.body as { id: number }).id);
    const back = await converter('avro').toConnectData(t, null, bytes);
    expect((back.value as Struct).get('id')).toBe(7);
    expect((back.value as Struct).get('src')).toBe('unknown');
  });

  it('refuses the latest version when latest.compatibility.strict and it cannot read the record schema', async () => {
    const t = topic();
    const latest = JSON.stringify({ type: 'record', name: 'Evt', fields: [{ name: 'id', type: 'int' }, { name: 'must', type: 'string' }] });
    await call(registry.url, 'POST', `/subjects/${t}-value/versions`, { schema: latest });
    const c = converter('avro', { 'auto.register.schemas': false, 'use.latest.version': true });
    await expect(c.fromConnectData(t, null, v1, new Struct(v1).put('id', 7))).rejects.toMatchObject({ code: 'CONNECT_DATA', message: expect.stringContaining('cannot read data written with it') });
  });
});

describe('schemas with references', () => {
  it('decodes Avro data whose schema refers to another subject', async () => {
    const t = topic();
    const address = { type: 'record', name: 'Address', namespace: 'com.acme', fields: [{ name: 'street', type: 'string' }] };
    const person = { type: 'record', name: 'Person', namespace: 'com.acme', fields: [{ name: 'name', type: 'string' }, { name: 'home', type: 'com.acme.Address' }] };
    await call(registry.url, 'POST', `/subjects/${t}-address/versions`, { schema: JSON.stringify(address) });
    const reg = await call(registry.url, 'POST', `/subjects/${t}-value/versions`, { schema: JSON.stringify(person), references: [{ name: 'com.acme.Address', subject: `${t}-address`, version: 1 }] });
    const id = (reg.body as { id: number }).id;
    const registry2: Record<string, avro.Type> = {};
    avro.Type.forSchema(address as avro.Schema, { registry: registry2 });
    const payload = avro.Type.forSchema(person as avro.Schema, { registry: registry2 }).toBuffer({ name: 'Ann', home: { street: 'Main' } });
    const back = await converter('avro').toConnectData(t, null, frame(id, payload));
    expect(back.schema?.name).toBe('com.acme.Person');
    expect(((back.value as Struct).get('home') as Struct).get('street')).toBe('Main');
  });
});

describe('converter registry', () => {
  it('knows both converters by Confluent class name', () => {
    expect(createConverter('io.confluent.connect.avro.AvroConverter', 'value.converter')).toBeInstanceOf(AvroConverter);
    expect(createConverter('io.confluent.connect.json.JsonSchemaConverter', 'value.converter')).toBeInstanceOf(JsonSchemaConverter);
  });

  it('requires schema.registry.url', () => {
    expect(() => new AvroConverter().configure({}, false)).toThrow(/schema.registry.url/);
  });
});
