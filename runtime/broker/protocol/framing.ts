import { FrameTooLargeError } from './wire-errors.ts';

/** Kafka's `socket.request.max.bytes` default. */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024;

/**
 * Splits a byte stream into Kafka frames (int32 size prefix, then that many bytes). Complete
 * frames inside one chunk are returned as views of it; a frame spread over several chunks is
 * copied once, when its last byte arrives. Memory grows only with bytes actually received: a
 * 2 GiB size prefix is refused as soon as it is read, and a large but allowed claim allocates
 * nothing until the frame is complete.
 */
export class FrameSplitter {
  readonly maxFrameSize: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the frame being assembled, once its prefix has arrived; -1 before. */
  private expected = -1;

  constructor(maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {
    this.maxFrameSize = maxFrameSize;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feeds received bytes; returns the frames they complete (without size prefixes). Throws FrameTooLargeError. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.expected < 0) {
        if (this.pendingBytes < 4) return frames;
        this.expected = this.checked(this.peekPendingSize());
      }
      const total = 4 + this.expected;
      if (this.pendingBytes < total) return frames;
      const whole = Buffer.concat(this.pending, total);
      frames.push(whole.subarray(4));
      const rest = this.pendingBytes - total;
      this.pending = [];
      this.pendingBytes = 0;
      this.expected = -1;
      chunk = chunk.subarray(chunk.length - rest);
    }
    let pos = 0;
    while (chunk.length - pos >= 4) {
      const size = this.checked(chunk.readInt32BE(pos));
      if (chunk.length - pos - 4 < size) {
        this.expected = size;
        break;
      }
      frames.push(chunk.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    if (pos < chunk.length) {
      this.pending.push(chunk.subarray(pos));
      this.pendingBytes = chunk.length - pos;
    }
    return frames;
  }

  private checked(size: number): number {
    if (size < 0 || size > this.maxFrameSize) throw new FrameTooLargeError(size, this.maxFrameSize);
    return size;
  }

  /** The size prefix when it straddles pending chunks. */
  private peekPendingSize(): number {
    const b = Buffer.allocUnsafe(4);
    let n = 0;
    for (const c of this.pending) {
      for (let i = 0; i < c.length && n < 4; i++) b[n++] = c[i];
      if (n === 4) break;
    }
    return b.readInt32BE(0);
  }
}
