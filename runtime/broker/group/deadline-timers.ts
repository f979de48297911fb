/**
 * Keyed one-shot timers for a pure state machine: nothing fires by itself; the driver asks for the
 * next deadline and hands the due timers back in. Scheduling a key that is already scheduled replaces
 * it (like Kafka's coordinator timer). Due timers come out in deadline order, ties in scheduling
 * order, so a simulation replays identically.
 */
interface Entry<T> {
  key: string;
  deadline: number;
  seq: number;
  payload: T;
}

export class DeadlineTimers<T> {
  readonly #live = new Map<string, Entry<T>>();
  /** Min-heap on (deadline, seq); entries no longer in #live are stale and skipped. */
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#live.size;
  }

  schedule(key: string, deadline: number, payload: T): void {
    const entry = { key, deadline, seq: this.#seq++, payload };
    this.#live.set(key, entry);
    this.#push(entry);
    // Rescheduling leaves stale heap entries behind; rebuild before they outnumber live ones.
    if (this.#heap.length > 4 * this.#live.size + 1024) this.#rebuild();
  }

  cancel(key: string): void {
    this.#live.delete(key);
  }

  has(key: string): boolean {
    return this.#live.has(key);
  }

  /** The earliest deadline, or undefined when nothing is scheduled. */
  nextDeadline(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.deadline;
  }

  /** Removes and returns the earliest timer whose deadline is ≤ now. */
  popDue(now: number): { key: string; payload: T } | undefined {
    this.#dropStale();
    const top = this.#heap[0];
    if (top === undefined || top.deadline > now) return undefined;
    this.#pop();
    this.#live.delete(top.key);
    return { key: top.key, payload: top.payload };
  }

  #dropStale(): void {
    while (this.#heap.length > 0 && this.#live.get(this.#heap[0].key) !== this.#heap[0]) this.#pop();
  }

  #rebuild(): void {
    this.#heap.length = 0;
    for (const entry of [...this.#live.values()].sort((a, b) => (this.#less(a, b) ? -1 : 1))) this.#heap.push(entry);
  }

  #less(a: Entry<T>, b: Entry<T>): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  #push(entry: Entry<T>): void {
    const h = this.#heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l], h[m])) m = l;
      if (r < h.length && this.#less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
