import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../../runtime/util/errors.ts';
import {
  clearSubjectKey,
  configKey,
  contextKey,
  decodeRecord,
  deleteSubjectKey,
  encodeKey,
  encodeValue,
  modeKey,
  noopKey,
  schemaKey,
  type RegistryRecord,
} from '../../../schema-registry/core/records.ts';
import { RegistryState, guidOf, schemaHash } from '../../../schema-registry/core/state.ts';
import { SchemaRegistry, type Write } from '../../../schema-registry/core/registry.ts';
import { applyRawRecord } from '../../../schema-registry/core/index.ts';
import { record } from './helpers.ts';

describe('_schemas keys and values (byte-compatible with Confluent)', () => {
  it('keys have a fixed field order and Confluent magic bytes', () => {
    expect(encodeKey(schemaKey('orders-value', 3))).toBe('{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}');
    expect(encodeKey(configKey(null))).toBe('{"keytype":"CONFIG","magic":0}');
    expect(encodeKey(configKey('s'))).toBe('{"keytype":"CONFIG","subject":"s","magic":0}');
    expect(encodeKey(modeKey('s'))).toBe('{"keytype":"MODE","subject":"s","magic":0}');
    expect(encodeKey(deleteSubjectKey('s'))).toBe('{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}');
    expect(encodeKey(clearSubjectKey('s'))).toBe('{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}');
    expect(encodeKey(noopKey())).toBe('{"keytype":"NOOP","magic":0}');
    expect(encodeKey(contextKey('.ctx'))).toBe('{"keytype":"CONTEXT","tenant":"default","context":".ctx","magic":0}');
  });

  it('values leave empty fields out but always write "deleted"', () => {
    const rec: RegistryRecord = {
      key: schemaKey('s', 1),
      value: { subject: 's', version: 1, id: 4, schemaType: 'AVRO', references: [{ name: 'n', subject: 'r', version: 2 }], schema: '"string"', deleted: false },
    };
    expect(encodeValue(rec)).toBe(
      '{"subject":"s","version":1,"id":4,"schemaType":"AVRO","references":[{"name":"n","subject":"r","version":2}],"schema":"\\"string\\"","deleted":false}',
    );
    expect(encodeValue({ key: schemaKey('s', 1), value: { subject: 's', version: 1, id: 4, references: [], schema: '"int"', deleted: true } })).toBe(
      '{"subject":"s","version":1,"id":4,"schema":"\\"int\\"","deleted":true}',
    );
    expect(encodeValue({ key: configKey(null), value: { compatibilityLevel: 'FULL' } })).toBe('{"compatibilityLevel":"FULL"}');
    expect(encodeValue({ key: modeKey('s'), value: { subject: 's', mode: 'READONLY' } })).toBe('{"subject":"s","mode":"READONLY"}');
    expect(encodeValue({ key: deleteSubjectKey('s'), value: { subject: 's', version: 2 } })).toBe('{"subject":"s","version":2}');
    expect(encodeValue({ key: schemaKey('s', 1), value: null })).toBeNull();
  });

  it('reads records of older Confluent releases and Karapace (no schemaType, no subject in config values)', () => {
    const r = decodeRecord('{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', '{"subject":"s","version":1,"id":1,"schema":"\\"string\\"","deleted":false}');
    const state = new RegistryState();
    state.apply(r);
    expect(state.get('s', 1)?.schemaType).toBe('AVRO');
    const c = decodeRecord('{"keytype":"CONFIG","subject":"s","magic":0}', '{"compatibilityLevel":"NONE"}');
    expect(c.value).toEqual({ compatibilityLevel: 'NONE', subject: 's' });
  });

  it('skips key types it does not know and refuses records that are not JSON', () => {
    const other = decodeRecord('{"keytype":"ASSOC","magic":0}', '{"x":1}');
    expect(other.key.keytype).toBe('OTHER');
    expect(new RegistryState().apply(other)).toEqual({ applied: true });
    expect(() => decodeRecord('{"keytype":"SCHEMA"', null)).toThrow(CorruptDataError);
    expect(() => decodeRecord('{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', '{"subject":"s"}')).toThrow('lacks a valid "id"');
  });

  it('refuses a record that reuses an id for a different schema', () => {
    const state = new RegistryState();
    state.apply({ key: schemaKey('a', 1), value: { subject: 'a', version: 1, id: 1, schema: '"string"', deleted: false } });
    expect(state.apply({ key: schemaKey('b', 1), value: { subject: 'b', version: 1, id: 1, schema: '"int"', deleted: false } })).toMatchObject({ applied: false });
    expect(state.get('b', 1)).toBeUndefined();
  });

  it('hashes like Confluent MD5.ofSchema and shows it as a guid', () => {
    // Without references the hash is the MD5 of the schema text's UTF-8 bytes.
    expect(schemaHash('"string"', [])).toBe(createHash('md5').update('"string"', 'utf8').digest('hex'));
    expect(guidOf('00112233445566778899aabbccddeeff')).toBe('00112233-4455-6677-8899-aabbccddeeff');
    expect(schemaHash('"string"', [{ name: 'n', subject: 's', version: 1 }])).not.toBe(schemaHash('"string"', []));
  });
});

/** Everything the registry derives, in a comparable shape. */
function snapshot(state: RegistryState, withMaxId = true) {
  const subjects = [...state.subjects.keys()].sort().map((s) => [s, state.versions(s).map(({ ts: _ts, ...v }) => v)]);
  return {
    subjects,
    configs: [...state.configs].sort(),
    modes: [...state.modes].sort(),
    contexts: [...state.contexts].sort(),
    maxId: withMaxId ? state.maxId('.') : 0,
  };
}

describe('state rebuilt from the record log equals the live state', () => {
  const log: { key: string; value: string | null }[] = [];
  const live = new SchemaRegistry(new RegistryState());
  const run = <T>(write: Write<T>): T => {
    for (const r of write.records) log.push({ key: encodeKey(r.key), value: encodeValue(r) });
    return live.commit(write);
  };
  const id = { name: 'id', type: 'long' };
  const ref = '{"type":"record","name":"Address","fields":[{"name":"city","type":"string"}]}';

  // A history touching every record type.
  run(live.register('a', { schema: record([id]) }));
  run(live.register('a', { schema: record([id, { name: 'x', type: 'int', default: 0 }]) }));
  run(live.register('b', { schema: record([id]) }));
  run(live.register('addr', { schema: ref }));
  run(live.register('user', { schema: '{"type":"record","name":"U","fields":[{"name":"a","type":"Address"}]}', references: [{ name: 'Address', subject: 'addr', version: 1 }] }));
  run(live.updateConfig(null, { compatibilityLevel: 'FULL' }));
  run(live.updateConfig('b', { compatibilityLevel: 'NONE' }));
  run(live.setMode('b', 'READONLY'));
  run(live.deleteMode('b'));
  run(live.deleteVersion('a', '1'));
  run(live.register('a', { schema: record([id]) }, { force: true }));
  run(live.deleteSubject('b'));
  run(live.deleteSubject('b', { permanent: true }));
  run(live.register(':.ctx:c', { schema: '{"type":"string"}', schemaType: 'AVRO' }));
  run(live.register('j', { schema: '{"type":"object"}', schemaType: 'JSON' }));
  run(live.deleteSubject('j'));
  run(live.setMode(':.ctx:', 'IMPORT', { force: true }));

  it('replaying every record gives the same state, ids and answers', () => {
    const rebuilt = new RegistryState();
    log.forEach((r, offset) => rebuilt.apply(decodeRecord(r.key, r.value), { offset }));
    expect(snapshot(rebuilt)).toEqual(snapshot(live.state));
    expect(rebuilt.lastOffset).toBe(log.length - 1);
    const again = new SchemaRegistry(rebuilt);
    expect(again.listSubjects({ deleted: true })).toEqual(live.listSubjects({ deleted: true }));
    expect(again.getSchemaById(2)).toEqual(live.getSchemaById(2));
    expect(again.register('new', { schema: '"bytes"' }).result.id).toBe(live.register('new', { schema: '"bytes"' }).result.id);
  });

  it('replaying the compacted topic (latest value per key, tombstones gone) gives the same subjects and schemas', () => {
    const latest = new Map<string, { key: string; value: string | null; at: number }>();
    log.forEach((r, at) => latest.set(r.key, { ...r, at }));
    const compacted = [...latest.values()].filter((r) => r.value !== null).sort((x, y) => x.at - y.at);
    expect(compacted.length).toBeLessThan(log.length);
    const rebuilt = new RegistryState();
    for (const r of compacted) rebuilt.apply(decodeRecord(r.key, r.value));
    expect(snapshot(rebuilt, false)).toEqual(snapshot(live.state, false));
  });
});

describe('applyRawRecord', () => {
  it('decodes key and value text and applies them, tombstones included', () => {
    const state = new RegistryState();
    applyRawRecord(state, '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', '{"subject":"s","version":1,"id":1,"schema":"\\"int\\"","deleted":false}', {
      offset: 0,
      timestamp: 1700000000000,
    });
    expect(state.get('s', 1)).toMatchObject({ id: 1, ts: 1700000000000 });
    applyRawRecord(state, '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', null, { offset: 1 });
    expect(state.get('s', 1)).toBeUndefined();
    expect(state.lastOffset).toBe(1);
  });
});
