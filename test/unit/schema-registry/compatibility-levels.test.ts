import { describe, expect, it } from 'vitest';
import { RegistryState } from '../../../schema-registry/core/state.ts';
import { SchemaRegistry } from '../../../schema-registry/core/registry.ts';
import { parseCompatibilityLevel, type CompatibilityLevel } from '../../../schema-registry/core/compatibility.ts';
import { RegistryError } from '../../../schema-registry/core/errors.ts';
import { record } from './helpers.ts';

const f1 = { name: 'f1', type: 'string' };
const f2 = (extra: object = {}) => ({ name: 'f2', type: 'string', ...extra });

/** A subject at `level` holding the given versions (registered with NONE, then the level set). */
function subjectWith(level: CompatibilityLevel, versions: string[]): SchemaRegistry {
  const registry = new SchemaRegistry(new RegistryState());
  registry.commit(registry.updateConfig('s', { compatibilityLevel: 'NONE' }));
  for (const v of versions) registry.commit(registry.register('s', { schema: v }));
  registry.commit(registry.updateConfig('s', { compatibilityLevel: level }));
  return registry;
}

function verdict(registry: SchemaRegistry, schema: string): string[] | 'ok' {
  try {
    registry.register('s', { schema });
    return 'ok';
  } catch (err) {
    if (!(err instanceof RegistryError) || err.errorCode !== 40901) throw err;
    return err.context.messages as string[];
  }
}

describe('compatibility levels over three versions', () => {
  // v1 {f1}; v2 {f1, f2 with default}; v3 {f1, f2 without default}.
  const v1 = record([f1]);
  const v2 = record([f1, f2({ default: 'x' })]);
  const v3 = record([f1, f2()]);

  it('BACKWARD checks the latest version only: v3 reads v2 data', () => {
    expect(verdict(subjectWith('BACKWARD', [v1, v2]), v3)).toBe('ok');
  });

  it('BACKWARD_TRANSITIVE checks every version: v3 cannot read v1 data', () => {
    const messages = verdict(subjectWith('BACKWARD_TRANSITIVE', [v1, v2]), v3);
    expect(messages).not.toBe('ok');
    expect(messages).toContain('{oldSchemaVersion: 1}');
    expect((messages as string[]).at(-1)).toBe("{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}");
  });

  // FORWARD: the old schemas must read new data. w1 {f1, f2}; w2 {f1, f2 default}; w3 {f1}.
  const w1 = record([f1, f2()]);
  const w2 = record([f1, f2({ default: 'x' })]);
  const w3 = record([f1]);

  it('FORWARD checks the latest version only: w2 reads w3 data (f2 has a default)', () => {
    expect(verdict(subjectWith('FORWARD', [w1, w2]), w3)).toBe('ok');
  });

  it('FORWARD_TRANSITIVE: w1 cannot read w3 data (f2 missing, no default)', () => {
    const messages = verdict(subjectWith('FORWARD_TRANSITIVE', [w1, w2]), w3);
    expect(messages).not.toBe('ok');
    expect((messages as string[])[0]).toContain("in the old schema has no default value and is missing in the new schema");
  });

  it('FULL needs both directions against the latest; FULL_TRANSITIVE against all', () => {
    const x1 = record([f1]);
    const x2 = record([f1, f2({ default: 'x' })]);
    const x3 = record([f1, f2({ default: 'y' }), { name: 'f3', type: 'int', default: 0 }]);
    expect(verdict(subjectWith('FULL', [x1, x2]), x3)).toBe('ok');
    expect(verdict(subjectWith('FULL_TRANSITIVE', [x1, x2]), x3)).toBe('ok');
    // Adding a field without a default fails the backward half.
    expect(verdict(subjectWith('FULL', [x1, x2]), record([f1, f2({ default: 'x' }), { name: 'f3', type: 'int' }]))).not.toBe('ok');
    // f2 without a default is fine against x2 (it has f2) but not against x1: only transitive sees x1.
    expect(verdict(subjectWith('FULL', [x1, x2]), v3)).toBe('ok');
    const transitive = verdict(subjectWith('FULL_TRANSITIVE', [x1, x2]), v3);
    expect(transitive).toContain('{oldSchemaVersion: 1}');
  });

  it('FULL reports the forward half without the old-schema notes, as Confluent does', () => {
    const messages = verdict(subjectWith('FULL', [record([f1, f2()])]), record([f1])) as string[];
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    expect(messages[1]).toBe("{validateFields: 'false', compatibility: 'FULL'}");
  });

  it('NONE accepts anything', () => {
    expect(verdict(subjectWith('NONE', [v1]), JSON.stringify({ type: 'enum', name: 'E', symbols: ['A'] }))).toBe('ok');
  });

  it('soft-deleted versions do not count', () => {
    const registry = subjectWith('BACKWARD_TRANSITIVE', [v1, v2]);
    registry.commit(registry.deleteVersion('s', '1'));
    expect(verdict(registry, v3)).toBe('ok');
  });

  it('a schema type change is incompatible', () => {
    const registry = subjectWith('BACKWARD', [v1]);
    expect(() => registry.register('s', { schema: '{"type":"string"}', schemaType: 'JSON' })).toThrow(
      'details: [Incompatible because of different schema type, {validateFields: \'false\', compatibility: \'BACKWARD\'}]',
    );
  });

  it('levels parse case-insensitively; anything else is 42203', () => {
    expect(parseCompatibilityLevel('full_transitive')).toBe('FULL_TRANSITIVE');
    expect(() => parseCompatibilityLevel('SIDEWAYS')).toThrow(
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    );
  });
});
