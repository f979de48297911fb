import { FrameTooLargeError } from './wire-errors.ts';

/** Kafka's `socket.request.max.bytes` default. */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024;
/**
 * The lent buffer grows in steps of 64 KiB up to a producer's default max.request.size (1 MiB)
 * plus headers; larger frames get a buffer of their own. It lives as long as its connection.
 */
const LENT_STEP = 64 * 1024;
const MAX_LENT_FRAME = 1024 * 1024 + LENT_STEP;

/**
 * Splits a byte stream into Kafka frames (int32 size prefix, then that many bytes). Complete
 * frames inside one chunk are returned as views of it; a frame spread over several chunks is
 * copied once, when its last byte arrives. Memory grows only with bytes actually received: a
 * 2 GiB size prefix is refused as soon as it is read, and a large but allowed claim allocates
 * nothing until the frame is complete.
 *
 * Copied frames of the API keys `lendable` names (requests whose handler reads nothing of them
 * once it returns: Produce, whose batches are written synchronously) go into one buffer the
 * splitter keeps and lends: such a frame stays valid until release(frame), and while it is out
 * the next copied frame gets a fresh buffer. A producer's multi-chunk requests then cost no new
 * buffer each: fewer external allocations, fewer old-generation collections they would trigger.
 */
export class FrameSplitter {
  readonly maxFrameSize: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the frame being assembled, once its prefix has arrived; -1 before. */
  private expected = -1;
  private readonly lendable: (apiKey: number) => boolean;
  private loanBuffer: Buffer | undefined;
  private lent = false;

  constructor(maxFrameSize = DEFAULT_MAX_FRAME_SIZE, lendable: (apiKey: number) => boolean = () => false) {
    this.maxFrameSize = maxFrameSize;
    this.lendable = lendable;
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
      const whole = this.assemble(total);
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

  /** Gives back a frame push() returned; a lent one may then be overwritten by the next. */
  release(frame: Buffer): void {
    if (this.loanBuffer !== undefined && frame.buffer === this.loanBuffer.buffer) this.lent = false;
  }

  /** The first `total` pending bytes (size prefix included) in one buffer: the lent one when allowed. */
  private assemble(total: number): Buffer {
    const first = this.pending[0];
    // Request header: int16 api key right after the size prefix.
    const lend = !this.lent && total <= MAX_LENT_FRAME && first.length >= 6 && this.lendable(first.readInt16BE(4));
    if (!lend) return Buffer.concat(this.pending, total);
    if (this.loanBuffer === undefined || this.loanBuffer.length < total) {
      this.loanBuffer = Buffer.allocUnsafeSlow(Math.ceil(total / LENT_STEP) * LENT_STEP);
    }
    let filled = 0;
    for (const c of this.pending) {
      filled += c.copy(this.loanBuffer, filled, 0, Math.min(c.length, total - filled));
      if (filled === total) break;
    }
    this.lent = true;
    return this.loanBuffer.subarray(0, total);
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
