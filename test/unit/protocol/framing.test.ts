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

  describe('lending one buffer to frames of the lendable api keys', () => {
    /** A request-like payload: int16 api key first, then `size - 2` bytes of `fill`. */
    function request(apiKey: number, size: number, fill: number): Buffer {
      const p = Buffer.alloc(size, fill);
      p.writeInt16BE(apiKey, 0);
      return p;
    }

    /** Feeds `payload` framed, in two chunks, so that the splitter has to copy it. */
    function pushSplit(s: FrameSplitter, payload: Buffer): Buffer[] {
      const stream = framed(payload);
      return [...s.push(stream.subarray(0, 10)), ...s.push(stream.subarray(10))];
    }

    /** Same bytes in memory (fresh copies may share Node's pool, at other offsets). */
    function sameMemory(x: Buffer, y: Buffer): boolean {
      return x.buffer === y.buffer && x.byteOffset === y.byteOffset;
    }

    const produceOnly = (apiKey: number): boolean => apiKey === 0;

    it('reuses the lent buffer once the frame is released', () => {
      const s = new FrameSplitter(undefined, produceOnly);
      const [first] = pushSplit(s, request(0, 5000, 1));
      expect(first.equals(request(0, 5000, 1))).toBe(true);
      s.release(first);
      const [second] = pushSplit(s, request(0, 7000, 2));
      expect(second.equals(request(0, 7000, 2))).toBe(true);
      expect(sameMemory(second, first)).toBe(true);
    });

    it('gives a fresh buffer while the lent frame is out, leaving its bytes intact', () => {
      const s = new FrameSplitter(undefined, produceOnly);
      const [first] = pushSplit(s, request(0, 5000, 1));
      const [second] = pushSplit(s, request(0, 5000, 2));
      expect(sameMemory(second, first)).toBe(false);
      expect(first.equals(request(0, 5000, 1))).toBe(true);
      // Releasing the fresh one does not free the loan; releasing the lent one does.
      s.release(second);
      const [third] = pushSplit(s, request(0, 5000, 3));
      expect(sameMemory(third, first)).toBe(false);
      s.release(first);
      const [fourth] = pushSplit(s, request(0, 5000, 4));
      expect(sameMemory(fourth, first)).toBe(true);
      expect(third.equals(request(0, 5000, 3))).toBe(true);
    });

    it('copies other api keys, frames in one chunk and frames above 1 MiB + 64 KiB into buffers of their own', () => {
      const s = new FrameSplitter(undefined, produceOnly);
      const [fetch] = pushSplit(s, request(1, 5000, 1));
      s.release(fetch);
      const [again] = pushSplit(s, request(1, 5000, 2));
      expect(sameMemory(again, fetch)).toBe(false);
      expect(fetch.equals(request(1, 5000, 1))).toBe(true);

      const whole = framed(request(0, 100, 5));
      const [inChunk] = s.push(whole);
      expect(inChunk.buffer).toBe(whole.buffer);

      const [lent] = pushSplit(s, request(0, 5000, 6));
      s.release(lent);
      const [huge] = pushSplit(s, request(0, 1024 * 1024 + 64 * 1024, 7));
      expect(sameMemory(huge, lent)).toBe(false);
      expect(huge.length).toBe(1024 * 1024 + 64 * 1024);
      const [next] = pushSplit(s, request(0, 5000, 8));
      expect(sameMemory(next, lent)).toBe(true);
      s.release(next);
      // At the limit (size prefix included): lent, in a grown buffer the next frames reuse.
      const [atLimit] = pushSplit(s, request(0, 1024 * 1024 + 64 * 1024 - 4, 9));
      expect(atLimit.equals(request(0, 1024 * 1024 + 64 * 1024 - 4, 9))).toBe(true);
      s.release(atLimit);
      const [after] = pushSplit(s, request(0, 5000, 10));
      expect(sameMemory(after, atLimit)).toBe(true);
    });

    it('lends nothing without a lendable predicate', () => {
      const s = new FrameSplitter();
      const [first] = pushSplit(s, request(0, 5000, 1));
      s.release(first);
      const [second] = pushSplit(s, request(0, 5000, 2));
      expect(sameMemory(second, first)).toBe(false);
      expect(first.equals(request(0, 5000, 1))).toBe(true);
    });
  });
});
