import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../runtime/util/errors.ts';
import { configReferenceMarkdown } from '../../../connectors/file/config-docs.ts';
import { withConfigReference } from '../../../runtime/connect/config/index.ts';
import { FileSourceConnector } from '../../../connectors/file/file-source-connector.ts';
import { FILE_SOURCE_CONFIG, parseFileSourceConfig, validateFileSource } from '../../../connectors/file/file-source-config.ts';
import { FileSpoolTask, FileTailTask } from '../../../connectors/file/file-source-task.ts';
import { PluginRegistry } from '../../../runtime/connect/worker/plugins.ts';

const spool = { mode: 'spool', topic: 't', 'input.path': '/in', 'input.file.pattern': '.*\\.csv', 'error.path': '/err', 'finished.path': '/done' };

function errorsOf(props: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(validateFileSource(props).filter((v) => v.errors.length > 0).map((v) => [v.name, v.errors]));
}

describe('file source config', () => {
  it('parses defaults as documented', () => {
    const s = parseFileSourceConfig({ topic: 'logs', 'file.paths': '/var/log/*.log, /tmp/x.log' });
    expect(s).toMatchObject({
      mode: 'tail',
      format: 'lines',
      batchSize: 1000,
      pollIntervalMs: 500,
      maxLineBytes: 524288,
      charset: 'UTF-8',
      malformedInput: 'REPORT',
      badLinePolicy: 'fail',
      headers: ['file.name', 'file.line'],
      filePaths: ['/var/log/*.log', '/tmp/x.log'],
      startPosition: 'beginning',
      rotateWaitMs: 5000,
      cleanupPolicy: 'MOVE',
      timestampMode: 'PROCESS_TIME',
      csv: { header: true, separator: ',', quote: '"', escape: '' },
    });
  });

  it('matches input.file.pattern against the whole name', () => {
    const s = parseFileSourceConfig(spool);
    expect(s.inputFilePattern!.test('a.csv')).toBe(true);
    expect(s.inputFilePattern!.test('a.csv.tmp')).toBe(false);
    expect(parseFileSourceConfig({ ...spool, 'input.file.pattern': 'a|b' }).inputFilePattern!.test('ab')).toBe(false);
  });

  it('reports problems between keys on the key to fix', () => {
    expect(errorsOf({ topic: 't' })).toEqual({ 'file.paths': ['file.paths is required with mode=tail: the files or glob patterns to follow'] });
    expect(errorsOf({ mode: 'spool', topic: 't' })).toEqual({
      'input.path': ['input.path is required with mode=spool: the folder to watch'],
      'input.file.pattern': ['input.file.pattern is required with mode=spool: a regular expression the whole file name must match'],
      'error.path': ['error.path is required with mode=spool: the folder failed files go to'],
      'finished.path': ['finished.path is required with cleanup.policy=MOVE (or set cleanup.policy=DELETE or NONE)'],
    });
    expect(errorsOf({ ...spool, 'bad.line.policy': 'dlq' })).toEqual({ 'bad.line.topic': ['bad.line.topic is required with bad.line.policy=dlq'] });
    expect(errorsOf({ ...spool, 'key.field': 'id' })).toEqual({ 'key.field': ['key.field needs fields: use format=json or csv'] });
    expect(errorsOf({ ...spool, format: 'csv', 'csv.separator.char': '"' })).toEqual({ 'csv.quote.char': ['csv.quote.char must differ from csv.separator.char'] });
    expect(errorsOf({ ...spool, format: 'json', 'value.schema': '{"type":"struct","fields":[{"field":"a","type":"int32"}]}', 'key.field': 'b' })).toEqual({
      'key.field': ['key.field: value.schema has no field "b"'],
    });
    expect(errorsOf({ ...spool, format: 'json', 'timestamp.mode': 'FIELD' })).toEqual({ 'timestamp.field': ['timestamp.field is required with timestamp.mode=FIELD'] });
    expect(errorsOf({ topic: 't', 'file.paths': '/a/{x,y}.log' })['file.paths'][0]).toMatch(/uses \{a,b\}/);
  });

  it('rejects bad single values with what was expected', () => {
    expect(errorsOf({ ...spool, 'input.file.pattern': '(' })['input.file.pattern'][0]).toMatch(/not a valid regular expression/);
    expect(errorsOf({ ...spool, 'file.charset': 'UTF-16' })['file.charset'][0]).toMatch(/UTF-16 is not supported/);
    expect(errorsOf({ ...spool, 'value.schema': '{"type":"nope"}' })['value.schema'][0]).toMatch(/not a Connect schema: Unknown schema type: nope/);
    expect(errorsOf({ ...spool, 'csv.separator.char': ';;' })['csv.separator.char'][0]).toMatch(/single character/);
    expect(errorsOf({ ...spool, mode: 'copy' }).mode[0]).toMatch(/String must be one of \(case insensitive\): tail, spool/);
    expect(errorsOf({ ...spool, 'file.headers': 'file.name,file.size' })['file.headers'][0]).toMatch(/file\.size/);
  });

  it('throws one ConfigError listing every problem', () => {
    let error: unknown;
    try {
      parseFileSourceConfig({ mode: 'spool', topic: 't' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^4 configuration problems/);
  });

  it('splits tail patterns over tasks and picks the task class by mode', () => {
    const connector = new FileSourceConnector();
    connector.start({ topic: 't', 'file.paths': '/a/*.log,/b/*.log,/c/*.log', name: 'logs' });
    expect(connector.taskClass()).toBe(FileTailTask);
    const configs = connector.taskConfigs(2);
    expect(configs.map((c) => c['file.paths'])).toEqual(['/a/*.log,/c/*.log', '/b/*.log']);
    expect(configs[0].name).toBe('logs');
    connector.start(spool);
    expect(connector.taskClass()).toBe(FileSpoolTask);
  });

  it('refuses offsets set through the REST API that a restart could not use', () => {
    const connector = new FileSourceConnector();
    const partition = { path: '/x.log', 'file.id': '1:2' };
    expect(connector.alterOffsets({}, [{ partition, offset: { position: 10, line: 1, fingerprint: '00000000', 'fingerprint.bytes': 10 } }])).toBe(true);
    expect(connector.alterOffsets({}, [{ partition, offset: null }])).toBe(true);
    expect(() => connector.alterOffsets({}, [{ partition: { filename: '/x' }, offset: null }])).toThrow(/needs "path" and "file.id"/);
    expect(() => connector.alterOffsets({}, [{ partition, offset: { position: 10 } }])).toThrow(/needs whole numbers/);
  });

  it('is registered as FileSource and FileSourceConnector', () => {
    const registry = PluginRegistry.withBuiltins('test');
    for (const name of ['FileSource', 'FileSourceConnector', 'io.sluice.connect.file.FileSourceConnector']) {
      expect(registry.find(name)?.className).toBe('io.sluice.connect.file.FileSourceConnector');
    }
    expect(registry.find('FileSource')?.type).toBe('source');
  });

  it('has every key documented, and README.md holds the generated reference', () => {
    for (const key of FILE_SOURCE_CONFIG.keys()) expect(key.documentation.length, key.name).toBeGreaterThan(10);
    const readme = readFileSync(new URL('../../../connectors/file/README.md', import.meta.url), 'utf8');
    expect(withConfigReference(readme, configReferenceMarkdown())).toBe(readme);
  });
});
