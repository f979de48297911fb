// Test doubles for the bulk writer: timers that move only when told, and a transport whose
// requests stay open until the test answers them.
import type { BulkTransport, Timers, WritableItem } from '../../../connectors/elasticsearch/bulk-writer.ts';
import type { ALL_OK } from '../../../connectors/elasticsearch/bulk-writer.ts';
import type { ItemResult } from '../../../connectors/elasticsearch/item-outcome.ts';

export class ManualTimers implements Timers {
  #now = 0;
  #next = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward, running due timers in time order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.#timers) if (entry[1].at <= end && (due === null || entry[1].at < due[1].at)) due = entry;
      if (due === null) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = end;
  }
}

export interface OpenRequest<T> {
  items: readonly T[];
  answer(results: readonly ItemResult[] | typeof ALL_OK): Promise<void>;
  fail(error: unknown): Promise<void>;
}

/** Lets pending promise callbacks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ScriptedTransport<T extends WritableItem> implements BulkTransport<T> {
  readonly requests: OpenRequest<T>[] = [];
  readonly sent: Array<readonly T[]> = [];

  send(items: readonly T[]): Promise<readonly ItemResult[] | typeof ALL_OK> {
    this.sent.push(items);
    return new Promise((resolve, reject) => {
      this.requests.push({
        items,
        answer: async (results) => {
          resolve(results);
          await settle();
        },
        fail: async (error) => {
          reject(error);
          await settle();
        },
      });
    });
  }

  /** The oldest unanswered request. */
  next(): OpenRequest<T> {
    const request = this.requests.shift();
    if (request === undefined) throw new Error('no open request');
    return request;
  }
}

export interface TestItem extends WritableItem {
  readonly n: number;
}

export function item(n: number, orderKey: string | null = null, bytes = 10): TestItem {
  return { n, bytes, orderKey };
}
