import { describe, expect, it } from 'vitest';
import { COMMON_OPTIONS, keyValuePairs, oneAction, parseArgs, usage } from '../../../runtime/cli/args.ts';
import type { CommandSpec } from '../../../runtime/cli/args.ts';

const spec: CommandSpec = {
  command: 'sluice demo',
  summary: 'A demo command.',
  options: [
    ...COMMON_OPTIONS,
    { name: 'create', description: 'Create.' },
    { name: 'list', description: 'List.' },
    { name: 'topic', value: 'required', valueName: 'TOPIC', description: 'The topic.' },
    { name: 'config', value: 'required', repeatable: true, valueName: 'K=V', description: 'A config.' },
    { name: 'shift-by', value: 'required', description: 'Shift.' },
    { name: 'compression-codec', value: 'optional', description: 'Codec.' },
  ],
};

describe('parseArgs', () => {
  it('reads flags, values in both forms, repeated options and negative numbers', () => {
    const args = parseArgs(spec, ['--create', '--topic', 't1', '--config=a=1', '--config', 'b=2', '--shift-by', '-3', '--bootstrap-server=h:1']);
    expect(args.has('create')).toBe(true);
    expect(args.has('list')).toBe(false);
    expect(args.get('topic')).toBe('t1');
    expect(args.all('config')).toEqual(['a=1', 'b=2']);
    expect(args.get('shift-by')).toBe('-3');
    expect(args.get('bootstrap-server')).toBe('h:1');
  });

  it('takes an optional value only when one follows', () => {
    expect(parseArgs(spec, ['--compression-codec', '--create']).get('compression-codec')).toBe('');
    expect(parseArgs(spec, ['--compression-codec', 'lz4']).get('compression-codec')).toBe('lz4');
    expect(parseArgs(spec, ['--compression-codec']).get('compression-codec')).toBe('');
  });

  it('names an unknown option with the closest known ones', () => {
    expect(() => parseArgs(spec, ['--topc', 'x'])).toThrow('sluice demo: unknown option --topc; did you mean --topic?');
    expect(() => parseArgs(spec, ['--bootstrap-servers', 'x'])).toThrow('did you mean --bootstrap-server?');
    expect(() => parseArgs(spec, ['--zzzzzzzz'])).toThrow("unknown option --zzzzzzzz. Run 'sluice demo --help' for the options.");
  });

  it('refuses missing values, values on flags, repeats and stray arguments', () => {
    expect(() => parseArgs(spec, ['--topic'])).toThrow('option --topic needs a value (TOPIC)');
    expect(() => parseArgs(spec, ['--topic', '--create'])).toThrow('option --topic needs a value');
    expect(() => parseArgs(spec, ['--create=yes'])).toThrow('option --create takes no value');
    expect(() => parseArgs(spec, ['--topic', 'a', '--topic', 'b'])).toThrow('option --topic is given more than once');
    expect(() => parseArgs(spec, ['create'])).toThrow("unexpected argument 'create'");
  });

  it('checks actions and key=value pairs', () => {
    expect(oneAction(spec, parseArgs(spec, ['--list']), ['create', 'list'])).toBe('list');
    expect(() => oneAction(spec, parseArgs(spec, []), ['create', 'list'])).toThrow('give exactly one of --create, --list');
    expect(keyValuePairs(['a=1', 'b=x=y', 'c='], 'config')).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(() => keyValuePairs(['novalue'], 'config')).toThrow("--config expects key=value, got 'novalue'");
  });

  it('documents every option', () => {
    const text = usage(spec);
    expect(text).toContain('Usage: sluice demo [options]');
    for (const option of spec.options) expect(text).toContain(`--${option.name}`);
  });
});
