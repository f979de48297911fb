import { describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../../../runtime/connect/api/index.ts';
import { DataException } from '../../../../runtime/connect/api/index.ts';
import { JavaRegex, RegexRouter, TimestampRouter } from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { configured, sinkRecord, valueRecord } from './helpers.ts';

const route = (regex: string, replacement: string, topic: string) => configured(new RegexRouter(), { regex, replacement }).apply(sinkRecord({ topic })).topic;

describe('RegexRouter', () => {
  it('routes as Kafka documents it', () => {
    expect(route('foo', 'bar', 'foo')).toBe('bar');
    expect(route('foo', 'bar', 'orig')).toBe('orig');
    expect(route('(.*)', '$1', 'orig')).toBe('orig');
    expect(route('(.*)', 'prefix-$1', 'orig')).toBe('prefix-orig');
    expect(route('(.*)', '$1-suffix', 'orig')).toBe('orig-suffix');
    expect(route('(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)', '$1', 'index-20160117')).toBe('index');
  });

  it('requires the whole topic to match', () => {
    expect(route('foo', 'bar', 'foobar')).toBe('foobar');
    expect(route('.*-raw', 'clean', 'orders-raw-x')).toBe('orders-raw-x');
  });

  it('replaces the first match as Java replaceFirst does after a full match', () => {
    // Lazy `.*?` matches the whole topic, but the first find() match is empty: Java prepends.
    expect(route('a*?', 'X', 'aaa')).toBe('Xaaa');
  });

  it('expands Java replacement syntax: named groups, multi-digit groups, escapes', () => {
    expect(route('(?<name>[a-z]+)\\.(?<n>\\d+)', '${n}-${name}', 'orders.42')).toBe('42-orders');
    expect(route('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)', '$11$10', 'abcdefghijk')).toBe('kj');
    // $12 with 11 groups is group 1 followed by a literal 2.
    expect(route('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)', '$12', 'abcdefghijk')).toBe('a2');
    expect(route('(.*)', '\\$1-$1\\\\', 'x')).toBe('$1-x\\');
    expect(route('(a)|(b)', '[$2]', 'a')).toBe('[]');
  });

  it('accepts Java-only syntax that has a JavaScript equivalent', () => {
    expect(route('(?i)ORDERS', 'o', 'orders')).toBe('o');
    expect(route('\\Qa.b\\E(.*)', '$1', 'a.bc')).toBe('c');
    expect(route('\\Qa.b\\E', 'x', 'aXb')).toBe('aXb');
    expect(route('\\Aorders\\z', 'o', 'orders')).toBe('o');
    expect(route('topic\\_(.*)', '$1', 'topic_x')).toBe('x');
  });

  it('rejects invalid regexes and replacements at configuration, naming the key', () => {
    expect(() => route('(', 'x', 't')).toThrow(ConfigError);
    expect(() => route('(', 'x', 't')).toThrow(/Invalid value "\(" for configuration regex: Invalid regex/);
    expect(() => route('a*+', 'x', 't')).toThrow(/configuration regex/);
    expect(() => route('(a)', '$2', 't')).toThrow(/configuration replacement: No group 2/);
    expect(() => route('(a)', '${x}', 't')).toThrow(/No group with name \{x\}/);
    expect(() => route('(a)', 'x$', 't')).toThrow(/Illegal group reference/);
    expect(() => route('(a)', 'x\\', 't')).toThrow(/character to be escaped is missing/);
    expect(() => configured(new RegexRouter(), { regex: '.*' })).toThrow(/Missing required configuration "replacement"/);
  });

  it('keeps everything but the topic', () => {
    const record = sinkRecord({ topic: 'a', kafkaOffset: 5, value: 'v', timestamp: 9 });
    const out = configured(new RegexRouter<SinkRecord>(), { regex: 'a', replacement: 'b' }).apply(record);
    expect([out.topic, out.kafkaOffset, out.value, out.timestamp, out.originalTopic]).toEqual(['b', 5, 'v', 9, 'a']);
  });
});

describe('JavaRegex', () => {
  it('counts groups and matches whole inputs', () => {
    const re = JavaRegex.compile('(a)(?:b)(?<c>c)');
    expect(re.groupCount).toBe(2);
    expect(re.matches('abc')).toBe(true);
    expect(re.matches('abcd')).toBe(false);
  });

  it('rejects unsupported inline flags', () => {
    expect(() => JavaRegex.compile('(?x)a b')).toThrow(/Unsupported inline flag 'x'/);
  });
});

describe('TimestampRouter', () => {
  it('formats the default topic.format with the UTC day', () => {
    const xform = configured(new TimestampRouter(), {});
    expect(xform.apply(valueRecord(null, null, { timestamp: 1483425001864 })).topic).toBe('test-20170103');
  });

  it('uses topic.format and timestamp.format, inserting text literally', () => {
    const xform = configured(new TimestampRouter(), { 'topic.format': 'logs_${timestamp}_${topic}_${topic}', 'timestamp.format': "yyyy.MM'$1'" });
    expect(xform.apply(valueRecord(null, null, { topic: 'app', timestamp: Date.UTC(2024, 1, 29, 23, 59) })).topic).toBe('logs_2024.02$1_app_app');
  });

  it('fails on a record without timestamp', () => {
    const xform = configured(new TimestampRouter(), {});
    expect(() => xform.apply(valueRecord(null, null))).toThrow(DataException);
    expect(() => xform.apply(valueRecord(null, null))).toThrow(/Timestamp missing on record/);
  });

  it('rejects an invalid timestamp.format at configuration', () => {
    expect(() => configured(new TimestampRouter(), { 'timestamp.format': 'yyyy-bb' })).toThrow(/configuration timestamp\.format: Illegal pattern character 'b'/);
  });
});
