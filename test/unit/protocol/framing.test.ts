import { describe, expect, it } from 'vitest';
import { FrameSplitter } from '../../../runtime/broker/protocol/framing.ts';
import { FrameTooLargeError } from '../../../runtime/broker/protocol/wire-errors.ts';

function framed(...payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(p.length);
      return [size, p];
    }),
  );
}

const a = Buffer.from('first frame');
const b = Buffer.alloc(3000, 0xab);
const c = Buffer.alloc(0);
const d = Buffer.from('last');

describe('FrameSplitter', () => {
  it('splits frames that arrive together, as views of the chunk', () => {
    const chunk = framed(a, b, c, d);
    const frames = new FrameSplitter().push(chunk);
    expect(frames.map((f) => f.toString('hex'))).toEqual([a, b, c, d].map((f) => f.toString('hex')));
    for (const f of frames) expect(f.buffer).toBe(chunk.buffer);
  });

  it('reassembles frames fed one byte at a time, and any split point', () => {
    const stream = framed(a, b, c, d);
    for (const step of [1, 2, 3, 5, 7, 1000, 4096]) {
      const s = new FrameSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...s.push(stream.subarray(i, i + step)));
      expect(out.map((f) => f.toString('hex')), `step ${step}`).toEqual([a, b, c, d].map((f) => f.toString('hex')));
      expect(s.bufferedBytes).toBe(0);
    }
  });

  it('refuses a 2 GiB size prefix as soon as it is read', () => {
    const s = new FrameSplitter();
    expect(s.push(Buffer.from([0x7f, 0xff]))).toEqual([]);
    let err: unknown;
    try {
      s.push(Buffer.from([0xff, 0xff, 1, 2, 3]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).code).toBe('FRAME_TOO_LARGE');
    expect((err as FrameTooLargeError).size).toBe(0x7fffffff);
    expect((err as FrameTooLargeError).message).toContain('socket.request.max.bytes');
  });

  it('refuses negative sizes and sizes above the maximum, accepts the maximum', () => {
    expect(() => new FrameSplitter(100).push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(/negative/);
    expect(() => new FrameSplitter(100).push(framed(Buffer.alloc(101)))).toThrow(FrameTooLargeError);
    expect(new FrameSplitter(100).push(framed(Buffer.alloc(100)))[0].length).toBe(100);
    // A later frame in the same chunk is checked too.
    expect(() => new FrameSplitter(100).push(framed(Buffer.alloc(10), Buffer.alloc(200)))).toThrow(FrameTooLargeError);
  });

  it('holds only the bytes received for a large allowed claim', () => {
    const s = new FrameSplitter();
    const head = Buffer.alloc(14);
    head.writeInt32BE(50 * 1024 * 1024);
    expect(s.push(head)).toEqual([]);
    expect(s.bufferedBytes).toBe(14);
    expect(s.push(Buffer.alloc(100))).toEqual([]);
    expect(s.bufferedBytes).toBe(114);
  });

  it('keeps the bytes after a reassembled frame', () => {
    const stream = framed(b, d, a);
    const s = new FrameSplitter();
    expect(s.push(stream.subarray(0, 1000))).toEqual([]);
    const out = s.push(stream.subarray(1000));
    expect(out.map((f) => f.length)).toEqual([b.length, d.length, a.length]);
    expect(out[2].toString()).toBe('first frame');
  });
});
