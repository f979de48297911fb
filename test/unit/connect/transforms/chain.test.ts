import { describe, expect, it } from 'vitest';
import type { ConnectRecord, Predicate, Transformation } from '../../../../runtime/connect/api/index.ts';
import { ConfigDef, ConnectHeaders, DataException, RetriableException, SchemaBuilder, Schemas, SinkRecord, SourceRecord, Struct } from '../../../../runtime/connect/api/index.ts';
import {
  TransformationError,
  buildTransformationChain,
  builtinTransformRegistry,
  defaultTransformRegistry,
  enrichTransformsConfigDef,
  transformsBaseConfigDef,
  transformsDocsMarkdown,
} from '../../../../runtime/connect/transforms/index.ts';
import { ConfigError } from '../../../../runtime/util/errors.ts';
import { map } from './helpers.ts';

const PKG = 'org.apache.kafka.connect.transforms.';

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const topicRecord = (topic: string, value: unknown = map({ a: 1 }), headers = new ConnectHeaders()) => new SourceRecord({ topic, kafkaPartition: 0, value, headers });

describe('buildTransformationChain', () => {
  it('is empty without transforms', () => {
    const chain = buildTransformationChain<SourceRecord>({ 'connector.class': 'X' });
    expect(chain.isEmpty).toBe(true);
    const record = topicRecord('t');
    expect(chain.apply(record)).toBe(record);
  });

  it('applies the stages in order, by Kafka class names and aliases', () => {
    const chain = buildTransformationChain<SourceRecord>({
      transforms: 'hoist, route ,insert',
      'transforms.hoist.type': `${PKG}HoistField$Value`,
      'transforms.hoist.field': 'line',
      'transforms.route.type': 'RegexRouter',
      'transforms.route.regex': '(.*)-raw',
      'transforms.route.replacement': '$1',
      'transforms.insert.type': `${PKG}InsertField$Value`,
      'transforms.insert.topic.field': 'topic',
    });
    expect(chain.stages.map((s) => [s.alias, s.className])).toEqual([
      ['hoist', `${PKG}HoistField$Value`],
      ['route', `${PKG}RegexRouter`],
      ['insert', `${PKG}InsertField$Value`],
    ]);
    const out = chain.apply(topicRecord('orders-raw', 'hello'))!;
    expect(out.topic).toBe('orders');
    // InsertField runs after the router, so it sees the new topic.
    expect(out.value).toEqual(map({ line: 'hello', topic: 'orders' }));
    expect(chain.warnings).toEqual([]);
  });

  it('applies a stage only when its predicate holds, or with negate only when it does not', () => {
    const config = (negate?: string) => ({
      transforms: 'drop',
      'transforms.drop.type': 'Filter',
      'transforms.drop.predicate': 'isFoo',
      ...(negate !== undefined && { 'transforms.drop.negate': negate }),
      predicates: 'isFoo',
      'predicates.isFoo.type': `${PKG}predicates.TopicNameMatches`,
      'predicates.isFoo.pattern': 'foo.*',
    });
    const plain = buildTransformationChain<SourceRecord>(config());
    expect(plain.apply(topicRecord('foo-1'))).toBeNull();
    expect(plain.apply(topicRecord('bar-1'))!.topic).toBe('bar-1');
    const negated = buildTransformationChain<SourceRecord>(config('true'));
    expect(negated.apply(topicRecord('foo-1'))!.topic).toBe('foo-1');
    expect(negated.apply(topicRecord('bar-1'))).toBeNull();
    expect(buildTransformationChain<SourceRecord>(config('false')).apply(topicRecord('foo-1'))).toBeNull();
  });

  it('stops at the first stage that drops the record', () => {
    const chain = buildTransformationChain<SourceRecord>({
      transforms: 'dropTombstones,mask',
      'transforms.dropTombstones.type': 'Filter',
      'transforms.dropTombstones.predicate': 'tombstone',
      'transforms.mask.type': `${PKG}MaskField$Value`,
      'transforms.mask.fields': 'a',
      predicates: 'tombstone,hasTrace',
      'predicates.tombstone.type': 'RecordIsTombstone',
      'predicates.hasTrace.type': 'HasHeaderKey',
      'predicates.hasTrace.name': 'trace',
    });
    // MaskField would fail on a null schemaless value; the Filter drops it first.
    expect(chain.apply(topicRecord('t', null))).toBeNull();
    expect(chain.apply(topicRecord('t'))!.value).toEqual(map({ a: 0 }));
    expect(chain.warnings).toEqual(["predicate 'hasTrace' is declared in 'predicates' but no transformation uses it"]);
  });

  it('gives each stage its own predicate instance, as Kafka does', () => {
    const chain = buildTransformationChain<SourceRecord>({
      transforms: 'a,b',
      'transforms.a.type': 'InsertHeader',
      'transforms.a.header': 'x',
      'transforms.a.value.literal': 'y',
      'transforms.a.predicate': 'p',
      'transforms.b.type': 'DropHeaders',
      'transforms.b.headers': 'x',
      'transforms.b.predicate': 'p',
      'transforms.b.negate': 'true',
      predicates: 'p',
      'predicates.p.type': 'HasHeaderKey',
      'predicates.p.name': 'keep',
    });
    expect(chain.stages[0].condition!.predicate).not.toBe(chain.stages[1].condition!.predicate);
    const kept = chain.apply(topicRecord('t', 'v', new ConnectHeaders().addString('keep', '1')))!;
    expect(kept.headers.toArray().map((h) => h.key)).toEqual(['keep', 'x']);
    const dropped = chain.apply(topicRecord('t', 'v'))!;
    expect(dropped.headers.size).toBe(0);
  });

  it('works on sink records, keeping their original position', () => {
    const chain = buildTransformationChain<SinkRecord>({
      transforms: 'route',
      'transforms.route.type': 'TimestampRouter',
    });
    const out = chain.apply(new SinkRecord({ topic: 'logs', kafkaPartition: 2, kafkaOffset: 9, timestamp: Date.UTC(2024, 0, 31, 12), value: 'x' }))!;
    expect([out.topic, out.originalTopic, out.kafkaOffset]).toEqual(['logs-20240131', 'logs', 9]);
  });

  it('reports every config problem at once, each with its full key', () => {
    const err = captureError(() =>
      buildTransformationChain({
        transforms: 'a,b,c,d',
        'transforms.a.type': 'NoSuchTransform',
        'transforms.b.type': `${PKG}Cast$Value`,
        'transforms.b.spec': 'x:foo',
        'transforms.c.type': 'Filter',
        'transforms.c.negate': 'true',
        'transforms.d.type': 'Filter',
        'transforms.d.predicate': 'missing',
      }),
    );
    const keys = (err.context.problems as Array<{ key: string }>).map((p) => p.key);
    expect(keys).toEqual(['transforms.a.type', 'transforms.b.spec', 'transforms.c.negate', 'transforms.d.predicate']);
    expect(err.message).toContain('4 configuration problems');
    expect(err.message).toContain('Invalid value "NoSuchTransform" for configuration transforms.a.type: Class NoSuchTransform could not be found.');
    expect(err.message).toContain('Available transformations: org.apache.kafka.connect.transforms.Cast$Key');
    expect(err.message).toContain('(aliases: DropHeaders, Filter, InsertHeader, RegexRouter, TimestampRouter, ValueToKey)');
    expect(err.message).toContain('Invalid value ["x:foo"] for configuration transforms.b.spec: Invalid type found in casting spec: foo');
    expect(err.message).toContain("Config 'transforms.c.negate' was provided but there is no config 'transforms.c.predicate' defining a predicate to be negated.");
    expect(err.message).toContain("Predicate alias 'missing' is not listed in 'predicates' (which is empty).");
  });

  it('names the missing type and missing required keys of a transformation and a predicate', () => {
    const err = captureError(() =>
      buildTransformationChain({
        transforms: 'a,b',
        'transforms.b.type': 'RegexRouter',
        'transforms.b.regex': '.*',
        'transforms.b.predicate': 'p',
        predicates: 'p',
        'predicates.p.type': 'TopicNameMatches',
      }),
    );
    expect(err.message).toContain('Missing required configuration "transforms.a.type" which has no default value.');
    expect(err.message).toContain('Missing required configuration "transforms.b.replacement" which has no default value.');
    expect(err.message).toContain('Missing required configuration "predicates.p.pattern" which has no default value.');
  });

  it('suggests the full class name for a bare nested class name, and the right kind', () => {
    expect(() => buildTransformationChain({ transforms: 'a', 'transforms.a.type': 'InsertField$Value' })).toThrow(
      `Did you mean ${PKG}InsertField$Value?`,
    );
    expect(() => buildTransformationChain({ transforms: 'a', 'transforms.a.type': 'TopicNameMatches' })).toThrow(
      `${PKG}predicates.TopicNameMatches is a predicate, not a transformation.`,
    );
    expect(() =>
      buildTransformationChain({ transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.predicate': 'p', predicates: 'p', 'predicates.p.type': 'Filter' }),
    ).toThrow(/predicates\.p\.type: Class Filter could not be found\. .*is a transformation, not a predicate\..*Available predicates:/);
  });

  it('rejects duplicate and empty aliases', () => {
    expect(() => buildTransformationChain({ transforms: 'a,a', 'transforms.a.type': 'Filter' })).toThrow(
      'Invalid value ["a","a"] for configuration transforms: Duplicate alias provided.',
    );
    expect(() => buildTransformationChain({ predicates: 'p,,q' })).toThrow(/configuration predicates: Empty predicate alias provided/);
  });

  it('passes a cross-key check failure of a transformation through with the alias', () => {
    const err = captureError(() => buildTransformationChain({ transforms: 'ins', 'transforms.ins.type': `${PKG}InsertField$Value` }));
    expect(err.message).toBe(
      'No field insertion configured: set at least one of topic.field, partition.field, offset.field, timestamp.field, static.field (transforms.ins)',
    );
    expect((err.context.problems as Array<{ key: string }>)[0].key).toBe('transforms.ins.type');
    const staticErr = captureError(() => buildTransformationChain({ transforms: 'ins', 'transforms.ins.type': `${PKG}InsertField$Value`, 'transforms.ins.static.field': 's' }));
    expect(staticErr.message).toBe('Invalid value null for configuration transforms.ins.static.value: No value specified for static field: s');
  });

  it('warns about keys nothing reads, with the closest known keys', () => {
    const chain = buildTransformationChain({
      transforms: 'route',
      'transforms.route.type': 'RegexRouter',
      'transforms.route.regex': 'a',
      'transforms.route.replacment': 'b',
      'transforms.route.replacement': 'b',
      'transforms.old.type': 'Filter',
    });
    expect(chain.warnings).toEqual([
      'unknown configuration "transforms.route.replacment" (did you mean "transforms.route.replacement"?)',
      `configuration "transforms.old.type" is ignored: 'old' is not listed in 'transforms'`,
    ]);
  });

  it('wraps a failing stage in a TransformationError naming alias, class and record position', () => {
    const chain = buildTransformationChain<SinkRecord>({
      transforms: 'extract',
      'transforms.extract.type': `${PKG}ExtractField$Value`,
      'transforms.extract.field': 'id',
    });
    const schema = SchemaBuilder.struct().field('name', Schemas.STRING).build();
    const record = new SinkRecord({ topic: 'users', kafkaPartition: 3, kafkaOffset: 42, valueSchema: schema, value: new Struct(schema).put('name', 'x') });
    let caught: unknown;
    try {
      chain.apply(record);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TransformationError);
    const err = caught as TransformationError;
    expect(err.message).toBe(`Transformation 'extract' (${PKG}ExtractField$Value) failed on record topic=users partition=3 offset=42: Unknown field: id`);
    expect(err.code).toBe('CONNECT_TRANSFORMATION');
    expect(err.alias).toBe('extract');
    expect(err.cause).toBeInstanceOf(DataException);
    expect(err.context).toMatchObject({ stage: 'TRANSFORMATION', alias: 'extract', className: `${PKG}ExtractField$Value`, topic: 'users', partition: 3, offset: 42 });
    expect(err.retriable).toBe(false);
  });

  it('closes every stage and predicate', () => {
    const closed: string[] = [];
    const registry = builtinTransformRegistry()
      .registerTransformation({ className: 'test.Tracked', create: () => tracked('t', closed) })
      .registerPredicate({ className: 'test.AlwaysTrue', create: () => trackedPredicate('p', closed) });
    const chain = buildTransformationChain(
      { transforms: 'x', 'transforms.x.type': 'Tracked', 'transforms.x.predicate': 'q', predicates: 'q', 'predicates.q.type': 'AlwaysTrue' },
      { registry },
    );
    chain.close();
    expect(closed).toEqual(['t', 'p']);
  });
});

function tracked<R extends ConnectRecord<R>>(name: string, closed: string[], fail?: Error): Transformation<R> {
  return {
    configure(configs) {
      if (configs.fail === 'config') throw new Error('plugin config rejected');
    },
    apply(record) {
      if (fail) throw fail;
      return record;
    },
    config: () => new ConfigDef().define({ name: 'level', type: 'INT', default: 1, importance: 'LOW', documentation: 'A level.' }),
    close: () => void closed.push(name),
  };
}

function trackedPredicate<R extends ConnectRecord<R>>(name: string, closed: string[]): Predicate<R> {
  return { configure() {}, test: () => true, config: () => new ConfigDef(), close: () => void closed.push(name) };
}

describe('plugins and the registry', () => {
  it('resolves plugin classes by class name and unique simple name, validating their ConfigDef', () => {
    const closed: string[] = [];
    const registry = builtinTransformRegistry().registerTransformation({ className: 'com.example.UpperCaseTransformation', create: () => tracked('u', closed) });
    for (const name of ['com.example.UpperCaseTransformation', 'UpperCaseTransformation', 'UpperCase']) {
      expect(buildTransformationChain({ transforms: 'u', 'transforms.u.type': name }, { registry }).stages[0].className).toBe('Object');
    }
    expect(() => buildTransformationChain({ transforms: 'u', 'transforms.u.type': 'UpperCase', 'transforms.u.level': 'high' }, { registry })).toThrow(
      /configuration transforms\.u\.level/,
    );
    // Not in the default registry.
    expect(defaultTransformRegistry.findTransformation('UpperCase')).toBeUndefined();
  });

  it('prefixes errors of plugins that do not know their key prefix with the alias, and closes what it created', () => {
    const closed: string[] = [];
    const registry = builtinTransformRegistry().registerTransformation({ className: 'com.example.Picky', create: () => tracked('picky', closed) });
    const err = captureError(() =>
      buildTransformationChain({ transforms: 'ok,bad', 'transforms.ok.type': 'Picky', 'transforms.bad.type': 'Picky', 'transforms.bad.fail': 'config' }, { registry }),
    );
    expect(err.message).toBe('transforms.bad (Object): plugin config rejected');
    expect(closed).toEqual(['picky', 'picky']);
  });

  it('keeps a retriable cause retriable', () => {
    const registry = builtinTransformRegistry().registerTransformation({
      className: 'com.example.Flaky',
      create: () => tracked('f', [], new RetriableException('try later')),
    });
    const chain = buildTransformationChain<SourceRecord>({ transforms: 'f', 'transforms.f.type': 'Flaky' }, { registry });
    expect(() => chain.apply(topicRecord('t'))).toThrow(TransformationError);
    try {
      chain.apply(topicRecord('t'));
    } catch (err) {
      expect((err as TransformationError).retriable).toBe(true);
    }
  });

  it('drops ambiguous aliases, across transformations and predicates, and refuses duplicate class names', () => {
    const clash = builtinTransformRegistry()
      .registerTransformation({ className: 'test.Tracked', create: () => tracked('t', []) })
      .registerPredicate({ className: 'test.TrackedPredicate', create: () => trackedPredicate('p', []) });
    // "Tracked" is the simple name of one and the pruned name of the other, so neither gets it.
    expect(clash.findTransformation('Tracked')).toBeUndefined();
    expect(clash.findPredicate('TrackedPredicate')!.className).toBe('test.TrackedPredicate');
    const registry = builtinTransformRegistry();
    expect(registry.aliases().get('Filter')).toBe(`${PKG}Filter`);
    expect(registry.aliases().get('TopicNameMatches')).toBe(`${PKG}predicates.TopicNameMatches`);
    expect(registry.aliases().has('Value')).toBe(false);
    registry.registerTransformation({ className: 'com.other.Filter', create: () => tracked('f', []) });
    expect(registry.findTransformation('Filter')).toBeUndefined();
    expect(registry.findTransformation(`${PKG}Filter`)!.className).toBe(`${PKG}Filter`);
    expect(() => registry.registerPredicate({ className: 'com.other.Filter', create: () => trackedPredicate('p', []) })).toThrow(/already registered/);
  });

  it('lists every Kafka built-in', () => {
    const registry = builtinTransformRegistry();
    expect(registry.transformations()).toHaveLength(26);
    expect(registry.predicates().map((p) => p.className)).toEqual([`${PKG}predicates.HasHeaderKey`, `${PKG}predicates.RecordIsTombstone`, `${PKG}predicates.TopicNameMatches`]);
    for (const plugin of [...registry.transformations(), ...registry.predicates()]) {
      const instance = plugin.create();
      expect((instance as unknown as { className: string }).className).toBe(plugin.className);
      expect(plugin.doc).toBeTruthy();
    }
  });
});

describe('config validation (enrich)', () => {
  it('defines per-alias keys from each plugin ConfigDef, for /config/validate', () => {
    const props = {
      transforms: 'cast',
      'transforms.cast.type': `${PKG}Cast$Value`,
      'transforms.cast.spec': 'f:bogus',
      predicates: 'p',
      'predicates.p.type': 'HasHeaderKey',
    };
    const def = enrichTransformsConfigDef(transformsBaseConfigDef(), props, builtinTransformRegistry());
    expect(def.names()).toEqual([
      'transforms',
      'predicates',
      'transforms.cast.type',
      // Embedded keys are ordered as Kafka's ConfigDef.embed orders them: required first, then by importance and name.
      'transforms.cast.spec',
      'transforms.cast.negate',
      'transforms.cast.predicate',
      'transforms.cast.replace.null.with.default',
      'predicates.p.type',
      'predicates.p.name',
    ]);
    expect(def.key('transforms.cast.spec')!.group).toBe('Transforms: cast');
    const infos = def.validate(props, 'connector');
    expect(infos.error_count).toBe(2);
    const errors = Object.fromEntries(infos.configs.filter((c) => c.value!.errors.length > 0).map((c) => [c.value!.name, c.value!.errors]));
    expect(Object.keys(errors)).toEqual(['transforms.cast.spec', 'predicates.p.name']);
    expect(infos.groups).toEqual(['Transforms', 'Predicates', 'Transforms: cast', 'Predicates: p']);
    const type = infos.configs.find((c) => c.value!.name === 'transforms.cast.type')!;
    expect(type.value!.recommended_values).toContain(`${PKG}Flatten$Value`);
  });

  it('defines only the type key of an unknown class, which reports it', () => {
    const props = { transforms: 'x', 'transforms.x.type': 'Nope' };
    const def = enrichTransformsConfigDef(new ConfigDef(), props, builtinTransformRegistry());
    expect(def.names()).toEqual(['transforms.x.type', 'transforms.x.negate', 'transforms.x.predicate']);
    expect(def.validateValues(props)[0].errors[0]).toMatch(/Class Nope could not be found/);
  });
});

describe('generated docs', () => {
  it('lists every plugin with its overview and the keys of its ConfigDef', () => {
    const docs = transformsDocsMarkdown(builtinTransformRegistry());
    expect(docs.split('\n').filter((l) => l.startsWith('### '))).toHaveLength(29);
    expect(docs).toContain(`### ${PKG}TimestampRouter`);
    expect(docs).toContain('| `topic.format` | Format string which can contain');
    expect(docs).toContain('| `spec` (required) |');
    expect(docs).toContain(`### ${PKG}predicates.RecordIsTombstone\n\nA predicate which is true for records which are tombstones (i.e. have null value).\n\n_No configuration._`);
  });
});
