/**
 * A FIFO async mutex: writes are planned one at a time, each against a state that applied every
 * earlier write (ids and versions derive from the state).
 */
export class WriteLock {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `task` once every earlier task settled; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
