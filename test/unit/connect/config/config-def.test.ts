import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { ConfigDef, describeUnknownKey } from '../../../../runtime/connect/config/config-def.ts';
import { parseType } from '../../../../runtime/util/config/config-types.ts';
import { configDocsMarkdown } from '../../../../runtime/connect/config/config-docs.ts';
import { maskSecrets } from '../../../../runtime/connect/config/masking.ts';
import { Password } from '../../../../runtime/util/config/password.ts';
import { originalsWithPrefix, withPrefixOverride, withoutPrefixes } from '../../../../runtime/connect/config/prefix.ts';
import { closestKeys, editDistance } from '../../../../runtime/util/config/closest-keys.ts';
import { validators } from '../../../../runtime/connect/config/validators.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';

function sourceDef() {
  return new ConfigDef()
    .define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'The topic to publish to.', validator: validators.nonEmptyString(), group: 'Common', orderInGroup: 1, width: 'LONG', displayName: 'Topic' })
    .define({ name: 'file', type: 'STRING', default: null, importance: 'HIGH', documentation: 'Source filename; stdin when unset.' })
    .define({ name: 'batch.size', type: 'INT', default: 2000, importance: 'LOW', documentation: 'Max records per poll.', validator: validators.atLeast(1) })
    .define({ name: 'poll.interval.ms', type: 'LONG', default: '60000', importance: 'LOW', documentation: 'Poll interval.' })
    .define({ name: 'ratio', type: 'DOUBLE', default: 0.5, importance: 'LOW', documentation: 'A ratio.', validator: validators.between(0, 1) })
    .define({ name: 'enabled', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'On or off.' })
    .define({ name: 'fields', type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Field names.' })
    .define({ name: 'decimal.format', type: 'STRING', default: 'BASE64', importance: 'LOW', documentation: 'Decimal format.', validator: validators.oneOfIgnoreCase('BASE64', 'NUMERIC') })
    .define({ name: 'connection.password', type: 'PASSWORD', default: null, importance: 'HIGH', documentation: 'Password.', group: 'Connection' })
    .define({ name: 'short.thing', type: 'SHORT', default: 7, importance: 'LOW', documentation: 'A short.' })
    .define({ name: 'class.name', type: 'CLASS', default: 'org.example.Thing', importance: 'LOW', documentation: 'A class.' });
}

describe('parseType (Kafka rules)', () => {
  it('trims strings and parses booleans case-insensitively', () => {
    expect(parseType('k', '  padded  ', 'STRING')).toBe('padded');
    expect(parseType('k', ' TRUE ', 'BOOLEAN')).toBe(true);
    expect(parseType('k', 'False', 'BOOLEAN')).toBe(false);
    expect(() => parseType('k', 'yes', 'BOOLEAN')).toThrow('Invalid value "yes" for configuration k: Expected value to be either true or false');
  });

  it('parses numbers strictly, with range checks per type', () => {
    expect(parseType('k', ' 42 ', 'INT')).toBe(42);
    expect(parseType('k', '+7', 'INT')).toBe(7);
    expect(parseType('k', '-2147483648', 'INT')).toBe(-2147483648);
    expect(() => parseType('k', '2147483648', 'INT')).toThrow(/Not a number of type INT/);
    expect(() => parseType('k', '10ms', 'INT')).toThrow(/Invalid value "10ms" for configuration k: Not a number of type INT/);
    expect(() => parseType('k', '1.5', 'LONG')).toThrow(/Not a number of type LONG/);
    expect(() => parseType('k', '40000', 'SHORT')).toThrow(/Not a number of type SHORT/);
    expect(() => parseType('k', '', 'INT')).toThrow(/Not a number/);
    expect(parseType('k', '9007199254740991', 'LONG')).toBe(9007199254740991);
    expect(() => parseType('k', '9223372036854775808', 'LONG')).toThrow(/LONG/);
    expect(parseType('k', '1e3', 'DOUBLE')).toBe(1000);
    expect(parseType('k', '.5', 'DOUBLE')).toBe(0.5);
    expect(parseType('k', '2.5d', 'DOUBLE')).toBe(2.5);
    expect(() => parseType('k', 'abc', 'DOUBLE')).toThrow(/Not a number of type DOUBLE/);
  });

  it('splits lists on commas with surrounding whitespace; empty string is an empty list', () => {
    expect(parseType('k', ' a , b,c ', 'LIST')).toEqual(['a', 'b', 'c']);
    expect(parseType('k', '', 'LIST')).toEqual([]);
    expect(parseType('k', 'a,,b', 'LIST')).toEqual(['a', '', 'b']);
    expect(parseType('k', ['x', 'y'], 'LIST')).toEqual(['x', 'y']);
  });

  it('wraps passwords so that no rendering shows them', () => {
    const p = parseType('k', ' s3cret ', 'PASSWORD');
    expect(p.value()).toBe('s3cret');
    expect(String(p)).toBe('[hidden]');
    expect(JSON.stringify({ p })).toBe('{"p":"[hidden]"}');
    expect(inspect(p)).toBe('[hidden]');
    expect(() => parseType('k', 5, 'PASSWORD')).toThrow('Invalid value [hidden] for configuration k');
  });

  it('accepts already-typed values', () => {
    expect(parseType('k', 5, 'LONG')).toBe(5);
    expect(parseType('k', 5n, 'LONG')).toBe(5);
    expect(parseType('k', false, 'BOOLEAN')).toBe(false);
    expect(() => parseType('k', 1.5, 'INT')).toThrow(/INT/);
  });
});

describe('ConfigDef.parse', () => {
  it('applies defaults and types every value', () => {
    const cfg = sourceDef().parse({ topic: 'lines' });
    expect(cfg.get('topic')).toBe('lines');
    expect(cfg.get('file')).toBeNull();
    expect(cfg.get('batch.size')).toBe(2000);
    expect(cfg.get('poll.interval.ms')).toBe(60000);
    expect(cfg.get('enabled')).toBe(true);
    expect(cfg.get('fields')).toEqual([]);
    expect(cfg.get('connection.password')).toBeNull();
    expect(cfg.getInt('short.thing')).toBe(7);
    expect(cfg.getClass('class.name')).toBe('org.example.Thing');
  });

  it('collects every problem into one error naming key, value, expectation, file and line', () => {
    const lines = new Map([
      ['batch.size', 3],
      ['enabled', 5],
    ]);
    let error: unknown;
    try {
      sourceDef().parse({ 'batch.size': '0', enabled: 'maybe', 'decimal.format': 'hex' }, { file: 'conn.properties', lines });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('4 configuration problems in conn.properties');
    expect(e.message).toContain('conn.properties: Missing required configuration "topic" which has no default value.');
    expect(e.message).toContain('conn.properties:3: Invalid value 0 for configuration batch.size: Value must be at least 1');
    expect(e.message).toContain('conn.properties:5: Invalid value "maybe" for configuration enabled: Expected value to be either true or false');
    expect(e.message).toContain('Invalid value "hex" for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC');
    expect((e.context.problems as unknown[]).length).toBe(4);
  });

  it('uses CONFIG_MISSING when the only problems are missing keys', () => {
    expect(() => sourceDef().parse({})).toThrow(expect.objectContaining({ code: 'CONFIG_MISSING', message: 'Missing required configuration "topic" which has no default value.' }));
  });

  it('accepts case-insensitive options and keeps the given case', () => {
    expect(sourceDef().parse({ topic: 't', 'decimal.format': 'numeric' }).get('decimal.format')).toBe('numeric');
  });

  it('rejects a bad default at definition time', () => {
    expect(() => new ConfigDef().define({ name: 'x', type: 'INT', default: 0, importance: 'LOW', documentation: '', validator: validators.atLeast(1) })).toThrow(
      /Invalid value 0 for configuration x: Value must be at least 1/,
    );
    expect(() => new ConfigDef().define({ name: 'x', type: 'INT', default: 'ten', importance: 'LOW', documentation: '' })).toThrow(/Not a number/);
  });

  it('rejects a key defined twice', () => {
    const def = new ConfigDef().define({ name: 'a', type: 'STRING', default: '', importance: 'LOW', documentation: '' });
    expect(() => def.define({ name: 'a', type: 'INT', default: 1, importance: 'LOW', documentation: '' })).toThrow(/defined twice/);
  });

  it('reports dependents that are not defined', () => {
    const def = new ConfigDef().define({ name: 'a', type: 'STRING', default: '', importance: 'LOW', documentation: '', dependents: ['b'] });
    expect(() => def.parse({})).toThrow(/referred in the dependents, but not defined: b/);
    expect(def.validateValues({}).find((v) => v.name === 'b')?.errors).toEqual(['b is referred in the dependents, but not defined.']);
  });

  it('keeps originals and gives prefixed pass-through settings', () => {
    const cfg = sourceDef().parse({ topic: 't', 'producer.acks': 'all', 'producer.linger.ms': '5', 'key.converter.schemas.enable': 'false' });
    expect(cfg.originalsWithPrefix('producer.')).toEqual({ acks: 'all', 'linger.ms': '5' });
    expect(cfg.originalsWithPrefix('key.converter.')).toEqual({ 'schemas.enable': 'false' });
    expect(cfg.originalsWithPrefix('producer.', false)).toEqual({ 'producer.acks': 'all', 'producer.linger.ms': '5' });
    expect(cfg.originals()['producer.acks']).toBe('all');
  });

  it('renders values for logs with secrets hidden', () => {
    const cfg = sourceDef().parse({ topic: 't', 'connection.password': 'hunter2', fields: 'a, b' });
    const loggable = cfg.toLoggable();
    expect(loggable['connection.password']).toBe('[hidden]');
    expect(loggable.fields).toBe('a,b');
    expect(loggable.ratio).toBe('0.5');
    expect(JSON.stringify(cfg.values())).not.toContain('hunter2');
    expect(cfg.get('connection.password')?.value()).toBe('hunter2');
    expect(cfg.originalsStrings()['connection.password']).toBe('hunter2');
  });

  it('rejects typed access to undefined keys or the wrong type', () => {
    const cfg = sourceDef().parse({ topic: 't' });
    expect(() => cfg.getString('nope')).toThrow(/Unknown configuration "nope"/);
    expect(() => cfg.getBoolean('topic')).toThrow(/is of type STRING, not BOOLEAN/);
  });
});

describe('unknown keys', () => {
  it('suggests the closest known keys', () => {
    const unknown = sourceDef().unknownKeys({ topic: 't', 'batch.szie': '1', tpoic: 'x', 'producer.acks': 'all', zzz: '1' }, ['producer.']);
    expect(unknown).toEqual([
      { key: 'batch.szie', suggestions: ['batch.size'] },
      { key: 'tpoic', suggestions: ['topic'] },
      { key: 'zzz', suggestions: [] },
    ]);
    expect(describeUnknownKey(unknown[0])).toBe('unknown configuration "batch.szie" (did you mean "batch.size"?)');
    expect(describeUnknownKey(unknown[2])).toBe('unknown configuration "zzz"');
  });

  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestKeys('flush.interval.ms', ['offset.flush.interval.ms', 'offset.flush.timeout.ms', 'listeners'])).toEqual(['offset.flush.interval.ms']);
  });
});

describe('ConfigDef.validate (Kafka Connect /config/validate shape)', () => {
  it('renders definitions and values, counts errors, hides secrets', () => {
    const result = sourceDef().validate({ 'batch.size': '0', 'connection.password': 'hunter2' }, 'org.example.Source');
    expect(result.name).toBe('org.example.Source');
    expect(result.error_count).toBe(2);
    expect(result.groups).toEqual(['Common', 'Connection']);
    expect(result.configs[0]).toEqual({
      definition: {
        name: 'topic',
        type: 'STRING',
        required: true,
        default_value: null,
        importance: 'HIGH',
        documentation: 'The topic to publish to.',
        group: 'Common',
        width: 'LONG',
        display_name: 'Topic',
        dependents: [],
        order: 1,
      },
      value: { name: 'topic', value: null, recommended_values: [], errors: ['Missing required configuration "topic" which has no default value.'], visible: true },
    });
    const batch = result.configs.find((c) => c.definition?.name === 'batch.size')!;
    expect(batch.definition).toMatchObject({ default_value: '2000', required: false, group: null, width: 'NONE', display_name: 'batch.size', order: -1 });
    expect(batch.value).toEqual({ name: 'batch.size', value: '0', recommended_values: [], errors: ['Invalid value 0 for configuration batch.size: Value must be at least 1'], visible: true });
    const pw = result.configs.find((c) => c.definition?.name === 'connection.password')!;
    expect(pw.value?.value).toBe('[hidden]');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(result.configs.find((c) => c.definition?.name === 'ratio')?.definition?.default_value).toBe('0.5');
  });

  it('uses recommenders for recommended values and visibility', () => {
    const def = new ConfigDef()
      .define({ name: 'mode', type: 'STRING', default: 'a', importance: 'LOW', documentation: '', dependents: ['detail'] })
      .define({
        name: 'detail',
        type: 'STRING',
        default: '',
        importance: 'LOW',
        documentation: '',
        recommender: { validValues: () => ['x', 'y'], visible: (_n, parsed) => parsed.mode === 'b' },
      });
    const hidden = def.validateValues({ mode: 'a' }).find((v) => v.name === 'detail')!;
    expect(hidden.visible).toBe(false);
    expect(hidden.recommendedValues).toEqual(['x', 'y']);
    expect(def.validateValues({ mode: 'b' }).find((v) => v.name === 'detail')!.visible).toBe(true);
  });

  it('embeds a child definition under a prefix (transforms.<alias>.)', () => {
    const child = new ConfigDef().define({ name: 'regex', type: 'STRING', importance: 'HIGH', documentation: 'Pattern.', group: 'Routing' });
    const def = new ConfigDef().embed('transforms.route.', 'Transforms: route', 0, child);
    expect(def.names()).toEqual(['transforms.route.regex']);
    expect(def.key('transforms.route.regex')?.group).toBe('Transforms: route: Routing');
    expect(() => def.parse({})).toThrow('Missing required configuration "transforms.route.regex"');
  });
});

describe('masking', () => {
  it('hides PASSWORD keys and secret-looking undefined keys, keeps provider references', () => {
    const masked = maskSecrets(sourceDef(), {
      topic: 't',
      'connection.password': 'hunter2',
      'producer.sasl.jaas.config': 'org.Foo required password="x";',
      'producer.ssl.key.password': 'k',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'db.password': '${file:/etc/creds.properties:db.password}',
    });
    expect(masked).toEqual({
      topic: 't',
      'connection.password': '[hidden]',
      'producer.sasl.jaas.config': '[hidden]',
      'producer.ssl.key.password': '[hidden]',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'db.password': '${file:/etc/creds.properties:db.password}',
    });
  });
});

describe('prefix helpers', () => {
  it('selects, strips and overrides by prefix', () => {
    const props = { 'producer.acks': '1', 'producer.': 'ignored', 'consumer.x': 'y', acks: 'all' };
    expect(originalsWithPrefix(props, 'producer.')).toEqual({ acks: '1' });
    expect(withoutPrefixes(props, ['producer.', 'consumer.'])).toEqual({ acks: 'all' });
    expect(withPrefixOverride({ acks: 'all', retries: '3' }, { 'producer.override.acks': '1' }, 'producer.override.')).toEqual({ acks: '1', retries: '3' });
  });
});

describe('configDocsMarkdown', () => {
  it('renders a table per group with defaults, units, valid values and required keys', () => {
    const md = configDocsMarkdown(sourceDef(), 'FileStreamSource');
    expect(md).toContain('## FileStreamSource');
    expect(md).toContain('| Name | Description | Type | Default | Valid Values | Importance |');
    expect(md).toContain('| `batch.size` | Max records per poll. | int | `2000` | [1,...] | low |');
    expect(md).toContain('| `poll.interval.ms` | Poll interval. | long | `60000 (1 minute)` |  | low |');
    expect(md).toContain('| `fields` | Field names. | list | `""` |  | medium |');
    expect(md).toContain('### Common');
    expect(md).toContain('| `topic` (required) | The topic to publish to. | string |  | non-empty string | high |');
    expect(md).toContain('(case insensitive) [BASE64, NUMERIC]');
    expect(md.indexOf('### Common')).toBeLessThan(md.indexOf('### Connection'));
  });

  it('escapes pipes and hides password defaults', () => {
    const def = new ConfigDef()
      .define({ name: 'sep', type: 'STRING', default: '|', importance: 'LOW', documentation: 'a | b' })
      .define({ name: 'pw', type: 'PASSWORD', default: 'changeme', importance: 'LOW', documentation: 'secret' })
      .define({ name: 'hidden.key', type: 'STRING', default: '', importance: 'LOW', documentation: '', internal: true });
    const md = configDocsMarkdown(def);
    expect(md).toContain('a \\| b');
    expect(md).toContain('`[hidden]`');
    expect(md).not.toContain('changeme');
    expect(md).not.toContain('hidden.key');
  });
});

describe('Password', () => {
  it('compares by value', () => {
    expect(new Password('a').equals(new Password('a'))).toBe(true);
    expect(new Password('a').equals('a')).toBe(false);
  });
});
