import { describe, expect, it } from 'vitest';
import { ConnectHeaders, SchemaBuilder, Schemas, SinkRecord, Struct } from '../../../runtime/connect/api/index.ts';
import { coordinatesIdPrefix, headerVersion, keyId } from '../../../connectors/elasticsearch/document-id.ts';
import { ResourceNamer, dataStreamNameForTopic, indexNameForTopic } from '../../../connectors/elasticsearch/index-names.ts';

const record = (init: Partial<ConstructorParameters<typeof SinkRecord>[0]> = {}) =>
  new SinkRecord({ topic: 'orders', kafkaPartition: 3, kafkaOffset: 42, value: '{}', ...init });

describe('index names', () => {
  it('lower-cases topics and makes them valid index names', () => {
    expect(indexNameForTopic('Orders.EU')).toBe('orders.eu');
    expect(indexNameForTopic('_internal')).toBe('internal');
    expect(indexNameForTopic('-+_x')).toBe('x');
    expect(indexNameForTopic('.')).toBe('dot');
    expect(indexNameForTopic('..')).toBe('dotdot');
    expect(indexNameForTopic('a b/c*d?e"f<g>h|i,j#k:l\\m')).toBe('a_b_c_d_e_f_g_h_i_j_k_l_m');
    expect(() => indexNameForTopic('__')).toThrow(/Topic '__' gives no valid Elasticsearch index name/);
  });

  it('cuts names to 255 bytes without splitting a character', () => {
    expect(indexNameForTopic('x'.repeat(300))).toHaveLength(255);
    const cut = indexNameForTopic('é'.repeat(200));
    expect(Buffer.byteLength(cut)).toBe(254);
    expect(cut).toBe('é'.repeat(127));
  });

  it('names data streams {type}-{dataset}-{namespace} with ${topic} substituted and cut to 100', () => {
    expect(dataStreamNameForTopic('Web.Logs', 'LOGS', 'nginx', '${topic}')).toBe('logs-nginx-web.logs');
    expect(dataStreamNameForTopic('t', 'METRICS', 'cpu', 'prod')).toBe('metrics-cpu-prod');
    expect(dataStreamNameForTopic('y'.repeat(150), 'LOGS', 'd', 'ns_${topic}')).toBe(`logs-d-ns_${'y'.repeat(97)}`);
  });

  it('computes each topic name once', () => {
    let calls = 0;
    const namer = new ResourceNamer((t) => (calls++, t.toLowerCase()));
    expect([namer.nameFor('A'), namer.nameFor('A'), namer.nameFor('B')]).toEqual(['a', 'a', 'b']);
    expect(calls).toBe(2);
  });
});

describe('document ids', () => {
  it('uses topic+partition+offset when the key is ignored', () => {
    expect(coordinatesIdPrefix('orders', 3)).toBe('orders+3+');
  });

  it('uses string and integer keys, with or without a schema', () => {
    expect(keyId(record({ key: 'k1', keySchema: Schemas.STRING }))).toBe('k1');
    expect(keyId(record({ key: 7, keySchema: Schemas.INT32 }))).toBe('7');
    expect(keyId(record({ key: 9007199254740993n }))).toBe('9007199254740993');
    expect(keyId(record({ key: 12 }))).toBe('12');
  });

  it('refuses null, empty and non-scalar keys with the record coordinates', () => {
    expect(() => keyId(record())).toThrow('Key is used as document id and can not be null (record from topic=orders partition=3 offset=42); set key.ignore=true to use topic+partition+offset ids');
    expect(() => keyId(record({ key: '' }))).toThrow(/can not be empty/);
    expect(() => keyId(record({ key: 1.5 }))).toThrow(/FLOAT64 is not supported as the document id/);
    const schema = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    expect(() => keyId(record({ key: new Struct(schema).put('id', 1), keySchema: schema }))).toThrow(/STRUCT is not supported as the document id/);
  });
});

describe('external version header', () => {
  const withHeader = (value: unknown) => record({ headers: new ConnectHeaders().add('v', value) });

  it('reads whole numbers up to 2^63-1 as decimal text', () => {
    expect(headerVersion(withHeader('17'), 'v')).toBe('17');
    expect(headerVersion(withHeader(9223372036854775807n), 'v')).toBe('9223372036854775807');
    expect(headerVersion(record({ headers: new ConnectHeaders().add('v', '1').add('v', '2') }), 'v')).toBe('2');
  });

  it('refuses a missing header or a value that is not a version, without echoing the value', () => {
    expect(() => headerVersion(record(), 'v')).toThrow("External version header 'v' is missing (record from topic=orders partition=3 offset=42)");
    expect(() => headerVersion(withHeader('-1'), 'v')).toThrow(/not a whole number/);
    expect(() => headerVersion(withHeader('9223372036854775808'), 'v')).toThrow(/not a whole number/);
    expect(() => headerVersion(withHeader('secret-abc'), 'v')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });
});
