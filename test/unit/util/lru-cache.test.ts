import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../runtime/util/lru-cache.ts';

describe('LruCache', () => {
  it('evicts the least recently used entry; a get counts as a use', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('finds by key predicate without changing recency, and clears', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.find((k) => k.startsWith('a'))).toBe(1);
    expect(c.find((k) => k === 'z')).toBeUndefined();
    c.set('c', 3);
    expect(c.get('a')).toBeUndefined();
    c.clear();
    expect(c.size).toBe(0);
  });

  it('caches nothing with a capacity of 0', () => {
    const c = new LruCache<string, number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
  });
});
