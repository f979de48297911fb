/**
 * Hands out read buffers carved from 1 MiB slabs, so that a fetch of one 16 KiB batch costs a
 * pread and no allocation of its own. A slab region is never reused: callers keep the slices they
 * get (they go to sockets), and a slab is garbage once its last slice is.
 */
const SLAB_SIZE = 1024 * 1024;

export class ReadSlab {
  #slab: Buffer = Buffer.allocUnsafeSlow(0);
  #used = 0;

  /** A buffer with room for `length` bytes at `offset`; call commit with the bytes kept. */
  reserve(length: number): { buf: Buffer; offset: number } {
    if (length > SLAB_SIZE / 4) return { buf: Buffer.allocUnsafeSlow(length), offset: 0 };
    if (this.#slab.length - this.#used < length) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.#used = 0;
    }
    return { buf: this.#slab, offset: this.#used };
  }

  /** Marks `length` bytes from the last reservation as handed out. */
  commit(buf: Buffer, offset: number, length: number): Buffer {
    if (buf === this.#slab) this.#used = offset + length;
    return buf.subarray(offset, offset + length);
  }
}
