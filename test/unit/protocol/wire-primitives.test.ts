import { describe, expect, it } from 'vitest';
import { ReadFault, WireReader } from '../../../runtime/broker/protocol/wire-reader.ts';
import { WireWriter, uvarintWidth } from '../../../runtime/broker/protocol/wire-writer.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('unsigned varints', () => {
  it('encode and decode at every width boundary', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [2 ** 28 - 1, 'ffffff7f'],
      [2 ** 28, '8080808001'],
      [0xffffffff, 'ffffffff0f'],
    ];
    for (const [v, bytes] of cases) {
      const w = new WireWriter(4);
      w.uvarint(v);
      expect(Buffer.concat(w.finish()).toString('hex'), String(v)).toBe(bytes);
      expect(uvarintWidth(v)).toBe(bytes.length / 2);
      expect(new WireReader(hex(bytes)).uvarint()).toBe(v);
    }
  });

  it('refuse values above 32 bits and runaway continuation bits', () => {
    expect(() => new WireReader(hex('ffffffff1f')).uvarint()).toThrow(ReadFault);
    expect(() => new WireReader(hex('8080808080808001')).uvarint()).toThrow(/longer than 5 bytes/);
    expect(() => new WireReader(hex('8080')).uvarint()).toThrow(/runs past the end/);
    expect(() => new WireWriter().uvarint(-1)).toThrow(RangeError);
  });
});

describe('WireWriter', () => {
  it('prefixes a sized value even when the buffer grows while it is written', () => {
    const w = new WireWriter(8, 1);
    w.int8(7);
    const long = 'x'.repeat(300);
    w.sized(() => w.compactString(long));
    const out = Buffer.concat(w.finish());
    const r = new WireReader(out);
    expect(r.int8()).toBe(7);
    // compact string of 300 bytes = 2-byte length + 300, so the size is 302 (2-byte varint).
    expect(r.uvarint()).toBe(302);
    expect(r.uvarint()).toBe(301);
    expect(r.utf8(300)).toBe(long);
    expect(r.remaining).toBe(0);
  });

  it('does not split a sized value into chunks, and patches a prefix across chunks', () => {
    const big = Buffer.alloc(50, 9);
    const w = new WireWriter(16, 10);
    w.int32(0);
    w.raw(big);
    w.sized(() => w.raw(big));
    w.int8(1);
    w.patchInt32(0, w.length - 4);
    const chunks = w.finish();
    expect(chunks[1]).toBe(big);
    expect(chunks.filter((c) => c === big)).toHaveLength(1);
    const all = Buffer.concat(chunks);
    expect(all.readInt32BE(0)).toBe(all.length - 4);
    expect(all.length).toBe(4 + 50 + 1 + 50 + 1);
  });

  it('writes strings with exact UTF-8 lengths', () => {
    const w = new WireWriter(2);
    w.shortString('grüße');
    w.compactString('€'.repeat(50));
    const r = new WireReader(Buffer.concat(w.finish()));
    expect(r.int16()).toBe(7);
    expect(r.utf8(7)).toBe('grüße');
    expect(r.uvarint()).toBe(151);
    expect(r.utf8(150)).toBe('€'.repeat(50));
  });

  it('refuses strings over the int16 limit and malformed UUIDs', () => {
    expect(() => new WireWriter().shortString('x'.repeat(40000))).toThrow(/int16 length limit/);
    expect(() => new WireWriter().uuid('orders')).toThrow(/not a UUID/);
    const w = new WireWriter();
    w.uuid('0123456789abcdef0123456789abcdef');
    expect(new WireReader(Buffer.concat(w.finish())).uuid()).toBe('01234567-89ab-cdef-0123-456789abcdef');
  });
});

describe('WireReader', () => {
  it('reads views of the buffer and never past its end', () => {
    const buf = hex('0001 0002 aabbccdd');
    const r = new WireReader(buf, 2, 6);
    expect(r.int16()).toBe(2);
    const v = r.bytes(2);
    expect(v.buffer).toBe(buf.buffer);
    expect(() => r.int8()).toThrow(/needs 1 bytes, 0 left/);
  });
});
