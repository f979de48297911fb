import { describe, expect, it } from 'vitest';
import { ConnectHeaders, SourceRecord } from '../../../../runtime/connect/api/index.ts';
import { Filter, HasHeaderKey, RecordIsTombstone, TopicNameMatches } from '../../../../runtime/connect/transforms/index.ts';
import { configured, valueRecord } from './helpers.ts';

const onTopic = (topic: string) => new SourceRecord({ topic });
const withHeaderKeys = (...keys: string[]) => {
  const headers = new ConnectHeaders();
  for (const k of keys) headers.addString(k, 'v');
  return new SourceRecord({ topic: 't', headers });
};

describe('TopicNameMatches', () => {
  it('matches whole topic names', () => {
    const p = configured(new TopicNameMatches(), { pattern: 'my-prefix-.*' });
    expect(p.test(onTopic('my-prefix-'))).toBe(true);
    expect(p.test(onTopic('my-prefix-foo'))).toBe(true);
    expect(p.test(onTopic('x-my-prefix-'))).toBe(false);
    expect(p.test(onTopic('x-my-prefix-foo'))).toBe(false);
    expect(p.test(onTopic('your-prefix-'))).toBe(false);
    expect(p.toString()).toBe('TopicNameMatches{pattern=my-prefix-.*}');
  });

  it('requires a non-empty valid pattern', () => {
    expect(() => configured(new TopicNameMatches(), {})).toThrow('Missing required configuration "pattern" which has no default value.');
    expect(() => configured(new TopicNameMatches(), { pattern: '' })).toThrow(/String must be non-empty/);
    expect(() => configured(new TopicNameMatches(), { pattern: '[' })).toThrow(/Invalid regex/);
  });

  it('reports problems through its ConfigDef too', () => {
    const errors = new TopicNameMatches().config().validateValues({ pattern: '[' });
    expect(errors[0].errors).toHaveLength(1);
    expect(errors[0].errors[0]).toContain('Invalid regex');
  });
});

describe('HasHeaderKey', () => {
  it('is true when at least one header has the name', () => {
    const p = configured(new HasHeaderKey(), { name: 'foo' });
    expect(p.test(withHeaderKeys('foo'))).toBe(true);
    expect(p.test(withHeaderKeys('foo', 'bar'))).toBe(true);
    expect(p.test(withHeaderKeys('bar', 'foo', 'bar', 'foo'))).toBe(true);
    expect(p.test(withHeaderKeys('bar'))).toBe(false);
    expect(p.test(withHeaderKeys('bar', 'bar'))).toBe(false);
    expect(p.test(withHeaderKeys())).toBe(false);
  });

  it('requires a non-empty name', () => {
    expect(() => configured(new HasHeaderKey(), {})).toThrow(/Missing required configuration "name"/);
    expect(new HasHeaderKey().config().validateValues({ name: '' })[0].errors).toEqual(['Invalid value "" for configuration name: String must be non-empty']);
  });
});

describe('RecordIsTombstone and Filter', () => {
  it('RecordIsTombstone is true only for null values', () => {
    const p = configured(new RecordIsTombstone(), {});
    expect(p.test(valueRecord(null, null))).toBe(true);
    expect(p.test(valueRecord(null, 'x'))).toBe(false);
    expect(p.test(valueRecord(null, ''))).toBe(false);
  });

  it('Filter drops every record', () => {
    const f = configured(new Filter(), {});
    expect(f.apply(valueRecord(null, 'x'))).toBeNull();
    expect(f.config().names()).toEqual([]);
  });
});
