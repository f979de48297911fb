/**
 * Kafka's sampled statistics (metrics.sample.window.ms = 30 s, metrics.num.samples = 2): values
 * are recorded into the current sample; samples older than the window count are purged. Pure:
 * the time is an argument.
 */
export const SAMPLE_WINDOW_MS = 30_000;
export const SAMPLES = 2;

interface Sample {
  start: number;
  count: number;
  total: number;
  max: number;
}

export class WindowedStat {
  readonly #samples: Sample[] = [];
  readonly #windowMs: number;
  readonly #samplesKept: number;

  constructor(windowMs = SAMPLE_WINDOW_MS, samples = SAMPLES) {
    this.#windowMs = windowMs;
    this.#samplesKept = samples;
  }

  record(value: number, now: number): void {
    let current = this.#samples[this.#samples.length - 1];
    if (current === undefined || now - current.start >= this.#windowMs) {
      current = { start: now, count: 0, total: 0, max: Number.NEGATIVE_INFINITY };
      this.#samples.push(current);
      if (this.#samples.length > this.#samplesKept) this.#samples.shift();
    }
    current.count++;
    current.total += value;
    if (value > current.max) current.max = value;
  }

  #live(now: number): Sample[] {
    const oldest = now - this.#windowMs * this.#samplesKept;
    return this.#samples.filter((s) => s.start + this.#windowMs > oldest);
  }

  /** Sum of recorded values per second over the live samples (Kafka's Rate: at least one full window elapsed). */
  rate(now: number): number {
    const live = this.#live(now);
    if (live.length === 0) return 0;
    const total = live.reduce((sum, s) => sum + s.total, 0);
    const elapsed = Math.max(now - live[0].start, this.#windowMs * (this.#samplesKept - 1), 1);
    return (total * 1000) / elapsed;
  }

  /** Mean of the recorded values over the live samples; NaN when there are none (as Kafka reports). */
  avg(now: number): number {
    const live = this.#live(now);
    const count = live.reduce((sum, s) => sum + s.count, 0);
    return count === 0 ? Number.NaN : live.reduce((sum, s) => sum + s.total, 0) / count;
  }

  /** Largest recorded value over the live samples; NaN when there are none. */
  max(now: number): number {
    const live = this.#live(now).filter((s) => s.count > 0);
    return live.length === 0 ? Number.NaN : Math.max(...live.map((s) => s.max));
  }
}
