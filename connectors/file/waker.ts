/** An idle wait that file system events (or stop) can end early. */
export class Waker {
  #wake: (() => void) | null = null;
  #pending = false;

  /** Waits up to `ms`; returns at once if wake() was called since the last wait. */
  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  wake(): void {
    if (this.#wake === null) this.#pending = true;
    else this.#wake();
  }
}
