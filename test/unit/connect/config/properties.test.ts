import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PropertiesSyntaxError, parseProperties, propertiesToRecord } from '../../../../runtime/connect/config/properties.ts';
import { decodePropertiesBytes, readPropertiesFile } from '../../../../runtime/connect/config/properties-file.ts';
import { hasCode } from '../../../../runtime/util/errors.ts';

const parse = (text: string) => propertiesToRecord(parseProperties(text, 'test.properties'));

// Expected values below were produced by java.util.Properties.load (OpenJDK 17) on the same inputs.
const TRICKY = [
  '# comment',
  '! another comment',
  '   # indented comment',
  'key1=value1',
  'key2 = value2',
  'key3:value3',
  'key4 : value4',
  'key5 value5',
  'key6\ttabbed',
  '   leading.ws = trimmed leading',
  'key7=value with trailing spaces   ',
  'key8 = = equals in value',
  'key9::colon in value',
  'key10 =',
  'key11',
  'empty.sep:',
  'multi=line one \\',
  '      line two \\',
  '  line three',
  'esc\\ aped\\=key\\:x = v',
  'tabs=a\\tb\\nc\\rd\\fe\\\\f',
  'unknown=\\q\\z\\"',
  'uni=\\u0041\\u00e9\\u4e2d',
  'ends.with.backslash=abc\\\\',
  'double.cont=abc\\\\\\',
  '  next',
  'comment.cont=a \\',
  '# not a comment',
  'bang.cont=b \\',
  '! not a comment either',
  '# comment with continuation \\',
  'after.comment=yes',
  'empty.cont=x\\',
  '',
  'after.empty.cont=z',
  'crlf=one\\',
  '',
].join('\n');

const TRICKY_EXPECTED = {
  'after.comment': 'yes',
  'after.empty.cont': 'z',
  'bang.cont': 'b ! not a comment either',
  'comment.cont': 'a # not a comment',
  crlf: 'one',
  'double.cont': 'abc\\next',
  'empty.cont': 'x',
  'empty.sep': '',
  'ends.with.backslash': 'abc\\',
  'esc aped=key:x': 'v',
  key1: 'value1',
  key10: '',
  key11: '',
  key2: 'value2',
  key3: 'value3',
  key4: 'value4',
  key5: 'value5',
  key6: 'tabbed',
  key7: 'value with trailing spaces   ',
  key8: '= equals in value',
  key9: ':colon in value',
  'leading.ws': 'trimmed leading',
  multi: 'line one line two line three',
  tabs: 'a\tb\nc\rd\fe\\f',
  uni: 'A\u00e9\u4e2d',
  unknown: 'qz"',
};

describe('parseProperties (java.util.Properties semantics)', () => {
  it('parses separators, comments, escapes and continuation lines exactly as Java does', () => {
    expect(parse(TRICKY)).toEqual(TRICKY_EXPECTED);
  });

  it('handles \\r\\n and lone \\r line endings, including continuations', () => {
    expect(parse('a=1\r\nb=2\\\r\n   3\r\nc=4\rd=5\\\r   6\re = 7\n')).toEqual({ a: '1', b: '23', c: '4', d: '56', e: '7' });
  });

  it('drops a continuation backslash at end of input', () => {
    expect(parse('last=end\\')).toEqual({ last: 'end' });
  });

  it('keeps the last value of a duplicated key, escaped separators in keys, and form feed as whitespace', () => {
    expect(parse('dup=1\ndup=2\n  \f key=val\nspace\\ key=1\ncolon\\:key=2\nkey\\\\=3\n')).toEqual({
      dup: '2',
      key: 'val',
      'space key': '1',
      'colon:key': '2',
      'key\\': '3',
    });
  });

  it('keeps surrogate pairs written as two \\u escapes', () => {
    expect(parse('smile=\\uD83D\\uDE00')).toEqual({ smile: '\u{1F600}' });
  });

  it('strips a byte order mark at the start of the file (Java would keep it in the first key)', () => {
    expect(parse('\ufeffbom=1\n')).toEqual({ bom: '1' });
  });

  it('records the line where each key starts', () => {
    const parsed = parseProperties('# c\na=1\n\nb=x\\\n  y\nc=3\n', 'w.properties');
    expect(parsed.lines.get('a')).toBe(2);
    expect(parsed.lines.get('b')).toBe(4);
    expect(parsed.lines.get('c')).toBe(6);
  });

  it('keeps keys like __proto__ as plain data', () => {
    const record = parse('__proto__=x\nconstructor=y\n');
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(record['__proto__']).toBe('x');
    expect(record.constructor).toBe('y');
  });

  it('rejects a malformed \\u escape naming the file and the physical line', () => {
    const run = () => parseProperties('a=1\nlong=first \\\n  then \\u00G1 here\n', 'conn.properties');
    expect(run).toThrow(PropertiesSyntaxError);
    try {
      run();
    } catch (err) {
      expect(hasCode(err, 'PROPERTIES_SYNTAX')).toBe(true);
      expect((err as Error).message).toContain('conn.properties:3:');
      expect((err as Error).message).toContain('\\u00G1');
    }
  });

  it('rejects a \\u escape cut short by the end of the line', () => {
    expect(() => parseProperties('k=\\u00', 'x.properties')).toThrow(/x\.properties:1: malformed \\uxxxx escape/);
  });
});

describe('readPropertiesFile', () => {
  it('reads UTF-8 files and names the file in errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-props-'));
    const file = path.join(dir, 'worker.properties');
    await writeFile(file, 'name=caf\u00e9\n');
    const parsed = await readPropertiesFile(file);
    expect(parsed.entries.get('name')).toBe('caf\u00e9');
    expect(parsed.file).toBe(file);
    await expect(readPropertiesFile(path.join(dir, 'missing.properties'))).rejects.toThrow(/missing\.properties: no such file/);
    await expect(readPropertiesFile(path.join(dir, 'missing.properties'))).rejects.toMatchObject({ code: 'CONFIG_FILE_UNREADABLE' });
  });

  it('falls back to ISO-8859-1 for bytes that are not UTF-8', () => {
    expect(decodePropertiesBytes(new Uint8Array([0x61, 0x3d, 0xe9, 0x80]))).toBe('a=\u00e9\u0080');
  });
});
