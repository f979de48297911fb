/**
 * A controllable fdatasync for PartitionLogOptions.syncData: while held, each call waits until the
 * test releases (or fails) it, and every start and finish is written to one event list, so tests
 * can check what was acknowledged before which fsync finished.
 */
export class HeldSyncs {
  readonly events: string[] = [];
  #held = false;
  #started = 0;
  readonly #waiting: { n: number; release: () => void; fail: (err: Error) => void }[] = [];

  /** From now on syncs wait for release(); before, they finish at once. */
  hold(): void {
    this.#held = true;
  }

  /** Syncs from now on finish at once again. */
  resume(): void {
    this.#held = false;
  }

  get started(): number {
    return this.#started;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  readonly sync = (_fd: number): Promise<void> => {
    const n = ++this.#started;
    this.events.push(`sync ${n} started`);
    if (!this.#held) {
      this.events.push(`sync ${n} done`);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({
        n,
        release: () => {
          this.events.push(`sync ${n} done`);
          resolve();
        },
        fail: (err) => {
          this.events.push(`sync ${n} failed`);
          reject(err);
        },
      });
    });
  };

  /** Finishes the oldest waiting sync. */
  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) throw new Error('no fsync is waiting');
    next.release();
  }

  fail(err: Error): void {
    const next = this.#waiting.shift();
    if (next === undefined) throw new Error('no fsync is waiting');
    next.fail(err);
  }
}

/** Lets I/O callbacks and promise continuations run until `check` holds (gives up after `rounds` turns, ~10 s). */
export async function until(check: () => boolean | Promise<boolean>, what: string, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, i < 50 ? 0 : 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}
