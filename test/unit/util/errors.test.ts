import { describe, expect, it } from 'vitest';
import { ConfigError, SluiceError, hasCode } from '../../../runtime/util/errors.ts';
import { seededRandom } from '../../../runtime/util/random.ts';

describe('SluiceError', () => {
  it('carries code, retriable flag, context and cause', () => {
    const cause = new Error('disk gone');
    const err = new SluiceError('STORAGE_WRITE', 'write failed', { retriable: true, cause, context: { file: 'a.log' } });
    expect(err.code).toBe('STORAGE_WRITE');
    expect(err.retriable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('SluiceError');
    expect(hasCode(err, 'STORAGE_WRITE')).toBe(true);
    expect(hasCode(new Error('x'), 'STORAGE_WRITE')).toBe(false);
  });

  it('config errors are never retriable', () => {
    const err = new ConfigError('bad key', { context: { key: 'x' } });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.retriable).toBe(false);
    expect(err.name).toBe('ConfigError');
  });
});

describe('seededRandom', () => {
  it('replays the same sequence from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a.int(1000));
    expect(Array.from({ length: 5 }, () => b.int(1000))).toEqual(xs);
    expect(new Set(xs).size).toBeGreaterThan(1);
  });
});
